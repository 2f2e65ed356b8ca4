"""Never run, only type-checked (`make typecheck`): the public API as a user would write it."""
# pyright: strict

from __future__ import annotations

import asyncio
import datetime as dt
from typing import assert_type

from streamkap_sdk import (
    AsyncStreamkapClient,
    DestinationMetricsRes,
    PipelineMetricsRes,
    StreamkapClient,
    StreamkapError,
)


def sync_usage() -> None:
    with StreamkapClient(client_id="id", client_secret="secret") as client:
        pipelines = client.pipelines.metrics(["a", "b"], time_type="latest")
        assert_type(pipelines, PipelineMetricsRes)
        destinations = client.destinations.metrics(
            "a,b", since=dt.timedelta(hours=1), time_type="timeseries", timeout=5.0
        )
        assert_type(destinations, DestinationMetricsRes)


async def async_usage() -> None:
    async with AsyncStreamkapClient(access_token="token") as client:
        try:
            result = await client.pipelines.metrics(
                ("a", "b"), timestamp_from="2025-01-15T09:00:00Z", max_retries=0
            )
        except StreamkapError:
            raise
        assert_type(result, PipelineMetricsRes)
        many = await asyncio.gather(*(client.destinations.metrics([i]) for i in "xyz"))
        assert_type(many, list[DestinationMetricsRes])
    async with AsyncStreamkapClient(access_token="token", http_backend="aiohttp") as client:
        assert_type(await client.pipelines.metrics(["a"]), PipelineMetricsRes)


def kit_and_export_usage() -> None:
    from streamkap_sdk import MetricRecord, to_records
    from streamkap_sdk.testing import FakeStreamkap, RecordedRequest

    fake = FakeStreamkap(seed=1)
    fake.fail_next(503, times=2, retry_after=1)
    with fake.client() as client:
        rows = to_records(client.pipelines.metrics(["orders"]))
    assert_type(rows, list[MetricRecord])
    first: RecordedRequest = fake.requests[0]
    assert_type(first.ids, list[str])


def service_settings_usage() -> None:
    import datetime
    import ssl

    import httpx

    from streamkap_sdk import RawResponse

    http = httpx.Client(headers={"X-Mesh": "on"})
    with StreamkapClient(
        access_token="t",
        http_client=http,
        default_headers={"X-Team": "billing"},
    ) as client:
        raw = client.pipelines.with_raw_response.metrics(["a"], time_type="latest")
        assert_type(raw, RawResponse[PipelineMetricsRes])
        assert_type(raw.parse(), PipelineMetricsRes)
        assert_type(raw.request_id, str | None)
        assert_type(raw.elapsed, datetime.timedelta)
        assert_type(raw.responses[0].status_code, int)
        quick = client.with_options(timeout=2.0, max_retries=0, deadline=5.0)
        assert_type(quick, StreamkapClient)
    StreamkapClient(
        access_token="t",
        verify=ssl.create_default_context(),
        proxy="http://proxy.internal:3128",
        limits=httpx.Limits(max_connections=20),
    )


async def async_service_settings_usage() -> None:
    from streamkap_sdk import RawResponse

    async with AsyncStreamkapClient(access_token="t", verify="/etc/ssl/ca.pem") as client:
        raw = await client.destinations.with_raw_response.metrics(["d"])
        assert_type(raw, RawResponse[DestinationMetricsRes])
        assert_type(client.with_options(default_headers={"X": "y"}), AsyncStreamkapClient)
