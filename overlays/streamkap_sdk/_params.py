"""Metrics parameters: the body-over-query rule, id-list normalisation, and checks before sending.

The POST metrics operations take every parameter in the query string, and `ids` / `tenant_ids`
(plus any additional property) in a JSON body too; **the body wins**. `effective_parameters` is
that rule, written once: the sandbox serves requests with it, and the client computes with it
what the server will act on (the paging check and the override warning come from it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Final

from ._errors import InvalidParameterError

__all__ = [
    "ID_LIST_KEYS",
    "ParameterOverrideWarning",
    "effective_parameters",
    "normalize_id_list",
    "overridden_query_keys",
]

ID_LIST_KEYS: Final = ("ids", "tenant_ids")

TIME_TYPES: Final = ("timeseries", "latest", "timesummary")
TIME_UNITS: Final = ("minute", "hour", "day", "week", "month")
SORT_DIRS: Final = ("asc", "desc")
#: Wire names of the parameters that page through one request's entities.
PAGING_KEYS: Final = ("page", "size", "from")

_NUMERIC = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*")


class ParameterOverrideWarning(UserWarning):
    """A key was given both in the query and in the body; the body value is the one used."""


# -- the body-over-query rule -------------------------------------------------------------------


def _resolve(
    query: Mapping[str, object], body: Mapping[str, object] | None
) -> tuple[dict[str, object], list[str]]:
    """The rule itself: (effective parameters, query keys the body replaced)."""
    effective: dict[str, object] = dict(query)
    replaced: list[str] = []
    for key, value in (body or {}).items():
        if value is None:  # the server's body model defaults every field to null: absent
            continue
        if key in effective:
            replaced.append(key)
        effective[key] = value
    for key in ID_LIST_KEYS:
        if key in effective:
            effective[key] = normalize_id_list(effective[key], name=key, strict=False)
    return effective, sorted(replaced)


def effective_parameters(
    query: Mapping[str, object], body: Mapping[str, object] | None
) -> dict[str, object]:
    """The parameters the server acts on, given a request's query and its JSON body.

    The API's rule for the POST metrics operations ("body parameters take precedence over query
    parameters"), as a pure function:

    - a key in the body with a non-null value replaces the same key from the query; a body
      `null` counts as absent, so the query value (if any) stays;
    - keys found in only one of the two are kept as they are (the body model allows additional
      properties, so any parameter may travel in the body);
    - `ids` and `tenant_ids` come out as lists of strings whichever form they had (a JSON array,
      or a comma-separated string as the query always has them), normalised as by
      `normalize_id_list(..., strict=False)`; every other value is passed through unchanged.

    >>> effective_parameters({"ids": "a,b", "size": "5"}, {"ids": ["c"], "extra": 1})
    {'ids': ['c'], 'size': '5', 'extra': 1}
    """
    return _resolve(query, body)[0]


def overridden_query_keys(
    query: Mapping[str, object], body: Mapping[str, object] | None
) -> list[str]:
    """The query keys whose value `effective_parameters` takes from the body instead (sorted)."""
    return _resolve(query, body)[1]


# -- id lists -----------------------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return value.split(",")


def normalize_id_list(value: object, *, name: str = "ids", strict: bool = True) -> list[str]:
    """A clean list of ids from a list, tuple, set or any iterable of strings, or from one
    comma-separated string.

    Items are stripped of surrounding whitespace, empty items dropped and duplicates removed,
    keeping the first occurrence's position; `None` gives `[]`. The function is idempotent, and
    `normalize_id_list(",".join(result)) == result`.

    With `strict` (what the client uses) an item of an iterable that itself contains a comma is
    rejected with InvalidParameterError naming it, because the API would read it as two ids;
    `strict=False` (the server side) splits it instead, as the API does.
    """
    if value is None:
        return []
    if isinstance(value, str):
        raw: Iterable[object] = _split(value)
    elif isinstance(value, bytes | bytearray | Mapping):
        raise InvalidParameterError(
            name,
            f"expected a list of id strings or a comma-separated string, got "
            f"{type(value).__name__}",
        )
    elif isinstance(value, Iterable):
        raw = value
    else:
        raise InvalidParameterError(
            name,
            f"expected a list of id strings or a comma-separated string, got "
            f"{type(value).__name__}",
        )
    seen: dict[str, None] = {}
    for item in raw:
        if not isinstance(item, str):
            raise InvalidParameterError(
                name, f"ids must be strings, got {item!r} ({type(item).__name__})"
            )
        if "," in item:
            if strict:
                raise InvalidParameterError(
                    name, f"id {item!r} contains a comma, which the API reads as two ids"
                )
            parts = _split(item)
        else:
            parts = [item]
        for part in parts:
            part = part.strip()
            if part:
                seen.setdefault(part, None)
    return list(seen)


# -- single-value checks ------------------------------------------------------------------------


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str | None:
    """`value` itself when it is one of `allowed` (or None)."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise InvalidParameterError(name, f"must be one of {', '.join(allowed)}; got {value!r}")
    return value


def check_string(name: str, value: object) -> str | None:
    """Any string (or None): parameters whose values the API does not enumerate."""
    if value is not None and not isinstance(value, str):
        raise InvalidParameterError(name, f"must be a string; got {value!r}")
    return value


def check_int(name: str, value: object, *, minimum: int = 1, numeric_strings: bool = False) -> int:
    """An int >= `minimum`; with `numeric_strings`, a string holding one is accepted too."""
    if numeric_strings and isinstance(value, str) and _NUMERIC.fullmatch(value):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:  # "2.0" is 2; "2.5" stays a string and is rejected below
            number = float(text)
            value = int(number) if number.is_integer() else value
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise InvalidParameterError(name, f"must be {kind}; got {value!r}")
    return value


def check_page(value: object) -> int | str | None:
    """A page number >= 1 (also as a numeric string), or an opaque non-empty page token."""
    if value is None:
        return None
    if isinstance(value, str) and not _NUMERIC.fullmatch(value):
        if not value.strip():
            raise InvalidParameterError("page", "must be a positive integer or a page token")
        return value  # the schema allows a string: an opaque token passes through
    return check_int("page", value, numeric_strings=True)


# -- timestamps ---------------------------------------------------------------------------------


def to_utc(name: str, value: object) -> dt.datetime | None:
    """An aware datetime in UTC, from an aware datetime or an ISO 8601 string with an offset.

    A naive datetime, or a string without an offset (or `Z`), is rejected: it does not say which
    instant it means.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            from dateutil import parser as date_parser  # deferred: import time

            parsed = date_parser.isoparse(value.strip())
        except (ValueError, OverflowError) as exc:
            raise InvalidParameterError(
                name, f"not an ISO 8601 timestamp: {value!r} (e.g. 2025-01-15T10:00:00Z)"
            ) from exc
        if parsed.tzinfo is None:
            raise InvalidParameterError(
                name, f"{value!r} has no UTC offset; add one, e.g. 2025-01-15T10:00:00Z"
            )
        value = parsed
    elif not isinstance(value, dt.datetime):
        raise InvalidParameterError(
            name, f"expected a datetime or an ISO 8601 string, got {type(value).__name__}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidParameterError(
            name,
            "naive datetime (no time zone) is ambiguous; use an aware one, "
            "e.g. datetime(..., tzinfo=timezone.utc)",
        )
    try:
        return value.astimezone(dt.UTC)
    except OverflowError as exc:
        raise InvalidParameterError(name, f"{value!r} is out of range in UTC") from exc


def format_utc(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as the API documents it (`2025-01-15T10:00:00Z`)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
