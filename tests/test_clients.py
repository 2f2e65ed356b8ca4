"""Both clients against the sandbox over real HTTP on 127.0.0.1."""

from __future__ import annotations

import datetime as dt

import pytest

from streamkap_api.models import (
    DestinationMetricsRes,
    DestinationTimeseriesMetrics,
    PipelineLatestMetrics,
    PipelineMetricsRes,
    TimeseriesEntry,
)
from streamkap_sdk import (
    AsyncStreamkapClient,
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    StreamkapClient,
)
from streamkap_sdk.sandbox import Engine, Sandbox

IDS = [f"pipe-{n}" for n in range(150)]


def test_sync_pipelines_latest(client: StreamkapClient, engine: Engine) -> None:
    result = client.pipelines.metrics(IDS, time_type="latest")
    assert isinstance(result, PipelineMetricsRes)
    rows = result.connector_metrics.additional_properties
    assert list(rows) == IDS
    latest = rows["pipe-7"].latest
    assert isinstance(latest, PipelineLatestMetrics)
    assert isinstance(latest.latency, float)
    sent = engine.seen[-1]
    assert sent.body == {"ids": IDS}  # ids travel in the body as an array
    assert sent.query == {"time_type": "latest"}


async def test_async_destinations_timeseries(
    async_client: AsyncStreamkapClient, engine: Engine
) -> None:
    end = dt.datetime(2025, 1, 15, 10, 0, tzinfo=dt.UTC)
    result = await async_client.destinations.metrics(
        ["dest-1"], time_type="timeseries", timestamp_to=end, since=dt.timedelta(hours=1)
    )
    assert isinstance(result, DestinationMetricsRes)
    series = result.connector_metrics["dest-1"].timeseries
    assert isinstance(series, DestinationTimeseriesMetrics)
    assert len(series.latency) == 60
    assert all(isinstance(p, TimeseriesEntry) for p in series.latency)
    assert series.latency[-1].timestamp == "2025-01-15T10:00:00Z"
    assert engine.seen[-1].query["timestamp_from"] == "2025-01-15T09:00:00Z"


def test_same_id_same_numbers(client: StreamkapClient) -> None:
    first = client.pipelines.metrics(["a", "b"], time_type="timesummary")
    second = client.pipelines.metrics(["b"], time_type="timesummary")
    assert first.connector_metrics["b"] == second.connector_metrics["b"]
    assert first.connector_metrics["a"] != first.connector_metrics["b"]


def test_static_access_token(engine: Engine, credentials: dict[str, str]) -> None:
    with StreamkapClient(**credentials) as c:
        c.pipelines.metrics(["x"])
        token = engine.seen[-1].authorization
    assert token is not None and token.startswith("Bearer ")
    with StreamkapClient(access_token=token[7:], base_url=credentials["base_url"]) as static:
        assert static.pipelines.metrics(["y"]).connector_metrics["y"] is not None
    assert engine.token_requests == 1  # the static client never exchanged credentials


def test_environment_fallback(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, sandbox: Sandbox
) -> None:
    monkeypatch.setenv("STREAMKAP_CLIENT_ID", "sandbox-client")
    monkeypatch.setenv("STREAMKAP_SECRET", "sandbox-secret")
    monkeypatch.setenv("STREAMKAP_HOST", sandbox.url)
    with StreamkapClient() as c:
        assert str(c.base_url).startswith(sandbox.url)
        assert c.pipelines.metrics(["e"]).connector_metrics["e"] is not None
    # an explicit argument wins over its own variable only
    monkeypatch.setenv("STREAMKAP_SECRET", "wrong")
    with StreamkapClient(client_secret="sandbox-secret") as c:
        c.pipelines.metrics(["e"])
    with StreamkapClient() as c, pytest.raises(AuthenticationError, match="HTTP 401"):
        c.pipelines.metrics(["e"])


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [
        ({}, "STREAMKAP_CLIENT_ID"),
        ({"client_id": "only-id"}, "STREAMKAP_SECRET"),
        ({"client_secret": "only-secret"}, "STREAMKAP_CLIENT_ID"),
        ({"access_token": "t", "base_url": "ftp://x"}, "STREAMKAP_HOST"),
    ],
)
def test_missing_configuration(kwargs: dict[str, str], hint: str) -> None:
    with pytest.raises(ConfigurationError, match=hint):
        StreamkapClient(**kwargs)


def test_default_base_url_is_the_specs_server() -> None:
    with StreamkapClient(access_token="t") as c:
        assert str(c.base_url) == "https://api.streamkap.com"


def test_a_closed_client_says_so(credentials: dict[str, str], engine: Engine) -> None:
    client = StreamkapClient(**credentials)
    client.close()
    with pytest.raises(ClientClosedError, match="StreamkapClient is closed"):
        client.pipelines.metrics(["a"])
    assert engine.metrics_requests == 0


async def test_a_closed_async_client_says_so(credentials: dict[str, str]) -> None:
    async with AsyncStreamkapClient(**credentials) as client:
        pass
    with pytest.raises(ClientClosedError, match="AsyncStreamkapClient is closed"):
        await client.pipelines.metrics(["a"])


async def test_the_async_client_refuses_a_plain_with(credentials: dict[str, str]) -> None:
    client = AsyncStreamkapClient(**credentials)
    with pytest.raises(TypeError, match="async with"), client:  # type: ignore[attr-defined]
        pass
    await client.aclose()


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
def test_the_async_client_outside_asyncio_says_it_needs_asyncio(
    credentials: dict[str, str], backend: str
) -> None:
    """Driven with no asyncio loop (as trio, or anyio's trio backend, would drive it), the call
    used to fail with a bare `RuntimeError: no running event loop`."""
    from streamkap_sdk import ConfigurationError

    client = AsyncStreamkapClient(**credentials, http_backend=backend)  # type: ignore[arg-type]
    call = client.pipelines.metrics(["a"])
    with pytest.raises(ConfigurationError, match="runs on asyncio") as caught:
        call.send(None)  # a coroutine stepped by something that is not asyncio
    assert not isinstance(caught.value, RuntimeError)
    closing = client.aclose()
    with pytest.raises(ConfigurationError, match="runs on asyncio"):
        closing.send(None)
