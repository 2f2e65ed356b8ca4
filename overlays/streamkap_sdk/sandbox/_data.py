"""Deterministic metrics: the same id (and timestamp) always gives the same numbers.

What is served comes from the generated surface: every metric of every block the response
schema declares, with a value of its declared type (numbers from a hash of seed, id and metric;
string-only metrics one of the knowledge table's sample states), so a metric the spec adds is
served after `make generate` with no change here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any

from streamkap_api.surface import SAMPLE_STATES, SERIES_POINT, MetricField, Operation

_TIME_KEY, _VALUE_KEY = SERIES_POINT


def _unit(seed: int, *parts: str) -> float:
    """A stable number in [0, 1) from the seed and the parts (any text: an id from a JSON body
    can hold a lone surrogate, which strict UTF-8 refuses)."""
    text = "\x1f".join((str(seed), *parts)).encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(text, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def value(seed: int, entity: str, series: str, at: str = "") -> float:
    base = _unit(seed, entity, series)
    wobble = _unit(seed, entity, series, at) if at else 0.5
    return round(base * 1000 * (0.75 + wobble / 2), 3)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"


def timeline(start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> list[str]:
    start = start.replace(second=0, microsecond=0)  # points fall on whole minutes
    end = end.replace(second=0, microsecond=0)
    count = max(0, math.floor((end - start) / step))
    return [iso(start + step * (i + 1)) for i in range(count)]


def typed(seed: int, entity: str, field: MetricField, at: str = "") -> Any:
    """A deterministic value of the field's first declared type."""
    number = value(seed, entity, field.wire, at)
    for kind in field.types:
        if kind == "integer":
            return int(number)
        if kind == "number":
            return number
        if kind == "boolean":
            return number >= 500
        if kind == "string":
            return SAMPLE_STATES[int(_unit(seed, entity, field.wire) * len(SAMPLE_STATES))]
    return number


def entity_metrics(
    seed: int, op: Operation, entity: str, block: str, stamps: list[str]
) -> dict[str, Any]:
    """The `block` (e.g. `latest`) of every metric of `op` for one entity."""
    fields = op.metrics.get(block, ())
    served: dict[str, Any] = {}
    for field in fields:
        if field.series:
            served[field.wire] = [
                {_TIME_KEY: t, _VALUE_KEY: typed(seed, entity, field, t)} for t in stamps
            ]
        else:
            served[field.wire] = typed(seed, entity, field)
    return {block: served}
