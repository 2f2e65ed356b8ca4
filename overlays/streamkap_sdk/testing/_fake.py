"""`FakeStreamkap`: the sandbox engine behind an in-process transport, with a test-friendly API."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar, Unpack, get_args

from streamkap_api.surface import OPERATIONS, SERIES_POINT, MetricField, Operation

from .._client import AsyncStreamkapClient, ClientOptions, StreamkapClient, check_options
from .._errors import InvalidParameterError
from .._params import effective_parameters, format_utc
from ..sandbox._engine import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    Engine,
    Fault,
    Seen,
)
from ._transport import AsyncEngineTransport, EngineTransport

__all__ = ["DEFAULT_BASE_URL", "FakeStreamkap", "RecordedRequest"]

#: `.test` is reserved (RFC 2606): a client pointed here by mistake cannot reach anything.
DEFAULT_BASE_URL: Final = "https://api.streamkap.test"

Malformed = Literal["truncated", "schema", "html"]
Point = tuple[dt.datetime | str, float | int] | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A metrics request the fake received (token requests are only counted)."""

    method: str
    path: str
    resource: str
    """The resource the path belongs to (`pipelines`, `destinations`, ...)."""
    ids: list[str]
    """The ids the API acts on (body over query, comma-separated strings split)."""
    params: dict[str, Any]
    """Every parameter the API acts on, after the body-over-query rule."""
    query: dict[str, str]
    body: Any
    """The JSON body as sent (None when empty or not JSON)."""
    authorization: str | None


class FakeStreamkap:
    """An in-process Streamkap API for tests, with the sandbox's semantics.

    Metrics are deterministic for a given `seed` (the same id always gets the same numbers);
    `now` pins the server's clock for requests that give no time range. Faults queue up and
    apply to the next requests in order. Clients from `client()` / `async_client()` do not
    really sleep between retries; the waits they asked for are in `sleeps`.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        token_lifetime: float = 3600.0,
        now: dt.datetime | None = None,
        base_url: str = DEFAULT_BASE_URL,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
    ) -> None:
        if now is not None and now.utcoffset() is None:
            raise ValueError("now must be an aware datetime, e.g. tzinfo=datetime.UTC")
        self._skipped = 0.0
        self.base_url = base_url
        self.engine = Engine(
            client_id=client_id,
            client_secret=client_secret,
            token_lifetime=token_lifetime,
            seed=seed,
            clock=self._clock,
            now=(lambda: now.astimezone(dt.UTC))
            if now is not None
            else (lambda: dt.datetime.now(dt.UTC)),
        )
        self.sleeps: list[float] = []

    def __repr__(self) -> str:
        return f"FakeStreamkap(seed={self.engine.seed}, base_url={self.base_url!r})"

    def _clock(self) -> float:
        return time.monotonic() + self._skipped

    # -- clients -----------------------------------------------------------------------------

    def transport(self) -> EngineTransport:
        """An httpx transport for a StreamkapClient you build yourself."""
        return EngineTransport(self.engine)

    def async_transport(self) -> AsyncEngineTransport:
        """An httpx transport for an AsyncStreamkapClient you build yourself."""
        return AsyncEngineTransport(self.engine)

    def _settings(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "client_id": self.engine.client_id,
            "client_secret": self.engine.client_secret,
            "base_url": self.base_url,
            **overrides,
        }

    def client(self, **options: Unpack[ClientOptions]) -> StreamkapClient:
        """A StreamkapClient wired to the fake; `options` override its settings.

        It reads no STREAMKAP_* environment variable: a developer's exported credentials,
        token, host or admin ids never reach a test; only what `options` say counts."""
        check_options("FakeStreamkap.client", options)
        settings = self._settings(options)
        client = _built_without_env(lambda: StreamkapClient(transport=self.transport(), **settings))
        client._sleep = self.sleeps.append
        return client

    def async_client(self, **options: Unpack[ClientOptions]) -> AsyncStreamkapClient:
        """An AsyncStreamkapClient wired to the fake; `options` override its settings (and,
        as for `client()`, no STREAMKAP_* environment variable does)."""
        check_options("FakeStreamkap.async_client", options)
        settings = self._settings(options)
        client = _built_without_env(
            lambda: AsyncStreamkapClient(transport=self.async_transport(), **settings)
        )

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        client._sleep = sleep
        return client

    # -- programmable responses --------------------------------------------------------------

    def set_metrics(
        self,
        entity_id: str,
        *,
        resource: str | None = None,
        strict: bool = True,
        **blocks: Mapping[str, Any],
    ) -> None:
        """Answer `entity_id` with these blocks from now on, whatever the request asks for.

        Blocks and metrics are the response schema's (`latest={"recordsLag": 5}`; metric names
        as the API spells them): an unknown block or metric, or a value of the wrong type, is a
        ValueError naming what is known (for `resource`'s operation, or any operation);
        `strict=False` lets a test program metrics the spec does not name yet (the client puts
        them in the model's `additional_properties`). Time
        series points are `(timestamp, value)` pairs (a datetime or an ISO 8601 string) or
        `{"timestamp": ..., "value": ...}` objects.
        """
        ops = [op for op in OPERATIONS if resource in (None, op.resource)]
        if not ops:
            known = ", ".join(op.resource for op in OPERATIONS)
            raise ValueError(f"no resource {resource!r}; the API has: {known}")
        known_blocks = list(dict.fromkeys(b for op in ops for b in op.metrics))
        if not blocks:
            raise ValueError(f"give at least one block: {', '.join(f'{b}=' for b in known_blocks)}")
        programmed: dict[str, Any] = {}
        for block, metrics in blocks.items():
            fields = {f.wire: f for op in ops for f in op.metrics.get(block, ())}
            if not fields and strict:
                raise ValueError(
                    f"unknown block {block}=; the response schema has: {', '.join(known_blocks)}"
                )
            if not isinstance(metrics, Mapping):
                raise ValueError(f"{block}= must be a mapping of metric name to value")
            served: dict[str, Any] = {}
            for name, value in metrics.items():
                field = fields.get(name)
                if field is None and not strict:
                    served[name] = value
                    continue
                if field is None:
                    raise ValueError(
                        f"unknown metric {name!r} in {block}=; the schema names: "
                        f"{', '.join(fields)} (as the API spells them)"
                    )
                if field.series:
                    served[name] = [_point(p, field, block) for p in value]
                else:
                    _check_type(value, field, block)
                    served[name] = value
            programmed[block] = served
        self.engine.overrides[entity_id] = programmed

    def clear_metrics(self, entity_id: str | None = None) -> None:
        """Back to seeded metrics for `entity_id` (or for every id)."""
        if entity_id is None:
            self.engine.overrides.clear()
        else:
            self.engine.overrides.pop(entity_id, None)

    # -- faults ------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 503,
        *,
        times: int = 1,
        retry_after: float | str | None = None,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
        tokens: bool = False,
    ) -> None:
        """Answer the next `times` metrics requests (the token endpoints' with `tokens=True`)
        with `status` and `{"detail": detail}` (a default message when None), plus a
        `Retry-After` header (seconds or an HTTP date) and any other `headers`."""
        header = retry_after if isinstance(retry_after, str | None) else f"{retry_after:g}"
        fault = Fault(
            "status",
            status=status,
            times=times,
            retry_after=header,
            detail=detail,
            headers=dict(headers or {}),
            tokens=tokens,
        )
        self.engine.add_fault(fault)

    def malformed_next(self, kind: Malformed = "truncated", *, times: int = 1) -> None:
        """Answer the next `times` metrics requests with a broken body: `truncated` (a 200 with
        cut-off JSON), `schema` (a 200 that does not fit the response schema) or `html`
        (a proxy's 502 HTML page, which clients retry)."""
        if kind not in get_args(Malformed):
            raise ValueError(f"kind must be one of {', '.join(get_args(Malformed))}")
        self.engine.add_fault(Fault(kind, times=times))

    def drop_next(self, *, times: int = 1) -> None:
        """Drop the connection mid-body on the next `times` metrics requests."""
        self.engine.add_fault(Fault("reset", times=times))

    def delay_next(self, seconds: float, *, times: int = 1) -> None:
        """Delay the next `times` metrics answers: a read timeout when `seconds` is longer than
        the request's read timeout, otherwise no effect (the fake never really waits)."""
        self.engine.add_fault(Fault("delay", delay=seconds, times=times))

    # -- tokens ------------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every access token issued so far now reads as expired (refresh tokens still work)."""
        self.advance(self.engine.token_lifetime)

    def revoke_tokens(self) -> None:
        """Every access token issued so far is now invalid (refresh tokens still work)."""
        self.engine.revoke_tokens()

    def advance(self, seconds: float) -> None:
        """Move the fake's token clock forward (the clients' own clocks are not affected)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._skipped += seconds

    # -- what happened -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every metrics request received, oldest first (failed and retried ones included)."""
        operations = self.engine.operations
        return [_record(seen, operations) for seen in list(self.engine.seen)]

    @property
    def token_requests(self) -> int:
        """Credential exchanges at `/auth/access-token`."""
        return self.engine.token_requests

    @property
    def refresh_requests(self) -> int:
        """Refresh-token renewals at `/auth/access-token/refresh`."""
        return self.engine.refresh_requests

    @property
    def metrics_requests(self) -> int:
        return self.engine.metrics_requests

    def clear_requests(self) -> None:
        """Forget the recorded requests (`requests`), keeping tokens, faults, programmed
        metrics and the counters: a long run (a soak test, a benchmark) keeps its memory flat,
        since every request is recorded with its body."""
        self.engine.clear_seen()

    def reset(self) -> None:
        """Forget tokens, faults, programmed metrics, recorded requests and sleeps."""
        self.engine.reset()
        self.sleeps.clear()


_TIME_KEY, _VALUE_KEY = SERIES_POINT
_ENV_PREFIX: Final = "STREAMKAP_"
_ENV_LOCK = threading.Lock()
_Client = TypeVar("_Client")


def _built_without_env(build: Callable[[], _Client]) -> _Client:
    """`build()` with no STREAMKAP_* variable in the environment.

    The clients read their settings from the environment when they are built (credentials,
    token, host, admin ids), and have no option to not read it; the kit passes every setting
    it needs explicitly, and hides the rest of the variables while the client is built. They
    are put back at once (a lock keeps two kit clients built at the same time from putting
    back each other's). Nothing is touched when no such variable is set.
    """
    if not any(name.startswith(_ENV_PREFIX) for name in os.environ):
        return build()
    with _ENV_LOCK, _hidden_env(_ENV_PREFIX):
        return build()


@contextmanager
def _hidden_env(prefix: str) -> Iterator[None]:
    hidden = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith(prefix)}
    try:
        yield
    finally:
        os.environ.update(hidden)


_PY_TYPES: Final = {"integer": (int,), "number": (int, float), "string": (str,), "boolean": (bool,)}


def _check_type(value: object, field: MetricField, where: str) -> None:
    """`value` fits one of the field's declared types (None is null, always allowed)."""
    if value is None:
        return
    for kind in field.types:
        accepted = _PY_TYPES.get(kind)
        if accepted is None or (
            isinstance(value, accepted) and (kind == "boolean" or not isinstance(value, bool))
        ):
            return
    raise ValueError(
        f"{where}= {field.wire}: {value!r} is not {' or '.join(field.types)} (the schema's type)"
    )


def _point(point: Point, field: MetricField, block: str) -> dict[str, Any]:
    if isinstance(point, Mapping):
        entry = dict(point)
    else:
        moment, value = point
        if isinstance(moment, dt.datetime) and moment.utcoffset() is None:
            raise ValueError(f"timeseries timestamps must be aware datetimes, got {moment!r}")
        stamp = moment if isinstance(moment, str) else format_utc(moment)
        entry = {_TIME_KEY: stamp, _VALUE_KEY: value}
    _check_type(entry.get(_VALUE_KEY), field, block)
    return entry


def _record(seen: Seen, operations: Sequence[Operation] = OPERATIONS) -> RecordedRequest:
    body = seen.body if isinstance(seen.body, dict) else None
    try:
        params = effective_parameters(seen.query, body)
    except InvalidParameterError:
        params = {**seen.query, **(body or {})}
    op = next((op for op in operations if op.path == seen.path), None)
    ids = params.get(op.ids) if op is not None else None
    return RecordedRequest(
        method=seen.method,
        path=seen.path,
        resource=op.resource if op is not None else "",
        ids=list(ids) if isinstance(ids, list) else [],
        params=params,
        query=dict(seen.query),
        body=seen.body,
        authorization=seen.authorization,
    )
