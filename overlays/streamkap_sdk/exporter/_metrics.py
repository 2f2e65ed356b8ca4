"""Latest metrics as Prometheus metric families, and the snapshot a scrape renders.

Names follow Prometheus conventions, from the spec: `streamkap_<entity>_<property>` with the
property's snake_case name (`streamkap_pipeline_records_lag`), HELP from the property's title,
one label `<entity>_id`. A property the spec types as a number is a gauge, or a counter when its
name ends in `_total` (a cumulative count, by the same convention); one typed only as a string
is a state: `streamkap_pipeline_status{pipeline_id="...",status="RUNNING"} 1`. A sample is
a finite JSON number, or a string holding exactly one (`"42"`, `"-1.5e3"`); anything else
(`"NaN"`, `"Infinity"`, `"1_000"`, `" 5 "`, a bool, a number too large for a float) is left out.

Two more conventions (those `promtool check metrics` checks) shape a name: a unit abbreviation
at the end becomes the base unit, with the value converted (`put_batch_max_time_ms` ->
`..._seconds`, divided by 1000), and a gauge does not end in `_count`, which is reserved for
histograms and summaries (`partition_count` -> `partitions`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ._spec import MetricField, Resource

__all__ = ["Answer", "Snapshot", "SnapshotCollector", "answer_from", "exposable", "metric_name"]

PREFIX: Final = "streamkap"
_INVALID: Final = re.compile(r"[^a-zA-Z0-9_]")


def metric_name(*parts: str) -> str:
    """`streamkap_<parts>` with anything Prometheus does not allow in a name replaced by `_`."""
    name = _INVALID.sub("_", "_".join((PREFIX, *parts)))
    return name if not name[0].isdigit() else f"_{name}"


# unit abbreviation at the end of a property name -> (base unit, how many make one)
_UNITS: Final = {"ms": ("seconds", 1e3), "us": ("seconds", 1e6), "ns": ("seconds", 1e9)}


def _plural(words: str) -> str:
    head, _, last = words.rpartition("_")
    if last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u"):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head}_{last}" if head else last


def prometheus_name(resource: Resource, spec: MetricField) -> tuple[str, float, str]:
    """(metric name, divisor of the values, unit note for HELP) of a numeric property."""
    stem, divisor, note = spec.name, 1.0, ""
    head, _, last = stem.rpartition("_")
    if head and last in _UNITS:
        unit, divisor = _UNITS[last]
        stem, note = f"{head}_{unit}", f", in {unit}"
    if stem.endswith("_count") and stem != "_count":
        stem = _plural(stem.removesuffix("_count"))
    return metric_name(resource.entity, stem), divisor, note


def id_label(resource: Resource) -> str:
    return metric_name(resource.entity, "id").removeprefix(f"{PREFIX}_")


def _numeric(spec: MetricField) -> bool:
    return "integer" in spec.types or "number" in spec.types


def _state(spec: MetricField) -> bool:
    return not _numeric(spec) and "string" in spec.types


#: the JSON number grammar (RFC 8259), nothing around it: no NaN, Infinity, `1_000`, ` 5 `, `+5`
_JSON_NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _number(value: object) -> float | None:
    """A sample's value: a finite JSON number, or a string holding exactly one; else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str) and not _JSON_NUMBER.fullmatch(value):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return number if math.isfinite(number) else None


def _help(resource: Resource, spec: MetricField, extra: str = "") -> str:
    text = spec.title or spec.name
    if spec.description:
        text += f": {spec.description}"
    return f"{text} ({resource.block} {spec.wire} of each {resource.entity}{extra})"


def exposable(text: str) -> bool:
    """Whether `text` can be a label value: UTF-8 can encode it (a lone surrogate, which a JSON
    `\\ud83d` escape can produce, it cannot; the exposition would fail as a whole)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Answer:
    """What one resource's successful call contributes to /metrics."""

    families: tuple[Metric, ...]
    entities: int  # entities shown
    fetched_at: float  # wall-clock seconds when the call succeeded
    dropped: int = 0  # values left out as they cannot be exposed (entity ids, states)


def latest_blocks(resource: Resource, data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """entity id -> its block of current values, from the per-entity maps; the first map holding
    an id wins (spec order: `connector_metrics` before `inline_metrics`). {} for a null block."""
    blocks: dict[str, Mapping[str, Any]] = {}
    for wire in resource.maps:
        entries = data.get(wire)
        if not isinstance(entries, Mapping):
            continue
        for entity_id, base in entries.items():
            if entity_id in blocks:
                continue
            latest = base.get(resource.block) if isinstance(base, Mapping) else None
            blocks[str(entity_id)] = latest if isinstance(latest, Mapping) else {}
    return blocks


def answer_from(resource: Resource, data: Mapping[str, Any], fetched_at: float) -> Answer:
    """The metric families of one response (its JSON form, `result.to_dict()`)."""
    blocks = latest_blocks(resource, data)
    dropped = 0
    for entity_id in [i for i in blocks if not exposable(i)]:  # with every sample it has
        del blocks[entity_id]
        dropped += 1
    label = id_label(resource)
    families: list[Metric] = []
    names: set[str] = set()
    for spec in resource.fields:
        family: Metric
        if _numeric(spec):
            name, divisor, note = prometheus_name(resource, spec)
            if name in names:  # two properties, one Prometheus name: the first keeps it
                continue
            kind = CounterMetricFamily if name.endswith("_total") else GaugeMetricFamily
            family = kind(name, _help(resource, spec, note), labels=[label])
            for entity_id, block in blocks.items():
                number = _number(block.get(spec.wire))
                if number is not None:
                    family.add_metric([entity_id], number / divisor)
        elif _state(spec):
            name = metric_name(resource.entity, spec.name)
            if name in names:
                continue
            state = metric_name(spec.name).removeprefix(f"{PREFIX}_")
            if state == label:
                state = f"{state}_value"
            family = GaugeMetricFamily(
                name, _help(resource, spec, "; 1 for its current value"), labels=[label, state]
            )
            for entity_id, block in blocks.items():
                value = block.get(spec.wire)
                if not isinstance(value, str):
                    continue
                if exposable(value):
                    family.add_metric([entity_id, value], 1.0)
                else:
                    dropped += 1
        else:
            continue
        names.add(name)
        families.append(family)
    return Answer(tuple(families), len(blocks), fetched_at, dropped)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything /metrics shows; replaced whole after each refresh, never changed in place."""

    resources: tuple[str, ...]  # the resources configured, in registry order
    answers: Mapping[str, Answer] = field(default_factory=dict)  # last good, per resource
    up: bool = False  # the last refresh succeeded for every resource
    duration: float | None = None  # seconds the last refresh took
    errors: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (resource, class)
    refreshes: int = 0
    dropped: Mapping[str, int] = field(default_factory=dict)  # resource -> values, in all


class SnapshotCollector(Collector):
    """Renders whatever snapshot `current()` returns; never calls the API."""

    def __init__(self, current: Any) -> None:
        self._current = current

    def collect(self) -> Iterator[Metric]:
        snapshot: Snapshot = self._current()
        for resource in snapshot.resources:
            answer = snapshot.answers.get(resource)
            if answer is not None:
                yield from answer.families
        yield from self_metrics(snapshot)


def self_metrics(snapshot: Snapshot) -> Iterator[Metric]:
    up = GaugeMetricFamily(
        metric_name("up"), "1 when the last refresh succeeded for every resource, else 0"
    )
    up.add_metric([], 1.0 if snapshot.up else 0.0)
    yield up
    last = GaugeMetricFamily(
        metric_name("last_success_timestamp_seconds"),
        "When the values shown for a resource were fetched (Unix time; 0: not yet)",
        labels=["resource"],
    )
    entities = GaugeMetricFamily(
        metric_name("entities"), "Entities shown for a resource", labels=["resource"]
    )
    for resource in snapshot.resources:
        answer = snapshot.answers.get(resource)
        last.add_metric([resource], answer.fetched_at if answer else 0.0)
        entities.add_metric([resource], float(answer.entities) if answer else 0.0)
    yield last
    yield entities
    if snapshot.duration is not None:
        duration = GaugeMetricFamily(
            metric_name("refresh_duration_seconds"), "How long the last refresh took"
        )
        duration.add_metric([], snapshot.duration)
        yield duration
    errors = CounterMetricFamily(
        metric_name("refresh_errors"),
        "Failed calls by resource and SDK error class, since the exporter started",
        labels=["resource", "error"],
    )
    for (resource, error), count in sorted(snapshot.errors.items()):
        errors.add_metric([resource, error], float(count))
    yield errors
    dropped = CounterMetricFamily(
        metric_name("dropped_values"),
        "Values from the API left out of /metrics as they cannot be exposed (a string UTF-8 "
        "cannot encode, e.g. a lone surrogate: an entity id, with its samples, or a state), "
        "counted at each refresh since the exporter started",
        labels=["resource"],
    )
    for resource in snapshot.resources:
        dropped.add_metric([resource], float(snapshot.dropped.get(resource, 0)))
    yield dropped
