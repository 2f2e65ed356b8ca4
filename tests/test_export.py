"""`to_records` and `to_dataframe` on real responses (from the in-process fake)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from _support import DESTINATION_SERIES, PIPELINE_SERIES, metric_names, served_aggregations

import streamkap_sdk
from streamkap_api.surface import operation
from streamkap_sdk import MetricRecord, StreamkapClient, StreamkapError, to_dataframe, to_records
from streamkap_sdk._export import MissingDependencyError, entity_keys
from streamkap_sdk.testing import FakeStreamkap

END = dt.datetime(2025, 1, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def client() -> Iterator[StreamkapClient]:
    with FakeStreamkap(seed=3).client() as c:
        yield c


def test_pipelines_latest(client: StreamkapClient) -> None:
    result = client.pipelines.metrics(["p1", "p2"], time_type="latest")
    records = to_records(result)
    assert all(isinstance(r, MetricRecord) for r in records)
    connector = [r for r in records if r.aggregation == "connector"]
    assert [(r.id, r.metric) for r in connector] == [
        (entity, metric) for entity in ("p1", "p2") for metric in PIPELINE_SERIES
    ]
    assert {(r.key, r.time_type, r.timestamp) for r in records} == {(None, "latest", None)}
    latest = result.connector_metrics["p2"].latest
    by_metric = {r.metric: r.value for r in connector if r.id == "p2"}
    fields = operation("pipelines").metrics["latest"]
    assert by_metric == {f.wire: getattr(latest, f.name) for f in fields}
    assert [r.aggregation for r in records[-len(PIPELINE_SERIES) :]] == ["account"] * len(fields)


def test_destinations_timeseries(client: StreamkapClient) -> None:
    result = client.destinations.metrics(
        ["d1", "d2"], time_type="timeseries", timestamp_to=END, since=dt.timedelta(minutes=30)
    )
    records = [r for r in to_records(result) if r.time_type == "timeseries"]
    assert len(records) == 2 * len(DESTINATION_SERIES) * 30
    assert {r.metric for r in records} == set(DESTINATION_SERIES)
    stamps = sorted({r.timestamp for r in records if r.timestamp is not None})
    assert stamps[0] == dt.datetime(2025, 1, 15, 9, 31, tzinfo=dt.UTC)
    assert stamps[-1] == END and stamps[-1].tzinfo is dt.UTC
    first = result.connector_metrics["d1"].timeseries.latency[0]
    row = next(r for r in records if (r.id, r.metric) == ("d1", "latency"))
    assert (row.value, row.timestamp) == (first.value, END - dt.timedelta(minutes=29))


@pytest.mark.parametrize("level", ["task", "topic"])
def test_task_and_topic_levels(client: StreamkapClient, level: str) -> None:
    result = client.pipelines.metrics(["p1", "p2"], time_type="timesummary", level=level)
    rows = [r for r in to_records(result) if r.aggregation == level]
    suffix = f"-{level}-0"
    assert {(r.id, r.key) for r in rows} == {("p1", f"p1{suffix}"), ("p2", f"p2{suffix}")}
    assert {r.time_type for r in rows} == {"timesummary"}
    assert len(rows) == 2 * len(metric_names("pipelines", "timesummary"))


def test_mapping_input_and_odd_shapes() -> None:
    raw: dict[str, Any] = {
        "connector_metrics": {
            "a": {
                "timeseries": {
                    "latency": [
                        {"timestamp": "2025-01-15T10:00:00", "value": 1},  # naive: read as UTC
                        {"timestamp": "2025-01-15T12:00:00+02:00", "value": 2},
                    ],
                    "recordsLag": None,
                },
                "latest": None,
            },
            "b": None,
        },
        "inline_metrics": {"i": {"latest": {"newMetric": {"nested": True}}}},
        "task_metrics": None,
        "unknown_metrics": {"x": {"latest": {"latency": 1}}},
    }
    records = to_records(raw)
    assert [(r.id, r.aggregation, r.metric, r.timestamp, r.value) for r in records] == [
        ("a", "connector", "latency", END, 1),
        ("a", "connector", "latency", END, 2),
        ("i", "inline", "newMetric", None, {"nested": True}),
    ]
    with pytest.raises(ValueError, match="no ISO 8601 timestamp"):
        to_records({"connector_metrics": {"a": {"timeseries": {"x": [{"timestamp": "soon"}]}}}})


def test_entity_keys_include_entities_without_values(client: StreamkapClient) -> None:
    raw: dict[str, Any] = {
        "connector_metrics": {"a": {"timeseries": {"latency": []}}, "b": None},
        "task_metrics": {"c": {"c-task-0": None, "c-task-1": {}}, "d": {}, "e": None},
        "account_metrics": {"account": {"latest": {"latency": 1}}},
        "unknown_metrics": {"x": {}},
    }
    assert to_records(raw)[0].id == "account"  # the others give no records
    assert entity_keys(raw) == [
        ("connector", "a", None),
        ("connector", "b", None),
        ("task", "c", "c-task-0"),
        ("task", "c", "c-task-1"),
        ("task", "d", None),
        ("task", "e", None),
        ("account", "account", None),
    ]
    result = client.pipelines.metrics(["p1"], level="topic", time_type="timesummary")
    added = [
        (agg, "p1", None) for agg in served_aggregations("pipelines", "topic") if agg != "topic"
    ]
    assert entity_keys(result) == [
        ("topic", "p1", "p1-topic-0"), *added, ("account", "account", None)
    ]  # fmt: skip
    assert entity_keys(result) == entity_keys(result.to_dict())


def test_model_and_its_json_give_the_same_rows(client: StreamkapClient) -> None:
    result = client.pipelines.metrics(["p1"], time_type="timeseries", since=dt.timedelta(minutes=5))
    assert to_records(result) == to_records(result.to_dict())


def test_to_dataframe_without_pandas(
    client: StreamkapClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if not installed
    result = client.pipelines.metrics(["p1"])
    with pytest.raises(ImportError) as caught:
        to_dataframe(result)
    assert str(caught.value) == (
        'to_dataframe needs pandas: pip install pandas (or install the SDK with its "pandas" extra)'
    )
    assert isinstance(caught.value, StreamkapError)
    assert isinstance(caught.value, MissingDependencyError)
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)


@pytest.mark.parametrize("time_type", ["timeseries", "latest"])
def test_to_dataframe_with_pandas(client: StreamkapClient, time_type: str) -> None:
    """Real pandas (the `pandas` extra, installed by `make`): the rows of to_records, with
    timestamps as aware UTC datetimes pandas can compute with."""
    import pandas as pd

    result = client.pipelines.metrics(
        ["p1", "p2"], time_type=time_type, since=dt.timedelta(minutes=5)
    )
    records = to_records(result)
    frame = to_dataframe(result)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(MetricRecord._fields)
    assert len(frame) == len(records) > 0
    rows = [MetricRecord(*row) for row in frame.astype(object).itertuples(index=False, name=None)]
    assert [_plain(row) for row in rows] == [_plain(row) for row in records]
    assert set(frame["id"]) == {"p1", "p2", "account"}
    if time_type == "timeseries":
        stamps = frame["timestamp"]
        assert isinstance(stamps.dtype, pd.DatetimeTZDtype) and str(stamps.dt.tz) == "UTC"
        span = stamps.max() - stamps.min()
        assert pd.Timedelta(0) < span <= pd.Timedelta(minutes=5)
        per_metric = frame.groupby("metric")["value"].count()
        assert per_metric.sum() == len(records)
    else:
        assert frame["timestamp"].isna().all()  # latest values have no timestamp


def _plain(record: MetricRecord) -> tuple[object, ...]:
    """A row with pandas' missing values (None, NaN, NaT) as None, for comparison."""
    import pandas as pd

    return tuple(
        None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in record
    )


def test_exported_from_the_top_level() -> None:
    for name in ("to_records", "to_dataframe", "MetricRecord"):
        assert name in streamkap_sdk.__all__
    assert MetricRecord._fields == (
        "id", "aggregation", "key", "time_type", "metric", "timestamp", "value",
    )  # fmt: skip
