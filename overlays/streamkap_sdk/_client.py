"""StreamkapClient and AsyncStreamkapClient: settings, transport, retries, and the two resources.

Each client has one method that touches the transport, `_hop` (`send` one request through the
public httpx API, follow same-origin redirects, read a bounded body); the rules it applies live
in `_http`. Around it: the auth flow (`_auth.TokenAuth`, driven by `_exchange`), the retry flow
(`_retry.attempts`), and the process and event
loop the client finds itself in: after `os.fork()` the child builds its own connection pool and
locks (the parent's sockets and a lock a parent thread held are never touched), and the async
client keeps one pool and one renewal lock per event loop, closed when that loop shuts down.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import ssl
import sys
import threading
import time
import weakref
import zlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, Self, TypedDict, Unpack

import httpx

from streamkap_api.resources import AsyncResources, Resources

from . import _decode, _raw
from ._auth import DEFAULT_SKEW, TokenAuth
from ._config import read_project_key, resolve
from ._decode import check_entity_ids, decode_model, decode_model_async
from ._errors import (
    SECRET_BODY,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    InvalidParameterError,
    MalformedResponseError,
    StreamkapError,
    scrub,
)
from ._http import (
    ACCEPT_ENCODING,
    CALL,
    MAX_RESPONSE_BYTES,
    SMALL_BODY_BYTES,
    AsyncCall,
    BodyReader,
    SyncCall,
    body_limit,
    check_framing,
    check_location,
    check_location_async,
    next_hop,
    run_until,
    too_large,
)
from ._logs import log_request
from ._merge import _NotStarted, gather_tasks, gather_threads, merge_responses
from ._operations import Operation, response_model
from ._request import Prepared, prepare, request_kwargs
from ._retry import Flow, RetryPolicy, Send, attempts
from ._transport import DEFAULT_LIMITS, aiohttp_transport, check_backend
from ._version import __version__

if TYPE_CHECKING:
    import asyncio


__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncStreamkapClient",
    "ClientOptions",
    "StreamkapClient",
    "WithOptions",
    "user_agent",
]

#: Per attempt: 30 s to read, 10 s to connect. `deadline=` bounds a whole call, retries included.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_IDS_PER_REQUEST = 1000
DEFAULT_MAX_CONCURRENCY = 4

#: Requests in flight per loop for a pool without a connection limit (`Limits(None)`).
DEFAULT_MAX_IN_FLIGHT: Final = 100
#: An async client joins bodies this large in a worker thread (see AsyncStreamkapClient).
_JOIN_IN_THREAD: Final = 4 << 20

Timeout = float | httpx.Timeout | None
Progress = Callable[[int, int], None]


def user_agent() -> str:
    """`streamkap-sdk/<version> python/<x.y> httpx/<version>`, sent with every request."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"streamkap-sdk/{__version__} python/{python} httpx/{httpx.__version__}"


#: Headers `default_headers=` may not set: the client owns them (auth, body framing, and the
#: encodings BodyReader decodes with a bound).
_OWN_HEADERS: Final = frozenset(
    {"authorization", "accept-encoding", "content-length", "content-type", "host",
     "transfer-encoding"}
)  # fmt: skip
_HEADER_TEXT: Final = re.compile(r"[\x20-\x7e]*")
_HEADER_NAME: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _check_headers(headers: object) -> dict[str, str]:
    """`default_headers=` as a plain dict, or ConfigurationError (values are never shown)."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise ConfigurationError(f"default_headers must be a mapping; got {type(headers).__name__}")
    out: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise ConfigurationError(f"default_headers: {name!r} is not a header name")
        if name.lower() in _OWN_HEADERS:
            hint = " (pass access_token= or credentials)" if name.lower() == "authorization" else ""
            raise ConfigurationError(f"default_headers cannot set {name}: the client sets it{hint}")
        if not isinstance(value, str) or not _HEADER_TEXT.fullmatch(value):
            raise ConfigurationError(
                f"default_headers[{name!r}] must be a string of printable ASCII characters"
            )
        out[name] = value
    return out


def _ca_context(path: str) -> ssl.SSLContext:
    """`verify="<path>"`: an SSLContext trusting that CA bundle file (or directory of them), as
    httpx 0.28 wants it (its own `verify=<str>` is deprecated)."""
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"verify={path!r}: cannot load CA certificates ({exc})") from None


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


def _clamp_to(request: httpx.Request, end: float) -> None:
    """Cap the request's timeouts at what is left before `end`; APITimeoutError if nothing is."""
    left = end - time.monotonic()
    if left <= 0:
        raise APITimeoutError(
            f"the call's deadline passed before {request.method} {request.url.path} was sent"
        )
    timeouts = request.extensions.get("timeout") or dict.fromkeys(
        ("connect", "read", "write", "pool")
    )
    request.extensions["timeout"] = {
        k: left if v is None else min(v, left) for k, v in timeouts.items()
    }


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name} must be an integer >= 1; got {value!r}")
    return value


def _body_kind(response: httpx.Response) -> str:
    """Which cap applies: see _http.too_large."""
    if response.request.extensions.get(SECRET_BODY):
        return "token-endpoint"
    return "response" if response.is_success else "error"


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
    max_response_bytes: int
    check_response_ids: bool
    default_headers: Mapping[str, str] | None
    verify: ssl.SSLContext | str | bool
    proxy: str | httpx.URL | httpx.Proxy | None
    limits: httpx.Limits


class WithOptions(TypedDict, total=False):
    """What `client.with_options(...)` may change (the rest is shared with the original)."""

    timeout: Timeout
    max_retries: int | None
    deadline: float | None
    default_headers: Mapping[str, str] | None


_OPTION_NAMES = frozenset(ClientOptions.__annotations__)
#: Settings of the connection pool: they cannot go with a pool the caller built.
_POOL_OPTIONS: Final = ("verify", "proxy", "limits")


def check_options(
    owner: str, options: Mapping[str, object], names: frozenset[str] = _OPTION_NAMES
) -> None:
    """A TypeError naming a misspelt setting (and the closest right one), as Python would."""
    for name in options:
        if name not in names:
            import difflib  # deferred: only for a misspelt name

            close = difflib.get_close_matches(name, sorted(names), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"{owner}() got an unexpected keyword argument {name!r}{hint}")


def check_with_options(owner: str, options: Mapping[str, object]) -> None:
    check_options(owner, options, frozenset(WithOptions.__annotations__))


@dataclasses.dataclass(slots=True)  # not frozen: one per request, and a frozen init costs 3x
class _Call:
    prepared: Prepared
    chunks: list[list[str]]
    timeout: Timeout
    max_retries: int | None
    left: Callable[[], float | None]  # what is left of the call's deadline (raises past it)


class _ClientBase:
    """What both clients share: settings, auth, policies. Only sending and sleeping differ."""

    _root: _ClientBase  # the client that owns the pool (itself, unless made by with_options)

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
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        check_response_ids: bool = True,
        default_headers: Mapping[str, str] | None = None,
        verify: ssl.SSLContext | str | bool = True,
        proxy: str | httpx.URL | httpx.Proxy | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        self._root = self  # with_options() copies share the root's pool and token
        try:
            _check_call_options(timeout, max_retries, deadline)
        except InvalidParameterError as exc:
            raise ConfigurationError(str(exc)) from None
        self.max_ids_per_request = _count("max_ids_per_request", max_ids_per_request)
        self.max_concurrency = _count("max_concurrency", max_concurrency)
        #: Cap on a success's decoded body (ResponseTooLargeError past it); token and error
        #: bodies have a fixed 1 MiB cap.
        self.max_response_bytes = _count("max_response_bytes", max_response_bytes)
        if not isinstance(check_response_ids, bool):
            raise ConfigurationError(
                f"check_response_ids must be True or False; got {check_response_ids!r}"
            )
        #: A response whose entity maps hold ids that were not asked for is refused
        #: (MalformedResponseError); False accepts it, for an API that keys them otherwise.
        self.check_response_ids = check_response_ids
        self._closed = False
        if not isinstance(verify, bool | str | ssl.SSLContext):
            raise ConfigurationError(
                "verify must be True, False, a CA bundle path or an ssl.SSLContext; got "
                f"{type(verify).__name__}"
            )
        if isinstance(verify, str):  # a CA bundle (file) or a directory of them
            verify = _ca_context(verify)
        if limits is not None and not isinstance(limits, httpx.Limits):
            raise ConfigurationError(f"limits must be an httpx.Limits; got {type(limits).__name__}")
        #: Only what was chosen: httpx's own defaults (and its environment proxies) otherwise.
        self._pool_options: dict[str, Any] = {
            name: value
            for name, value in (("verify", verify), ("proxy", proxy), ("limits", limits))
            if value is not None and not (name == "verify" and value is True)
        }
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
            secrets=self._settings.secrets,
            headers={"User-Agent": user_agent(), **_check_headers(default_headers)},
        )
        self._headers = self._request_headers(default_headers)
        self._timeout = _as_timeout(timeout)
        # `retry_policy` tunes backoff and caps; `max_retries`, when given, overrides its count.
        self._policy = retry_policy or RetryPolicy()
        if max_retries is not None:
            self._policy = dataclasses.replace(self._policy, max_retries=max_retries)
        self._deadline = deadline
        self._urls: dict[str, httpx.URL] = {}  # operation path -> absolute URL (see _request)
        _LIVE.add(self)

    @classmethod
    def from_project_key(
        cls, source: str | os.PathLike[str] | Mapping[str, Any], **options: Unpack[ClientOptions]
    ) -> Self:
        """A client from a Streamkap project key (a JSON file path, or its parsed content)."""
        check_options(f"{cls.__name__}.from_project_key", options)
        given = {k: v for k, v in options.items() if not (v is None or v == "")}  # unset
        settings: dict[str, Any] = {**read_project_key(source), **given}
        return cls(**settings)

    @property
    def base_url(self) -> httpx.URL:
        """The API's base URL, as given (without a trailing slash)."""
        base = self._settings.base_url
        return base.copy_with(raw_path=base.raw_path.rstrip(b"/"))

    @property
    def token_requests(self) -> int:
        """How many token exchanges and refreshes this client has made."""
        return self._auth.token_requests

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, auth={self._auth!r})"

    def _request_headers(self, default_headers: Mapping[str, str] | None) -> dict[str, str]:
        """The headers of every metrics request (a user's http_client may add its own)."""
        return {
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,  # only what BodyReader decodes, bounded
            "User-Agent": user_agent(),
            **self._settings.headers,
            **_check_headers(default_headers),
        }

    def _check_pool_source(
        self, transport: object, http_client: object, kind: type, other: type, other_client: str
    ) -> None:
        """`http_client=` must be a `kind` (an `other` goes with `other_client`); `transport=`
        and `http_client=` bring their own pool: pool settings cannot apply."""
        if http_client is not None and not isinstance(http_client, kind):
            hint = f" (use it with {other_client})" if isinstance(http_client, other) else ""
            raise ConfigurationError(
                f"http_client must be an httpx.{kind.__name__}; got "
                f"{type(http_client).__name__}{hint}"
            )
        given = [name for name in _POOL_OPTIONS if name in self._pool_options]
        if transport is not None and http_client is not None:
            raise ConfigurationError("pass transport= or http_client=, not both")
        source = "transport" if transport is not None else "http_client"
        if given and (transport is not None or http_client is not None):
            raise ConfigurationError(
                f"{', '.join(given)} cannot be combined with {source}=: they configure the "
                f"connection pool, and the {source} you passed has its own"
            )

    def _client_kwargs(self) -> dict[str, Any]:
        """How the client builds its own pool (none of it applies to a user's http_client)."""
        return {
            "timeout": self._timeout,
            "follow_redirects": False,  # _exchange follows same-origin ones (_http.next_hop)
            "limits": DEFAULT_LIMITS,  # unless limits= says otherwise (see _transport)
            **self._pool_options,
        }

    def with_options(self, **changes: Unpack[WithOptions]) -> Self:
        """A client of the same type with other defaults for timeout, max_retries, deadline or
        default_headers, sharing this one's connection pool and token.

        The copy is cheap (make one per purpose, not per call). Closing it only stops the copy;
        closing the original closes the pool for every copy.
        """
        check_with_options(f"{type(self).__name__}.with_options", changes)
        timeout = changes.get("timeout", self._timeout)
        max_retries = changes.get("max_retries")
        deadline = changes.get("deadline", self._deadline)
        try:
            _check_call_options(timeout, max_retries, deadline)
        except InvalidParameterError as exc:
            raise ConfigurationError(str(exc)) from None
        clone = copy.copy(self)
        clone._closed = False
        if "timeout" in changes:
            clone._timeout = _as_timeout(timeout)
        if "max_retries" in changes and max_retries is not None:
            clone._policy = dataclasses.replace(self._policy, max_retries=max_retries)
        clone._deadline = deadline
        if "default_headers" in changes:
            clone._headers = clone._request_headers(changes["default_headers"])
        clone._rebind()
        return clone

    def _rebind(self) -> None:
        """Bind the resources (`self.pipelines`, ...) to this client's `_run`."""
        raise NotImplementedError

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
            base = self._settings.base_url  # ends with one "/" (_config)
            path = httpx.URL(kwargs["url"]).raw_path.lstrip(b"/")
            url = self._urls[kwargs["url"]] = base.copy_with(raw_path=base.raw_path + path)
        kwargs["url"] = url
        kwargs["headers"] = {**self._headers, **kwargs.get("headers", {})}  # + Content-Type
        return http.build_request(**kwargs)

    def _is_closed(self) -> bool:
        return self._closed or self._root._closed

    def _closed_error(self, during: bool = False) -> ClientClosedError:
        when = "was closed during the call" if during else "is closed"
        return ClientClosedError(
            f"this {type(self).__name__} {when} (its `with` block ended or close() was "
            "called); create a new client"
        )

    def _after_fork(self) -> None:
        """In a forked child (os.register_at_fork): stop using what the parent owns."""
        self._auth.after_fork()

    def _checked(self, result: Any, op: Operation, ids: list[str], response: httpx.Response) -> Any:
        if self.check_response_ids and ids:
            check_entity_ids(result, op.operation_id, ids, response)
        return result

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
            raise self._closed_error()
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
            redact=self._auth.redact,
        )
        return (self._timeout if timeout is None else _as_timeout(timeout)), flow

    def _merged(self, op: Operation, parts: list[Any], raw: bool) -> Any:
        if not raw:
            return merge_responses(op, parts, stacklevel=5)
        merged = merge_responses(op, [part.parse() for part in parts], stacklevel=5)
        return _raw.merged(merged, parts)

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
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        """`http_client=`: an `httpx.Client` of yours, used as it is (its proxies, TLS, limits,
        headers and hooks), never closed by this client; the SDK adds its auth, headers, timeouts
        and redirect rule per request. `transport=`: a transport for the client's own pool."""
        super().__init__(**options)
        self._check_pool_source(
            transport, http_client, httpx.Client, httpx.AsyncClient, "AsyncStreamkapClient"
        )
        self._transport = transport
        self._own_http = http_client is None
        self._http = http_client if http_client is not None else self._new_http()
        self._forked = False
        self._rebuild = threading.Lock()
        self._sleep: Callable[[float], None] = time.sleep
        self._rebind()

    _root: StreamkapClient

    def _rebind(self) -> None:
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
        try:
            call = self._call(op, ids, params, unknown, options)
            # Set when a chunk fails or the caller is interrupted (Ctrl+C): chunks in flight
            # then start no new request, retry or wait.
            stop = threading.Event() if len(call.chunks) > 1 else None

            raw = options.get("raw", False)

            def one(chunk: list[str]) -> Any:
                return self._send(
                    op, call.prepared, chunk, call.timeout, call.max_retries, call.left(), stop,
                    raw,
                )  # fmt: skip

            parts = gather_threads(
                one,
                call.chunks,
                max_workers=self.max_concurrency,
                progress=options["progress"],
                stop=stop,
            )
            return self._merged(op, parts, raw)
        except StreamkapError as exc:
            scrub(exc, self._auth.redact)  # whatever the server echoed, no secret leaves the call
            raise

    def _new_http(self) -> httpx.Client:
        return httpx.Client(
            transport=self._transport,
            event_hooks={"response": [check_location]},
            **self._client_kwargs(),
        )

    def _after_fork(self) -> None:
        super()._after_fork()
        self._rebuild = threading.Lock()
        self._forked = True

    def _current_http(self) -> httpx.Client:
        root = self._root
        if root._forked:  # a child process: a pool of its own (the old one is left untouched)
            with root._rebuild:
                if root._forked:
                    if root._own_http:  # a user's http_client is the user's to rebuild
                        root._http = root._new_http()
                    root._forked = False
        return root._http

    def _send(
        self,
        op: Operation,
        prepared: Prepared,
        ids: list[str],
        timeout: Timeout,
        max_retries: int | None,
        deadline: float | None,
        stop: threading.Event | None = None,
        raw: bool = False,
    ) -> Any:
        http = self._current_http()
        request = self._request(http, op, prepared, ids)
        end = None if deadline is None else time.monotonic() + deadline
        per_attempt, flow = self._begin(request, timeout, max_retries, deadline)
        attempt = 0

        def send_token(token_request: httpx.Request) -> httpx.Response:
            started = time.monotonic()
            try:
                response = self._exchange(
                    http, token_request, end=end, limit=SMALL_BODY_BYTES, auth=False
                )
            except Exception as exc:
                log_request(token_request, exc, started, ids=None, attempt=attempt)
                raise
            log_request(token_request, response, started, ids=None, attempt=attempt)
            return response

        request.extensions[CALL] = SyncCall(end, self._auth.thread_lock, send_token)

        def exchange() -> httpx.Response:
            return self._exchange(http, request, end=end, limit=self.max_response_bytes)

        try:
            step = next(flow)
            while True:
                if stop is not None and stop.is_set():
                    raise _NotStarted  # another chunk failed, or the caller was interrupted
                if isinstance(step, Send):
                    request.extensions["timeout"] = _clamp(per_attempt, step.timeout)
                    attempt += 1
                    started = time.monotonic()
                    try:
                        outcome: httpx.Response | Exception = (
                            exchange()
                            if end is None
                            else run_until(end, exchange, f"{request.method} {request.url.path}")
                        )
                    except (httpx.TransportError, APIStatusError) as exc:
                        outcome = exc  # the flow decides; anything else propagates as is
                    log_request(request, outcome, started, ids=len(ids), attempt=attempt)
                    step = flow.send(outcome)
                else:
                    if stop is None:
                        self._sleep(step.seconds)
                    elif self._sleep is time.sleep:
                        stop.wait(step.seconds)  # cut short when the call is stopped
                    else:
                        self._sleep(step.seconds)  # an injected sleep (tests, the fake)
                    step = flow.send(None)
        except StopIteration as done:
            response: httpx.Response = done.value
        finally:
            flow.close()
        result = decode_model(response, response_model(op), what=op.operation_id)
        result = self._checked(result, op, ids, response)
        return _raw.raw_part(result, response, attempt - 1) if raw else result

    def _exchange(
        self,
        http: httpx.Client,
        request: httpx.Request,
        *,
        end: float | None,
        limit: int,
        auth: bool = True,
    ) -> httpx.Response:
        """`request` with its token (the auth flow: renewal, a 401 replayed once), or without
        (`auth=False`: a token request)."""
        if not auth:
            return self._hop(http, request, end=end, limit=limit)
        return self._auth.send(request, lambda step: self._hop(http, step, end=end, limit=limit))

    def _hop(
        self, http: httpx.Client, request: httpx.Request, *, end: float | None, limit: int
    ) -> httpx.Response:
        """Send `request`, follow same-origin redirects, read the body (at most `limit` decoded
        bytes for a success, 1 MiB otherwise): the one place this client touches the wire."""
        visited: list[httpx.URL] = []
        while True:
            if self._is_closed():
                raise self._closed_error(during=True)
            if end is not None:
                _clamp_to(request, end)
            try:
                response = http.send(
                    request,
                    stream=True,
                    auth=None,  # the SDK's auth flow ran already; a user's client's is not used
                    follow_redirects=False,  # also when a user's http_client follows them
                )
            except Exception:
                if self._is_closed():  # close() from another thread, mid-call
                    raise self._closed_error(during=True) from None
                raise
            try:
                check_framing(response)
                following = next_hop(request, response, visited)
                if following is None:
                    return self._read_body(response, body_limit(response, limit))
            finally:
                response.close()
            request = following

    def _read_body(self, response: httpx.Response, limit: int) -> httpx.Response:
        """The response with its body read and decoded, at most `limit` bytes (a call with a
        deadline runs this in `run_until`, which stops waiting at the deadline)."""
        if response.is_stream_consumed:
            return _already_read(response, limit)
        reader = _reader(response, limit, direct_below=limit + 1)
        try:
            if reader is None:
                response.read()
                return response
            for chunk in response.iter_raw():
                reader.feed(chunk)
            return _with_body(response, reader.finish())
        except BodyReader.TooLarge:
            raise too_large(response, limit, what=_body_kind(response)) from None
        except zlib.error as exc:
            raise _undecodable(response, exc) from None
        except Exception:
            if self._is_closed():
                raise self._closed_error(during=True) from None
            raise

    def close(self) -> None:
        """Close the client. Its own pool is closed (for every `with_options` copy too); an
        `http_client=` of yours is left open. On a `with_options` copy: only the copy stops."""
        self._closed = True
        if self._root is self and self._own_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reader(response: httpx.Response, limit: int, direct_below: int) -> BodyReader | None:
    """How to read the body under `limit`: None when httpx's own read is bounded already (no
    Content-Encoding and a Content-Length within the cap, below `direct_below`: h11 reads
    exactly that many bytes, and the response keeps them, with nothing rebuilt), else a
    BodyReader decoding the raw bytes under the cap."""
    headers = response.headers
    encoding = headers.get("content-encoding")
    length = headers.get("content-length", "")
    if encoding is None and length.isdigit():
        size = int(length)
        if size > limit:
            raise too_large(response, limit, what=_body_kind(response))  # refused unread
        if size < direct_below:
            return None
    try:
        return BodyReader(encoding, limit)
    except ValueError as exc:
        raise _undecodable(response, exc) from None


def _already_read(response: httpx.Response, limit: int) -> httpx.Response:
    """A response a transport handed over read (an in-process one: httpx.MockTransport, the
    kit's), under the same cap."""
    if len(response.content) > limit:
        raise too_large(response, limit, what=_body_kind(response))
    return response


#: Headers that described the body as it came over the wire, not as decoded.
_WIRE_FRAMING: Final = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _with_body(response: httpx.Response, body: bytes) -> httpx.Response:
    """A response like `response` holding `body` (decoded by BodyReader, under its bound):
    httpx has no public way to set a read response's content, so the read one is rebuilt.
    An encoded body's framing headers go: they described the bytes on the wire, not `body`."""
    headers: httpx.Headers | list[tuple[str, str]] = response.headers
    if "content-encoding" in response.headers:
        headers = [
            (k, v) for k, v in response.headers.multi_items() if k.lower() not in _WIRE_FRAMING
        ]
    decoded = httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions=response.extensions,
        history=response.history,
    )
    decoded.elapsed = response.elapsed
    return decoded


def _running_loop() -> asyncio.AbstractEventLoop:
    """The running asyncio loop, or ConfigurationError (never a bare RuntimeError) under trio,
    anyio's trio backend, or with no event loop at all."""
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        raise ConfigurationError(
            "AsyncStreamkapClient runs on asyncio (asyncio.run, or anyio's asyncio backend); "
            "no asyncio event loop is running here (under trio, use StreamkapClient in "
            "trio.to_thread.run_sync)"
        ) from None


def _undecodable(response: httpx.Response, exc: Exception) -> MalformedResponseError:
    request = response.request
    return MalformedResponseError(
        f"HTTP {response.status_code} from {request.method} {request.url.copy_with(query=None)}: "
        f"the body could not be decoded ({exc})",
        response=response,
    )


@dataclasses.dataclass(slots=True)
class _LoopState:
    """What an async client owns in one event loop: connections, the renewal lock, and the
    parked async generator that closes them when the loop shuts down."""

    http: httpx.AsyncClient  # on the aiohttp transport with http_backend="aiohttp"
    lock: asyncio.Lock
    #: The SDK's own pool only: requests in flight, at most its connections, the rest waiting
    #: first come, first served (neither httpcore's queue nor aiohttp's serves in order: at 500
    #: tasks some waited a whole bench window, p99 30x p50). None: a pool of yours.
    slots: asyncio.Semaphore | None
    keeper: AsyncGenerator[None, None] | None = None


class AsyncStreamkapClient(_ClientBase, AsyncResources):
    """Asynchronous client. Use as an async context manager, or await aclose().

    It works in whichever event loop awaits it: each loop gets its own connection pool and
    renewal lock (the token is shared), and a loop's pool is closed when that loop shuts down
    (`asyncio.run` and `asyncio.Runner` do so on exit), so `asyncio.run()` twice is fine.

    `http_backend="aiohttp"` (the `aiohttp` extra) puts httpx on the aiohttp transport
    (`httpx-aiohttp`), for services making many concurrent calls (see `_transport`).

    It runs on asyncio; under trio (or anyio's trio backend) it raises ConfigurationError.
    """

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        http_backend: Literal["httpx", "aiohttp"] = "httpx",
        **options: Unpack[ClientOptions],
    ) -> None:
        """`http_client=`: an `httpx.AsyncClient` of yours, used as it is in every event loop
        (an AsyncClient belongs to the loop it first ran in: that is yours to keep), never closed
        by this client. `transport=`: a transport for the pools this client builds per loop."""
        super().__init__(**options)
        self._check_pool_source(
            transport, http_client, httpx.AsyncClient, httpx.Client, "StreamkapClient"
        )
        self._user_http = http_client
        self._transport = transport
        self._aiohttp = check_backend(http_backend, transport=transport, http_client=http_client)
        self._loops: dict[asyncio.AbstractEventLoop, _LoopState] = {}
        import asyncio  # deferred: import time (see _operations)

        self._sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
        self._rebind()

    _root: AsyncStreamkapClient

    def _rebind(self) -> None:
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
        try:
            _running_loop()
            call = self._call(op, ids, params, unknown, options)
            raw = options.get("raw", False)
            if len(call.chunks) == 1 and options["progress"] is None:  # the common call
                part = await self._send(
                    op, call.prepared, call.chunks[0], call.timeout, call.max_retries,
                    call.left(), raw,
                )  # fmt: skip
                return self._merged(op, [part], raw)

            async def one(chunk: list[str]) -> Any:
                return await self._send(
                    op, call.prepared, chunk, call.timeout, call.max_retries, call.left(), raw
                )

            parts = await gather_tasks(
                one,
                call.chunks,
                max_concurrency=self.max_concurrency,
                progress=options["progress"],
            )
            return self._merged(op, parts, raw)
        except StreamkapError as exc:
            scrub(exc, self._auth.redact)
            raise

    def _after_fork(self) -> None:
        super()._after_fork()
        self._loops = {}  # the parent's loops and sockets: left alone, never closed from here

    async def _state(self) -> _LoopState:
        import asyncio

        root = self._root  # with_options() copies use the original's pools
        loop = asyncio.get_running_loop()
        state = root._loops.get(loop)
        if state is not None:
            return state
        for stale in [other for other in root._loops if other.is_closed()]:
            del root._loops[stale]  # closed without shutting down its async generators
        http = root._user_http
        slots = None
        if http is None:
            kwargs = root._client_kwargs()
            transport = root._transport
            if root._aiohttp:  # the pool settings are the transport's
                pool = {k: kwargs.pop(k) for k in ("verify", "proxy", "limits") if k in kwargs}
                transport = aiohttp_transport(root._settings.base_url, **pool)
            http = httpx.AsyncClient(
                transport=transport,
                event_hooks={"response": [check_location_async]},
                **kwargs,
            )
            if root._transport is None:
                limits = root._pool_options.get("limits") or DEFAULT_LIMITS
                slots = asyncio.Semaphore(limits.max_connections or DEFAULT_MAX_IN_FLIGHT)
        state = root._loops[loop] = _LoopState(http, asyncio.Lock(), slots)
        state.keeper = root._keep(loop, state)
        await anext(state.keeper)
        return state

    async def _keep(
        self, loop: asyncio.AbstractEventLoop, state: _LoopState
    ) -> AsyncGenerator[None, None]:
        """Parked in `loop` until the loop shuts down its async generators (or aclose()), then
        closes that loop's connections while it still runs: they cannot be closed from another
        loop, and left open they would warn when collected."""
        try:
            yield
        finally:
            if self._loops.get(loop) is state:
                del self._loops[loop]
            if self._transport is None and self._user_http is None:
                await state.http.aclose()  # not a transport or client passed in: shared, theirs

    async def _send(
        self,
        op: Operation,
        prepared: Prepared,
        ids: list[str],
        timeout: Timeout,
        max_retries: int | None,
        deadline: float | None,
        raw: bool = False,
    ) -> Any:
        import asyncio  # deferred: import time (see _operations)

        state = self._root._loops.get(asyncio.get_running_loop()) or await self._state()
        http = state.http
        request = self._request(http, op, prepared, ids)
        end = None if deadline is None else time.monotonic() + deadline
        per_attempt, flow = self._begin(request, timeout, max_retries, deadline)
        attempt = 0

        async def send_token(token_request: httpx.Request) -> httpx.Response:
            started = time.monotonic()
            try:
                response = await self._exchange(
                    http, token_request, end=end, limit=SMALL_BODY_BYTES, auth=False
                )
            except Exception as exc:
                log_request(token_request, exc, started, ids=None, attempt=attempt)
                raise
            log_request(token_request, response, started, ids=None, attempt=attempt)
            return response

        request.extensions[CALL] = AsyncCall(end, state.lock, send_token)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    request.extensions["timeout"] = _clamp(per_attempt, step.timeout)
                    attempt += 1
                    started = time.monotonic()
                    try:
                        outcome: httpx.Response | Exception = await self._attempt(
                            http, request, end, state.slots
                        )
                    except (httpx.TransportError, APIStatusError) as exc:
                        outcome = exc  # the flow decides; anything else propagates as is
                    log_request(request, outcome, started, ids=len(ids), attempt=attempt)
                    step = flow.send(outcome)
                else:
                    await self._sleep(step.seconds)
                    step = flow.send(None)
        except StopIteration as done:
            response: httpx.Response = done.value
        finally:
            flow.close()
        result = await decode_model_async(response, response_model(op), what=op.operation_id)
        result = self._checked(result, op, ids, response)
        return _raw.raw_part(result, response, attempt - 1) if raw else result

    async def _attempt(
        self,
        http: httpx.AsyncClient,
        request: httpx.Request,
        end: float | None,
        slots: asyncio.Semaphore | None,
    ) -> httpx.Response:
        """One attempt, bounded as a whole by the call's deadline (token renewal included)."""
        if end is None:
            return await self._slotted(http, request, None, slots)
        import asyncio

        scope = asyncio.timeout(max(end - time.monotonic(), 0.0))
        try:
            async with scope:
                return await self._slotted(http, request, end, slots)
        except TimeoutError:
            if scope.expired():
                raise APITimeoutError(
                    f"the call's deadline passed during {request.method} {request.url.path}"
                ) from None
            raise

    async def _slotted(
        self,
        http: httpx.AsyncClient,
        request: httpx.Request,
        end: float | None,
        slots: asyncio.Semaphore | None,
    ) -> httpx.Response:
        """`_exchange` holding one of the loop's slots (a token renewal inside uses none)."""
        if slots is None:
            return await self._exchange(http, request, end=end, limit=self.max_response_bytes)
        async with slots:
            return await self._exchange(http, request, end=end, limit=self.max_response_bytes)

    async def _exchange(
        self,
        http: httpx.AsyncClient,
        request: httpx.Request,
        *,
        end: float | None,
        limit: int,
        auth: bool = True,
    ) -> httpx.Response:
        """`request` with its token, or without (`auth=False`): see StreamkapClient."""
        if not auth:
            return await self._hop(http, request, end=end, limit=limit)

        async def hop(step: httpx.Request) -> httpx.Response:
            return await self._hop(http, step, end=end, limit=limit)

        return await self._auth.async_send(request, hop)

    async def _hop(
        self, http: httpx.AsyncClient, request: httpx.Request, *, end: float | None, limit: int
    ) -> httpx.Response:
        visited: list[httpx.URL] = []
        while True:
            if self._is_closed():
                raise self._closed_error(during=True)
            if end is not None:
                _clamp_to(request, end)
            try:
                response = await http.send(
                    request,
                    stream=True,
                    auth=None,
                    follow_redirects=False,
                )
            except Exception:
                if self._is_closed():  # aclose() from another task, mid-call
                    raise self._closed_error(during=True) from None
                raise
            try:
                check_framing(response)
                following = next_hop(request, response, visited)
                if following is None:
                    return await self._read_body(response, body_limit(response, limit))
            finally:
                await response.aclose()
            request = following

    async def _read_body(self, response: httpx.Response, limit: int) -> httpx.Response:
        if response.is_stream_consumed:
            return _already_read(response, limit)
        # larger bodies are joined off the loop (below)
        reader = _reader(response, limit, direct_below=_JOIN_IN_THREAD)
        try:
            if reader is None:
                await response.aread()
                return response
            async for chunk in response.aiter_raw():
                reader.feed(chunk)
            if reader.collected < _JOIN_IN_THREAD:
                body = reader.finish()
            else:  # joining 48 MB is 40 ms of page faults and copying: not on the loop
                import asyncio  # (bytes.join lets go of the GIL for large inputs)

                body = await asyncio.to_thread(reader.finish)
            return _with_body(response, body)
        except BodyReader.TooLarge:
            raise too_large(response, limit, what=_body_kind(response)) from None
        except zlib.error as exc:
            raise _undecodable(response, exc) from None
        except Exception:
            if self._is_closed():
                raise self._closed_error(during=True) from None
            raise

    async def aclose(self) -> None:
        """Close the client: this loop's connections now; those of loops that already shut
        down were closed then. Works from any loop. An `http_client=` of yours is left open;
        on a `with_options` copy, only the copy stops."""
        self._closed = True
        if self._root is not self:
            return

        state = self._loops.get(_running_loop())
        if state is not None and state.keeper is not None:
            await state.keeper.aclose()  # runs _keep's finally
        if self._transport is not None:
            await self._transport.aclose()

    def __enter__(self) -> None:
        raise TypeError("AsyncStreamkapClient is used with `async with`, not `with`")

    def __exit__(self, *exc: object) -> None:  # pragma: no cover - __enter__ always raises
        pass

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


# -- fork safety ----------------------------------------------------------------------------

_LIVE: weakref.WeakSet[_ClientBase] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """The child of os.fork() (gunicorn --preload, multiprocessing's fork start method) shares
    the parent's sockets: each client builds a pool of its own on next use, and every lock a
    parent thread may have held at the fork is replaced. Tokens are kept."""
    for client in list(_LIVE):
        client._after_fork()
    _decode.reset_after_fork()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)
