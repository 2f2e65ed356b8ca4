"""A fake Streamkap API for your own tests: in-process, no server, no port, no network.

    from streamkap_sdk.testing import FakeStreamkap

    fake = FakeStreamkap(seed=1)
    fake.set_metrics("orders", latest={"recordsLag": 5000})
    fake.fail_next(503, times=2, retry_after=1)
    with fake.client() as client:
        client.pipelines.metrics(["orders"])
    assert len(fake.requests) == 3 and fake.sleeps == [1.0, 1.0]

It runs the same engine as the sandbox server (`python -m streamkap_sdk.sandbox`), so both
behave alike, but it needs neither FastAPI nor uvicorn. With pytest, the `streamkap_fake`
fixture gives each test a fresh `FakeStreamkap()` (plugin `streamkap_sdk.testing.plugin`,
registered automatically when the SDK is installed).

The names are imported on first use (PEP 562), as in `streamkap_sdk`: pytest imports this
package for the plugin in every test run, also of projects that never use the fake.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._fake import DEFAULT_BASE_URL as DEFAULT_BASE_URL
    from ._fake import FakeStreamkap as FakeStreamkap
    from ._fake import RecordedRequest as RecordedRequest
    from ._transport import AsyncEngineTransport as AsyncEngineTransport
    from ._transport import EngineTransport as EngineTransport

__all__ = [
    "DEFAULT_BASE_URL",
    "AsyncEngineTransport",
    "EngineTransport",
    "FakeStreamkap",
    "RecordedRequest",
]

_MODULE_OF: Final = {
    "DEFAULT_BASE_URL": "_fake",
    "FakeStreamkap": "_fake",
    "RecordedRequest": "_fake",
    "AsyncEngineTransport": "_transport",
    "EngineTransport": "_transport",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
