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

from streamkap_api.surface import OPERATIONS, SERIES_POINT, Operation

from .._errors import InvalidParameterError
from .._params import effective_parameters
from . import _data
from ._checks import MAX_INT, Invalid, check_param, item, takes_array

DEFAULT_CLIENT_ID: Final = "sandbox-client"
DEFAULT_CLIENT_SECRET: Final = "sandbox-secret"
#: Path -> resource of every operation the generated surface describes.
METRICS_PATHS: Final = {op.path: op.resource for op in OPERATIONS}
MAX_POINTS: Final = 10_000
TOKEN_PATHS: Final = ("/auth/access-token", "/auth/access-token/refresh")
__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "MAX_INT",
    "MAX_POINTS",
    "METRICS_PATHS",
    "Engine",
    "Fault",
    "Reply",
    "Seen",
]

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
        operations: Sequence[Operation] = OPERATIONS,
    ) -> None:
        self.client_id = client_id
        #: The operations served (default: the generated surface's), by (path, method).
        self.operations = tuple(operations)
        self._by_path = {(op.path, op.method.upper()): op for op in self.operations}
        self._methods: dict[str, set[str]] = {}
        for op in self.operations:
            self._methods.setdefault(op.path, set()).add(op.method.upper())
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

    def allowed_methods(self, path: str) -> tuple[str, ...] | None:
        """The methods `path` answers (as the spec declares them), None for an unknown path."""
        if path in TOKEN_PATHS:
            return ("POST",)
        methods = self._methods.get(path)
        return tuple(sorted(methods)) if methods else None

    def _route(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        allowed = self.allowed_methods(path)
        if allowed is None:
            return _detail(404, "Not Found")
        if method not in allowed:  # as FastAPI: 405 with the methods that work, before auth
            return _detail(405, "Method Not Allowed", {"allow": ", ".join(allowed)})
        if path in TOKEN_PATHS:
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
        op = self._by_path[path, method]
        lowered = {k.lower(): v for k, v in headers.items()}
        auth = lowered.get("authorization")
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
            reply = _json(200, self._metrics(op, query, body, lowered.get("content-type")))
        except Invalid as invalid:
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
                        item(
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
            detail = message if fault.status != 422 else [item("value_error", [], message, None)]
        reply = _json(fault.status, {"detail": detail}, headers)
        reply.delay = fault.delay
        return reply

    # -- metrics -----------------------------------------------------------------------------

    def _metrics(
        self,
        op: Operation,
        query: Sequence[tuple[str, str]],
        body: bytes,
        content_type: str | None = None,
    ) -> dict[str, Any]:
        """The answer of `op`, read from the generated surface: every parameter the spec
        declares is checked against its schema and the knowledge table (422 otherwise), every
        entity map and metric the response schema declares is served."""
        params, checked = _read_parameters(op, query, _parse_body(op, body, content_type))
        blocks = list(op.metrics)
        block_param = op.with_role("block")
        block = str(checked.get("block") or (block_param.default if block_param else blocks[0]))
        unit_param = op.with_role("step_unit")
        unit = checked.get("step_unit") or (unit_param.default if unit_param else None)
        interval = checked.get("step_count")
        interval = interval if isinstance(interval, int) and interval > 0 else 1
        size = checked.get("page_size")
        page = checked.get("page_number")
        page = page if isinstance(page, int) and page > 0 else 1  # a token: the first page
        end = checked.get("window_end") or self._now().replace(second=0, microsecond=0)
        start = checked.get("window_start") or _earlier(end, dt.timedelta(hours=1))
        start_param = op.with_role("window_start")
        end_param = op.with_role("window_end")
        start_name = start_param.wire if start_param else "start"
        start_where = "body" if start_param and _in_body(body, start_param.wire) else "query"
        if start > end:
            raise Invalid(
                [
                    item(
                        "value_error",
                        [start_where, start_name],
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
                step = dt.timedelta(seconds=seconds * interval)
            except OverflowError:  # longer than a timedelta holds (~2.7 million years)
                count_param = op.with_role("step_count")
                name = count_param.wire if count_param else "interval"
                where = "body" if count_param and _in_body(body, name) else "query"
                raise Invalid(
                    [
                        item(
                            "value_error",
                            [where, name],
                            f"Value error, a step of {interval} {unit} is too long",
                            params.get(name),
                        )
                    ]
                ) from None
            if (end - start) / step > MAX_POINTS:
                raise Invalid(
                    [
                        item(
                            "value_error",
                            [start_where, start_name],
                            f"Value error, more than {MAX_POINTS} points requested",
                            params.get(start_name),
                        )
                    ]
                )
            stamps = _data.timeline(start, end, step)
        requested = params.get(op.ids)
        ids = [i for i in requested if isinstance(i, str)] if isinstance(requested, list) else []
        if isinstance(size, int):
            ids = ids[(page - 1) * size : page * size]

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


def _earlier(moment: dt.datetime, by: dt.timedelta) -> dt.datetime:
    """`moment - by`, or the first moment a datetime can hold when that is before it."""
    try:
        return moment - by
    except OverflowError:
        return dt.datetime.min.replace(tzinfo=moment.tzinfo)


def _in_body(body: bytes, key: str) -> bool:
    data = _safe_json(body)
    return isinstance(data, dict) and data.get(key) is not None


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


_JSON_TYPES: Final = ("application/json",)


def _loads(body: bytes) -> Any:
    """JSON as the API reads it, or ValueError: no NaN or Infinity (not JSON), and nesting too
    deep for the parser is an error like any other (not a crash)."""
    try:
        return json.loads(body, parse_constant=_not_json)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _safe_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return _loads(body)
    except ValueError:
        return None


def _is_json(content_type: str | None) -> bool:
    """Whether FastAPI reads a body with this content type as JSON: when there is none, or
    application/json, or application/<anything>+json (parameters such as charset ignored)."""
    if not content_type:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in _JSON_TYPES or (kind.startswith("application/") and kind.endswith("+json"))


def _parse_body(op: Operation, body: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The request's JSON body as FastAPI reads it: none when empty (zero bytes; whitespace is
    a body, and not JSON), JSON when the content type says so (or says nothing), and otherwise
    the raw text, which is not an object; an object whose id lists are arrays of strings or
    strings."""
    if not body:
        return None
    if not _is_json(content_type):
        text = body.decode("utf-8", "replace")
        raise Invalid(
            [
                item(
                    "model_attributes_type",
                    ["body"],
                    "Input should be a valid dictionary or object to extract fields from",
                    text,
                )
            ]
        )
    try:
        data = _loads(body)
    except ValueError as exc:
        raise Invalid(
            [item("json_invalid", ["body", 0], "JSON decode error", {}, error=str(exc))]
        ) from None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise Invalid(
            [
                item(
                    "model_attributes_type",
                    ["body"],
                    "Input should be a valid dictionary or object to extract fields from",
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
            raise Invalid(
                [
                    item(
                        "list_type",
                        ["body", key],
                        "Input should be a valid list of strings or a string",
                        value,
                    )
                ]
            )
    return data


def _read_parameters(
    op: Operation, query: Sequence[tuple[str, str]], body: dict[str, Any] | None
) -> tuple[dict[str, object], dict[str | None, Any]]:
    """(the effective parameters, the checked value of each declared parameter by role or name).

    Each declared parameter is checked where it was given, as FastAPI checks a query parameter
    and a body model separately: its query value(s) against its schema (a repeated key is a
    list, refused unless the parameter takes an array), and its body value, when not null,
    too. Then the body wins (`effective_parameters`). Every problem found is in the 422.
    """
    given: dict[str, list[str]] = {}
    for key, value in query:
        given.setdefault(key, []).append(value)
    texts: dict[str, object] = {}
    for key, values in given.items():
        param = op.param(key)
        array = param is not None and param.wire == key and takes_array(param)
        texts[key] = values if array or len(values) > 1 else values[0]
    checked: dict[str | None, Any] = {}
    problems: list[dict[str, Any]] = []
    for param in op.query:
        found: Any = None
        for where, source in (("query", texts), ("body", body or {})):
            raw = source.get(param.wire)
            if raw is None:
                continue
            if param.role in ("split", "whole"):
                if where == "query" and isinstance(raw, list):  # a repeated id-list key
                    msg = "Input should be a valid string"
                    problems.append(item("string_type", [where, param.wire], msg, raw))
                continue  # normalised by effective_parameters (body shapes: _parse_body)
            try:
                found = check_param(param, raw, where)
            except Invalid as invalid:
                problems += invalid.items
        if found is not None:
            checked[param.role or param.wire] = found
    if problems:
        raise Invalid(problems)
    try:
        params = effective_parameters(texts, body)
    except InvalidParameterError as exc:  # an id list it cannot read (checked above already)
        raise Invalid([item("value_error", ["body"], f"Value error, {exc}", None)]) from None
    return params, checked
