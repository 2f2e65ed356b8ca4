"""From call arguments to validated request pieces (nothing is sent from here).

`prepare()` checks every argument and raises InvalidParameterError before anything is sent;
`request_kwargs()` builds one request of the call through the generated `_get_kwargs`:
`ids` and `tenant_ids` travel in the JSON body as arrays, every other parameter in the query,
`extra_query=` / `extra_body=` are added as given.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypedDict

from ._errors import InvalidParameterError
from ._operations import Operation, R
from ._params import (
    ID_LIST_KEYS,
    PAGING_KEYS,
    SORT_DIRS,
    TIME_TYPES,
    TIME_UNITS,
    ParameterOverrideWarning,
    check_choice,
    check_int,
    check_page,
    check_string,
    effective_parameters,
    format_utc,
    normalize_id_list,
    overridden_query_keys,
    to_utc,
)

IdList = str | Iterable[str]


class MetricsParams(TypedDict, total=False):
    """Every parameter of the metrics operations (see the README's parameter table).

    `extra_query` / `extra_body` carry parameters the spec does not name yet, sent unchecked.
    A key given both by name and in `extra_query` is an error; a key in the query (by name or
    `extra_query`) and in `extra_body` is sent in both places, and the API uses the body value
    (one ParameterOverrideWarning per call says so). `ids` / `tenant_ids` are not accepted there.
    """

    tenant_ids: IdList | None
    time_type: str | None
    time_unit: str | None
    time_interval: int | str | None
    timestamp_from: dt.datetime | str | None
    timestamp_to: dt.datetime | str | None
    since: dt.timedelta | None
    level: str | None
    sort: str | None
    sort_dir: str | None
    size: int | None
    page: int | str | None
    from_: int | str | None
    snapshot: str | None
    id: str | None
    topic_list_from: int | None
    topic_list_size: int | None
    extra_query: Mapping[str, Any] | None
    extra_body: Mapping[str, Any] | None


#: Python name -> wire name of every query parameter the generated builder takes.
_WIRE: Final = {
    "id": "id", "topic_list_from": "topic_list_from", "topic_list_size": "topic_list_size",
    "from_": "from", "size": "size", "level": "level", "page": "page",
    "timestamp_to": "timestamp_to", "timestamp_from": "timestamp_from", "time_unit": "time_unit",
    "time_interval": "time_interval", "time_type": "time_type", "snapshot": "snapshot",
    "sort": "sort", "sort_dir": "sort_dir",
}  # fmt: skip
_QUERY_PRIMITIVES: Final = (str, int, float, bool)
_KNOWN: Final = frozenset(MetricsParams.__annotations__)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A validated call: generated-builder kwargs (minus ids) plus the id lists and extras."""

    ids: list[str]
    tenant_ids: list[str]
    query: dict[str, Any]
    extra_query: dict[str, Any]
    extra_body: dict[str, Any]

    def chunks(self, max_ids: int) -> list[list[str]]:
        """The ids split into runs of at most `max_ids`, in order (one empty run for no ids)."""
        if len(self.ids) <= max_ids:
            return [self.ids]
        return [self.ids[i : i + max_ids] for i in range(0, len(self.ids), max_ids)]


def prepare(
    op: Operation[R],
    ids: IdList | None,
    params: Mapping[str, Any],
    *,
    max_ids_per_request: int,
    now: dt.datetime | None = None,
) -> Prepared:
    """Check and normalise one call's arguments; raise InvalidParameterError, or warn once.

    Call it directly from the public method: a ParameterOverrideWarning points at that
    method's caller.
    """
    unknown = sorted(set(params) - _KNOWN)
    if unknown:
        name = unknown[0]
        hint = "from_=" if name == "from" else "extra_query= or extra_body="
        raise InvalidParameterError(
            name, f"unknown parameter; pass it as {hint} (for parameters the SDK does not name)"
        )
    query = _checked_query(params, now)
    extra_query = _extras("extra_query", params.get("extra_query"))
    extra_body = _extras("extra_body", params.get("extra_body"))
    for key, value in extra_query.items():
        if not _query_value(value):
            raise InvalidParameterError(
                "extra_query", f"{key!r}: expected a string, number or list of them; got {value!r}"
            )
        if key in _WIRE.values() and _python_name(key) in query:
            raise InvalidParameterError(
                "extra_query", f"{key!r} is also given as {_python_name(key)}=; give it once"
            )
    if extra_body:
        try:
            json.dumps(extra_body, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError("extra_body", f"not JSON-serialisable: {exc}") from None
    prepared = Prepared(
        ids=_id_list("ids", ids),
        tenant_ids=_id_list("tenant_ids", params.get("tenant_ids")),
        query=query,
        extra_query=extra_query,
        extra_body=extra_body,
    )
    chunks = prepared.chunks(max_ids_per_request)
    if len(chunks) == 1 and not extra_body:
        # The common call: nothing to page across, and only extra_body can override the query
        # (ids and tenant_ids never travel in it), so there is no need to build a sample.
        return prepared
    # What the server will act on, computed by the same rule it applies (body over query).
    sample = request_kwargs(op, prepared, chunks[0])
    effective = effective_parameters(sample["params"], sample["json"])
    if len(chunks) > 1:
        paging = [key for key in PAGING_KEYS if effective.get(key) is not None]
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
            stacklevel=3,  # prepare <- the public method <- the user's call
        )
    return prepared


def _id_list(name: str, value: object) -> list[str]:
    """Normalised ids; given but empty is refused, since an absent filter may mean "all"."""
    ids = normalize_id_list(value, name=name)
    if value is not None and not ids:
        raise InvalidParameterError(
            name,
            f"no ids in {value!r}; pass {name}=None (or leave it out) to ask without a filter",
        )
    return ids


def _checked_query(params: Mapping[str, Any], now: dt.datetime | None) -> dict[str, Any]:
    """The named query parameters, checked and normalised (generated-builder kwargs)."""
    query: dict[str, Any] = {k: params[k] for k in _WIRE if params.get(k) is not None}
    check_choice("time_type", query.get("time_type"), TIME_TYPES)
    check_choice("time_unit", query.get("time_unit"), TIME_UNITS)
    check_choice("sort_dir", query.get("sort_dir"), SORT_DIRS)
    for name in ("level", "sort", "snapshot", "id"):
        check_string(name, query.get(name))
    for name in ("size", "topic_list_size"):
        if name in query:
            query[name] = check_int(name, query[name])
    if "time_interval" in query:
        query["time_interval"] = check_int(
            "time_interval", query["time_interval"], numeric_strings=True
        )
    if "topic_list_from" in query:
        query["topic_list_from"] = check_int("topic_list_from", query["topic_list_from"], minimum=0)
    if "page" in query:
        query["page"] = check_page(query["page"])
    cursor = query.get("from_")
    if cursor is not None and (isinstance(cursor, bool) or not isinstance(cursor, int | str)):
        raise InvalidParameterError("from_", f"must be an integer or a string; got {cursor!r}")
    start = to_utc("timestamp_from", query.pop("timestamp_from", None))
    end = to_utc("timestamp_to", query.pop("timestamp_to", None))
    since = params.get("since")
    if since is not None:
        if not isinstance(since, dt.timedelta) or since <= dt.timedelta(0):
            raise InvalidParameterError("since", f"must be a positive timedelta; got {since!r}")
        if start is not None:
            raise InvalidParameterError("since", "give either since= or timestamp_from=, not both")
        end = end or (now or dt.datetime.now(dt.UTC))
        start = end - since
    if start is not None and end is not None and start > end:
        raise InvalidParameterError(
            "timestamp_from", f"{format_utc(start)} is after timestamp_to {format_utc(end)}"
        )
    if start is not None:
        query["timestamp_from"] = format_utc(start)
    if end is not None:
        query["timestamp_to"] = format_utc(end)
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


def _python_name(wire: str) -> str:
    return "from_" if wire == "from" else wire


def request_kwargs(op: Operation[R], prepared: Prepared, ids: list[str]) -> dict[str, Any]:
    """httpx.Client.build_request kwargs for one request of the call, carrying `ids`."""
    fields: dict[str, Any] = {}
    if ids:
        fields["ids"] = ids
    if prepared.tenant_ids:
        fields["tenant_ids"] = prepared.tenant_ids
    kwargs = op.build_kwargs(body=op.body_model(**fields), **prepared.query)
    if prepared.extra_query:
        kwargs["params"] = {**kwargs["params"], **prepared.extra_query}
    if prepared.extra_body:
        kwargs["json"] = {**prepared.extra_body, **kwargs["json"]}
    return kwargs
