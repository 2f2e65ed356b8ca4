"""Tests of a lag-alert service, with the SDK's fake Streamkap in place of the API."""

import pytest

from streamkap_sdk import InternalServerError, StreamkapClient, entities, present, to_records
from streamkap_sdk.testing import FakeStreamkap


def lagging_pipelines(client: StreamkapClient, ids: list[str], max_lag: int) -> list[str]:
    """The code under test: the pipelines more than `max_lag` records behind."""
    result = client.pipelines.metrics(ids, time_type="latest")
    return [
        row.id
        for row in to_records(result)
        if row.aggregation == "connector" and row.metric == "recordsLag" and row.value > max_lag
    ]


def test_reports_only_lagging_pipelines(streamkap_fake: FakeStreamkap) -> None:
    streamkap_fake.set_metrics("orders", latest={"recordsLag": 5000, "status": "RUNNING"})
    streamkap_fake.set_metrics("users", latest={"recordsLag": 12, "status": "RUNNING"})

    with streamkap_fake.client() as client:
        assert lagging_pipelines(client, ["orders", "users"], max_lag=1000) == ["orders"]

    [request] = streamkap_fake.requests  # what the service sent
    assert request.ids == ["orders", "users"]
    assert request.params["time_type"] == "latest"


def test_rides_out_a_brief_outage(streamkap_fake: FakeStreamkap) -> None:
    streamkap_fake.set_metrics("orders", latest={"recordsLag": 5000})
    streamkap_fake.fail_next(503, times=2, retry_after=3)

    with streamkap_fake.client() as client:
        assert lagging_pipelines(client, ["orders"], max_lag=1000) == ["orders"]

    assert len(streamkap_fake.requests) == 3  # two 503s, then success
    assert streamkap_fake.sleeps == [3.0, 3.0]  # Retry-After honoured, without really waiting


def test_reports_a_lasting_outage(streamkap_fake: FakeStreamkap) -> None:
    streamkap_fake.fail_next(500, times=3)  # the first try and both retries

    with streamkap_fake.client() as client, pytest.raises(InternalServerError):
        lagging_pipelines(client, ["orders"], max_lag=1000)


def test_survives_token_expiry(streamkap_fake: FakeStreamkap) -> None:
    with streamkap_fake.client() as client:
        lagging_pipelines(client, ["orders"], max_lag=1000)
        streamkap_fake.expire_tokens()
        lagging_pipelines(client, ["orders"], max_lag=1000)  # 401, token refreshed, replayed

    assert streamkap_fake.token_requests == 1
    assert streamkap_fake.refresh_requests == 1


@pytest.mark.asyncio  # with pytest-asyncio; the fake serves both clients
async def test_same_fake_for_async_code(streamkap_fake: FakeStreamkap) -> None:
    streamkap_fake.set_metrics("orders", latest={"recordsLag": 5000})

    async with streamkap_fake.async_client() as client:
        result = await client.pipelines.metrics(["orders"])

    assert present(entities(result.connector_metrics)["orders"].latest).records_lag == 5000
