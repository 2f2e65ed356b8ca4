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

from .._params import SORT_DIRS, TIME_TYPES, TIME_UNITS, effective_parameters
from . import _data

DEFAULT_CLIENT_ID: Final = "sandbox-client"
DEFAULT_CLIENT_SECRET: Final = "sandbox-secret"
METRICS_PATHS: Final = {"/pipelines/metrics": "pipelines", "/destinations/metrics": "destinations"}
MAX_POINTS: Final = 10_000

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
        kind = METRICS_PATHS.get(path)
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
        if kind is None:
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
            reply = _json(200, self._metrics(kind, query, body))
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
            body = b'{"connector_metrics": {"p1": {"latest": {"latency": 1'
            return Reply(200, body, json_type, fault.delay)
        if fault.kind == "schema":
            # a timeseries point without its required `value`
            bad = {"connector_metrics": {"p1": {"timeseries": {"latency": [{"timestamp": "x"}]}}}}
            return Reply(200, json.dumps(bad).encode(), json_type, fault.delay)
        if fault.kind == "reset":
            body = json.dumps({"connector_metrics": {"p1": {"latest": {"latency": 1.0}}}}).encode()
            return Reply(200, body, json_type, fault.delay, reset_after=10)
        detail = fault.detail
        if detail is None:
            message = f"Injected fault: HTTP {fault.status}"
            detail = message if fault.status != 422 else [_item("value_error", [], message, None)]
        reply = _json(fault.status, {"detail": detail}, headers)
        reply.delay = fault.delay
        return reply

    # -- metrics -----------------------------------------------------------------------------

    def _metrics(self, kind: str, query: Sequence[tuple[str, str]], body: bytes) -> dict[str, Any]:
        parsed_body = _parse_body(body)
        params = effective_parameters(dict(query), parsed_body)
        time_type = _choice(params, "time_type", TIME_TYPES, "latest")
        time_unit = _choice(params, "time_unit", TIME_UNITS, "minute")
        _choice(params, "sort_dir", SORT_DIRS, "asc")
        interval = _int(params, "time_interval", 1, minimum=1)
        size = _int(params, "size", None, minimum=1)
        page = _int(params, "page", 1, minimum=1)
        end = _timestamp(params, "timestamp_to") or self._now().replace(second=0, microsecond=0)
        start = _timestamp(params, "timestamp_from") or end - dt.timedelta(hours=1)
        if start > end:
            raise _Invalid(
                [
                    _item(
                        "value_error",
                        ["query", "timestamp_from"],
                        "Value error, timestamp_from must not be after timestamp_to",
                        params.get("timestamp_from"),
                    )
                ]
            )
        stamps: list[str] = []
        if time_type == "timeseries":
            step = _data.STEP[time_unit] * interval
            if (end - start) / step > MAX_POINTS:
                raise _Invalid(
                    [
                        _item(
                            "value_error",
                            ["query", "timestamp_from"],
                            f"Value error, more than {MAX_POINTS} points requested",
                            params.get("timestamp_from"),
                        )
                    ]
                )
            stamps = _data.timeline(start, end, time_unit, interval)
        requested = params.get("ids")
        ids = [i for i in requested if isinstance(i, str)] if isinstance(requested, list) else []
        if size is not None:
            ids = ids[(page - 1) * size : page * size]
        level = str(params.get("level") or "connector")

        def block(entity: str) -> dict[str, Any]:
            if entity in self.overrides:
                return self.overrides[entity]
            return _data.entity_metrics(self.seed, kind, entity, time_type, stamps)

        result: dict[str, Any] = {}
        if level == "task":
            result["task_metrics"] = {i: {f"{i}-task-0": block(i)} for i in ids}
        elif level == "topic":
            result["topic_metrics"] = {i: {f"{i}.topic": block(i)} for i in ids}
        elif level == "inline":
            result["inline_metrics"] = {i: block(i) for i in ids}
        else:
            result["connector_metrics"] = {i: block(i) for i in ids}
        tenants = params.get("tenant_ids")
        scope = ",".join(map(str, tenants)) if isinstance(tenants, list) else ""
        result["account_metrics"] = {
            "account": _data.entity_metrics(self.seed, kind, f"account:{scope}", "latest", [])
        }
        return result


def _safe_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _parse_body(body: bytes) -> dict[str, Any] | None:
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
    for key in ("ids", "tenant_ids"):
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


def _choice(params: Mapping[str, Any], name: str, allowed: Sequence[str], default: str) -> str:
    value = params.get(name)
    if value is None:
        return default
    if value not in allowed:
        expected = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" or '{allowed[-1]}'"
        raise _Invalid(
            [
                _item(
                    "literal_error",
                    ["query", name],
                    f"Input should be {expected}",
                    value,
                    expected=expected,
                )
            ]
        )
    return str(value)


def _int(params: Mapping[str, Any], name: str, default: int | None, *, minimum: int) -> Any:
    value = params.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _Invalid(
            [
                _item(
                    "int_parsing",
                    ["query", name],
                    "Input should be a valid integer, unable to parse string as an integer",
                    value,
                )
            ]
        ) from None
    if number < minimum:
        raise _Invalid(
            [
                _item(
                    "greater_than_equal",
                    ["query", name],
                    f"Input should be greater than or equal to {minimum}",
                    value,
                    ge=minimum,
                )
            ]
        )
    return number


def _timestamp(params: Mapping[str, Any], name: str) -> dt.datetime | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        parsed = date_parser.isoparse(str(value))
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise _Invalid(
            [
                _item(
                    "datetime_from_date_parsing",
                    ["query", name],
                    "Input should be a valid ISO 8601 datetime with a time zone",
                    value,
                )
            ]
        )
    return parsed.astimezone(dt.UTC)
