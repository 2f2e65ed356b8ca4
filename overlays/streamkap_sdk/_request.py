"""From call arguments to validated request pieces (nothing is sent from here)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from ._errors import InvalidParameterError
from ._operations import Operation, R
from ._params import (
    ID_LIST_KEYS,
    PAGING_KEYS,
    SORT_DIRS,
    TIME_TYPES,
    TIME_UNITS,
    check_choice,
    check_positive_int,
    format_utc,
    normalize_id_list,
    to_utc,
    warn_overrides,
)

IdList = str | Iterable[str]


class MetricsParams(TypedDict, total=False):
    """Every parameter of the metrics operations (see the README's parameter table)."""

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


_QUERY_ONLY = (
    "time_type", "time_unit", "time_interval", "level", "sort", "sort_dir", "size", "page",
    "from_", "snapshot", "id", "topic_list_from", "topic_list_size",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Prepared:
    """A validated call: generated-builder kwargs (minus ids) plus the id lists and extras."""

    ids: list[str]
    tenant_ids: list[str]
    query: dict[str, Any]
    extra_query: dict[str, Any]
    extra_body: dict[str, Any]

    def chunks(self, max_ids: int) -> list[list[str]]:
        if len(self.ids) <= max_ids:
            return [self.ids]
        return [self.ids[i : i + max_ids] for i in range(0, len(self.ids), max_ids)]


def prepare(
    ids: IdList | None,
    params: MetricsParams,
    *,
    max_ids_per_request: int,
    now: dt.datetime | None = None,
) -> Prepared:
    unknown = set(params) - set(MetricsParams.__annotations__)
    if unknown:
        raise InvalidParameterError(
            sorted(unknown)[0], "unknown parameter; pass parameters the SDK does not know yet "
            "in extra_query= or extra_body="
        )  # fmt: skip
    query: dict[str, Any] = {k: params.get(k) for k in _QUERY_ONLY if params.get(k) is not None}
    check_choice("time_type", query.get("time_type"), TIME_TYPES)
    check_choice("time_unit", query.get("time_unit"), TIME_UNITS)
    check_choice("sort_dir", query.get("sort_dir"), SORT_DIRS)
    for name in ("size", "topic_list_size"):
        check_positive_int(name, query.get(name))
    for name in ("page", "time_interval"):
        if name in query:
            query[name] = check_positive_int(name, query[name], allow_string=True)
    if "topic_list_from" in query:
        value = query["topic_list_from"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidParameterError(
                "topic_list_from", f"must be an integer >= 0; got {value!r}"
            )
    start = to_utc("timestamp_from", params.get("timestamp_from"))
    end = to_utc("timestamp_to", params.get("timestamp_to"))
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
    extra_query = dict(params.get("extra_query") or {})
    extra_body = dict(params.get("extra_body") or {})
    for key in ID_LIST_KEYS:
        if key in extra_body or key in extra_query:
            raise InvalidParameterError(key, f"pass {key}= directly, not in extra_query/extra_body")
    prepared = Prepared(
        ids=normalize_id_list(ids, name="ids"),
        tenant_ids=normalize_id_list(params.get("tenant_ids"), name="tenant_ids"),
        query=query,
        extra_query=extra_query,
        extra_body=extra_body,
    )
    if len(prepared.ids) > max_ids_per_request:
        paging = [k for k in PAGING_KEYS if _wire(k) in query or k in extra_query]
        if paging:
            raise InvalidParameterError(
                paging[0], f"paging cannot be combined with {len(prepared.ids)} ids, which are "
                f"sent in {math.ceil(len(prepared.ids) / max_ids_per_request)} requests of at "
                f"most {max_ids_per_request}; page within one request's ids instead",
            )  # fmt: skip
    return prepared


def _wire(name: str) -> str:
    return "from_" if name == "from" else name


def request_kwargs(op: Operation[R], prepared: Prepared, ids: list[str]) -> dict[str, Any]:
    """httpx.Client.build_request kwargs for one request carrying `ids`."""
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
        warn_overrides(kwargs["params"], kwargs["json"])
    return kwargs
