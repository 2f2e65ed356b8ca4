"""Merging the responses of one call split into several requests (see README: large id lists).

- entity-keyed maps (connector, inline, task and topic metrics) are unioned; the same key
  returned by two chunks with different values is an error, never a silent overwrite;
- account-level aggregates are not additive: `account_metrics` (and unknown top-level keys) are
  kept only when every chunk returned the same value, otherwise dropped with a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Final

from streamkap_api.types import Unset

from ._errors import APIError
from ._operations import R

ENTITY_MAPS: Final = ("connector_metrics", "inline_metrics", "task_metrics", "topic_metrics")
ACCOUNT_LEVEL: Final = ("account_metrics",)


class DroppedAggregateWarning(UserWarning):
    """An account-level aggregate differed between chunks and was dropped from the merge."""


class ChunkConflictError(APIError):
    """Two requests of one split call returned different values for the same entity."""

    def __init__(self, message: str, *, path: tuple[str, ...]) -> None:
        super().__init__(message)
        self.path = path


def merge_responses(parts: Sequence[R]) -> R:
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    merged = type(first)()
    for name in ENTITY_MAPS:
        maps = [getattr(p, name) for p in parts]
        present = [m for m in maps if m is not None and not isinstance(m, Unset)]
        if not present:
            setattr(merged, name, getattr(first, name))
            continue
        union: dict[str, Any] = {}
        for part in present:
            for key, value in part.additional_properties.items():
                if key in union and union[key] != value:
                    raise ChunkConflictError(
                        f"chunks disagree on {name}[{key!r}]", path=(name, key)
                    )
                union[key] = value
        target = type(present[0])()
        target.additional_properties = union
        setattr(merged, name, target)
    for name in ACCOUNT_LEVEL:
        values = [getattr(p, name) for p in parts]
        if all(v == values[0] for v in values):
            setattr(merged, name, values[0])
        else:
            warnings.warn(
                f"{name} differed between the {len(parts)} requests this call was split into and "
                "was dropped: account-level aggregates cannot be added up across chunks; "
                "query them in one request (without ids) instead",
                DroppedAggregateWarning,
                stacklevel=4,
            )
    extra: dict[str, Any] = {}
    keys = {k for p in parts for k in p.additional_properties}
    for key in sorted(keys):
        values = [p.additional_properties.get(key) for p in parts]
        if all(v == values[0] for v in values):
            extra[key] = values[0]
        else:
            warnings.warn(
                f"top-level field {key!r} differed between chunks and was dropped",
                DroppedAggregateWarning,
                stacklevel=4,
            )
    merged.additional_properties = extra
    return merged
