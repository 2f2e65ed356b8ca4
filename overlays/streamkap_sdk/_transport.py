"""The HTTP clients the SDK sends with: plain `httpx.Client` / `httpx.AsyncClient`, configured.

Every request, token requests included, goes through the public `send` of one of these (or of
an `http_client=` of yours), so whatever wraps httpx (APM agents such as Sentry, ddtrace and New
Relic, OpenTelemetry, respx, pytest-httpx, vcrpy) sees the SDK's traffic as it sees any other.

`http_backend="aiohttp"` is a transport, not another client: the published `httpx-aiohttp`
transport (the `aiohttp` extra), with three settings of ours (`aiohttp_transport`):

- the response parser reads what httpx reads: header lines up to 64 KiB, up to 256 fields;
- a pooled connection on which bytes arrived while it was idle (an unsolicited response, a 408
  the server sent before closing) is closed instead of reused, as httpcore does: otherwise that
  response would be read as the answer to the next request (`_fresh_connector_class`);
- aiohttp's exceptions become the httpx exceptions the httpx transport raises in their place,
  with the request attached and nothing of aiohttp's kept: its exceptions carry the request's
  headers, the bearer token among them (`_Mapped`).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import ssl
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Final, Literal

import httpx

from ._auth import _REDACT
from ._errors import ConfigurationError

if TYPE_CHECKING:
    import aiohttp

__all__ = ["BACKENDS", "DEFAULT_LIMITS", "aiohttp_transport", "check_backend"]

#: The values of AsyncStreamkapClient(http_backend=...).
BACKENDS: Final = ("httpx", "aiohttp")
Backend = Literal["httpx", "aiohttp"]
_INSTALL: Final = "pip install 'streamkap-sdk[aiohttp]'"

#: The pool of the SDK's own clients when `limits=` is not given: httpx's 100 connections, all
#: of which may stay alive between requests (httpx keeps 20, so under a load of more than 20
#: concurrent requests nearly every request opened a new TCP connection). Idle ones close
#: after 5 s.
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=100)
#: What the aiohttp transport's parser accepts, as h11 (httpx's parser) does.
MAX_LINE_BYTES: Final = 64 * 1024
MAX_HEADERS: Final = 256


def check_backend(http_backend: object, *, transport: object, http_client: object) -> bool:
    """True for aiohttp, False for httpx; ConfigurationError for anything else, for aiohttp
    with a transport or client of yours, or for aiohttp when it is not installed."""
    if http_backend == "httpx":
        return False
    if http_backend != "aiohttp":
        raise ConfigurationError(
            f"http_backend must be one of {', '.join(map(repr, BACKENDS))}; got {http_backend!r}"
        )
    for name, given in (("http_client", http_client), ("transport", transport)):
        if given is not None:
            raise ConfigurationError(
                f"{name}= brings its own transport and http_backend='aiohttp' is one: pass one "
                "or the other"
            )
    found = all(importlib.util.find_spec(name) is not None for name in ("aiohttp", "httpx_aiohttp"))
    if not found:
        raise ConfigurationError(
            f"http_backend='aiohttp' needs aiohttp and httpx-aiohttp, which are not installed: "
            f"{_INSTALL}"
        )
    return True


def aiohttp_transport(
    origin: httpx.URL,
    *,
    verify: ssl.SSLContext | bool = True,
    proxy: str | httpx.URL | httpx.Proxy | None = None,
    limits: httpx.Limits = DEFAULT_LIMITS,
) -> httpx.AsyncBaseTransport:
    """An `httpx-aiohttp` transport for one event loop (its session is made on first use)."""
    import aiohttp
    from httpx_aiohttp import AiohttpTransport  # type: ignore[import-not-found,unused-ignore]

    keepalive = 5.0 if limits.keepalive_expiry is None else limits.keepalive_expiry
    context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)

    def session() -> aiohttp.ClientSession:
        connector = _fresh_connector_class()(
            limit=limits.max_connections or 0,  # aiohttp: 0 is no limit
            keepalive_timeout=keepalive,
            ssl=context,
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx's client keeps cookies, if any
            timeout=aiohttp.ClientTimeout(total=None),  # per request: the transport maps them
            max_line_size=MAX_LINE_BYTES,
            max_field_size=MAX_LINE_BYTES,
            max_headers=MAX_HEADERS,
            # not aiohttp's trust_env: it would also send a ~/.netrc login as basic auth, which
            # clashes with the bearer token (environment proxies: _environment_proxy)
            trust_env=False,
        )

    if proxy is None:
        proxy = _environment_proxy(origin)
    if isinstance(proxy, str | httpx.URL):
        proxy = httpx.Proxy(proxy)
    inner = AiohttpTransport(verify=context, limits=limits, proxy=proxy, client=session)
    return _Mapped(inner)


def _environment_proxy(origin: httpx.URL) -> str | None:
    """The proxy HTTP(S)_PROXY / ALL_PROXY name for `origin`, unless NO_PROXY exempts it (a
    host, a domain and its subdomains, or `*`), as httpx reads them for its own transport."""
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    found = proxies.get(origin.scheme) or proxies.get("all")
    host = origin.host.lower()
    exempt = [e.strip().lower().lstrip(".").split(":")[0] for e in proxies.get("no", "").split(",")]
    if any(e == "*" or (e and (host == e or host.endswith("." + e))) for e in exempt):
        return None
    return found or None


@functools.cache  # made on first use: aiohttp is imported with the first aiohttp client
def _fresh_connector_class() -> type[aiohttp.TCPConnector]:
    import aiohttp

    class FreshConnector(aiohttp.TCPConnector):
        """A pool that never hands out a connection holding bytes nobody asked for.

        aiohttp keeps what an idle connection receives and parses it as the next request's
        response. `Connection.protocol.should_close` (public, on aiohttp's protocol) is true
        when bytes are buffered; such a connection is closed and another one taken. The one
        place that relies on aiohttp's protocol object: tests/test_wire.py checks it still says
        so (a stale answer must never be the next call's).
        """

        async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
            for _ in range(MAX_HEADERS):  # bounded: each round closes one stale connection
                conn = await super().connect(req, traces, timeout)
                protocol = conn.protocol
                if protocol is None or not protocol.should_close:
                    return conn
                conn.close()
            return await super().connect(req, traces, timeout)

    return FreshConnector


class _Mapped(httpx.AsyncBaseTransport):
    """aiohttp's exceptions (raised, or chained by httpx-aiohttp) as httpx's, request attached."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        error: httpx.TransportError | None = None
        try:
            response = await self._inner.handle_async_request(request)
        except Exception as exc:
            error = _mapped(exc, request, connecting=True)
            if error is None:
                raise
        if error is not None:
            raise error  # outside the except block: aiohttp's exception is not its context
        response.stream = _Body(response.stream, request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: Any, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._stream.__aiter__()
        while True:
            error: httpx.TransportError | None = None
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except Exception as exc:
                error = _mapped(exc, self._request, connecting=False)
                if error is None:
                    raise
            if error is not None:
                raise error
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


def _mapped(
    exc: BaseException, request: httpx.Request, *, connecting: bool
) -> httpx.TransportError | None:
    """The httpx exception for an aiohttp one (None: not aiohttp's), named after it."""
    import aiohttp

    cause = exc.__cause__ if isinstance(exc, httpx.HTTPError) else exc
    if not isinstance(cause, aiohttp.ClientError | TimeoutError | OSError):
        if isinstance(exc, httpx.TransportError):  # httpx-aiohttp's own, unchained
            return type(exc)(str(exc), request=request)
        return None
    kind: type[httpx.TransportError]
    if isinstance(cause, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(cause, TimeoutError):
        sent = isinstance(cause, aiohttp.SocketTimeoutError)
        kind = httpx.ConnectTimeout if connecting and not sent else httpx.ReadTimeout
    elif isinstance(cause, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        kind = httpx.ProxyError
    elif isinstance(cause, aiohttp.ClientConnectorError):
        kind = httpx.ConnectError
    elif isinstance(
        cause,  # a dropped connection, a cut-off body, a response aiohttp could not parse
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        kind = httpx.RemoteProtocolError
    elif isinstance(cause, aiohttp.InvalidURL):
        kind = httpx.UnsupportedProtocol
    else:  # a connection reset, any other OSError
        kind = httpx.ReadError
    if isinstance(cause, aiohttp.ClientResponseError):
        detail = cause.message  # its str holds the URL and aiohttp's request info
    else:
        detail = str(cause) or "no detail"
    return kind(f"{type(cause).__name__}: {detail}", request=request)


for _name in ("aiohttp.client", "aiohttp.internal"):
    logging.getLogger(_name).addFilter(_REDACT)  # secrets masked, as in httpx's loggers
