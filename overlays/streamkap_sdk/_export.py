"""Metrics responses as rows: `to_records` (no dependencies) and `to_dataframe` (pandas extra).

The long format has one row per value: which entity, which aggregation (and task or topic under
it), which block (`latest`, `timesummary`, `timeseries`), which metric, when, and the value.
Metric names are the API's own (`recordsLag`, not `records_lag`), so new metrics the spec does
not know yet come out the same way as known ones. The walk covers every entity map the response
schemas declare (from the generated surface), at its nesting depth; a metric whose value is a
list is a time series of points.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeAlias

from streamkap_api.surface import SERIES_POINT

from ._errors import StreamkapError
from ._operations import OPERATIONS, EntityMap, operation_for

if TYPE_CHECKING:  # imported when needed: see `_operations` on import time
    from streamkap_api.models import DestinationMetricsRes, PipelineMetricsRes

__all__ = ["MetricRecord", "MissingDependencyError", "to_dataframe", "to_records"]

PANDAS_HINT: Final = (
    'to_dataframe needs pandas: pip install pandas (or install the SDK with its "pandas" extra)'
)

_TIME_KEY, _VALUE_KEY = SERIES_POINT
#: Blocks whose metrics the schema declares as time series (a value that is not a list there
#: is skipped; elsewhere a list value is read as a series too).
_SERIES_BLOCKS: Final = frozenset(
    block
    for op in OPERATIONS
    for block, fields in op.metrics.items()
    if any(f.series for f in fields)
)


def aggregation(entity_map: EntityMap) -> str:
    """The aggregation a map holds, as MetricRecord names it: `connector_metrics` -> `connector`."""
    return entity_map.wire.removesuffix("_metrics")


def _maps(result: object) -> list[EntityMap]:
    """The entity maps to walk: the result's operation's, or every operation's for a mapping.

    Per-entity maps first (in schema order), aggregates last.
    """
    op = operation_for(result)
    found = list(op.entity_maps) if op is not None else []
    if op is None:
        seen: dict[str, EntityMap] = {}
        for each in OPERATIONS:
            for entity_map in each.entity_maps:
                seen.setdefault(entity_map.wire, entity_map)
        found = list(seen.values())
    return sorted(found, key=lambda m: not m.per_entity)


MetricsResult: TypeAlias = "PipelineMetricsRes | DestinationMetricsRes | Mapping[str, Any]"


class MissingDependencyError(StreamkapError, ImportError):
    """An optional dependency is not installed; the message says which `pip install` fixes it.

    Raised by `to_dataframe` without pandas, and on importing `streamkap_sdk.sandbox.Sandbox`
    without FastAPI and uvicorn.
    """


class MetricRecord(NamedTuple):
    """One value of one metric: a row of the long format."""

    id: str
    """The pipeline or destination id (for an aggregate such as account metrics: its key)."""
    aggregation: str
    """The entity map it came from, without `_metrics`: `connector`, `task`, `account`, ..."""
    key: str | None
    """The task or topic under `id` for the task and topic aggregations, else None."""
    time_type: str
    """The block the value came from: `latest`, `timesummary` or `timeseries`."""
    metric: str
    """The metric (series) name as the API spells it, e.g. `latency` or `recordsLag`."""
    timestamp: dt.datetime | None
    """Aware (UTC) for a timeseries point; None for `latest` and `timesummary` values."""
    value: Any
    """As the API sent it: usually a number, sometimes a string such as a status."""


def to_records(result: MetricsResult) -> list[MetricRecord]:
    """Flatten a metrics response (a model, or its JSON as a mapping) into long-format rows.

    Rows come entity map by entity map (in schema order, aggregates last), entities in
    response order. Blocks or entries that are null are skipped. Raises ValueError for a
    timeseries point whose timestamp is not ISO 8601 (a naive one is read as UTC).
    """
    data: Mapping[str, Any] = result if isinstance(result, Mapping) else result.to_dict()
    rows: list[MetricRecord] = []
    for entity_map in _maps(result):
        entities = data.get(entity_map.wire)
        if not isinstance(entities, Mapping):
            continue
        label = aggregation(entity_map)
        for entity_id, entry in entities.items():
            if entity_map.depth == 1:
                _flatten(rows, entry, entity_id, label, None)
            elif isinstance(entry, Mapping):
                for key, block in entry.items():
                    _flatten(rows, block, entity_id, label, key)
    return rows


def entity_keys(result: MetricsResult) -> list[tuple[str, str, str | None]]:
    """(aggregation, id, task or topic) of every entity in the response, in `to_records` order.

    Includes entities whose blocks are null or empty, which give no records (e.g. a time
    series with no points in the window); an entity of the task or topic aggregation with no
    task or topic under it comes out with None as the third item.
    """
    data: Mapping[str, Any] = result if isinstance(result, Mapping) else result.to_dict()
    found: list[tuple[str, str, str | None]] = []
    for entity_map in _maps(result):
        items = data.get(entity_map.wire)
        if not isinstance(items, Mapping):
            continue
        label = aggregation(entity_map)
        for entity_id, entry in items.items():
            if entity_map.depth > 1 and isinstance(entry, Mapping) and entry:
                found.extend((label, entity_id, key) for key in entry)
            else:
                found.append((label, entity_id, None))
    return found


def to_dataframe(result: MetricsResult) -> Any:
    """`to_records(result)` as a `pandas.DataFrame` with one column per MetricRecord field.

    Needs pandas (the `pandas` extra); without it raises MissingDependencyError (an
    ImportError) saying `pip install pandas`.
    """
    try:
        pandas = importlib.import_module("pandas")
    except ModuleNotFoundError as exc:
        if exc.name != "pandas":
            raise
        raise MissingDependencyError(PANDAS_HINT) from exc
    return pandas.DataFrame.from_records(to_records(result), columns=list(MetricRecord._fields))


def _flatten(
    rows: list[MetricRecord], base: object, entity_id: str, label: str, key: str | None
) -> None:
    if not isinstance(base, Mapping):
        return
    for time_type, block in base.items():
        if not isinstance(block, Mapping):
            continue
        series_block = time_type in _SERIES_BLOCKS
        for metric, value in block.items():
            if not isinstance(value, list):
                if series_block:
                    continue  # a series that is null or not a list: no points
                rows.append(MetricRecord(entity_id, label, key, time_type, metric, None, value))
                continue
            for point in value:  # a time series
                if isinstance(point, Mapping):
                    moment = _timestamp(point.get(_TIME_KEY), entity_id, metric)
                    rows.append(
                        MetricRecord(
                            entity_id, label, key, time_type, metric, moment, point.get(_VALUE_KEY)
                        )
                    )


def _timestamp(value: object, entity_id: str, metric: str) -> dt.datetime:
    moment: dt.datetime | None = value if isinstance(value, dt.datetime) else None
    if isinstance(value, str):
        try:
            from dateutil import parser as date_parser  # deferred: import time

            moment = date_parser.isoparse(value)
        except (ValueError, OverflowError):
            moment = None
    if moment is None:
        raise ValueError(
            f"timeseries point of {metric!r} for {entity_id!r} has no ISO 8601 timestamp: {value!r}"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
