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
"""

from ._fake import DEFAULT_BASE_URL, FakeStreamkap, RecordedRequest
from ._transport import AsyncEngineTransport, EngineTransport

__all__ = [
    "DEFAULT_BASE_URL",
    "AsyncEngineTransport",
    "EngineTransport",
    "FakeStreamkap",
    "RecordedRequest",
]
