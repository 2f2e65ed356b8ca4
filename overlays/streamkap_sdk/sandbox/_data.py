"""Deterministic metrics: the same id (and timestamp) always gives the same numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any, Final

PIPELINE_SERIES: Final = ("latency", "recordsLag", "status")
DESTINATION_SERIES: Final = (
    "latency", "partitionCount", "putBatchMaxTimeMs", "recordsLag", "sinkRecordReadTotal",
    "recordsConsumedTotal", "sinkRecordSendTotal", "bytesConsumedTotal", "qa_exact_count_diff",
)  # fmt: skip
STEP: Final = {
    "minute": dt.timedelta(minutes=1),
    "hour": dt.timedelta(hours=1),
    "day": dt.timedelta(days=1),
    "week": dt.timedelta(weeks=1),
    "month": dt.timedelta(days=30),
}


def _unit(seed: int, *parts: str) -> float:
    """A stable number in [0, 1) from the seed and the parts."""
    digest = hashlib.blake2b("\x1f".join((str(seed), *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def value(seed: int, entity: str, series: str, at: str = "") -> float:
    base = _unit(seed, entity, series)
    if series == "status":
        return 1.0 if base < 0.9 else 0.0
    wobble = _unit(seed, entity, series, at) if at else 0.5
    return round(base * 1000 * (0.75 + wobble / 2), 3)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"


def timeline(start: dt.datetime, end: dt.datetime, unit: str, interval: int) -> list[str]:
    step = STEP[unit] * interval
    start = start.replace(second=0, microsecond=0)  # points fall on whole minutes
    end = end.replace(second=0, microsecond=0)
    count = max(0, math.floor((end - start) / step))
    return [iso(start + step * (i + 1)) for i in range(count)]


def entity_metrics(
    seed: int, kind: str, entity: str, time_type: str, stamps: list[str]
) -> dict[str, Any]:
    names = PIPELINE_SERIES if kind == "pipelines" else DESTINATION_SERIES
    if time_type == "timeseries":
        return {
            "timeseries": {
                name: [{"timestamp": t, "value": value(seed, entity, name, t)} for t in stamps]
                for name in names
            }
        }
    block: dict[str, Any] = {name: value(seed, entity, name) for name in names}
    if kind == "pipelines":
        block["status"] = "RUNNING" if block["status"] else "PAUSED"
        block["recordsLag"] = int(block["recordsLag"])
    else:
        block["connector_status"] = "RUNNING"
    return {time_type: block}
