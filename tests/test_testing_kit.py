"""The testing kit (`streamkap_sdk.testing`), through the sync and the async client alike."""

from __future__ import annotations

import datetime as dt
import inspect
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import httpx
import pytest

from streamkap_api.models import PipelineMetricsRes
from streamkap_sdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncStreamkapClient,
    InternalServerError,
    MalformedResponseError,
    NotFoundError,
    StreamkapClient,
)
from streamkap_sdk.testing import (
    AsyncEngineTransport,
    EngineTransport,
    FakeStreamkap,
    RecordedRequest,
)


class Either:
    """One call shape for both clients, so every test runs sync and async."""

    def __init__(self, fake: FakeStreamkap, mode: str, **settings: Any) -> None:
        self.client: StreamkapClient | AsyncStreamkapClient = (
            fake.client(**settings) if mode == "sync" else fake.async_client(**settings)
        )

    async def metrics(self, resource: str, ids: list[str], **params: Any) -> Any:
        outcome = getattr(self.client, resource).metrics(ids, **params)
        return await outcome if inspect.isawaitable(outcome) else outcome

    async def close(self) -> None:
        if isinstance(self.client, AsyncStreamkapClient):
            await self.client.aclose()
        else:
            self.client.close()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake() -> FakeStreamkap:
    return FakeStreamkap(seed=1)


@pytest.fixture
async def kit(fake: FakeStreamkap, mode: str) -> AsyncIterator[Either]:
    either = Either(fake, mode)
    yield either
    await either.close()


def latest(result: PipelineMetricsRes, entity: str) -> dict[str, Any]:
    block: dict[str, Any] = result.connector_metrics[entity].latest.to_dict()
    return block


async def test_seeded_metrics_are_deterministic(mode: str) -> None:
    async def fetch(seed: int) -> Any:
        either = Either(FakeStreamkap(seed=seed), mode)
        try:
            return (await either.metrics("pipelines", ["a", "b"])).to_dict()
        finally:
            await either.close()

    assert await fetch(1) == await fetch(1)
    assert await fetch(1) != await fetch(2)


def test_same_numbers_as_the_sandbox_server(client: StreamkapClient) -> None:
    """One engine behind both: the fake and the uvicorn sandbox agree (both seed 0)."""
    ids = ["p1", "p2", "p3"]
    over_http = client.pipelines.metrics(ids, time_type="timesummary")
    with FakeStreamkap(seed=0).client() as in_process:
        assert in_process.pipelines.metrics(ids, time_type="timesummary") == over_http


async def test_programmable_responses(fake: FakeStreamkap, kit: Either) -> None:
    seeded = latest(await kit.metrics("pipelines", ["orders", "users"]), "users")
    with pytest.raises(ValueError, match=r"unknown metric 'new' in latest=.*recordsLag"):
        fake.set_metrics("orders", latest={"recordsLag": 5000, "new": 1})
    with pytest.raises(ValueError, match="recordsLag: 'many' is not integer or number"):
        fake.set_metrics("orders", resource="destinations", latest={"recordsLag": "many"})
    with pytest.raises(ValueError, match="unknown block hourly="):
        fake.set_metrics("orders", hourly={"recordsLag": 1})
    fake.set_metrics(
        "orders", strict=False, latest={"recordsLag": 5000, "status": "PAUSED", "new": 1}
    )
    result = await kit.metrics("pipelines", ["orders", "users"])
    assert latest(result, "orders") == {"recordsLag": 5000, "status": "PAUSED", "new": 1}
    assert latest(result, "users") == seeded  # other ids keep their seeded numbers

    at = dt.datetime(2025, 1, 15, 10, 0, tzinfo=dt.UTC)
    fake.set_metrics(
        "dest",
        timeseries={"latency": [(at, 1.5), {"timestamp": "2025-01-15T10:01:00Z", "value": 2}]},
    )
    series = (await kit.metrics("destinations", ["dest"])).connector_metrics["dest"].timeseries
    assert [(p.timestamp, p.value) for p in series.latency] == [
        ("2025-01-15T10:00:00Z", 1.5),
        ("2025-01-15T10:01:00Z", 2),
    ]
    fake.clear_metrics("orders")
    assert latest(await kit.metrics("pipelines", ["orders"]), "orders")["recordsLag"] != 5000


def test_set_metrics_checks_its_arguments(fake: FakeStreamkap) -> None:
    with pytest.raises(ValueError, match="at least one"):
        fake.set_metrics("x")
    with pytest.raises(ValueError, match="aware"):
        fake.set_metrics("x", timeseries={"latency": [(dt.datetime(2025, 1, 1), 1.0)]})
    with pytest.raises(ValueError, match="kind"):
        fake.malformed_next("garbage")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        fake.fail_next(503, times=0)
    with pytest.raises(ValueError, match="aware"):
        FakeStreamkap(now=dt.datetime(2025, 1, 1))


async def test_retries_against_fail_next(fake: FakeStreamkap, kit: Either) -> None:
    fake.fail_next(503, times=2, retry_after=2)
    result = await kit.metrics("pipelines", ["a"])
    assert result.connector_metrics["a"] is not None
    assert len(fake.requests) == 3
    assert fake.sleeps == [2.0, 2.0]  # Retry-After honoured, and nobody waited


async def test_fail_next_until_retries_run_out(fake: FakeStreamkap, kit: Either) -> None:
    fake.fail_next(500, times=3, detail="database on fire")
    with pytest.raises(InternalServerError, match="database on fire"):
        await kit.metrics("pipelines", ["a"])
    assert len(fake.requests) == 3 and len(fake.sleeps) == 2

    fake.fail_next(404)
    with pytest.raises(NotFoundError):
        await kit.metrics("pipelines", ["a"])
    assert len(fake.requests) == 4  # not retried


async def test_token_endpoint_faults(fake: FakeStreamkap, kit: Either) -> None:
    fake.fail_next(503, tokens=True)
    assert (await kit.metrics("pipelines", ["a"])).connector_metrics["a"] is not None
    assert len(fake.sleeps) == 1 and fake.token_requests == 2  # the failed exchange counts too


async def test_malformed_bodies(fake: FakeStreamkap, kit: Either) -> None:
    fake.malformed_next("truncated")
    with pytest.raises(MalformedResponseError, match="not valid JSON"):
        await kit.metrics("pipelines", ["a"])
    fake.malformed_next("schema")
    with pytest.raises(MalformedResponseError, match="does not fit"):
        await kit.metrics("pipelines", ["a"])
    assert len(fake.requests) == 2  # a 200 is not retried, however broken

    fake.malformed_next("html")  # a proxy's 502 page: retried
    assert (await kit.metrics("pipelines", ["a"])).connector_metrics["a"] is not None
    assert len(fake.requests) == 4


async def test_dropped_connections(fake: FakeStreamkap, mode: str) -> None:
    either = Either(fake, mode, max_retries=1)
    try:
        fake.drop_next()
        assert (await either.metrics("pipelines", ["a"])).connector_metrics["a"] is not None
        fake.drop_next(times=2)
        with pytest.raises(APIConnectionError, match="RemoteProtocolError"):
            await either.metrics("pipelines", ["a"])
    finally:
        await either.close()


async def test_delays_time_out_only_past_the_read_timeout(fake: FakeStreamkap, mode: str) -> None:
    either = Either(fake, mode, timeout=2.0, max_retries=0)
    try:
        fake.delay_next(1.5)  # within the timeout: answered at once
        assert (await either.metrics("pipelines", ["a"])).connector_metrics["a"] is not None
        fake.delay_next(30)
        with pytest.raises(APITimeoutError):
            await either.metrics("pipelines", ["a"])
    finally:
        await either.close()


async def test_token_expiry_renewals_are_counted(fake: FakeStreamkap, kit: Either) -> None:
    await kit.metrics("pipelines", ["a"])
    assert (fake.token_requests, fake.refresh_requests, kit.client.token_requests) == (1, 0, 1)

    fake.expire_tokens()
    await kit.metrics("pipelines", ["a"])  # 401 "Token expired", refresh, replay
    assert (fake.token_requests, fake.refresh_requests, kit.client.token_requests) == (1, 1, 2)
    first, expired, replayed = fake.requests
    assert first.authorization == expired.authorization != replayed.authorization

    fake.revoke_tokens()
    await kit.metrics("pipelines", ["a"])
    assert (fake.refresh_requests, kit.client.token_requests, len(fake.requests)) == (2, 3, 5)


async def test_request_record(fake: FakeStreamkap, mode: str) -> None:
    either = Either(fake, mode, max_ids_per_request=2)
    try:
        await either.metrics(
            "destinations", ["d1", "d2", "d3"], time_type="timesummary", since=dt.timedelta(hours=1)
        )
    finally:
        await either.close()
    requests = fake.requests
    assert all(isinstance(r, RecordedRequest) for r in requests)
    assert sorted(r.ids for r in requests) == [["d1", "d2"], ["d3"]]
    first = requests[0]
    assert (first.method, first.path, first.resource) == (
        "POST",
        "/destinations/metrics",
        "destinations",
    )
    assert first.params["time_type"] == "timesummary" == first.query["time_type"]
    assert first.body == {"ids": first.ids}
    assert first.authorization is not None and first.authorization.startswith("Bearer ")
    fake.reset()
    assert fake.requests == [] and fake.metrics_requests == 0


async def test_clear_requests_forgets_the_record_only(fake: FakeStreamkap, kit: Either) -> None:
    fake.set_metrics("a", latest={"latency": 5.0})
    fake.fail_next(503, times=1)
    fake.clear_requests()  # before anything was sent: the fault stays queued
    await kit.metrics("pipelines", ["a"])  # the 503, then the retry
    assert (len(fake.requests), fake.metrics_requests, fake.token_requests) == (2, 2, 1)
    fake.clear_requests()
    assert fake.requests == []
    result = await kit.metrics("pipelines", ["a"])  # same token, same programmed metrics
    assert result.connector_metrics["a"].latest.latency == 5.0
    assert (len(fake.requests), fake.metrics_requests, fake.token_requests) == (1, 3, 1)


async def test_pinned_now(mode: str) -> None:
    now = dt.datetime(2025, 1, 15, 10, 0, 30, tzinfo=dt.UTC)
    either = Either(FakeStreamkap(now=now), mode)
    try:
        result = await either.metrics("pipelines", ["a"], time_type="timeseries")
    finally:
        await either.close()
    points = result.connector_metrics["a"].timeseries.latency
    assert len(points) == 60 and points[-1].timestamp == "2025-01-15T10:00:00Z"


async def test_transports_for_clients_you_build(fake: FakeStreamkap) -> None:
    settings = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}
    with StreamkapClient(transport=fake.transport(), **settings) as sync:
        assert isinstance(fake.transport(), EngineTransport)
        assert sync.pipelines.metrics(["a"]).connector_metrics["a"] is not None
    async with AsyncStreamkapClient(transport=fake.async_transport(), **settings) as client:
        assert isinstance(fake.async_transport(), AsyncEngineTransport)
        assert (await client.pipelines.metrics(["a"])).connector_metrics["a"] is not None
    assert fake.token_requests == 2
    async with httpx.AsyncClient(transport=fake.async_transport(), base_url="http://x") as raw:
        assert (await raw.post("/nowhere")).status_code == 404


def test_fixture_from_the_plugin(streamkap_fake: FakeStreamkap) -> None:
    assert isinstance(streamkap_fake, FakeStreamkap) and streamkap_fake.requests == []
    plugins = {ep.value for ep in entry_points(group="pytest11")}
    assert "streamkap_sdk.testing.plugin" in plugins


def test_needs_neither_fastapi_nor_uvicorn() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules.update({"fastapi": None, "uvicorn": None, "starlette": None})
        from streamkap_sdk.testing import FakeStreamkap
        with FakeStreamkap().client() as client:
            assert client.pipelines.metrics(["a"]).connector_metrics["a"] is not None
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


# -- the developer's environment (issue 25, item 9) ---------------------------------------------
#
# With STREAMKAP_ACCESS_TOKEN exported, a kit client tried that token first: its 401 was a
# recorded request, so `[request] = streamkap_fake.requests` found two in a consumer project.
# The kit's clients now read no STREAMKAP_* variable; only settings a test passes count.

OVERLAY = Path(__file__).resolve().parents[1] / "overlays" / "streamkap_sdk"
#: Every STREAMKAP_* variable the SDK's source names (a new one is covered without an edit).
ENV_NAMES = sorted(
    {
        name
        for source in OVERLAY.rglob("*.py")
        for name in re.findall(r"\bSTREAMKAP_[A-Z0-9_]+\b", source.read_text(encoding="utf-8"))
    }
)
HOSTILE = {  # what a developer's shell might hold
    "STREAMKAP_CLIENT_ID": "someone-else",
    "STREAMKAP_SECRET": "their-secret",
    "STREAMKAP_ACCESS_TOKEN": "a-real-looking-token",
    "STREAMKAP_HOST": "https://api.streamkap.com",
    "STREAMKAP_ADMIN_TENANT_ID": "tenant-from-env",
    "STREAMKAP_ADMIN_SERVICE_ID": "service-from-env",
    "STREAMKAP_LOG": "debug",
}


def test_every_variable_the_sdk_reads_is_covered() -> None:
    assert set(HOSTILE) <= set(ENV_NAMES), ENV_NAMES  # the grep finds what the SDK documents


def export(monkeypatch: pytest.MonkeyPatch, names: list[str]) -> None:
    for name in names:
        monkeypatch.setenv(name, HOSTILE.get(name, "from-the-environment"))


class HeaderLog(EngineTransport):
    """The kit's transport, keeping every request's headers."""

    def __init__(self, fake: FakeStreamkap, log: list[httpx.Headers]) -> None:
        super().__init__(fake.engine)
        self.log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request.headers)
        return super().handle_request(request)


class AsyncHeaderLog(AsyncEngineTransport):
    def __init__(self, fake: FakeStreamkap, log: list[httpx.Headers]) -> None:
        super().__init__(fake.engine)
        self.log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request.headers)
        return await super().handle_async_request(request)


@pytest.mark.parametrize(
    "exported", [[n] for n in ENV_NAMES] + [ENV_NAMES], ids=[*ENV_NAMES, "all"]
)
async def test_kit_clients_ignore_the_environment(
    monkeypatch: pytest.MonkeyPatch, mode: str, exported: list[str]
) -> None:
    export(monkeypatch, exported)
    fake = FakeStreamkap()
    sent: list[httpx.Headers] = []
    monkeypatch.setattr(fake, "transport", lambda: HeaderLog(fake, sent))
    monkeypatch.setattr(fake, "async_transport", lambda: AsyncHeaderLog(fake, sent))
    kit = Either(fake, mode)
    try:
        await kit.metrics("pipelines", ["orders"])
        [first] = fake.requests  # the README's first kit test
        assert first.ids == ["orders"]
        fake.expire_tokens()
        await kit.metrics("pipelines", ["orders"])  # 401, refresh, replay
    finally:
        await kit.close()
    assert (len(fake.requests), fake.token_requests, fake.refresh_requests) == (3, 1, 1)
    issued = set(fake.engine.issued)
    assert all(r.authorization and r.authorization[7:] in issued for r in fake.requests)
    assert all(str(h.get("host")) == "api.streamkap.test" for h in sent)
    assert not [h for headers in sent for h in headers if h.lower().startswith("x-admin")]


async def test_settings_a_test_passes_still_count(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    export(monkeypatch, ENV_NAMES)
    fake = FakeStreamkap()
    sent: list[httpx.Headers] = []
    monkeypatch.setattr(fake, "transport", lambda: HeaderLog(fake, sent))
    monkeypatch.setattr(fake, "async_transport", lambda: AsyncHeaderLog(fake, sent))
    kit = Either(fake, mode, admin_tenant_id="mine", max_retries=0)
    try:
        await kit.metrics("pipelines", ["orders"])
    finally:
        await kit.close()
    assert sent[-1]["x-admin-tenant-id"] == "mine" and "x-admin-service-id" not in sent[-1]
    assert os.environ["STREAMKAP_ACCESS_TOKEN"] == HOSTILE["STREAMKAP_ACCESS_TOKEN"]  # restored
    # a client the test builds itself on the kit's transport reads the environment, as any does
    with StreamkapClient(transport=fake.transport()) as own:
        assert str(own.base_url).startswith(HOSTILE["STREAMKAP_HOST"])


def test_the_readme_kit_tests_pass_in_a_consumer_project(tmp_path: Path) -> None:
    """The README's kit example as a project of its own runs it: its own pytest, no conftest
    of this repository (which clears the variables), every STREAMKAP_* variable exported."""
    example = Path(__file__).with_name("test_kit_example.py")
    (tmp_path / "test_service.py").write_text(example.read_text(encoding="utf-8"))
    env = {**os.environ, **{n: HOSTILE.get(n, "from-the-environment") for n in ENV_NAMES}}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:schemathesis",
         "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "5 passed" in done.stdout, done.stdout[-3000:]
