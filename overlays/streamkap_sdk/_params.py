"""Metrics parameters: the body-over-query rule, id-list normalisation, and checks before sending.

The API takes every parameter in the query string, and `ids` / `tenant_ids` (plus any additional
property) in a JSON body too; **the body wins**. `effective_parameters` is that rule, written once:
the sandbox serves requests with it and the client builds requests with it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Final

from dateutil import parser as date_parser

from ._errors import InvalidParameterError

__all__ = [
    "ID_LIST_KEYS",
    "ParameterOverrideWarning",
    "effective_parameters",
    "normalize_id_list",
]

ID_LIST_KEYS: Final = ("ids", "tenant_ids")

TIME_TYPES: Final = ("timeseries", "latest", "timesummary")
TIME_UNITS: Final = ("minute", "hour", "day", "week", "month")
SORT_DIRS: Final = ("asc", "desc")
POSITIVE_INTS: Final = ("size", "page", "time_interval", "topic_list_size")
PAGING_KEYS: Final = ("page", "size", "from")


class ParameterOverrideWarning(UserWarning):
    """A key was given both in the query and in the body; the body value is the one used."""


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",")]


def normalize_id_list(value: object, *, name: str = "ids", strict: bool = True) -> list[str]:
    """Turn a list/tuple/set/iterable of ids, or a comma-separated string, into a clean list.

    Items are stripped, empties dropped and duplicates removed keeping first-seen order. With
    `strict` (the client side) an item that itself contains a comma is rejected, because the API
    would read it as two ids; the server side (`strict=False`) splits it, as the API does.
    """
    if value is None:
        return []
    if isinstance(value, str):
        raw: Iterable[object] = _split(value)
    elif isinstance(value, bytes | bytearray | Mapping):
        raise InvalidParameterError(name, f"expected ids as strings, got {type(value).__name__}")
    elif isinstance(value, Iterable):
        raw = value
    else:
        raise InvalidParameterError(
            name, f"expected a list of ids or a comma-separated string, got {type(value).__name__}"
        )
    seen: dict[str, None] = {}
    for item in raw:
        if not isinstance(item, str):
            raise InvalidParameterError(name, f"ids must be strings, got {item!r}")
        if "," in item:
            if strict:
                raise InvalidParameterError(
                    name, f"id {item!r} contains a comma, which the API reads as two ids"
                )
            for part in _split(item):
                if part:
                    seen.setdefault(part, None)
            continue
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


def effective_parameters(
    query: Mapping[str, object], body: Mapping[str, object] | None
) -> dict[str, object]:
    """The parameters the server acts on, given a request's query and JSON body.

    Rules (the API's, as documented for the POST metrics operations):
    - a key present in the body with a non-null value overrides the same key in the query;
      a body `null` counts as absent (the server's body model defaults every field to null);
    - `ids` and `tenant_ids` come out as lists of strings, from an array or a comma-separated
      string in either place; other values are passed through unchanged;
    - keys that appear in only one place are kept (the body model allows additional properties).
    """
    merged: dict[str, object] = dict(query)
    if body:
        merged.update((k, v) for k, v in body.items() if v is not None)
    for key in ID_LIST_KEYS:
        if key in merged:
            merged[key] = normalize_id_list(merged[key], name=key, strict=False)
    return merged


def overridden_query_keys(
    query: Mapping[str, object], body: Mapping[str, object] | None
) -> list[str]:
    """Query keys whose value the body replaces (per `effective_parameters`)."""
    if not body:
        return []
    return sorted(k for k, v in body.items() if v is not None and k in query)


def warn_overrides(query: Mapping[str, object], body: Mapping[str, object] | None) -> None:
    keys = overridden_query_keys(query, body)
    if keys:
        warnings.warn(
            f"query parameter(s) {', '.join(keys)} are also in the body; "
            "the API uses the body value",
            ParameterOverrideWarning,
            stacklevel=4,
        )


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise InvalidParameterError(name, f"must be one of {', '.join(allowed)}; got {value!r}")
    return value


def check_positive_int(name: str, value: object, *, allow_string: bool = False) -> Any:
    if value is None:
        return None
    if isinstance(value, str) and allow_string:
        if value.isdigit():
            return check_positive_int(name, int(value))
        if not value.strip():
            raise InvalidParameterError(name, "must not be empty")
        return value  # the API's schema allows non-numeric page tokens
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameterError(name, f"must be a positive integer; got {value!r}")
    return value


def to_utc(name: str, value: dt.datetime | str | None) -> dt.datetime | None:
    """An aware datetime in UTC, from an aware datetime or an ISO 8601 string with an offset."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = date_parser.isoparse(value)
        except (ValueError, OverflowError) as exc:
            raise InvalidParameterError(
                name, f"not an ISO 8601 timestamp: {value!r} (e.g. 2025-01-15T10:00:00Z)"
            ) from exc
        value = parsed
    elif not isinstance(value, dt.datetime):
        raise InvalidParameterError(
            name, f"expected a datetime or ISO 8601 string, got {type(value).__name__}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidParameterError(
            name, "needs a time zone (naive datetimes are ambiguous); use e.g. tzinfo=timezone.utc"
        )
    return value.astimezone(dt.UTC)


def format_utc(value: dt.datetime) -> str:
    """ISO 8601 with a `Z`, as the API documents (`2025-01-15T10:00:00Z`)."""
    text = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return text + "Z"
