"""Never run: a consumer's mistakes, each of which mypy --strict and pyright strict must report.

Every line that ends in an error marker must be reported, and no other line
(tests/test_typing_mistakes.py).
"""

# pyright: strict
from __future__ import annotations

from streamkap_sdk import AsyncStreamkapClient, StreamkapClient, entities, present
from streamkap_sdk.testing import FakeStreamkap


def mistakes(client: StreamkapClient, fake: FakeStreamkap) -> None:
    client.pipelines.metrics(["a"], time_type="hourly")  # E: closed set
    client.pipelines.metrics(["a"], sort_dir="up")  # E: closed set
    client.pipelines.metrics(["a"], time_typ="latest")  # E: misspelt parameter
    StreamkapClient(clinet_id="x")  # E: misspelt setting
    StreamkapClient(max_retires=3)  # E: misspelt setting
    AsyncStreamkapClient(tiemout=5)  # E: misspelt setting
    AsyncStreamkapClient(http_backend="aiohtp")  # E: closed set
    StreamkapClient.from_project_key("key.json", max_retires=3)  # E: misspelt setting
    fake.client(clinet_secret="x")  # E: misspelt setting
    fake.async_client(max_retires=1)  # E: misspelt setting
    result = client.pipelines.metrics(["a"])
    result.conector_metrics  # E: misspelt attribute
    entities(result)  # E: wrong type
    latest = present(entities(result.connector_metrics)["a"].latest)
    latest.recods_lag  # E: misspelt attribute
    client.pipelines.with_raw_response.metrics(["a"], time_type="hourly")  # E: closed set
    raw = client.pipelines.with_raw_response.metrics(["a"])
    raw.request_idd  # E: misspelt attribute
    raw.parse().conector_metrics  # E: misspelt attribute
    client.with_options(max_retires=1)  # E: misspelt setting
    client.with_options(timeout="5")  # E: wrong type
    StreamkapClient(default_header={"X": "y"})  # E: misspelt setting
    StreamkapClient(verify=1.5)  # E: wrong type


def narrowing(client: StreamkapClient) -> int | str:
    latest = present(entities(client.pipelines.metrics(["a"]).connector_metrics)["a"].latest)
    lag = present(latest.records_lag)  # int | str | Unset | None -> int | str
    ok: int | str = lag
    return ok
