"""Metrics parameters: the body-over-query rule, id-list normalisation, and checks before sending.

The POST metrics operations take every parameter in the query string, and `ids` / `tenant_ids`
(plus any additional property) in a JSON body too; **the body wins**. `effective_parameters` is
that rule, written once: the sandbox serves requests with it, and the client computes with it
what the server will act on (the paging check and the override warning come from it).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, NoReturn

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


# -- text that cannot be sent ------------------------------------------------------------------


def check_text(name: str, value: str) -> None:
    """InvalidParameterError if `value` cannot be sent as UTF-8 (a lone surrogate in it).

    Python keeps a byte that is not UTF-8 in a command-line argument, an environment variable
    or a file name as a lone surrogate (`surrogateescape`: b"\xff" becomes "\udcff"); such a
    string has no UTF-8 form, so no request could carry it.
    """
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidParameterError(name, _unencodable(value, exc.start)) from None


def _unencodable(value: str, at: int) -> str:
    code = ord(value[at])
    what = f"character {at} is U+{code:04X}, a lone surrogate"
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's form of a byte
        what += f" (how Python keeps the byte 0x{code - 0xDC00:02x}, which is not UTF-8)"
    return f"{value!r} is not UTF-8 text: {what}; the API takes UTF-8 text only"


def check_id_texts(name: str, given: object, ids: list[str]) -> None:
    """`check_text` for a normalised id list; the error names the id by its position in `given`
    (`ids[3]`; for a comma-separated string, among its items), or by value alone when `given`
    was a one-shot iterator."""
    joined = "".join(ids)
    if joined.isascii():
        return
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return
    bad = next(i for i in ids if not _encodable(i))
    items: Iterable[object] | None = (
        _split(given)
        if isinstance(given, str)
        else None
        if isinstance(given, Iterator) or not isinstance(given, Iterable)
        else given
    )
    where = name
    for index, item in enumerate(items or ()):
        if isinstance(item, str) and item.strip() == bad:
            where = f"{name}[{index}]"
            break
    check_text(where, bad)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_extra_texts(name: str, value: object) -> None:
    """`check_text` for every key and string inside `value` (extra_query= / extra_body=): the
    error names the entry, e.g. `extra_body['filters'][2]`."""
    if isinstance(value, str):
        check_text(name, value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str):
                check_text(f"{name}[{key!r}]", key)
            check_extra_texts(f"{name}[{key!r}]", item)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_extra_texts(f"{name}[{index}]", item)


# -- single-value checks ------------------------------------------------------------------------

#: (parameter name, value) -> the value to send, or InvalidParameterError
Check = Callable[[str, object], object]
_CHECKS: dict[int, tuple[QueryParam, Check]] = {}  # by id(); the parameter is kept alive
_NO: Final = object()  # "this alternative does not take the value"


def checker(param: QueryParam) -> Check:
    """`check_param` for `param`, compiled once: `checker(param)(param.name, value)`."""
    entry = _CHECKS.get(id(param))
    if entry is None or entry[0] is not param:
        entry = _CHECKS[id(param)] = (param, _compile_param(param))
    return entry[1]


def check_param(param: QueryParam, value: object) -> object:
    """`value` checked against the spec's schema of `param` and the knowledge table's facts;
    returns what to send (e.g. a datetime as an ISO 8601 string in UTC).

    Every type the spec can declare is checked: booleans, integers and numbers (with their
    bounds), strings (closed sets, lengths, patterns; the formats date-time, date and uuid take
    the Python type too), and arrays (a list or tuple, each item checked as its schema says).
    The table adds a closed set the spec gives only in prose, an integer `minimum` (numeric
    strings are converted when the spec also allows strings) and `tokens` (a non-numeric string
    is then an opaque token). A string must be UTF-8 text (`check_text`).
    """
    return checker(param)(param.name, value)


def _compile_param(param: QueryParam) -> Check:
    return _compile(_param_alternatives(param), minimum=param.minimum, tokens=param.tokens)


def _alternatives_by_kind(
    alternatives: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, list[Mapping[str, Any]]], bool]:
    """The alternatives grouped by JSON type; True when one takes any value (no type)."""
    kinds: dict[str, list[Mapping[str, Any]]] = {}
    anything = False
    for alternative in alternatives:
        declared = alternative.get("type")
        types = declared if isinstance(declared, list) else [declared] if declared else []
        if not types and "enum" in alternative:  # an untyped enum: typed by its values
            types = list(dict.fromkeys(_json_type(v) for v in alternative["enum"]))
        if not types:
            anything = True
        for kind in types:
            kinds.setdefault(kind, []).append(alternative)
    return kinds, anything


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if isinstance(value, str) else "object"


def _compile(
    alternatives: Iterable[Mapping[str, Any]], *, minimum: int | None = None, tokens: bool = False
) -> Check:
    """One parameter's check, its work done here once: the call path only dispatches on the
    value's type and runs the few tests its schema declares."""
    kinds, anything = _alternatives_by_kind(alternatives)
    booleans, strings = kinds.get("boolean", []), kinds.get("string", [])
    integers = [_with_minimum(a, minimum) for a in kinds.get("integer", [])]
    numbers = kinds.get("number", [])
    int_test = _any_of([_number_test(a) for a in integers] + [_number_test(a) for a in numbers])
    float_test = _any_of([_number_test(a) for a in numbers])
    bool_ok = any(_in_enum(a, True) for a in booleans), any(_in_enum(a, False) for a in booleans)
    arrays = [(a, _compile(_items(a))) for a in kinds.get("array", [])]
    numeric_strings = bool(integers and strings and minimum is not None)
    plain = any(not (_STRING_KEYWORDS & a.keys()) for a in strings) and not numeric_strings
    closed = frozenset(v for a in strings for v in a.get("enum", ()) if isinstance(v, str))
    constrained = [a for a in strings if _STRING_KEYWORDS & a.keys() and "enum" not in a]
    formats = {a.get("format") for a in strings}
    if "uuid" in formats:
        import uuid  # deferred: import time (only a spec with a uuid parameter needs it)

        uuid_type: type | None = uuid.UUID
    else:
        uuid_type = None
    described = _describe(kinds, integers, numeric_strings=numeric_strings, tokens=tokens)

    def refuse(name: str, value: object, reason: str = "") -> NoReturn:
        raise InvalidParameterError(name, reason or f"must be {described}; got {value!r}")

    def check(name: str, value: object) -> object:
        kind = type(value)
        if kind is str:
            text: str = value  # type: ignore[assignment]
            if not text.isascii():
                check_text(name, text)
            if plain or text in closed:
                return text
            if numeric_strings:
                if _NUMERIC.fullmatch(text):
                    number = _numeric(text, matched=True)
                    if number is not None and int_test(number):
                        return number
                elif tokens and text.strip():
                    return text  # an opaque token, e.g. a page token
                refuse(name, value)
            reason = ""
            for alternative in constrained:
                sent, why = _string_fits(name, alternative, text)
                if sent is not None:
                    return sent
                reason = reason or why
            if anything:
                return text  # a schema without a type: the API decides
            refuse(name, value, reason)
        if kind is int:
            if int_test(value) or anything:  # type: ignore[arg-type]
                return value
            refuse(name, value)
        if kind is bool:
            if bool_ok[not value] or anything:
                return value
            refuse(name, value)
        if kind is float:
            if not math.isfinite(value):  # type: ignore[arg-type]
                refuse(name, value, f"must be a finite number; got {value!r}")
            if float_test(value) or anything:  # type: ignore[arg-type]
                return value
            refuse(name, value)
        return other(name, value)

    def other(name: str, value: object) -> object:
        """Any other type: subclasses (a str Enum), datetimes, dates, UUIDs, lists."""
        reason = ""
        if isinstance(value, str):
            return check(name, str.__str__(value))  # a str Enum's member: its text
        if isinstance(value, bool):
            return check(name, bool(value))
        if isinstance(value, int):
            return check(name, int(value))
        if isinstance(value, float):
            return check(name, float(value))
        if isinstance(value, dt.datetime):
            moment = to_utc(name, value) if "date-time" in formats else None
            if moment is not None:
                return format_utc(moment)
        elif isinstance(value, dt.date):
            if "date" in formats:
                return value.isoformat()
        elif uuid_type is not None and isinstance(value, uuid_type):
            return str(value)
        elif isinstance(value, list | tuple) and arrays:
            for alternative, item in arrays:
                sent_items, why = _array_fits(name, alternative, item, value)
                if sent_items is not None:
                    return sent_items
                reason = reason or why
        refuse(name, value, reason)

    return check


#: The keywords of a string alternative that need more than "is it a str" (or a closed set).
_STRING_KEYWORDS: Final = frozenset({"enum", "format", "minLength", "maxLength", "pattern"})


def _number_test(alternative: Mapping[str, Any]) -> Callable[[float], bool]:
    """A predicate for a number or integer alternative, testing only what it declares."""
    enum = alternative.get("enum")
    low, high = alternative.get("minimum"), alternative.get("maximum")
    if enum is None and high is None and not alternative.keys() & _NUMBER_KEYWORDS:
        if low is None:
            return _anything
        return lambda value: value >= low
    return functools.partial(_number_fits, alternative)


_NUMBER_KEYWORDS: Final = frozenset({"exclusiveMinimum", "exclusiveMaximum", "multipleOf"})


def _anything(value: object) -> bool:
    return True


def _nothing(value: object) -> bool:
    return False


def _any_of(tests: list[Callable[[float], bool]]) -> Callable[[float], bool]:
    if not tests:
        return _nothing
    if len(tests) == 1:
        return tests[0]
    return lambda value: any(test(value) for test in tests)


# -- values written as text (CLI flags) ----------------------------------------------------------

_TRUE: Final = frozenset({"true", "yes", "on", "1"})
_FALSE: Final = frozenset({"false", "no", "off", "0"})
_INTEGER: Final = re.compile(r"\s*[+-]?\d+\s*")


def text_kind(param: QueryParam) -> str:
    """How a value of `param` is written as text: `string` (as it is: the SDK checks it),
    `choice` (one of a closed set), `boolean`, `integer`, `number` or `array` (comma-separated)."""
    kinds, _anything = _alternatives_by_kind(_param_alternatives(param))
    if param.values is not None:
        return "choice"
    if "string" in kinds or not kinds:
        return "string"
    for kind in ("array", "boolean", "integer", "number"):
        if kind in kinds:
            return kind
    return "string"


def choices(param: QueryParam) -> tuple[object, ...]:
    """The closed set of `param` as the SDK takes it (typed as the spec types it: 1, not "1")."""
    found = [v for a in _param_alternatives(param) for v in a.get("enum", ())]
    return tuple(dict.fromkeys(found)) or tuple(param.values or ())


def text_reader(param: QueryParam) -> Callable[[str], object]:
    """How a value of `param` given as text (a CLI flag's argument) reads, by the spec's schema:
    `true`/`false` (also yes/no, on/off, 1/0) for a boolean, `5` for an integer, `0.5` for a
    number, `a,b` for an array (each item read by the items' schema), the value of a closed set
    whose text it is (`1` for an integer enum), and any other text as it is (the SDK checks it
    when the call is made). Raises ValueError saying what was expected."""
    return _reader(_param_alternatives(param), minimum=param.minimum)


def _param_alternatives(param: QueryParam) -> list[dict[str, Any]]:
    schema: Mapping[str, Any] = param.schema or {"anyOf": [{"type": t} for t in param.types]}
    alternatives = [dict(a) for a in schema.get("anyOf", [schema])] if schema else []
    if param.values is not None and param.values_from == "knowledge":
        for alternative in alternatives:  # the table's closed set of a string parameter
            if alternative.get("type") == "string" and "enum" not in alternative:
                alternative["enum"] = list(param.values)
    return alternatives


def _reader(
    alternatives: Iterable[Mapping[str, Any]], *, minimum: int | None = None
) -> Callable[[str], object]:
    kinds, anything = _alternatives_by_kind(alternatives)
    integers = [_with_minimum(a, minimum) for a in kinds.get("integer", [])]
    closed = [v for kind in kinds.values() for a in kind for v in a.get("enum", ())]
    free_text = anything or any("enum" not in a for a in kinds.get("string", ()))
    arrays = [_reader(_items(a)) for a in kinds.get("array", [])]
    described = _describe(kinds, integers, text=True)

    def read(text: str) -> object:
        word = text.strip()
        for value in closed:
            if as_text(value) == (word.lower() if isinstance(value, bool) else word):
                return value
        if free_text:
            return text
        if any("enum" not in a for a in kinds.get("boolean", ())):
            if word.lower() in _TRUE:
                return True
            if word.lower() in _FALSE:
                return False
        if _INTEGER.fullmatch(word) and any(_number_fits(a, int(word)) for a in integers):
            return int(word)
        try:
            number = float(word)
        except ValueError:
            number = math.nan
        if math.isfinite(number) and any(_number_fits(a, number) for a in kinds.get("number", ())):
            return int(number) if _INTEGER.fullmatch(word) else number
        for item in arrays:
            try:
                return [item(part.strip()) for part in _split(text) if part.strip()]
            except ValueError:
                continue
        raise ValueError(f"expected {described}, got {text!r}")

    return read


def as_text(value: object) -> str:
    """A value as a query string has it: true/false, 1, 0.5, text."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _with_minimum(alternative: Mapping[str, Any], minimum: int | None) -> Mapping[str, Any]:
    """An integer alternative with the table's minimum too (the larger of the two applies)."""
    if minimum is None:
        return alternative
    own = alternative.get("minimum")
    return {**alternative, "minimum": minimum if own is None else max(own, minimum)}


def _items(alternative: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = alternative.get("items") or {}
    return list(items.get("anyOf", [items]))


def _in_enum(alternative: Mapping[str, Any], value: object) -> bool:
    """Whether `value` is in the alternative's closed set, if it has one (True == 1 is not)."""
    enum = alternative.get("enum")
    if enum is None:
        return True
    kind = _json_type(value)
    numeric = kind in ("integer", "number")
    return any(
        (_json_type(v) in ("integer", "number") if numeric else _json_type(v) == kind)
        and v == value
        for v in enum
    )


def _number_fits(alternative: Mapping[str, Any], value: float) -> bool:
    """Whether `value` fits an integer or number alternative (closed set, bounds, step)."""
    if not _in_enum(alternative, value):
        return False
    low, high = alternative.get("minimum"), alternative.get("maximum")
    xlow, xhigh = alternative.get("exclusiveMinimum"), alternative.get("exclusiveMaximum")
    if (low is not None and value < low) or (high is not None and value > high):
        return False
    if (xlow is not None and value <= xlow) or (xhigh is not None and value >= xhigh):
        return False
    step = alternative.get("multipleOf")
    return not step or abs(value / step - round(value / step)) <= 1e-9


def _string_fits(name: str, alternative: Mapping[str, Any], value: str) -> tuple[str | None, str]:
    """(what to send, "") when `value` fits a string alternative; (None, why not) otherwise."""
    enum = alternative.get("enum")
    if enum is not None:
        if value in enum:
            return value, ""
        return None, ""  # described with the parameter's other alternatives
    kind = alternative.get("format")
    if kind == "date-time":
        moment = to_utc(name, value)  # its own errors say what is wrong with the string
        return (format_utc(moment) if moment is not None else None), ""
    if kind == "date":
        try:
            return dt.date.fromisoformat(value.strip()).isoformat(), ""
        except ValueError:
            return None, f"not an ISO 8601 date: {value!r} (e.g. 2025-01-15)"
    if kind == "uuid":
        import uuid

        try:
            return str(uuid.UUID(value.strip())), ""
        except ValueError:
            return None, f"not a UUID: {value!r}"
    low, high = alternative.get("minLength"), alternative.get("maxLength")
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        size = f"{low or 0} to {high}" if high is not None else f"at least {low}"
        return None, f"must be {size} characters long; got {value!r}"
    pattern = alternative.get("pattern")
    if pattern is not None:
        try:
            matched = re.search(pattern, value) is not None
        except re.error:  # a pattern Python's re cannot read: the API decides
            matched = True
        if not matched:
            return None, f"must match {pattern}; got {value!r}"
    return value, ""


def _array_fits(
    name: str, alternative: Mapping[str, Any], item: Check, value: list[Any] | tuple[Any, ...]
) -> tuple[list[Any] | None, str]:
    """(the checked items, "") when `value` fits an array alternative; (None, why not) else."""
    if not value:
        return None, f"an empty list sends nothing; pass {name}=None (or leave it out) instead"
    low, high = alternative.get("minItems"), alternative.get("maxItems")
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        most = "any number of" if high is None else str(high)
        return None, f"must have {low or 0} to {most} items; got {len(value)}"
    items = [item(f"{name}[{index}]", v) for index, v in enumerate(value)]
    if alternative.get("uniqueItems") and len(set(map(repr, items))) != len(items):
        return None, f"must not repeat an item; got {value!r}"
    return items, ""


def _bounds(alternative: Mapping[str, Any]) -> str:
    """`a positive integer`, `an integer >= 0`, `a number >= 0 and < 1`, ..."""
    declared = alternative.get("type")
    integer = "integer" in (declared if isinstance(declared, list) else [declared])
    noun = "an integer" if integer else "a number"
    low, high = alternative.get("minimum"), alternative.get("maximum")
    xlow, xhigh = alternative.get("exclusiveMinimum"), alternative.get("exclusiveMaximum")
    step = alternative.get("multipleOf")
    if integer and low == 1 and high is None and xlow is None and xhigh is None and not step:
        return "a positive integer"
    parts = [
        f">= {low}" if low is not None else "",
        f"> {xlow}" if xlow is not None else "",
        f"<= {high}" if high is not None else "",
        f"< {xhigh}" if xhigh is not None else "",
        f"a multiple of {step}" if step else "",
    ]
    said = " and ".join(p for p in parts if p)
    return f"{noun} {said}" if said else noun


def _describe(
    kinds: Mapping[str, list[Mapping[str, Any]]],
    integers: list[Mapping[str, Any]],
    *,
    numeric_strings: bool = False,
    tokens: bool = False,
    text: bool = False,
) -> str:
    """What a parameter takes, e.g. `one of asc, desc`, `a positive integer or a token`
    (`text`: as written on a command line, `true or false` for a boolean)."""
    parts: list[str] = []
    closed = [v for kind in kinds.values() for a in kind for v in a.get("enum", ())]
    if closed:
        parts.append("one of " + ", ".join(map(str, dict.fromkeys(closed))))
    if any("enum" not in a for a in kinds.get("boolean", ())):
        parts.append("true or false" if text else "True or False")
    parts += [_bounds(a) for a in integers if "enum" not in a]
    parts += [_bounds(a) for a in kinds.get("number", ()) if "enum" not in a]
    for alternative in kinds.get("string", ()):
        if "enum" in alternative:
            continue
        kind = alternative.get("format")
        if numeric_strings:
            parts.append("a token" if tokens else "")
        elif kind == "date-time":
            parts.append("an aware datetime or an ISO 8601 string with an offset")
        elif kind == "date":
            parts.append("a date or an ISO 8601 date string")
        elif kind == "uuid":
            parts.append("a UUID")
        else:
            parts.append("a string")
    for alternative in kinds.get("array", ()):
        item_kinds = _alternatives_by_kind(_items(alternative))[0]
        inner = _describe(item_kinds, item_kinds.get("integer", []), text=text)
        parts.append(f"a list (each item {inner})")
    said = list(dict.fromkeys(p for p in parts if p))
    if not said:
        return "a value of the spec's type"
    return ", ".join(said[:-1]) + " or " + said[-1] if len(said) > 1 else said[0]


def _numeric(text: str, *, matched: bool = False) -> int | None:
    """The integer a numeric string holds ("2", " 2.0 "); None for anything else ("2.5", "x")
    (`matched`: the caller has matched `_NUMERIC` already)."""
    if not matched and not _NUMERIC.fullmatch(text):
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
