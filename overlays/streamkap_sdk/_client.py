"""StreamkapClient and AsyncStreamkapClient: settings, transport, retries, and the two resources."""

from __future__ import annotations

import dataclasses
import difflib
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Self, TypedDict, Unpack

import httpx

from streamkap_api.resources import AsyncResources, Resources

from ._auth import (
    DEFAULT_SKEW,
    TokenAuth,
    refuse_secret_redirects,
    refuse_secret_redirects_async,
)
from ._config import read_project_key, resolve
from ._decode import decode_model
from ._errors import (
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    InvalidParameterError,
)
from ._merge import gather_tasks, gather_threads, merge_responses
from ._operations import Operation, response_model
from ._request import Prepared, prepare, request_kwargs
from ._retry import Flow, RetryPolicy, Send, attempts

__all__ = ["DEFAULT_TIMEOUT", "AsyncStreamkapClient", "ClientOptions", "StreamkapClient"]

#: Per attempt: 30 s to read, 10 s to connect. `deadline=` bounds a whole call, retries included.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_IDS_PER_REQUEST = 1000
DEFAULT_MAX_CONCURRENCY = 4

Timeout = float | httpx.Timeout | None
Progress = Callable[[int, int], None]


def _as_timeout(value: Timeout) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _clamp(timeout: httpx.Timeout, left: float | None) -> dict[str, float | None]:
    """Per-attempt timeouts, none longer than what is left of the call's deadline."""
    values = timeout.as_dict()
    if left is None:
        return values
    return {k: left if v is None else min(v, left) for k, v in values.items()}


def _check_call_options(timeout: Timeout, max_retries: int | None, deadline: float | None) -> None:
    """Per-call overrides are checked before anything is sent."""
    if max_retries is not None and (
        isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0
    ):
        raise InvalidParameterError("max_retries", f"must be an integer >= 0; got {max_retries!r}")
    if deadline is not None and not _positive(deadline):
        raise InvalidParameterError("deadline", f"must be seconds > 0; got {deadline!r}")
    if timeout is not None and not isinstance(timeout, httpx.Timeout) and not _positive(timeout):
        raise InvalidParameterError(
            "timeout", f"must be seconds > 0 or an httpx.Timeout; got {timeout!r}"
        )


class ClientOptions(TypedDict, total=False):
    """The settings both clients take, by keyword (README: configuration and authentication).

    Type checkers hold every constructor to this list (`StreamkapClient(clinet_id=...)` is an
    error under mypy --strict and pyright), and so does the runtime (a TypeError).
    """

    client_id: str | None
    client_secret: str | None
    access_token: str | None
    base_url: str | None
    token_url: str | None
    admin_tenant_id: str | None
    admin_service_id: str | None
    timeout: Timeout
    max_retries: int | None
    retry_policy: RetryPolicy | None
    deadline: float | None
    token_skew: float
    token_clock: Callable[[], float]
    max_ids_per_request: int
    max_concurrency: int


_OPTION_NAMES = frozenset(ClientOptions.__annotations__)


def check_options(owner: str, options: Mapping[str, object]) -> None:
    """A TypeError naming a misspelt setting (and the closest right one), as Python would."""
    for name in options:
        if name not in _OPTION_NAMES:
            close = difflib.get_close_matches(name, sorted(_OPTION_NAMES), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"{owner}() got an unexpected keyword argument {name!r}{hint}")


@dataclasses.dataclass(frozen=True, slots=True)
class _Call:
    prepared: Prepared
    chunks: list[list[str]]
    timeout: Timeout
    max_retries: int | None
    left: Callable[[], float | None]  # what is left of the call's deadline (raises past it)


class _ClientBase:
    """What both clients share: settings, auth, policies. Only sending and sleeping differ."""

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        check_options(type(self).__name__, options)
        self._configure(**options)

    def _configure(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        access_token: str | None = None,
        base_url: str | None = None,
        token_url: str | None = None,
        admin_tenant_id: str | None = None,
        admin_service_id: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        deadline: float | None = None,
        token_skew: float = DEFAULT_SKEW,
        token_clock: Callable[[], float] = time.monotonic,
        max_ids_per_request: int = DEFAULT_MAX_IDS_PER_REQUEST,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    ) -> None:
        try:
            _check_call_options(timeout, max_retries, deadline)
        except InvalidParameterError as exc:
            raise ConfigurationError(str(exc)) from None
        if max_ids_per_request < 1 or max_concurrency < 1:
            raise ConfigurationError("max_ids_per_request and max_concurrency must be >= 1")
        self._settings = resolve(
            client_id=client_id,
            client_secret=client_secret,
            access_token=access_token,
            base_url=base_url,
            token_url=token_url,
            admin_tenant_id=admin_tenant_id,
            admin_service_id=admin_service_id,
        )
        self._auth = TokenAuth(
            origin=self._settings.base_url,
            token_url=self._settings.token_url,
            refresh_url=self._settings.refresh_url,
            credentials=self._settings.credentials,
            access_token=self._settings.access_token,
            skew=token_skew,
            clock=token_clock,
        )
        self._timeout = _as_timeout(timeout)
        # `retry_policy` tunes backoff and caps; `max_retries`, when given, overrides its count.
        self._policy = retry_policy or RetryPolicy()
        if max_retries is not None:
            self._policy = dataclasses.replace(self._policy, max_retries=max_retries)
        self._deadline = deadline
        self.max_ids_per_request = max_ids_per_request
        self.max_concurrency = max_concurrency
        self._urls: dict[str, httpx.URL] = {}  # operation path -> absolute URL (see _request)

    @classmethod
    def from_project_key(
        cls, source: str | os.PathLike[str] | Mapping[str, Any], **options: Unpack[ClientOptions]
    ) -> Self:
        """A client from a Streamkap project key (a JSON file path, or its parsed content)."""
        check_options(f"{cls.__name__}.from_project_key", options)
        settings: dict[str, Any] = {**read_project_key(source), **options}
        return cls(**settings)

    @property
    def base_url(self) -> httpx.URL:
        return self._settings.base_url

    @property
    def token_requests(self) -> int:
        """How many token exchanges and refreshes this client has made."""
        return self._auth.token_requests

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, auth={self._auth!r})"

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self._settings.base_url,
            "auth": self._auth,
            "timeout": self._timeout,
            "headers": {"Accept": "application/json", **self._settings.headers},
            "follow_redirects": True,
        }

    def _request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        op: Operation,
        prepared: Prepared,
        ids: list[str],
    ) -> httpx.Request:
        """One request of a call, to the operation's URL joined to the base URL as httpx joins it.

        The join is done once per operation and cached: done by httpx on every request (for a
        relative URL) it costs two URL parses, a sixth of a small call's client-side time.
        """
        kwargs = request_kwargs(op, prepared, ids)
        url = self._urls.get(kwargs["url"])
        if url is None:
            base = http.base_url
            path = httpx.URL(kwargs["url"]).raw_path.lstrip(b"/")
            url = self._urls[kwargs["url"]] = base.copy_with(raw_path=base.raw_path + path)
        kwargs["url"] = url
        return http.build_request(**kwargs)

    def _is_closed(self) -> bool:
        raise NotImplementedError

    def _call(
        self,
        op: Operation,
        ids: object,
        params: dict[str, Any],
        unknown: Mapping[str, Any],
        options: dict[str, Any],
    ) -> _Call:
        """The checked pieces of one `metrics()` call (both clients), before anything is sent.

        Called from `_run`: a ParameterOverrideWarning points at the user's call
        (prepare <- _call <- _run <- metrics <- the user's code).
        """
        timeout, max_retries = options["timeout"], options["max_retries"]
        left = self._deadline_clock(timeout, max_retries, options["deadline"])
        prepared = prepare(
            op, ids, params, unknown=unknown, max_ids_per_request=self.max_ids_per_request,
            stacklevel=5,
        )  # fmt: skip
        return _Call(
            prepared, prepared.chunks(self.max_ids_per_request), timeout, max_retries, left
        )

    def _deadline_clock(
        self, timeout: Timeout, max_retries: int | None, deadline: float | None
    ) -> Callable[[], float | None]:
        """Check a call's options once, then say how much of its deadline a request may use.

        The deadline bounds the whole call: a call split into several requests shares it, and a
        request that would start after it has passed fails with APITimeoutError unsent.
        """
        if self._is_closed():
            raise ClientClosedError(
                f"this {type(self).__name__} is closed (its `with` block ended or close() was "
                "called); create a new client"
            )
        _check_call_options(timeout, max_retries, deadline)
        budget = self._deadline if deadline is None else deadline
        if budget is None:
            return lambda: None
        end = time.monotonic() + budget

        def left() -> float:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise APITimeoutError(f"deadline of {budget:g}s exceeded before the request")
            return remaining

        return left

    def _begin(
        self,
        request: httpx.Request,
        timeout: Timeout,
        max_retries: int | None,
        deadline: float | None,
    ) -> tuple[httpx.Timeout, Flow]:
        """Per-attempt timeout and retry flow of one request (options already checked)."""
        policy = self._policy
        if max_retries is not None:
            policy = dataclasses.replace(policy, max_retries=max_retries)
        flow = attempts(
            policy,
            deadline=deadline,  # what is left of the call's (see _deadline_clock)
            method=request.method,
            path=request.url.path,
            on_error=self._explain,
        )
        return (self._timeout if timeout is None else _as_timeout(timeout)), flow

    def _explain(self, error: APIStatusError) -> APIStatusError:
        message = self._auth.redact(str(error.args[0]))  # a server may echo the token back
        if isinstance(error, AuthenticationError):
            message += (
                "; the token was renewed and the request replayed once"
                if self._auth.can_renew
                else "; the client has a static access token and no credentials to renew it "
                "with (pass client_id/client_secret to renew automatically)"
            )
        error.args = (message,)
        return error


class StreamkapClient(_ClientBase, Resources):
    """Synchronous client. Use as a context manager, or call close().

    One resource per operation of the spec (`client.pipelines`, `client.destinations`), each
    with a typed `metrics()` generated from the spec (`streamkap_api.resources`).
    """

    def __init__(
        self, *, transport: httpx.BaseTransport | None = None, **options: Unpack[ClientOptions]
    ) -> None:
        super().__init__(**options)
        self._http = httpx.Client(
            transport=transport,
            event_hooks={"request": [refuse_secret_redirects]},
            **self._client_kwargs(),
        )
        self._sleep: Callable[[float], None] = time.sleep
        self._bind_resources(self._run)

    def _run(
        self,
        op: Operation,
        ids: object,
        params: dict[str, Any],
        unknown: Mapping[str, Any],
        options: dict[str, Any],
    ) -> Any:
        """One call of `client.<resource>.metrics(...)`: check, split, send, merge.

        Raises InvalidParameterError before sending anything when an argument is wrong, and an
        APIError subclass when the API call fails after retries.
        """
        call = self._call(op, ids, params, unknown, options)

        def one(chunk: list[str]) -> Any:
            return self._send(op, call.prepared, chunk, call.timeout, call.max_retries, call.left())

        parts = gather_threads(
            one, call.chunks, max_workers=self.max_concurrency, progress=options["progress"]
        )
        return merge_responses(op, parts, stacklevel=4)

    def _send(
        self,
        op: Operation,
        prepared: Prepared,
        ids: list[str],
        timeout: Timeout,
        max_retries: int | None,
        deadline: float | None,
    ) -> Any:
        request = self._request(self._http, op, prepared, ids)
        per_attempt, flow = self._begin(request, timeout, max_retries, deadline)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    request.extensions["timeout"] = _clamp(per_attempt, step.timeout)
                    try:
                        outcome: httpx.Response | Exception = self._http.send(request)
                    except (httpx.TransportError, APIStatusError) as exc:
                        outcome = exc  # the flow decides; anything else propagates as is
                    step = flow.send(outcome)
                else:
                    self._sleep(step.seconds)
                    step = flow.send(None)
        except StopIteration as stop:
            response: httpx.Response = stop.value
        finally:
            flow.close()
        return decode_model(response, response_model(op), what=op.operation_id)

    def _is_closed(self) -> bool:
        return self._http.is_closed

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncStreamkapClient(_ClientBase, AsyncResources):
    """Asynchronous client. Use as an async context manager, or await aclose()."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(**options)
        self._http = httpx.AsyncClient(
            transport=transport,
            event_hooks={"request": [refuse_secret_redirects_async]},
            **self._client_kwargs(),
        )
        import asyncio  # deferred: import time (see _operations)

        self._sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
        self._bind_resources(self._run)

    async def _run(
        self,
        op: Operation,
        ids: object,
        params: dict[str, Any],
        unknown: Mapping[str, Any],
        options: dict[str, Any],
    ) -> Any:
        """One call of `await client.<resource>.metrics(...)`: check, split, send, merge."""
        call = self._call(op, ids, params, unknown, options)

        async def one(chunk: list[str]) -> Any:
            return await self._send(
                op, call.prepared, chunk, call.timeout, call.max_retries, call.left()
            )

        parts = await gather_tasks(
            one, call.chunks, max_concurrency=self.max_concurrency, progress=options["progress"]
        )
        return merge_responses(op, parts, stacklevel=4)

    async def _send(
        self,
        op: Operation,
        prepared: Prepared,
        ids: list[str],
        timeout: Timeout,
        max_retries: int | None,
        deadline: float | None,
    ) -> Any:
        request = self._request(self._http, op, prepared, ids)
        per_attempt, flow = self._begin(request, timeout, max_retries, deadline)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    request.extensions["timeout"] = _clamp(per_attempt, step.timeout)
                    try:
                        outcome: httpx.Response | Exception = await self._http.send(request)
                    except (httpx.TransportError, APIStatusError) as exc:
                        outcome = exc  # the flow decides; anything else propagates as is
                    step = flow.send(outcome)
                else:
                    await self._sleep(step.seconds)
                    step = flow.send(None)
        except StopIteration as stop:
            response: httpx.Response = stop.value
        finally:
            flow.close()
        return decode_model(response, response_model(op), what=op.operation_id)

    def _is_closed(self) -> bool:
        return self._http.is_closed

    async def aclose(self) -> None:
        await self._http.aclose()

    def __enter__(self) -> None:
        raise TypeError("AsyncStreamkapClient is used with `async with`, not `with`")

    def __exit__(self, *exc: object) -> None:  # pragma: no cover - __enter__ always raises
        pass

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
