"""The suite runs on the httpx it was asked to: httpx itself, or httpx2 aliased as httpx.

`make test-httpx2` (scripts/matrix.py) runs the whole suite in a venv whose start-up calls
`httpx2.alias_httpx()` and sets STREAMKAP_TEST_HTTPX=httpx2: if the alias were not in effect,
in this process or in the subprocesses the suite starts (the CLI, the sandbox, README blocks),
this fails instead of passing on plain httpx.
"""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

EXPECTED = os.environ.get("STREAMKAP_TEST_HTTPX") or "httpx"


def test_this_process_imports_the_expected_httpx() -> None:
    from streamkap_sdk.testing import FakeStreamkap

    assert httpx.__name__ == EXPECTED and sys.modules["httpx"] is httpx
    assert httpx.Client.__module__.split(".")[0] == EXPECTED
    fake = FakeStreamkap()
    with fake.client() as client:  # the SDK's requests go through that module's classes
        client.pipelines.metrics(["orders"])
    assert isinstance(fake.transport(), httpx.BaseTransport)
    assert fake.metrics_requests == 1


def test_subprocesses_import_the_expected_httpx() -> None:
    code = "import httpx, httpcore; print(httpx.__name__, httpcore.__name__)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    expected_core = "httpcore2" if EXPECTED == "httpx2" else "httpcore"
    assert done.stdout.split() == [EXPECTED, expected_core]
