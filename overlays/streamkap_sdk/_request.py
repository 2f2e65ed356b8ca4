"""From call arguments to validated request pieces (nothing is sent from here).

`prepare()` checks every argument against the operation's generated surface (the spec's types
and closed sets, plus the knowledge table's facts) and raises InvalidParameterError before
anything is sent; `request_kwargs()` builds one request of the call through the generated
public request builder: the body's id lists travel in the JSON body as arrays, every other
parameter in the query, `extra_query=` / `extra_body=` are added as given.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ._errors import InvalidParameterError
from ._operations import Operation, QueryParam, body_model, build_kwargs
from ._params import (
    ID_LIST_KEYS,
    Check,
    ParameterOverrideWarning,
    check_extra_texts,
    check_id_texts,
    checker,
    effective_parameters,
    format_utc,
    normalize_id_list,
    overridden_query_keys,
    to_utc,
)

IdList = str | Iterable[str]

#: Options every metrics method takes besides the spec's parameters (see `resources`).
EXTRAS: Final = ("extra_query", "extra_body")
SINCE: Final = "since"
_QUERY_PRIMITIVES: Final = (str, int, float, bool)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What `prepare` needs of an operation, worked out once per operation (per-call cost)."""

    known: frozenset[str]
    checked: tuple[tuple[str, Check], ...]  # (name, check) of each parameter checked by value
    start: QueryParam | None
    end: QueryParam | None


_PLANS: dict[str, _Plan] = {}


def _plan(op: Operation) -> _Plan:
    plan = _PLANS.get(op.operation_id)
    if plan is None:
        window = ("window_start", "window_end")
        plan = _PLANS[op.operation_id] = _Plan(
            known=frozenset({p.name for p in op.query} | set(EXTRAS) | {SINCE}),
            checked=tuple(
                (p.name, checker(p))
                for p in op.query
                if p.name not in op.id_lists and p.wire not in op.id_lists and p.role not in window
            ),
            start=op.with_role("window_start"),
            end=op.with_role("window_end"),
        )
    return plan


@dataclass(slots=True)  # not frozen: one per request, and a frozen init costs 3x
class Prepared:
    """A validated call: generated-builder kwargs (minus ids) plus the id lists and extras."""

    ids: list[str]
    id_lists: dict[str, list[str]]  # the other body id lists (sent whole with every request)
    query: dict[str, Any]
    extra_query: dict[str, Any]
    extra_body: dict[str, Any]

    def chunks(self, max_ids: int) -> list[list[str]]:
        """The ids split into runs of at most `max_ids`, in order (one empty run for no ids)."""
        if len(self.ids) <= max_ids:
            return [self.ids]
        return [self.ids[i : i + max_ids] for i in range(0, len(self.ids), max_ids)]


def prepare(
    op: Operation,
    ids: object,
    params: Mapping[str, Any],
    *,
    max_ids_per_request: int,
    unknown: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
    stacklevel: int = 3,
) -> Prepared:
    """Check and normalise one call's arguments; raise InvalidParameterError, or warn once.

    `params` holds the method's keywords by Python name (None: not given), `unknown` any other
    keyword the caller passed. `stacklevel` points a ParameterOverrideWarning at the user's call.
    """
    plan = _plan(op)
    if unknown or not plan.known.issuperset(params):
        strays = sorted(set(unknown or {}) | (params.keys() - plan.known))
        if strays:
            name = strays[0]
            param = op.param(name)
            hint = f"{param.name}=" if param is not None else "extra_query= or extra_body="
            raise InvalidParameterError(
                name,
                f"unknown parameter of {op.resource}.metrics; pass it as {hint}"
                + ("" if param is not None else " (for parameters the SDK does not name)"),
            )
    query = _checked_query(op, plan, params, now)
    extra_query = _extras("extra_query", params.get("extra_query"))
    extra_body = _extras("extra_body", params.get("extra_body"))
    for key, value in extra_query.items():
        if not _query_value(value):
            raise InvalidParameterError(
                f"extra_query[{key!r}]",
                f"expected a string, number, boolean or list of them; got {value!r}",
            )
        param = op.param(key)
        if param is not None and param.name in query:
            raise InvalidParameterError(
                "extra_query", f"{key!r} is also given as {param.name}=; give it once"
            )
    if extra_query:
        check_extra_texts("extra_query", extra_query)
    if extra_body:
        try:
            text = json.dumps(extra_body, allow_nan=False, ensure_ascii=False)
        except RecursionError:
            raise InvalidParameterError("extra_body", "nested too deeply to send") from None
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError("extra_body", f"not JSON-serialisable: {exc}") from None
        if not text.isascii():  # sent as UTF-8: a lone surrogate has no UTF-8 form
            check_extra_texts("extra_body", extra_body)
    ids_name = op.ids
    prepared = Prepared(
        ids=_id_list(ids_name, ids),
        id_lists={
            key: _id_list(key, params.get(key))
            for key in op.id_lists
            if key != ids_name and params.get(key) is not None
        },
        query=query,
        extra_query=extra_query,
        extra_body=extra_body,
    )
    chunks = prepared.chunks(max_ids_per_request)
    if len(chunks) == 1 and not extra_body:
        # The common call: nothing to page across, and only extra_body can override the query
        # (id lists never travel in it), so there is no need to build a sample.
        return prepared
    # What the server will act on, computed by the same rule it applies (body over query).
    sample = request_kwargs(op, prepared, chunks[0])
    effective = effective_parameters(sample["params"], sample["json"])
    if len(chunks) > 1:
        paging = [p.name for p in op.query if p.paging and effective.get(p.wire) is not None]
        if paging:
            raise InvalidParameterError(
                paging[0],
                f"paging cannot be combined with {len(prepared.ids)} ids, which are sent in "
                f"{len(chunks)} requests of at most {max_ids_per_request} ids; page within one "
                f"request's ids instead (or raise max_ids_per_request)",
            )
    overridden = overridden_query_keys(sample["params"], sample["json"])
    if overridden:
        warnings.warn(
            f"{', '.join(overridden)}: given in the query and in the body (extra_body=); "
            "the API uses the body value",
            ParameterOverrideWarning,
            stacklevel=stacklevel,
        )
    return prepared


def _id_list(name: str, value: object) -> list[str]:
    """Normalised ids; given but empty is refused, since an absent filter may mean "all"."""
    ids = normalize_id_list(value, name=name)
    if not "".join(ids).isascii():  # the common case costs one pass: only then look closer
        check_id_texts(name, value, ids)
    if value is not None and not ids:
        raise InvalidParameterError(
            name,
            f"no ids in {value!r}; pass {name}=None (or leave it out) to ask without a filter",
        )
    return ids


def _checked_query(
    op: Operation, plan: _Plan, params: Mapping[str, Any], now: dt.datetime | None
) -> dict[str, Any]:
    """The named query parameters, checked and normalised (generated-builder kwargs)."""
    query: dict[str, Any] = {}
    for name, check in plan.checked:
        value = params.get(name)
        if value is not None:
            query[name] = check(name, value)
    start_param, end_param = plan.start, plan.end
    start = to_utc(start_param.name, params.get(start_param.name)) if start_param else None
    end = to_utc(end_param.name, params.get(end_param.name)) if end_param else None
    since = params.get(SINCE)
    if since is not None:
        if start_param is None or end_param is None:
            raise InvalidParameterError(SINCE, f"{op.resource}.metrics has no time window")
        if not isinstance(since, dt.timedelta) or since <= dt.timedelta(0):
            raise InvalidParameterError(SINCE, f"must be a positive timedelta; got {since!r}")
        if start is not None:
            raise InvalidParameterError(
                SINCE, f"give either since= or {start_param.name}=, not both"
            )
        end = end or (now or dt.datetime.now(dt.UTC))
        try:
            start = end - since
        except OverflowError:
            raise InvalidParameterError(SINCE, f"{since!r} reaches before year 1") from None
    if start_param and end_param and start is not None and end is not None and start > end:
        raise InvalidParameterError(
            start_param.name,
            f"{format_utc(start)} is after {end_param.name} {format_utc(end)}",
        )
    if start is not None and start_param is not None:
        query[start_param.name] = format_utc(start)
    if end is not None and end_param is not None:
        query[end_param.name] = format_utc(end)
    return query


def _extras(name: str, value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidParameterError(name, f"expected a mapping of str keys, got {value!r}")
    for key in ID_LIST_KEYS:
        if key in value:
            raise InvalidParameterError(key, f"pass {key}= directly, not in {name}=")
    if name == "extra_query":  # None means "not given", as for the named parameters
        return {k: v for k, v in value.items() if v is not None}
    return dict(value)  # a body null is sent as null, which the API reads as absent


def _query_value(value: object) -> bool:
    if isinstance(value, list | tuple):
        return all(isinstance(v, _QUERY_PRIMITIVES) for v in value)
    return isinstance(value, _QUERY_PRIMITIVES)


def request_kwargs(op: Operation, prepared: Prepared, ids: list[str]) -> dict[str, Any]:
    """httpx.Client.build_request kwargs for one request of the call, carrying `ids`."""
    fields: dict[str, Any] = {}
    if ids:
        fields[op.ids] = ids
    fields.update(prepared.id_lists)
    kwargs = build_kwargs(op)(body=body_model(op)(**fields), **prepared.query)
    if prepared.extra_query:
        kwargs["params"] = {**kwargs["params"], **prepared.extra_query}
    if prepared.extra_body:
        kwargs["json"] = {**prepared.extra_body, **kwargs["json"]}
    return kwargs
