"""Decoding with the generated models (custom templates in `templates/`).

`from_dict` must build models all the way down or raise `DecodeError` with the JSON path of the
first value that does not fit the schema; unknown keys must survive in `additional_properties`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamkap_api.models import (
    DestinationBaseMetrics,
    DestinationLatestMetrics,
    DestinationMetricsRes,
    DestinationMetricsResConnectorMetrics,
    DestinationMetricsResTaskMetrics,
    DestinationMetricsResTaskMetricsEntry,
    DestinationTimeseriesMetrics,
    DestinationTimesummaryMetrics,
    HTTPValidationError,
    PipelineBaseMetrics,
    PipelineLatestMetrics,
    PipelineMetricsRes,
    PipelineMetricsResConnectorMetrics,
    PipelineMetricsResTaskMetrics,
    PipelineMetricsResTaskMetricsEntry,
    PipelineTimeseriesMetrics,
    PipelineTimesummaryMetrics,
    TimeseriesEntry,
    ValidationError,
    ValidationErrorContext,
)
from streamkap_api.types import UNSET, DecodeError

Json = Any
Model = Any


# ---------------------------------------------------------------------------------------------
# payload builders


def series(n: int, start: float = 0.0) -> list[Json]:
    return [
        {"timestamp": f"2024-05-01T00:{i:02d}:00Z", "value": start + i * 0.5 if i % 2 else i}
        for i in range(n)
    ]


def pipeline_metrics(n: int = 20) -> Json:
    return {
        "timeseries": {"latency": series(n), "recordsLag": series(n, 7), "status": series(n, 1)},
        "latest": {"latency": 12.5, "recordsLag": 42, "status": "RUNNING"},
        "timesummary": {"latency": "n/a", "recordsLag": "3", "status": 1},
    }


def destination_metrics(n: int = 20) -> Json:
    return {
        "timeseries": {
            "latency": series(n),
            "recordsLag": None,
            "partitionCount": series(n, 3),
            "sinkRecordSendTotal": series(2),
        },
        "latest": {"connector_status": "RUNNING", "latency": 3, "recordsLag": 1.5},
        "timesummary": {"connector_status": None, "latency": 2.25, "qa_exact_count_diff": 0},
    }


def response(metrics: Callable[[], Json]) -> Json:
    return {
        "account_metrics": {"acct-1": metrics()},
        "connector_metrics": {"pipe-1": metrics(), "pipe-2": {"latest": None}},
        "inline_metrics": None,
        "task_metrics": {"task-1": {"conn-a": metrics(), "conn-b": {}}},
        "topic_metrics": {"topic.orders": {"pipe-1": metrics()}},
    }


PIPELINE: dict[str, Any] = {
    "res": PipelineMetricsRes,
    "payload": lambda: response(pipeline_metrics),
    "map": PipelineMetricsResConnectorMetrics,
    "task_map": PipelineMetricsResTaskMetrics,
    "task_inner": PipelineMetricsResTaskMetricsEntry,
    "base": PipelineBaseMetrics,
    "timeseries": PipelineTimeseriesMetrics,
    "latest": PipelineLatestMetrics,
    "timesummary": PipelineTimesummaryMetrics,
    "latest_expected": "number | string | null",
}
DESTINATION: dict[str, Any] = {
    "res": DestinationMetricsRes,
    "payload": lambda: response(destination_metrics),
    "map": DestinationMetricsResConnectorMetrics,
    "task_map": DestinationMetricsResTaskMetrics,
    "task_inner": DestinationMetricsResTaskMetricsEntry,
    "base": DestinationBaseMetrics,
    "timeseries": DestinationTimeseriesMetrics,
    "latest": DestinationLatestMetrics,
    "timesummary": DestinationTimesummaryMetrics,
    "latest_expected": "number | null",
}
KINDS = pytest.mark.parametrize("kind", [PIPELINE, DESTINATION], ids=["pipeline", "destination"])


def assert_fully_decoded(value: object, where: str = "$") -> None:
    """No raw dict anywhere except as the value of an unknown key in `additional_properties`."""
    assert not isinstance(value, dict), f"raw dict at {where}"
    if isinstance(value, list):
        for index, item in enumerate(value):
            assert_fully_decoded(item, f"{where}[{index}]")
        return
    if not attrs.has(type(value)):
        return
    for field in attrs.fields(type(value)):
        if field.name != "additional_properties":
            assert_fully_decoded(getattr(value, field.name), f"{where}.{field.name}")
        elif "Any" not in str(field.type):  # a typed map: every value is decoded too
            for key, item in value.additional_properties.items():  # type: ignore[attr-defined]
                assert_fully_decoded(item, f"{where}[{key!r}]")


# ---------------------------------------------------------------------------------------------
# valid payloads


@KINDS
def test_valid_payload_decodes_into_models_at_every_level(kind: dict[str, Any]) -> None:
    payload = kind["payload"]()
    res = kind["res"].from_dict(payload)

    assert_fully_decoded(res)
    assert isinstance(res.connector_metrics, kind["map"])
    assert res.inline_metrics is None
    base = res.connector_metrics["pipe-1"]
    assert isinstance(base, kind["base"])
    assert isinstance(res.account_metrics["acct-1"], kind["base"])
    assert isinstance(base.timeseries, kind["timeseries"])
    assert isinstance(base.latest, kind["latest"])
    assert isinstance(base.timesummary, kind["timesummary"])
    assert len(base.timeseries.latency) == 20
    assert all(type(entry) is TimeseriesEntry for entry in base.timeseries.latency)
    assert base.timeseries.latency[3].value == 1.5
    assert base.timeseries.latency[3].timestamp == "2024-05-01T00:03:00Z"
    assert res.connector_metrics["pipe-2"].latest is None
    assert res.connector_metrics["pipe-2"].timeseries is UNSET

    assert isinstance(res.task_metrics, kind["task_map"])
    assert isinstance(res.task_metrics["task-1"], kind["task_inner"])
    assert isinstance(res.task_metrics["task-1"]["conn-a"], kind["base"])
    assert isinstance(res.task_metrics["task-1"]["conn-b"], kind["base"])
    assert isinstance(res.topic_metrics["topic.orders"]["pipe-1"].timeseries, kind["timeseries"])

    assert res.to_dict() == payload


@KINDS
def test_decoding_neither_mutates_nor_aliases_the_input(kind: dict[str, Any]) -> None:
    payload = kind["payload"]()
    payload["connector_metrics"]["pipe-1"]["latest"]["newMetric"] = 1
    before = copy.deepcopy(payload)
    res = kind["res"].from_dict(payload)
    assert payload == before

    latest = res.connector_metrics["pipe-1"].latest
    latest["newMetric"] = 2
    assert payload["connector_metrics"]["pipe-1"]["latest"]["newMetric"] == 1
    first, second = res.connector_metrics["pipe-1"].timeseries.latency[:2]
    assert first.additional_properties is not second.additional_properties


@KINDS
def test_unknown_keys_survive_in_additional_properties_and_round_trip(
    kind: dict[str, Any],
) -> None:
    payload = kind["payload"]()
    payload["meta"] = {"generated_at": "2024-05-01T00:00:00Z"}
    pipe = payload["connector_metrics"]["pipe-1"]
    pipe["forecast"] = {"latency": [1, 2, 3]}
    pipe["timeseries"]["throughput"] = [{"timestamp": "2024-05-01T00:00:00Z", "value": 9}]
    pipe["timeseries"]["latency"][0]["quality"] = "estimated"
    pipe["latest"]["throughput"] = 12.5
    pipe["timesummary"]["throughput"] = None

    res = kind["res"].from_dict(payload)

    assert res.additional_properties == {"meta": {"generated_at": "2024-05-01T00:00:00Z"}}
    base = res.connector_metrics["pipe-1"]
    assert base["forecast"] == {"latency": [1, 2, 3]}
    assert base.timeseries.additional_keys == ["throughput"]
    assert base.timeseries.latency[0]["quality"] == "estimated"
    assert base.timeseries.latency[1].additional_properties == {}
    assert base.latest["throughput"] == 12.5
    assert "throughput" in base.timesummary
    assert res.to_dict() == payload


def test_any_mapping_is_accepted_as_an_object() -> None:
    entry = TimeseriesEntry.from_dict(MappingProxyType({"value": 1, "timestamp": "t", "x": 2}))
    assert (entry.value, entry.timestamp, entry.additional_properties) == (1, "t", {"x": 2})


# ---------------------------------------------------------------------------------------------
# invalid payloads: DecodeError with the exact path and a readable reason


def _set(path: list[str | int], value: object) -> Callable[[Json], None]:
    def mutate(payload: Json) -> None:
        target = payload
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _delete(path: list[str | int]) -> Callable[[Json], None]:
    def mutate(payload: Json) -> None:
        target = payload
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


LATENCY = ["connector_metrics", "pipe-1", "timeseries", "latency"]
TOPIC_LATENCY = ["topic_metrics", "topic.orders", "pipe-1", "timeseries", "latency"]
INVALID = [
    pytest.param(
        _delete(["account_metrics", "acct-1", "timeseries", "latency", 4, "value"]),
        ["account_metrics", "acct-1", "timeseries", "latency", 4, "value"],
        "missing required property",
        '$.account_metrics["acct-1"].timeseries.latency[4].value: missing required property',
        id="entry-without-value-in-account-metrics",
    ),
    pytest.param(
        _set([*LATENCY, 17, "value"], "12.5"),
        [*LATENCY, 17, "value"],
        "expected number, got str",
        '$.connector_metrics["pipe-1"].timeseries.latency[17].value: expected number, got str',
        id="value-as-string",
    ),
    pytest.param(
        _set([*LATENCY, 2, "value"], True),
        [*LATENCY, 2, "value"],
        "expected number, got bool",
        '$.connector_metrics["pipe-1"].timeseries.latency[2].value: expected number, got bool',
        id="value-as-bool",
    ),
    pytest.param(
        _set([*LATENCY, 0, "timestamp"], 1714521600),
        [*LATENCY, 0, "timestamp"],
        "expected string, got int",
        '$.connector_metrics["pipe-1"].timeseries.latency[0].timestamp: expected string, got int',
        id="timestamp-as-int",
    ),
    pytest.param(
        _set([*LATENCY, 5], ["2024-05-01T00:05:00Z", 1]),
        [*LATENCY, 5],
        "expected object, got list",
        '$.connector_metrics["pipe-1"].timeseries.latency[5]: expected object, got list',
        id="entry-not-an-object",
    ),
    pytest.param(
        _set(["connector_metrics", "pipe-1"], 3),
        ["connector_metrics", "pipe-1"],
        "expected object, got int",
        '$.connector_metrics["pipe-1"]: expected object, got int',
        id="connector-metrics-value-not-an-object",
    ),
    pytest.param(
        _set(["connector_metrics"], ["pipe-1"]),
        ["connector_metrics"],
        "expected object | null, got list",
        "$.connector_metrics: expected object | null, got list",
        id="connector-metrics-not-an-object",
    ),
    pytest.param(
        _set(["connector_metrics", "pipe-1", "timeseries"], "none"),
        ["connector_metrics", "pipe-1", "timeseries"],
        "expected object | null, got str",
        '$.connector_metrics["pipe-1"].timeseries: expected object | null, got str',
        id="timeseries-not-an-object",
    ),
    pytest.param(
        _set(["task_metrics", "task-1", "conn-a"], [1]),
        ["task_metrics", "task-1", "conn-a"],
        "expected object, got list",
        '$.task_metrics["task-1"]["conn-a"]: expected object, got list',
        id="task-metrics-inner-level-not-an-object",
    ),
    pytest.param(
        _set(["task_metrics", "task-1"], "conn-a"),
        ["task_metrics", "task-1"],
        "expected object, got str",
        '$.task_metrics["task-1"]: expected object, got str',
        id="task-metrics-outer-level-not-an-object",
    ),
    pytest.param(
        _set([*TOPIC_LATENCY, 1, "value"], None),
        [*TOPIC_LATENCY, 1, "value"],
        "expected number, got NoneType",
        '$.topic_metrics["topic.orders"]["pipe-1"].timeseries.latency[1].value: '
        "expected number, got NoneType",
        id="value-null-deep-in-topic-metrics",
    ),
]


@KINDS
@pytest.mark.parametrize(("mutate", "path", "reason", "message"), INVALID)
def test_invalid_payload_raises_decode_error_with_path(
    kind: dict[str, Any],
    mutate: Callable[[Json], None],
    path: list[str | int],
    reason: str,
    message: str,
) -> None:
    payload = kind["payload"]()
    mutate(payload)
    with pytest.raises(DecodeError) as caught:
        kind["res"].from_dict(payload)
    assert caught.value.path == path
    assert caught.value.reason == reason
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


@KINDS
def test_latency_series_not_a_list(kind: dict[str, Any]) -> None:
    payload = kind["payload"]()
    payload["connector_metrics"]["pipe-1"]["timeseries"]["latency"] = {"0": 1}
    with pytest.raises(DecodeError) as caught:
        kind["res"].from_dict(payload)
    assert caught.value.path == LATENCY
    # the destination schema allows null for this series, the pipeline one does not
    expected = "array" if kind is PIPELINE else "array | null"
    assert caught.value.reason == f"expected {expected}, got dict"


@KINDS
@pytest.mark.parametrize("metric", ["latency", "recordsLag"])
def test_latest_metric_that_is_a_dict(kind: dict[str, Any], metric: str) -> None:
    payload = kind["payload"]()
    payload["connector_metrics"]["pipe-1"]["latest"][metric] = {"value": 1}
    with pytest.raises(DecodeError) as caught:
        kind["res"].from_dict(payload)
    assert caught.value.path == ["connector_metrics", "pipe-1", "latest", metric]
    expected = kind["latest_expected"]
    if kind is PIPELINE and metric == "recordsLag":
        expected = "integer | string | null"
    assert caught.value.reason == f"expected {expected}, got dict"


@KINDS
@pytest.mark.parametrize("top", [[], "x", None, 1.5])
def test_top_level_not_an_object(kind: dict[str, Any], top: object) -> None:
    with pytest.raises(DecodeError) as caught:
        kind["res"].from_dict(top)
    assert caught.value.path == []
    assert str(caught.value) == f"$: expected object, got {type(top).__name__}"


def test_pipeline_records_lag_must_be_an_integer_not_a_float() -> None:
    payload = response(pipeline_metrics)
    payload["connector_metrics"]["pipe-1"]["latest"]["recordsLag"] = 1.5
    with pytest.raises(DecodeError, match=r"recordsLag: expected integer \| string \| null"):
        PipelineMetricsRes.from_dict(payload)


# ---------------------------------------------------------------------------------------------
# property test: generated valid payloads round-trip


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
UNKNOWN = st.dictionaries(st.text(max_size=6).map(lambda key: f"x-{key}"), JSON, max_size=2)
NUMBER = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
TEXT = st.text(max_size=5)


def obj(**optional: st.SearchStrategy[Json]) -> st.SearchStrategy[Json]:
    """A JSON object with any subset of the given properties plus unknown keys."""
    known = st.fixed_dictionaries({}, optional=optional)
    return st.tuples(known, UNKNOWN).map(lambda pair: {**pair[1], **pair[0]})


def nullable(strategy: st.SearchStrategy[Json]) -> st.SearchStrategy[Json]:
    return st.none() | strategy


def res(base: st.SearchStrategy[Json]) -> st.SearchStrategy[Json]:
    flat = nullable(st.dictionaries(TEXT, base, max_size=3))
    nested = nullable(st.dictionaries(TEXT, st.dictionaries(TEXT, base, max_size=2), max_size=2))
    return obj(
        account_metrics=flat,
        connector_metrics=flat,
        inline_metrics=flat,
        task_metrics=nested,
        topic_metrics=nested,
    )


SERIES = st.lists(
    st.tuples(st.fixed_dictionaries({"value": NUMBER, "timestamp": TEXT}), UNKNOWN).map(
        lambda pair: {**pair[1], **pair[0]}
    ),
    max_size=4,
)
PIPELINE_BASE = obj(
    timeseries=nullable(obj(latency=SERIES, recordsLag=SERIES, status=SERIES)),
    latest=nullable(
        obj(
            latency=nullable(NUMBER | TEXT),
            recordsLag=nullable(st.integers() | TEXT),
            status=nullable(TEXT),
        )
    ),
    timesummary=nullable(
        obj(
            latency=nullable(NUMBER | TEXT),
            recordsLag=nullable(st.integers() | TEXT),
            status=nullable(st.integers() | TEXT),
        )
    ),
)
DESTINATION_BASE = obj(
    timeseries=nullable(
        obj(
            latency=nullable(SERIES),
            recordsLag=nullable(SERIES),
            partitionCount=SERIES,
            qa_exact_count_diff=SERIES,
        )
    ),
    latest=nullable(
        obj(connector_status=nullable(TEXT), latency=nullable(NUMBER), recordsLag=nullable(NUMBER))
    ),
    timesummary=nullable(obj(partitionCount=nullable(NUMBER), bytesConsumedTotal=nullable(NUMBER))),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=st.one_of(
        st.tuples(st.just(PipelineMetricsRes), res(PIPELINE_BASE)),
        st.tuples(st.just(DestinationMetricsRes), res(DESTINATION_BASE)),
        # one level down as well, where timeseries entries are far more frequent
        st.tuples(st.just(PipelineBaseMetrics), PIPELINE_BASE),
        st.tuples(st.just(DestinationBaseMetrics), DESTINATION_BASE),
    )
)
def test_generated_valid_payloads_round_trip(case: tuple[type[Model], Json]) -> None:
    res_cls, payload = case
    res = res_cls.from_dict(payload)
    assert_fully_decoded(res)
    assert res.to_dict() == payload


# ---------------------------------------------------------------------------------------------
# the error models still decode


def test_http_validation_error_still_decodes() -> None:
    payload = {
        "detail": [
            {"loc": ["body", "ids", 0], "msg": "bad id", "type": "value_error"},
            {
                "loc": ["query"],
                "msg": "m",
                "type": "t",
                "input": {"raw": [1]},
                "ctx": {"limit": 5},
                "url": "https://errors.example/t",
            },
        ]
    }
    error = HTTPValidationError.from_dict(payload)
    assert isinstance(error.detail, list)
    assert all(isinstance(item, ValidationError) for item in error.detail)
    assert error.detail[0].loc == ["body", "ids", 0]
    assert error.detail[0].input_ is UNSET
    assert error.detail[1].input_ == {"raw": [1]}
    assert isinstance(error.detail[1].ctx, ValidationErrorContext)
    assert error.detail[1].ctx["limit"] == 5
    assert error.detail[1]["url"] == "https://errors.example/t"
    assert error.to_dict() == payload


def test_http_validation_error_rejects_a_bad_location() -> None:
    payload = {"detail": [{"loc": ["body", 1.5], "msg": "m", "type": "t"}]}
    with pytest.raises(DecodeError) as caught:
        HTTPValidationError.from_dict(payload)
    assert caught.value.path == ["detail", 0, "loc", 1]
    assert caught.value.reason == "expected string | integer, got float"
    with pytest.raises(DecodeError, match=r"^\$\.detail\[0\]\.msg: missing required property$"):
        HTTPValidationError.from_dict({"detail": [{"loc": [], "type": "t"}]})


def test_additional_properties_are_created_on_first_read_and_kept() -> None:
    """`_from_dict` skips the empty dict; reading it still gives one, and writes stick."""
    decoded = TimeseriesEntry.from_dict({"value": 1.5, "timestamp": "2025-01-15T10:00:00Z"})
    built = TimeseriesEntry(value=1.5, timestamp="2025-01-15T10:00:00Z")
    assert decoded == built
    assert repr(decoded) == repr(built)
    assert decoded.additional_properties == {}
    decoded["newMetric"] = 7
    assert decoded.additional_properties == {"newMetric": 7}
    assert decoded.to_dict()["newMetric"] == 7
    assert not hasattr(decoded, "no_such_attribute")
    with pytest.raises(AttributeError, match="no_such_attribute"):
        _ = decoded.no_such_attribute  # type: ignore[attr-defined]
