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

from streamkap_api.surface import OPERATIONS, QueryParam

from ._errors import InvalidParameterError

__all__ = [
    "ID_LIST_KEYS",
    "ParameterOverrideWarning",
    "effective_parameters",
    "normalize_id_list",
    "overridden_query_keys",
]

#: Body fields taking an id list (an array, or a comma-separated string), from the spec.
ID_LIST_KEYS: Final = tuple(dict.fromkeys(key for op in OPERATIONS for key in op.id_lists))

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


def normalize_id_list(value: object, *, name: str = "id list", strict: bool = True) -> list[str]:
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


def check_param(param: QueryParam, value: object) -> object:
    """`value` checked against what the spec and the knowledge table say of `param`.

    A closed set refuses anything else; integers honour the table's `minimum` (numeric strings
    are converted when the spec also allows strings); a non-numeric string passes only where
    the spec allows strings and, for a parameter with a minimum, the table says it is a token.
    """
    name, types = param.name, param.types
    if param.values is not None:
        if not isinstance(value, str) or value not in param.values:
            raise InvalidParameterError(
                name, f"must be one of {', '.join(param.values)}; got {value!r}"
            )
        return value
    if "integer" in types:
        if isinstance(value, int) and not isinstance(value, bool):
            return _at_least(param, value)
        if isinstance(value, str) and "string" in types:
            if param.minimum is None:
                return value  # integer or string, nothing more said: passes as it is
            if _NUMERIC.fullmatch(value):
                number = _numeric(value)
                if number is not None:
                    return _at_least(param, number)
            elif param.tokens and value.strip():
                return value  # an opaque token, e.g. a page token
        raise InvalidParameterError(name, f"must be {_kind(param)}; got {value!r}")
    if "number" in types and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if "boolean" in types and isinstance(value, bool):
        return value
    if "string" in types:
        if not isinstance(value, str):
            raise InvalidParameterError(name, f"must be a string; got {value!r}")
        return value
    return value  # a type the SDK has no check for: the API decides


def _kind(param: QueryParam) -> str:
    minimum = param.minimum
    kind = (
        "an integer"
        if minimum is None
        else "a positive integer"
        if minimum == 1
        else f"an integer >= {minimum}"
    )
    if "string" in param.types and (minimum is None or param.tokens):
        kind += " or a string" if minimum is None else " or a token"
    return kind


def _at_least(param: QueryParam, value: int) -> int:
    if param.minimum is not None and value < param.minimum:
        raise InvalidParameterError(param.name, f"must be {_kind(param)}; got {value!r}")
    return value


def _numeric(text: str) -> int | None:
    """The integer a numeric string holds ("2", " 2.0 "); None for anything else ("2.5", "x")."""
    if not _NUMERIC.fullmatch(text):
        return None
    try:
        return int(text.strip())
    except ValueError:
        number = float(text)
        return int(number) if number.is_integer() else None


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
