"""What the sandbox (and so the testing kit) accepts for a query parameter, as the API does.

Schema-driven: each parameter is checked against the JSON Schema the generated surface holds
for it (`QueryParam.schema`: its alternatives, types, formats, closed sets, bounds, lengths,
patterns and array items), read the way FastAPI reads a query string (every value is text:
`?size=5` is the integer 5, `?flag=yes` a boolean) or a JSON body (body over query: a value of
the wrong JSON type is refused), plus the knowledge table's facts (a closed set given in prose,
a `minimum`, `tokens`, the timestamp and step-unit roles). A refusal is FastAPI's 422 item:
`{"type", "loc", "msg", "input", "ctx"}`, its `loc` naming where the value was (`["query",
"size"]`, `["body", "size"]`, `["query", "tags", 1]` for an array's item).

Nothing here depends on the spec's current parameters: a parameter that `make update-spec`
adds, of any type, is checked with no change here.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from dateutil import parser as date_parser

from streamkap_api.surface import QueryParam

__all__ = ["MAX_INT", "MIN_INT", "Invalid", "check_param", "item", "takes_array"]

#: Integers the API's validation accepts (a signed 64-bit range): others answer 422.
MAX_INT: Final = 2**63 - 1
MIN_INT: Final = -(2**63)
_INT32: Final = (-(2**31), 2**31 - 1)

Loc = tuple[str | int, ...]


class Invalid(Exception):
    """A 422: FastAPI's `detail` items."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__(items)
        self.items = items


def item(kind: str, loc: Sequence[str | int], msg: str, value: Any, **ctx: Any) -> dict[str, Any]:
    """One FastAPI / pydantic validation error."""
    entry: dict[str, Any] = {"type": kind, "loc": list(loc), "msg": msg, "input": value}
    if ctx:
        entry["ctx"] = ctx
    return entry


class _Refused(Exception):
    """One alternative does not take the value; `type_error`: not even its JSON type."""

    def __init__(self, entry: dict[str, Any], *, type_error: bool = False) -> None:
        super().__init__(entry)
        self.entry = entry
        self.type_error = type_error


# -- the parameter's schema -------------------------------------------------------------------


def alternatives(param: QueryParam) -> list[dict[str, Any]]:
    """The parameter's schema as a list of alternatives, with the knowledge table's facts in.

    A surface without `schema` (older generated code) gives the declared types alone.
    """
    return list(_alternatives(param))


_SEEN: dict[int, tuple[QueryParam, tuple[dict[str, Any], ...]]] = {}  # by id(): not hashable


def _alternatives(param: QueryParam) -> tuple[dict[str, Any], ...]:
    known = _SEEN.get(id(param))
    if known is None or known[0] is not param:
        known = _SEEN[id(param)] = (param, _read_alternatives(param))
    return known[1]


def _read_alternatives(param: QueryParam) -> tuple[dict[str, Any], ...]:
    schema: Mapping[str, Any] = param.schema
    if not schema:
        found: list[dict[str, Any]] = []
        for kind in param.types:
            alternative: dict[str, Any] = {"type": kind}
            if kind == "string" and param.formats:
                alternative["format"] = param.formats[0]
            found.append(alternative)
        if param.values is not None and param.values_from == "spec":
            for alternative in found:
                if alternative["type"] == "string":
                    alternative["enum"] = list(param.values)
    else:
        found = [_plain(a) for a in schema.get("anyOf", [schema])]
    for alternative in found:
        kinds = _kinds(alternative)
        if (
            param.values is not None
            and param.values_from == "knowledge"
            and "string" in kinds
            and "enum" not in alternative
        ):
            alternative["enum"] = list(param.values)  # a closed set the spec gives in prose
        if param.minimum is not None and "integer" in kinds:
            own = alternative.get("minimum")
            alternative["minimum"] = param.minimum if own is None else max(own, param.minimum)
    return tuple(found)


def _plain(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A mutable deep copy (the surface holds read-only mappings)."""
    copied: dict[str, Any] = {}
    for key, value in schema.items():
        if isinstance(value, Mapping):
            copied[key] = _plain(value)
        elif isinstance(value, list | tuple) and key == "anyOf":
            copied[key] = [_plain(v) if isinstance(v, Mapping) else v for v in value]
        elif isinstance(value, list | tuple):
            copied[key] = list(value)
        else:
            copied[key] = value
    return copied


def _kinds(alternative: Mapping[str, Any]) -> list[str]:
    declared = alternative.get("type")
    if isinstance(declared, list | tuple):
        return [str(k) for k in declared if k != "null"]
    return [str(declared)] if declared else []


def takes_array(param: QueryParam) -> bool:
    """Whether the parameter takes a list (`?tags=a&tags=b`, FastAPI's form for arrays)."""
    return any("array" in _kinds(a) for a in _alternatives(param))


# -- checking -----------------------------------------------------------------------------------


def check_param(param: QueryParam, value: Any, where: str) -> Any:
    """`value` (from `where`, "query" or "body") as the API reads it, or Invalid.

    From the query, `value` is the text (a list of texts for a parameter that takes an array,
    or when the key was repeated); from the body, the JSON value. Returns the typed value:
    an int, a float, a bool, a str, a list, or for a timestamp role an aware datetime in UTC.
    """
    loc: Loc = (where, param.wire)
    text = where == "query"
    if isinstance(value, list) and text and not takes_array(param) and len(value) == 1:
        value = value[0]
    found = _check_alternatives(_alternatives(param), value, loc, text, param)
    if param.role in ("window_start", "window_end"):
        return timestamp(found, loc)
    if (
        param.role == "step_unit"
        and param.seconds
        and not (isinstance(found, str) and found in param.seconds)
    ):
        # the sandbox builds series only for the units it knows the length of
        raise Invalid([_literal(loc, value, list(param.seconds))])
    return found


def _check_alternatives(
    options: Sequence[Mapping[str, Any]],
    value: Any,
    loc: Loc,
    text: bool,
    param: QueryParam | None = None,
) -> Any:
    if not options:
        return value  # a schema that says nothing: any value
    kinds = {k for a in options for k in _kinds(a)}
    numeric_text = (
        param is not None
        and param.minimum is not None
        and {"integer", "string"} <= kinds
        and isinstance(value, str)
    )
    if numeric_text and param is not None:
        # The table: a parameter with a minimum reads numeric text as a number; other text is
        # a token where the table says so, and refused otherwise.
        if _INTEGER_TEXT.fullmatch(value.strip()):
            integers = [a for a in options if "integer" in _kinds(a)]
            return _check_alternatives(integers, value, loc, text)
        if param.tokens and value.strip():
            return value
        raise Invalid([_int_parsing(loc, value)])
    refusals: list[_Refused] = []
    for alternative in options:
        try:
            return _check_one(alternative, value, loc, text)
        except _Refused as refused:
            refusals.append(refused)
    closed = [v for a in options for v in a.get("enum", ())]
    if closed and all(r.type_error or "enum" in a for r, a in zip(refusals, options, strict=True)):
        raise Invalid([_literal(loc, value, closed)])
    # the refusal of an alternative of the right type says most; else the first type's
    best = next((r for r in refusals if not r.type_error), refusals[0])
    raise Invalid([best.entry])


def _check_one(alternative: Mapping[str, Any], value: Any, loc: Loc, text: bool) -> Any:
    kinds = _kinds(alternative)
    if not kinds:
        if "enum" in alternative and not _in_enum(alternative, value, text):
            raise _Refused(_literal(loc, value, list(alternative["enum"])))
        return value
    refusals: list[_Refused] = []
    for kind in kinds:
        try:
            return _CHECKERS.get(kind, _anything)(alternative, value, loc, text)
        except _Refused as refused:
            refusals.append(refused)
    raise next((r for r in refusals if not r.type_error), refusals[0])


def _anything(alternative: Mapping[str, Any], value: Any, loc: Loc, text: bool) -> Any:
    return value  # a type this module does not know: the API decides


# -- strings ------------------------------------------------------------------------------------

_DATE_TIME: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME: Final = re.compile(r"(\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)
_UUID: Final = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", re.ASCII)


def _string(alternative: Mapping[str, Any], value: Any, loc: Loc, text: bool) -> str:
    if not isinstance(value, str):
        raise _Refused(
            item("string_type", loc, "Input should be a valid string", value), type_error=True
        )
    if "enum" in alternative and not _in_enum(alternative, value, text):
        raise _Refused(_literal(loc, value, list(alternative["enum"])))
    low, high = alternative.get("minLength"), alternative.get("maxLength")
    if low is not None and len(value) < low:
        msg = f"String should have at least {low} character{'s' * (low != 1)}"
        raise _Refused(item("string_too_short", loc, msg, value, min_length=low))
    if high is not None and len(value) > high:
        msg = f"String should have at most {high} character{'s' * (high != 1)}"
        raise _Refused(item("string_too_long", loc, msg, value, max_length=high))
    pattern = alternative.get("pattern")
    if isinstance(pattern, str) and not _matches(pattern, value):
        msg = f"String should match pattern '{pattern}'"
        raise _Refused(item("string_pattern_mismatch", loc, msg, value, pattern=pattern))
    _format(str(alternative.get("format") or ""), value, loc)
    return value


def _matches(pattern: str, value: str) -> bool:
    try:
        compiled = _compiled(pattern)
    except re.error:  # a pattern Python cannot read (ECMA-262 only): the API decides
        return True
    return compiled.search(value) is not None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _format(kind: str, value: str, loc: Loc) -> None:
    """The formats JSON Schema defines that a query value can carry (RFC 3339 dates and times,
    UUIDs, IP addresses); other formats are annotations, as JSON Schema has them by default."""
    if kind == "date-time":
        if not _DATE_TIME.fullmatch(value) or _aware(value) is None:
            msg = "Input should be a valid datetime (RFC 3339, with a time zone)"
            raise _Refused(item("datetime_parsing", loc, msg, value))
    elif kind == "date":
        try:
            ok = bool(_DATE.fullmatch(value)) and bool(dt.date.fromisoformat(value))
        except ValueError:
            ok = False
        if not ok:
            msg = "Input should be a valid date in the format YYYY-MM-DD"
            raise _Refused(item("date_parsing", loc, msg, value))
    elif kind == "time":
        try:
            ok = bool(_TIME.fullmatch(value)) and bool(
                dt.time.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
            )
        except ValueError:
            ok = False
        if not ok:
            msg = "Input should be in a valid time format (RFC 3339, with a time zone)"
            raise _Refused(item("time_parsing", loc, msg, value))
    elif kind == "uuid":
        if not _UUID.fullmatch(value):
            raise _Refused(item("uuid_parsing", loc, "Input should be a valid UUID", value))
    elif kind in ("ipv4", "ipv6"):
        version = ipaddress.IPv4Address if kind == "ipv4" else ipaddress.IPv6Address
        try:
            version(value)
        except ValueError:
            name = "IPv4" if kind == "ipv4" else "IPv6"
            msg = f"Input is not a valid {name} address"
            raise _Refused(item(f"ip_{kind[:2]}_{kind[2:]}_address", loc, msg, value)) from None


def _aware(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def timestamp(value: Any, loc: Loc) -> dt.datetime:
    """A timestamp role's value: ISO 8601 with a time zone, as an aware datetime in UTC.

    Moments a UTC datetime cannot hold (0001-01-01T00:00:00+01:00 is in year 0) are clamped
    to the first or last representable one: the window is still well defined.
    """
    try:
        parsed = date_parser.isoparse(value) if isinstance(value, str) else None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise Invalid(
            [
                item(
                    "datetime_from_date_parsing",
                    loc,
                    "Input should be a valid ISO 8601 datetime with a time zone",
                    value,
                )
            ]
        )
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        edge = dt.datetime.min if parsed.year < 5000 else dt.datetime.max
        return edge.replace(tzinfo=dt.UTC)


# -- numbers ------------------------------------------------------------------------------------

# What pydantic reads as an integer: optional sign, digits (underscores between them), and a
# zero fraction ("5.0"); surrounding whitespace is stripped.
_INTEGER_TEXT: Final = re.compile(r"[+-]?\d+(_\d+)*(\.0*)?", re.ASCII)
_NUMBER_TEXT: Final = re.compile(r"[+-]?(\d+(_\d+)*(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def _int_parsing(loc: Loc, value: Any) -> dict[str, Any]:
    msg = "Input should be a valid integer, unable to parse string as an integer"
    return item("int_parsing", loc, msg, value)


def _integer(alternative: Mapping[str, Any], value: Any, loc: Loc, text: bool) -> int:
    number: int | None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            msg = "Input should be a valid integer, got a number with a fractional part"
            raise _Refused(item("int_from_float", loc, msg, value))
        number = int(value)
    elif isinstance(value, str):
        word = value.strip()
        if not _INTEGER_TEXT.fullmatch(word):
            raise _Refused(_int_parsing(loc, value), type_error=True)
        digits = word.split(".")[0].replace("_", "")
        if len(digits.lstrip("+-").lstrip("0")) > 20:  # far outside 64 bits: no int() needed
            number = MAX_INT + 1 if not digits.startswith("-") else MIN_INT - 1
        else:
            number = int(digits)
    else:
        number = None
    if number is None:
        raise _Refused(
            item("int_type", loc, "Input should be a valid integer", value), type_error=True
        )
    low, high = MIN_INT, MAX_INT
    if alternative.get("format") == "int32":
        low, high = _INT32
    _bounds(alternative, number, value, loc, (low, high))
    return number


def _number(alternative: Mapping[str, Any], value: Any, loc: Loc, text: bool) -> float | int:
    number: float | int
    if isinstance(value, bool):
        raise _Refused(
            item("float_type", loc, "Input should be a valid number", value), type_error=True
        )
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        word = value.strip()
        if not _NUMBER_TEXT.fullmatch(word):
            msg = "Input should be a valid number, unable to parse string as a number"
            raise _Refused(item("float_parsing", loc, msg, value), type_error=True)
        number = float(word.replace("_", ""))
    else:
        raise _Refused(
            item("float_type", loc, "Input should be a valid number", value), type_error=True
        )
    if isinstance(number, float) and not math.isfinite(number):
        raise _Refused(item("finite_number", loc, "Input should be a finite number", value))
    _bounds(alternative, number, value, loc, None)
    return number


def _bounds(
    alternative: Mapping[str, Any],
    number: float,
    value: Any,
    loc: Loc,
    limits: tuple[int, int] | None,
) -> None:
    if "enum" in alternative and not any(
        not isinstance(v, bool) and isinstance(v, int | float) and v == number
        for v in alternative["enum"]
    ):
        raise _Refused(_literal(loc, value, list(alternative["enum"])))
    checks: list[tuple[str, Any, str, str]] = [
        ("minimum", alternative.get("minimum"), "greater_than_equal", "greater than or equal to"),
        ("exclusiveMinimum", alternative.get("exclusiveMinimum"), "greater_than", "greater than"),
        ("maximum", alternative.get("maximum"), "less_than_equal", "less than or equal to"),
        ("exclusiveMaximum", alternative.get("exclusiveMaximum"), "less_than", "less than"),
    ]
    if limits is not None:
        checks += [
            ("minimum", limits[0], "greater_than_equal", "greater than or equal to"),
            ("maximum", limits[1], "less_than_equal", "less than or equal to"),
        ]
    ctx_key = {
        "greater_than_equal": "ge",
        "greater_than": "gt",
        "less_than_equal": "le",
        "less_than": "lt",
    }
    for _name, bound, kind, words in checks:
        if bound is None or isinstance(bound, bool) or not isinstance(bound, int | float):
            continue
        broken = {
            "greater_than_equal": number < bound,
            "greater_than": number <= bound,
            "less_than_equal": number > bound,
            "less_than": number >= bound,
        }[kind]
        if broken:
            msg = f"Input should be {words} {bound}"
            raise _Refused(item(kind, loc, msg, value, **{ctx_key[kind]: bound}))
    step = alternative.get("multipleOf")
    if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
        ratio = number / step
        if not math.isfinite(ratio) or abs(ratio - round(ratio)) > 1e-9:
            msg = f"Input should be a multiple of {step}"
            raise _Refused(item("multiple_of", loc, msg, value, multiple_of=step))


# -- booleans -----------------------------------------------------------------------------------

# What pydantic reads as a boolean (case-insensitively, like FastAPI's query parameters).
_TRUE: Final = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE: Final = frozenset({"0", "off", "f", "false", "n", "no"})


def _boolean(alternative: Mapping[str, Any], value: Any, loc: Loc, text: bool) -> bool:
    found: bool | None = None
    if isinstance(value, bool):
        found = value
    elif isinstance(value, int) and value in (0, 1):
        found = bool(value)
    elif isinstance(value, str):
        word = value.strip().lower()
        found = True if word in _TRUE else False if word in _FALSE else None
    if found is None:
        kind = "bool_parsing" if isinstance(value, str | int) else "bool_type"
        msg = "Input should be a valid boolean" + (
            ", unable to interpret input" if kind == "bool_parsing" else ""
        )
        raise _Refused(item(kind, loc, msg, value), type_error=True)
    if "enum" in alternative and found not in [v for v in alternative["enum"] if v in (0, 1)]:
        raise _Refused(_literal(loc, value, list(alternative["enum"])))
    return found


# -- arrays and objects -------------------------------------------------------------------------


def _array(alternative: Mapping[str, Any], value: Any, loc: Loc, text: bool) -> list[Any]:
    if not isinstance(value, list):
        raise _Refused(
            item("list_type", loc, "Input should be a valid list", value), type_error=True
        )
    low, high = alternative.get("minItems"), alternative.get("maxItems")
    if low is not None and len(value) < low:
        msg = f"List should have at least {low} item{'s' * (low != 1)} after validation"
        msg += f", not {len(value)}"
        ctx = {"field_type": "List", "min_length": low, "actual_length": len(value)}
        raise _Refused(item("too_short", loc, msg, value, **ctx))
    if high is not None and len(value) > high:
        msg = f"List should have at most {high} item{'s' * (high != 1)} after validation"
        msg += f", not {len(value)}"
        ctx = {"field_type": "List", "max_length": high, "actual_length": len(value)}
        raise _Refused(item("too_long", loc, msg, value, **ctx))
    items = alternative.get("items")
    options = [_plain(a) for a in items.get("anyOf", [items])] if isinstance(items, Mapping) else []
    checked: list[Any] = []
    errors: list[dict[str, Any]] = []
    for index, entry in enumerate(value):
        try:
            checked.append(_check_alternatives(options, entry, (*loc, index), text))
        except Invalid as invalid:
            errors += invalid.items
    if errors:
        raise Invalid(errors)
    if alternative.get("uniqueItems") and len({_key(v) for v in checked}) != len(checked):
        msg = "Value error, the list should not repeat an item"
        raise _Refused(item("value_error", loc, msg, value))
    return checked


def _key(value: Any) -> Any:
    return (type(value) is bool, value) if not isinstance(value, list | dict) else repr(value)


def _object(alternative: Mapping[str, Any], value: Any, loc: Loc, text: bool) -> Any:
    if not isinstance(value, dict):
        raise _Refused(
            item("dict_type", loc, "Input should be a valid dictionary", value), type_error=True
        )
    return value


_CHECKERS: Final = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "array": _array,
    "object": _object,
}


# -- closed sets --------------------------------------------------------------------------------


def _in_enum(alternative: Mapping[str, Any], value: Any, text: bool) -> bool:
    for allowed in alternative.get("enum", ()):
        if isinstance(allowed, bool) or isinstance(value, bool):
            if type(allowed) is type(value) and allowed == value:
                return True
            if (
                text
                and isinstance(value, str)
                and isinstance(allowed, bool)
                and value.strip().lower() == ("true" if allowed else "false")
            ):
                return True
            continue
        if allowed == value or (text and isinstance(value, str) and str(allowed) == value):
            return True
    return False


def _literal(loc: Loc, value: Any, allowed: Sequence[Any]) -> dict[str, Any]:
    shown = [f"'{a}'" if isinstance(a, str) else str(a) for a in dict.fromkeys(allowed)]
    expected = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" or {shown[-1]}"
    return item("literal_error", loc, f"Input should be {expected}", value, expected=expected)
