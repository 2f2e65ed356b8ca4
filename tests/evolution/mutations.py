"""Spec mutations for the spec-evolution harness (tests/test_spec_evolution.py).

Each takes the vendored OpenAPI document (a dict) and changes it the way a vendor update might.
The harness applies them to a copy of the project and runs `make update-spec` on the result.
"""

from __future__ import annotations

import copy
from typing import Any

Doc = dict[str, Any]

NEW_PARAM = "metric_names"
#: an enum value that is also a common attribute name (the SDK's own `.errors` is not the spec's)
COMMON_WORD = "errors"
NEW_PARAM_VALUES = ["latency", "recordsLag", COMMON_WORD]
NEW_BOOL_PARAM = "include_paused"
NEW_NUMBER_PARAM = "min_lag"
NEW_TIME_TYPE = "realtime"
NEW_PROPERTY = "backlog_bytes"  # the same on the wire and as an attribute
NEW_MAP = "partition_metrics"
REMOVED_PARAM = "snapshot"
THIRD_OPERATION = "searchTopicsMetrics"
THIRD_PATH = "/topics/metrics"
THIRD_RESOURCE = "topics"


def _op(doc: Doc, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = doc["paths"][path]["post"]
    return operation


def add_query_parameter_with_values(doc: Doc) -> None:
    """searchPipelinesMetrics gains an optional query parameter with declared values."""
    _op(doc, "/pipelines/metrics")["parameters"].append(
        {
            "name": NEW_PARAM,
            "in": "query",
            "required": False,
            "schema": {
                "anyOf": [{"type": "string", "enum": NEW_PARAM_VALUES}, {"type": "null"}],
                "title": "Metric Names",
                "description": "Only these metrics",
            },
            "description": "Only these metrics",
        }
    )


def add_typed_query_parameters(doc: Doc) -> None:
    """searchPipelinesMetrics gains a boolean and a number query parameter, as FastAPI writes
    them (`include_paused: bool = False`, `min_lag: float | None = Query(None, ge=0)`)."""
    _op(doc, "/pipelines/metrics")["parameters"] += [
        {
            "name": NEW_BOOL_PARAM,
            "in": "query",
            "required": False,
            "schema": {"type": "boolean", "default": False, "title": "Include Paused"},
            "description": "Also paused entities",
        },
        {
            "name": NEW_NUMBER_PARAM,
            "in": "query",
            "required": False,
            "schema": {
                "anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}],
                "title": "Min Lag",
                "description": "Only entities lagging at least this many seconds",
            },
            "description": "Only entities lagging at least this many seconds",
        },
    ]


def add_enum_value(doc: Doc) -> None:
    """time_type becomes a declared enum with one more value than the knowledge table lists."""
    for path in ("/pipelines/metrics", "/destinations/metrics"):
        for param in _op(doc, path)["parameters"]:
            if param["name"] == "time_type":
                param["schema"]["anyOf"][0]["enum"] = [
                    "timeseries", "latest", "timesummary", NEW_TIME_TYPE,
                ]  # fmt: skip


def add_latest_property(doc: Doc) -> None:
    """PipelineLatestMetrics gains an integer metric."""
    doc["components"]["schemas"]["PipelineLatestMetrics"]["properties"][NEW_PROPERTY] = {
        "anyOf": [{"type": "integer"}, {"type": "null"}],
        "title": "Backlog Bytes",
    }


def add_entity_map(doc: Doc) -> None:
    """PipelineMetricsRes gains a new top-level entity map, shaped like connector_metrics."""
    props = doc["components"]["schemas"]["PipelineMetricsRes"]["properties"]
    props[NEW_MAP] = copy.deepcopy(props["connector_metrics"])
    props[NEW_MAP]["title"] = "Partition Metrics"


def add_third_operation(doc: Doc) -> None:
    """A third metrics search operation with the pipelines' shapes."""
    operation = copy.deepcopy(_op(doc, "/pipelines/metrics"))
    operation["operationId"] = THIRD_OPERATION
    operation["summary"] = "Get topic metrics (POST)"
    operation["tags"] = ["Topics"]
    doc["paths"][THIRD_PATH] = {"post": operation}


def remove_parameter(doc: Doc) -> None:
    """searchPipelinesMetrics loses a query parameter (destinations keeps it)."""
    params = _op(doc, "/pipelines/metrics")["parameters"]
    params[:] = [p for p in params if p["name"] != REMOVED_PARAM]


ADDITIVE = (
    add_query_parameter_with_values,
    add_typed_query_parameters,
    add_enum_value,
    add_latest_property,
    add_entity_map,
    add_third_operation,
)
