"""The sandbox's behaviour, independent of any web framework.

`Engine.handle()` takes a request's method, path, query, headers and body and returns a
`Reply`. The uvicorn server (`streamkap_sdk.sandbox`) and the in-process transport
(`streamkap_sdk.testing`) both sit on it, so they behave the same.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

from dateutil import parser as date_parser

from streamkap_api.surface import OPERATIONS, SERIES_POINT, Operation, QueryParam

from .._params import effective_parameters
from . import _data

DEFAULT_CLIENT_ID: Final = "sandbox-client"
DEFAULT_CLIENT_SECRET: Final = "sandbox-secret"
#: Path -> resource of every operation the generated surface describes.
METRICS_PATHS: Final = {op.path: op.resource for op in OPERATIONS}
_BY_PATH: Final = {op.path: op for op in OPERATIONS}
MAX_POINTS: Final = 10_000
#: Integers the API's validation accepts (a signed 64-bit range): larger ones answer 422.
MAX_INT: Final = 2**63 - 1

_BAD_GATEWAY_PAGE: Final = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)

FaultKind = Literal["status", "html", "truncated", "schema", "reset", "delay", "redirect"]


@dataclass
class Fault:
    """Applied to the next `times` metrics requests (the token endpoints' instead when `tokens`).

    kind="status": answer `status` with `{"detail": detail}` (default: a message; for 422 a
    FastAPI-style list). "html": a proxy's 502 page. "truncated": a 200 whose JSON is cut off.
    "schema": a 200 whose JSON violates the response schema. "reset": a 200 whose connection is
    dropped mid-body. "delay": a normal answer, `delay` seconds late (any kind can be delayed).
    `retry_after` and `headers` are added to the reply's headers.
    """

    kind: FaultKind = "status"
    status: int = 503
    times: int = 1
    retry_after: str | None = None
    delay: float = 0.0
    tokens: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    detail: Any = None
    location: str | None = None  # kind="redirect": where to send the client (307 by default)

    def __post_init__(self) -> None:
        if self.kind not in get_args(FaultKind):
            raise ValueError(f"kind must be one of {', '.join(get_args(FaultKind))}")
        if not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status code (100-599)")
        if self.times < 1 or self.delay < 0:
            raise ValueError("times must be >= 1 and delay >= 0")


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds the server waits before answering
    reset_after: int | None = None  # send this many body bytes, then drop the connection


@dataclass
class Seen:
    """A request the engine saw (for assertions in tests)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None


def _json(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(
        status,
        json.dumps(payload).encode(),
        {"content-type": "application/json", **(headers or {})},
    )


def _detail(status: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    return _json(status, {"detail": message}, headers)


class _Invalid(Exception):
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items


def _item(kind: str, loc: Sequence[str | int], msg: str, value: Any, **ctx: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": kind, "loc": list(loc), "msg": msg, "input": value}
    if ctx:
        entry["ctx"] = ctx
    return entry


class Engine:
    """A Streamkap API emulation: tokens, metrics, faults, and a log of what it saw."""

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        token_lifetime: float = 3600.0,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.seed = seed
        self._clock = clock
        self._now = now
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._refresh_tokens: set[str] = set()
        self._faults: deque[Fault] = deque()
        self._request_ids = itertools.count(1)
        self.overrides: dict[str, dict[str, Any]] = {}  # per-id programmable metrics blocks
        self.seen: list[Seen] = []
        self.token_requests = 0
        self.refresh_requests = 0
        self.metrics_requests = 0
        self.issued: list[str] = []  # every access and refresh token handed out (leak tests)

    # -- controls ----------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def revoke_tokens(self) -> None:
        """Invalidate every access token issued so far (refresh tokens stay valid)."""
        with self._lock:
            self._tokens.clear()

    def clear_seen(self) -> None:
        with self._lock:
            self.seen.clear()

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._refresh_tokens.clear()
            self._faults.clear()
            self.overrides.clear()
            self.seen.clear()
            self.token_requests = self.refresh_requests = self.metrics_requests = 0
            self.issued.clear()

    def stats(self) -> dict[str, int]:
        return {
            "token_requests": self.token_requests,
            "refresh_requests": self.refresh_requests,
            "metrics_requests": self.metrics_requests,
        }

    # -- requests ----------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        reply = self._route(method.upper(), path, query, headers, body)
        reply.headers.setdefault("x-request-id", f"sbx-{next(self._request_ids):06d}")
        return reply

    def _route(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        op = _BY_PATH.get(path)
        if path in ("/auth/access-token", "/auth/access-token/refresh"):
            if method != "POST":
                return _detail(405, "Method Not Allowed")
            fault = self._take_fault(token=True)
            if fault is not None and fault.kind != "delay":
                with self._lock:  # a failed exchange is still a token request
                    if path.endswith("/refresh"):
                        self.refresh_requests += 1
                    else:
                        self.token_requests += 1
                return self._fault_reply(fault)
            reply = self._token(path.endswith("/refresh"), body)
            if fault is not None:
                reply.delay = fault.delay
            return reply
        if op is None:
            return _detail(404, "Not Found")
        if method != "POST":
            return _detail(405, "Method Not Allowed")
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization")
        with self._lock:
            self.metrics_requests += 1
            self.seen.append(Seen(method, path, dict(query), _safe_json(body), auth))
        denied = self._check_bearer(auth)
        if denied is not None:
            return denied
        fault = self._take_fault(token=False)
        if fault is not None and fault.kind != "delay":
            return self._fault_reply(fault)
        try:
            reply = _json(200, self._metrics(op, query, body))
        except _Invalid as invalid:
            reply = _json(422, {"detail": invalid.items})
        if fault is not None:
            reply.delay = fault.delay
        return reply

    def _token(self, refresh: bool, body: bytes) -> Reply:
        payload = _safe_json(body)
        if not isinstance(payload, dict):
            return _json(
                422,
                {
                    "detail": [
                        _item(
                            "model_attributes_type",
                            ["body"],
                            "Input should be a valid dictionary",
                            None,
                        )
                    ]
                },
            )
        with self._lock:
            if refresh:
                self.refresh_requests += 1
                presented = payload.get("refresh_token")
                if not isinstance(presented, str) or presented not in self._refresh_tokens:
                    return _detail(401, "Invalid refresh token")
                self._refresh_tokens.discard(presented)
            else:
                self.token_requests += 1
                if (payload.get("client_id"), payload.get("secret")) != (
                    self.client_id,
                    self.client_secret,
                ):
                    return _detail(401, "Invalid client credentials")
            access, refresh_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            self._tokens[access] = self._clock() + self.token_lifetime
            self._refresh_tokens.add(refresh_token)
            self.issued += (access, refresh_token)
        expires = self._now() + dt.timedelta(seconds=self.token_lifetime)
        return _json(200, {
            "accessToken": access,
            "refreshToken": refresh_token,
            "expiresIn": self.token_lifetime,
            "expires": _data.iso(expires),
        })  # fmt: skip

    def _check_bearer(self, header: str | None) -> Reply | None:
        challenge = {"www-authenticate": "Bearer"}
        if not header or not header.lower().startswith("bearer "):
            return _detail(401, "Not authenticated", challenge)
        expires_at = self._tokens.get(header[7:].strip())
        if expires_at is None:
            return _detail(401, "Invalid or revoked token", challenge)
        if self._clock() >= expires_at:
            return _detail(401, "Token expired", challenge)
        return None

    def _take_fault(self, *, token: bool) -> Fault | None:
        """The oldest queued fault for this kind of endpoint (token or metrics), if any.

        Token faults and metrics faults form two queues in one: neither holds the other back.
        """
        with self._lock:
            fault = next((f for f in self._faults if f.tokens == token), None)
            if fault is None:
                return None
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault

    def _fault_reply(self, fault: Fault) -> Reply:
        headers = {"retry-after": fault.retry_after} if fault.retry_after is not None else {}
        headers.update(fault.headers)
        if fault.kind == "redirect":
            status = fault.status if 300 <= fault.status < 400 else 307
            return Reply(status, b"", {"location": fault.location or "/", **headers}, fault.delay)
        if fault.kind == "html":
            html_type = {"content-type": "text/html", **headers}
            return Reply(502, _BAD_GATEWAY_PAGE, html_type, fault.delay)
        json_type = {"content-type": "application/json", **headers}
        if fault.kind == "truncated":
            body = json.dumps(_sample_body(series=False)).encode()[:-4]  # cut off mid-object
            return Reply(200, body, json_type, fault.delay)
        if fault.kind == "schema":
            # a timeseries point without its required value
            body = json.dumps(_sample_body(series=True)).encode()
            return Reply(200, body, json_type, fault.delay)
        if fault.kind == "reset":
            body = json.dumps(_sample_body(series=False)).encode()
            return Reply(200, body, json_type, fault.delay, reset_after=10)
        detail = fault.detail
        if detail is None:
            message = f"Injected fault: HTTP {fault.status}"
            detail = message if fault.status != 422 else [_item("value_error", [], message, None)]
        reply = _json(fault.status, {"detail": detail}, headers)
        reply.delay = fault.delay
        return reply

    # -- metrics -----------------------------------------------------------------------------

    def _metrics(
        self, op: Operation, query: Sequence[tuple[str, str]], body: bytes
    ) -> dict[str, Any]:
        """The answer of `op`, read from the generated surface: every parameter the spec
        declares is checked against its schema and the knowledge table (422 otherwise), every
        entity map and metric the response schema declares is served."""
        parsed_body = _parse_body(op, body)
        params = effective_parameters(dict(query), parsed_body)
        checked: dict[str | None, Any] = {}
        for param in op.query:
            raw = params.get(param.wire)
            if raw is not None:
                checked[param.role or param.wire] = _checked(param, raw)
        blocks = list(op.metrics)
        block_param = op.with_role("block")
        block = str(checked.get("block") or (block_param.default if block_param else blocks[0]))
        unit_param = op.with_role("step_unit")
        unit = checked.get("step_unit") or (unit_param.default if unit_param else None)
        interval = checked.get("step_count") or 1
        size = checked.get("page_size")
        page = checked.get("page_number") or 1
        end = checked.get("window_end") or self._now().replace(second=0, microsecond=0)
        start = checked.get("window_start") or end - dt.timedelta(hours=1)
        start_param = op.with_role("window_start")
        end_param = op.with_role("window_end")
        start_name = start_param.wire if start_param else "start"
        if start > end:
            raise _Invalid(
                [
                    _item(
                        "value_error",
                        ["query", start_name],
                        f"Value error, {start_name} must not be after "
                        f"{end_param.wire if end_param else 'end'}",
                        params.get(start_name),
                    )
                ]
            )
        stamps: list[str] = []
        if any(field.series for field in op.metrics.get(block, ())):
            seconds = unit_param.seconds.get(str(unit), 60) if unit_param else 60
            try:
                step = dt.timedelta(seconds=seconds * int(interval))
                too_many = (end - start) / step > MAX_POINTS
            except OverflowError:
                too_many = True
            if too_many:
                raise _Invalid(
                    [
                        _item(
                            "value_error",
                            ["query", start_name],
                            f"Value error, more than {MAX_POINTS} points requested",
                            params.get(start_name),
                        )
                    ]
                )
            stamps = _data.timeline(start, end, step)
        requested = params.get(op.ids)
        ids = [i for i in requested if isinstance(i, str)] if isinstance(requested, list) else []
        if size is not None:
            ids = ids[(int(page) - 1) * int(size) : int(page) * int(size)]

        def metrics_of(entity: str) -> dict[str, Any]:
            if entity in self.overrides:
                return self.overrides[entity]
            return _data.entity_metrics(self.seed, op, entity, block, stamps)

        result: dict[str, Any] = {}
        for entity_map in _served_maps(op, checked):
            label = entity_map.wire.removesuffix("_metrics")
            if entity_map.depth > 1:
                result[entity_map.wire] = {i: {f"{i}-{label}-0": metrics_of(i)} for i in ids}
            else:
                result[entity_map.wire] = {i: metrics_of(i) for i in ids}
        scope_param = op.with_role("whole")
        tenants = params.get(scope_param.wire) if scope_param else None
        scope = ",".join(map(str, tenants)) if isinstance(tenants, list) else ""
        for entity_map in op.entity_maps:
            if not entity_map.per_entity:  # an aggregate: one entry, for the tenants' scope
                label = entity_map.wire.removesuffix("_metrics")
                latest = block_param.default if block_param and block_param.default else block
                result[entity_map.wire] = {
                    label: _data.entity_metrics(self.seed, op, f"{label}:{scope}", latest, [])
                }
        return result


def _sample_body(*, series: bool) -> dict[str, Any]:
    """A small answer of the first operation: one entity, one metric (from the surface).

    With `series`, the metric is a time series whose one point lacks its required value.
    """
    op = OPERATIONS[0]
    entity_map = next(m.wire for m in op.entity_maps if m.per_entity and m.depth == 1)
    block, field = next(
        (b, f) for b, fields in op.metrics.items() for f in fields if f.series == series
    )
    metric: Any = [{SERIES_POINT[0]: "x"}] if series else 1.0
    return {entity_map: {"p1": {block: {field.wire: metric}}}}


def _served_maps(op: Operation, checked: Mapping[str | None, Any]) -> list[Any]:
    """The per-entity maps to fill: the one the selecting parameter picks (its default when
    absent or unknown), plus every declared map no value selects (so new maps are served)."""
    per_entity = [m for m in op.entity_maps if m.per_entity]
    selector = next((p for p in op.query if p.selects), None)
    if selector is None:
        return per_entity
    chosen = selector.selects.get(str(checked.get(selector.role or selector.wire) or ""))
    chosen = chosen or selector.selects.get(selector.default or "")
    claimed = set(selector.selects.values())
    return [m for m in per_entity if m.wire == chosen or m.wire not in claimed]


def _safe_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _parse_body(op: Operation, body: bytes) -> dict[str, Any] | None:
    if not body.strip():
        return None
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise _Invalid(
            [_item("json_invalid", ["body", 0], "JSON decode error", {}, error=str(exc))]
        ) from exc
    if data is None:
        return None
    if not isinstance(data, dict):
        raise _Invalid(
            [
                _item(
                    "model_attributes_type",
                    ["body"],
                    "Input should be a valid dictionary or object",
                    data,
                )
            ]
        )
    for key in op.id_lists:
        value = data.get(key)
        if (
            value is not None
            and not isinstance(value, str)
            and not (isinstance(value, list) and all(isinstance(v, str) for v in value))
        ):
            raise _Invalid(
                [
                    _item(
                        "list_type",
                        ["body", key],
                        "Input should be a valid list of strings or a string",
                        value,
                    )
                ]
            )
    return data


def _checked(param: QueryParam, value: Any) -> Any:
    """A parameter's value as the API reads it, or _Invalid (FastAPI's 422 items)."""
    loc = ["query", param.wire]
    if param.role in ("split", "whole"):
        return value  # already normalised lists (effective_parameters)
    if param.role in ("window_start", "window_end") or "date-time" in param.formats:
        return _timestamp(param, value)
    if param.values is not None:
        if value not in param.values:
            allowed = param.values
            expected = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" or '{allowed[-1]}'"
            raise _Invalid(
                [
                    _item(
                        "literal_error",
                        loc,
                        f"Input should be {expected}",
                        value,
                        expected=expected,
                    )
                ]
            )
        return str(value)
    if param.role == "step_unit" and param.seconds and value not in param.seconds:
        # the sandbox can only build series for the units it knows the length of
        units = list(param.seconds)
        expected = ", ".join(f"'{u}'" for u in units[:-1]) + f" or '{units[-1]}'"
        raise _Invalid(
            [_item("literal_error", loc, f"Input should be {expected}", value, expected=expected)]
        )
    if "integer" in param.types:
        number = _int(value)
        if number is None:
            if "string" in param.types and (param.minimum is None or param.tokens):
                return value  # an integer or a string: a token or cursor
            raise _Invalid(
                [
                    _item(
                        "int_parsing",
                        loc,
                        "Input should be a valid integer, unable to parse string as an integer",
                        value,
                    )
                ]
            )
        if abs(number) > MAX_INT:
            raise _Invalid(
                [
                    _item(
                        "less_than_equal",
                        loc,
                        f"Input should be less than or equal to {MAX_INT}",
                        value,
                        le=MAX_INT,
                    )
                ]
            )
        if param.minimum is not None and number < param.minimum:
            raise _Invalid(
                [
                    _item(
                        "greater_than_equal",
                        loc,
                        f"Input should be greater than or equal to {param.minimum}",
                        value,
                        ge=param.minimum,
                    )
                ]
            )
        return number
    if "number" in param.types and "string" not in param.types:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _Invalid(
                [_item("float_parsing", loc, "Input should be a valid number", value)]
            ) from None
    return value


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _timestamp(param: QueryParam, value: Any) -> dt.datetime:
    try:
        parsed = date_parser.isoparse(str(value))
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise _Invalid(
            [
                _item(
                    "datetime_from_date_parsing",
                    ["query", param.wire],
                    "Input should be a valid ISO 8601 datetime with a time zone",
                    value,
                )
            ]
        )
    return parsed.astimezone(dt.UTC)
