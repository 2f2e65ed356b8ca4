"""The aiohttp backend of AsyncStreamkapClient: `http_backend="aiohttp"` (the `aiohttp` extra).

`AiohttpClient` has the four members of `httpx.AsyncClient` that the async client uses
(`AsyncSender`: `base_url`, `build_request`, `send`, `aclose`), so everything above the wire is
the same code on both backends: requests and responses stay httpx objects; the client's
`_exchange` still follows only same-origin redirects (`_http.next_hop`) and reads bodies through
`BodyReader`; the retry flow, the deadline and the errors are untouched. What this module does is
what httpx's client layer did, for less: it drives the auth flow (`TokenAuth.async_auth_flow`,
with its single-flight renewal) as `httpx.AsyncClient.send` does, runs the redirect check hook,
and moves the bytes with one `aiohttp.ClientSession` per event loop (the client's `_state`).

- Bodies arrive raw (`auto_decompress=False`): `BodyReader` decodes them under its bounds.
- Timeouts map onto aiohttp's: httpx's `connect` is `sock_connect`, `read` is `sock_read`, and
  `pool` bounds getting a connection (aiohttp's `connect`, which includes connecting); aiohttp
  has no write timeout (the call's deadline still bounds everything, `asyncio.timeout`).
- Every aiohttp exception becomes the httpx exception the httpx backend raises in its place
  (`ConnectError`, `ConnectTimeout`, `ReadTimeout`, `RemoteProtocolError`, `ReadError`), with
  the request attached and nothing of aiohttp's: its exceptions carry the request's headers
  (the bearer token among them), so they are neither chained nor kept.
- No cookies are kept and no proxy is read from the environment (httpx's client does both); TLS
  uses the same CA bundle as httpx (`httpx.create_ssl_context`).

aiohttp is imported when the first client with this backend is made, not with the SDK.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import logging
import operator
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol

import httpx

from ._auth import _REDACT, TokenAuth
from ._errors import ConfigurationError
from ._http import check_location

if TYPE_CHECKING:
    import ssl

    import aiohttp
    import multidict
    import yarl

__all__ = ["BACKENDS", "AiohttpClient", "AsyncSender", "Backend", "Body", "check_backend"]

#: The values of AsyncStreamkapClient(http_backend=...).
BACKENDS: Final = ("httpx", "aiohttp")
_INSTALL: Final = "pip install 'streamkap-sdk[aiohttp]'"
#: Connections per loop, as httpx's default pool (httpx.Limits: 100, idle ones kept 5 s).
MAX_CONNECTIONS: Final = 100
KEEPALIVE_EXPIRY: Final = 5.0
_CACHE_SIZE: Final = 256  # entries in each per-pool cache of request pieces


class AsyncSender(Protocol):
    """What AsyncStreamkapClient uses of its connection pool: `httpx.AsyncClient` has it, and
    so does `AiohttpClient`."""

    @property
    def base_url(self) -> httpx.URL: ...

    def build_request(
        self, method: str, url: httpx.URL | str, *, params: Any = ..., json: Any = ...,
        headers: Any = ...,
    ) -> httpx.Request: ...  # fmt: skip

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = ...,
        auth: httpx.Auth | None = ...,
        follow_redirects: bool = ...,
    ) -> httpx.Response: ...

    async def aclose(self) -> None: ...


def check_backend(http_backend: object, *, transport: object, http_client: object = None) -> bool:
    """True for aiohttp, False for httpx; ConfigurationError for anything else, for aiohttp
    with an httpx transport, or for aiohttp when it is not installed."""
    if http_backend == "httpx":
        return False
    if http_backend != "aiohttp":
        raise ConfigurationError(
            f"http_backend must be one of {', '.join(map(repr, BACKENDS))}; got {http_backend!r}"
        )
    if http_client is not None:
        raise ConfigurationError(
            "http_client= is an httpx.AsyncClient and http_backend='aiohttp' does not use httpx "
            "to send: pass one or the other"
        )
    if transport is not None:
        raise ConfigurationError(
            "transport= is an httpx transport and http_backend='aiohttp' does not use httpx to "
            "send: pass one or the other"
        )
    try:
        found = importlib.util.find_spec("aiohttp") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ConfigurationError(
            f"http_backend='aiohttp' needs aiohttp, which is not installed: {_INSTALL}"
        )
    return True


# -- the client -----------------------------------------------------------------------------


class Backend:
    """An AsyncStreamkapClient's aiohttp settings: `open()` makes one event loop's pool."""

    def __init__(self, *urls: httpx.URL) -> None:
        self._tls = any(url.scheme == "https" for url in urls)  # else: no TLS set-up at all
        self._ssl: dict[str | bool, ssl.SSLContext] = {}

    def open(
        self,
        *,
        base_url: httpx.URL,
        timeout: httpx.Timeout,
        follow_redirects: bool,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
        verify: ssl.SSLContext | str | bool = True,
        limits: httpx.Limits | None = None,
        proxy: str | httpx.URL | httpx.Proxy | None = None,
    ) -> AiohttpClient:
        """The pool for the running loop, from the keywords the client gives httpx.AsyncClient
        (`auth` goes with each `send`; redirects are the client's to follow, never aiohttp's)."""
        assert not follow_redirects
        del auth
        connections, keepalive = MAX_CONNECTIONS, KEEPALIVE_EXPIRY
        if limits is not None:
            connections = limits.max_connections or 0  # aiohttp: 0 is no limit
            keepalive = (
                KEEPALIVE_EXPIRY if limits.keepalive_expiry is None else limits.keepalive_expiry
            )
        if isinstance(proxy, httpx.Proxy):
            proxy = proxy.url
        return AiohttpClient(
            base_url=base_url,
            headers=headers or {},
            proxy=None if proxy is None else str(proxy),
            timeout=timeout,
            ssl=self._context(verify),
            connections=connections,
            keepalive=keepalive,
        )

    def _context(self, verify: ssl.SSLContext | str | bool) -> ssl.SSLContext | bool:
        """The TLS settings httpx would use for `verify` (its CA bundle, SSL_CERT_FILE and
        SSL_CERT_DIR), made once per client: it takes tens of milliseconds."""
        if not self._tls:
            return True
        if not isinstance(verify, bool | str):
            return verify  # an SSLContext, used as is (as httpx does)
        context = self._ssl.get(verify)
        if context is None:
            context = self._ssl[verify] = httpx.create_ssl_context(verify=verify)
        return context


class AiohttpClient:
    """One event loop's connections, over aiohttp (see the module docstring). Built inside the
    running loop it serves; closed with `aclose()` in that loop."""

    def __init__(
        self,
        *,
        base_url: httpx.URL,
        headers: dict[str, str],
        timeout: httpx.Timeout,
        ssl: ssl.SSLContext | bool,
        connections: int,
        keepalive: float,
        proxy: str | None = None,
    ) -> None:
        import aiohttp
        import multidict
        import yarl

        self._base_url = base_url
        self._timeout = timeout.as_dict()
        self._headers = httpx.Headers(
            {
                "Accept": "*/*",
                "Accept-Encoding": "gzip, deflate",
                "Connection": "keep-alive",
                "User-Agent": aiohttp.http.SERVER_SOFTWARE,
            }
        )
        self._headers.update(headers)  # httpx.AsyncClient(headers=...): these win
        self._aiohttp = aiohttp
        self._URL = yarl.URL
        self._urls: dict[tuple[int, tuple[tuple[str, Any], ...]], tuple[httpx.URL, httpx.URL]] = {}
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        self._wires: dict[int, tuple[httpx.URL, yarl.URL, str | None, Any]] = {}
        self._header_sets: dict[
            tuple[bytes, tuple[tuple[str, str], ...], bool, int], httpx.Headers
        ] = {}
        # The wire form of each header set above, by the id of its first entry (see _wire_headers)
        self._wire_sets: dict[int, _WireSet] = {}
        self._CIMultiDict = multidict.CIMultiDict
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=keepalive, ssl=ssl),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,  # BodyReader decodes, bounded
            timeout=aiohttp.ClientTimeout(total=None),
            # Environment proxies (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) are read here, once per
            # origin (`_proxy_for`), as httpx reads them once per client: aiohttp's trust_env
            # reads them in a thread on every request (and a ~/.netrc login, which would clash
            # with the bearer token), a third of the backend's throughput.
            trust_env=False,
            raise_for_status=False,
        )
        self._proxy = proxy
        self._env_proxies: dict[tuple[str, str, int | None], tuple[str | None, Any]] = {}
        import asyncio  # deferred: import time (see _operations)

        self._loop = asyncio.get_running_loop()
        with _OPEN_LOCK:
            _OPEN.add(self)

    @property
    def base_url(self) -> httpx.URL:
        return self._base_url

    def build_request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Any = None,
        json: Any = None,
        headers: Any = None,
    ) -> httpx.Request:
        """The request `httpx.AsyncClient.build_request` makes (same URL, query, body and
        headers, bar the User-Agent), for a fraction of its cost: the URL with its query and
        the headers are worked out once per distinct query and header set."""
        if not isinstance(url, httpx.URL):
            url = httpx.URL(url)
        if url.is_relative_url:
            base = self._base_url
            url = base.copy_with(raw_path=base.raw_path + url.raw_path.lstrip(b"/"))
        if params:
            url = self._with_params(url, params)
        body = b"" if json is None else _json_bytes(json)
        headers = self._headers_for(url, headers, json=json is not None, length=len(body))
        request = httpx.Request(
            method,
            url,
            headers=headers,
            stream=httpx.ByteStream(body),  # as given: no header work (Host etc. are there)
            extensions={"timeout": self._timeout},
        )
        request.url = url  # the cached object, not Request's copy of it: `_wire` is keyed by it
        # The set's encoding, worked out once (the auth flow adds an ASCII token, checked).
        request.headers.encoding = headers.encoding
        request.read()
        return request

    def _headers_for(
        self, url: httpx.URL, headers: Any, *, json: bool, length: int
    ) -> httpx.Headers:
        if headers and not isinstance(headers, dict):
            headers = dict(httpx.Headers(headers).multi_items())
        key = (url.netloc, tuple(headers.items()) if headers else (), json, length)
        merged = self._header_sets.get(key)
        if merged is None:
            if len(self._header_sets) >= _CACHE_SIZE:
                self._header_sets.clear()
                self._wire_sets.clear()
            merged = httpx.Headers({"Host": url.netloc.decode("ascii"), **self._headers})
            if headers:
                merged.update(headers)
            if json:
                merged.setdefault("Content-Type", "application/json")
            merged["Content-Length"] = str(length)
            self._header_sets[key] = merged
            entries = _entries(merged)
            if entries:
                encoding = merged.encoding
                self._wire_sets[id(entries[0])] = _WireSet(
                    tuple(entries),
                    self._CIMultiDict(
                        (k.decode(encoding), v.decode(encoding)) for k, _, v in entries
                    ),
                    "content-type" in merged,
                )
        return merged

    def _with_params(self, url: httpx.URL, params: Any) -> httpx.URL:
        # Keyed by the URL object, which the client caches per operation (hashing a URL
        # formats it); the entry holds it, so its id is not reused while the entry lives.
        try:
            key = (id(url), tuple(params.items()))
            hash(key)
        except (TypeError, AttributeError):  # a list value, or params not a mapping
            return url.copy_merge_params(params)
        entry = self._urls.get(key)
        if entry is None or entry[0] is not url:
            if len(self._urls) >= _CACHE_SIZE:
                self._urls.clear()
            entry = self._urls[key] = (url, url.copy_merge_params(params))
        return entry[1]

    def _wire_timeout(self, timeout: dict[str, float | None]) -> aiohttp.ClientTimeout:
        key = (timeout.get("pool"), timeout.get("connect"), timeout.get("read"))
        wire = self._timeouts.get(key)
        if wire is None:
            if len(self._timeouts) >= _CACHE_SIZE:
                self._timeouts.clear()
            wire = self._timeouts[key] = self._aiohttp.ClientTimeout(
                total=None, connect=key[0], sock_connect=key[1], sock_read=key[2]
            )
        return wire

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = True,
        auth: httpx.Auth | None = None,
        follow_redirects: bool = False,
    ) -> httpx.Response:
        """Send `request` through `auth`'s flow (as httpx.AsyncClient.send does); the response's
        body is left to read (`aiter_raw`), whatever `stream` says."""
        if auth is None:
            return await self._send_one(request)
        if isinstance(auth, TokenAuth):  # the client's: its coroutine driver
            return await auth.async_send(request, self._send_one)
        flow = auth.async_auth_flow(request)
        try:
            request = await anext(flow)
            while True:
                response = await self._send_one(request)
                try:
                    request = await flow.asend(response)
                except StopAsyncIteration:
                    return response
                except BaseException:
                    await response.aclose()
                    raise
                await response.aclose()  # a 401 the flow replays (it has read it, bounded)
        finally:
            await flow.aclose()

    async def _send_one(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        url, proxy, proxy_headers = self._wire(request.url)
        content = request.content
        headers, skip = self._wire_headers(request.headers, bool(content))
        try:
            answer = await self._session.request(
                request.method,
                url,
                data=content or None,  # none: Content-Length 0 (ours), no Content-Type
                skip_auto_headers=skip,
                headers=headers,
                allow_redirects=False,
                proxy=proxy,
                proxy_headers=proxy_headers,
                timeout=self._wire_timeout(request.extensions.get("timeout") or self._timeout),
            )
        except _errors() as exc:
            error = _mapped(exc, request, connecting=True)
        else:
            response = httpx.Response(
                answer.status,
                headers=answer.raw_headers,
                stream=Body(answer, request),
                request=request,
                extensions={
                    "http_version": _http_version(answer.version),
                    "reason_phrase": (answer.reason or "").encode("ascii", "replace"),
                },
            )
            # Until the headers (httpx: until the body is closed): RawResponse.elapsed.
            response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
            try:
                check_location(response)  # what httpx's response hook does (see _http)
            except BaseException:
                await response.aclose()
                raise
            return response
        raise error  # outside the except block: no aiohttp exception in its __context__

    def _wire_headers(
        self, headers: httpx.Headers, body: bool
    ) -> tuple[multidict.CIMultiDict[str], tuple[str, ...] | None]:
        """The request's headers as aiohttp takes them, and the headers aiohttp must not make
        up (`skip_auto_headers`): only those httpx sends are sent. A request from
        `build_request` holds its header set's entries (httpx copies the list, not the entries)
        with what the auth flow added after them (the Authorization): only those are decoded,
        and aiohttp has nothing to add (no header copy on its side either) unless a body has no
        Content-Type. Any other request (a token request, a redirect) is decoded whole."""
        entries = _entries(headers)
        wire_set = self._wire_sets.get(id(entries[0])) if entries else None
        encoding = headers.encoding
        if wire_set is not None:
            base = wire_set.entries
            if len(entries) >= len(base) and all(map(operator.is_, base, entries)):
                wire = wire_set.headers.copy()
                for key, _, value in entries[len(base) :]:
                    wire.add(key.decode(encoding), value.decode(encoding))
                return wire, None if wire_set.typed or not body else _NO_CONTENT_TYPE
        wire = self._CIMultiDict((k.decode(encoding), v.decode(encoding)) for k, _, v in entries)
        return wire, _AUTO_HEADERS

    def _wire(self, url: httpx.URL) -> tuple[Any, str | None, Any]:
        """`url` as aiohttp takes it (as httpx encoded it), with its proxy and proxy headers:
        worked out once per URL object (the client reuses one per operation and query)."""
        entry = self._wires.get(id(url))
        if entry is None or entry[0] is not url:  # the entry holds the URL: its id stays its own
            if len(self._wires) >= _CACHE_SIZE:
                self._wires.clear()
            entry = self._wires[id(url)] = (
                url,
                self._URL(str(url), encoded=True),
                *self._proxy_for(url),
            )
        return entry[1:]

    def _proxy_for(self, url: httpx.URL) -> tuple[str | None, Any]:
        """The proxy for `url` and its headers: the one chosen (`proxy=`), else the
        environment's for the URL's origin, looked up once (the lookup reads the environment
        and ~/.netrc: microseconds to spare per request, but not to repeat)."""
        if self._proxy is not None:
            return self._proxy, None
        key = (url.scheme, url.host, url.port)
        found = self._env_proxies.get(key)
        if found is None:
            from aiohttp.helpers import get_env_proxy_for_url

            try:
                where, login = get_env_proxy_for_url(self._URL(str(url), encoded=True))
            except LookupError:
                found = (None, None)
            else:
                headers = None if login is None else {"Proxy-Authorization": login.encode()}
                found = (str(where), headers)
            self._env_proxies[key] = found
        return found

    async def aclose(self) -> None:
        with _OPEN_LOCK:
            _OPEN.discard(self)
        await self._session.close()

    def _forget(self) -> None:
        """Give up this pool without closing its connections (see the callers): aiohttp marked
        closed, so that neither its own `__del__` nor its connector's closes them (an aiohttp
        connector collected open closes each connection, TLS close_notify included) nor warns.
        Sockets still open are then the event loop's transports', which only close their file
        descriptor when collected, as the httpx backend's do."""
        with _OPEN_LOCK:
            _OPEN.discard(self)
        connector = self._session.connector
        self._session.detach()
        if connector is not None:
            connector._closed = True  # aiohttp has no public "forget": see above


class Body(httpx.AsyncByteStream):
    """An aiohttp response's body, raw, with aiohttp's errors turned into httpx's. Its own
    iterator (an async generator costs the event loop's bookkeeping on every response)."""

    __slots__ = ("_answer", "_request")

    def __init__(self, answer: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._answer = answer
        self._request = request

    def __aiter__(self) -> Body:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._answer.content.readany()
        except _errors() as exc:
            error = _mapped(exc, self._request, connecting=False)
        else:
            if chunk:
                return chunk
            raise StopAsyncIteration
        raise error  # outside the except block: no aiohttp exception in its __context__

    async def aclose(self) -> None:
        answer = self._answer
        if answer.content.is_eof():
            answer.release()  # the connection goes back to the pool
        else:
            answer.close()  # not read to its end (a redirect, too large): the connection goes


_NO_CONTENT_TYPE: Final = ("Content-Type",)
#: What aiohttp adds to a request that lacks them (httpx adds them only in build_request).
_AUTO_HEADERS: Final = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


class _WireSet(NamedTuple):
    entries: tuple[tuple[bytes, bytes, bytes], ...]  # the httpx.Headers entries of one set
    headers: multidict.CIMultiDict[str]  # the same, decoded
    typed: bool  # a Content-Type among them


def _entries(headers: httpx.Headers) -> list[tuple[bytes, bytes, bytes]]:
    """httpx's own list of (name, lowercased name, value) of `headers` (httpx and httpx2 keep
    it as `_list`; `raw` makes one up where it is not)."""
    entries: list[tuple[bytes, bytes, bytes]] | None = getattr(headers, "_list", None)
    if entries is None:
        entries = [(k, k.lower(), v) for k, v in headers.raw]
    return entries


_VERSIONS: dict[Any, bytes] = {}


def _http_version(version: Any) -> bytes:
    """b"HTTP/1.1" for aiohttp's HttpVersion(1, 1), made once per version."""
    found = _VERSIONS.get(version)
    if found is None:
        found = b"HTTP/1.1" if version is None else f"HTTP/{version[0]}.{version[1]}".encode()
        if len(_VERSIONS) < 8:
            _VERSIONS[version] = found
    return found


# -- errors ---------------------------------------------------------------------------------

_ERRORS: tuple[type[BaseException], ...] | None = None


def _errors() -> tuple[type[BaseException], ...]:
    global _ERRORS
    if _ERRORS is None:
        import aiohttp

        _ERRORS = (aiohttp.ClientError, OSError, TimeoutError)
    return _ERRORS


def _mapped(exc: BaseException, request: httpx.Request, *, connecting: bool) -> httpx.HTTPError:
    """The httpx exception for an aiohttp one, named after it, with none of its attributes."""
    import aiohttp

    kind: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, TimeoutError):
        kind = httpx.ConnectTimeout if connecting and not _sent(exc) else httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):
        kind = httpx.ConnectError
    elif isinstance(
        exc,  # a dropped connection, a cut-off body, a response aiohttp could not parse
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        kind = httpx.RemoteProtocolError
    elif isinstance(exc, aiohttp.InvalidURL):
        kind = httpx.UnsupportedProtocol
    else:  # a connection reset or refused write, any other OSError
        kind = httpx.ConnectError if connecting and isinstance(exc, ConnectionRefusedError) else (
            httpx.ReadError
        )  # fmt: skip
    return kind(f"{type(exc).__name__}: {_message(exc)}", request=request)


def _sent(exc: BaseException) -> bool:
    import aiohttp

    return isinstance(exc, aiohttp.SocketTimeoutError)


def _message(exc: BaseException) -> str:
    import aiohttp

    if isinstance(exc, aiohttp.ClientResponseError):
        return exc.message  # its str holds the URL with the query, which the error shows anyway
    return str(exc) or "no detail"


_JSON: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


#: The C encoder behind _JSON, made once: JSONEncoder.encode makes one per call (and a dict of
#: the objects it has seen, for cycles; every body here went through json.dumps in prepare()).
_MAKE_ENCODER: Any = getattr(json.encoder, "c_make_encoder", None)  # CPython's C accelerator
_C_ENCODE: Final = (
    None
    if _MAKE_ENCODER is None
    else _MAKE_ENCODER(
        None, _JSON.default, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )
)


def _json_bytes(value: Any) -> bytes:
    """A JSON body as httpx (0.28) encodes `json=`."""
    if _C_ENCODE is not None and type(value) is dict:
        return "".join(_C_ENCODE(value, 0)).encode()
    return _JSON.encode(value).encode()


# -- fork safety and closed loops -----------------------------------------------------------

_OPEN: weakref.WeakSet[AiohttpClient] = weakref.WeakSet()  # every loop's, in every thread
_OPEN_LOCK = threading.Lock()
_ABANDONED: list[AiohttpClient] = []


def forget_closed_loops() -> None:
    """Pools whose loop was closed without shutting down its async generators, so that the
    client never closed them, and now cannot (closing needs their loop)."""
    with _OPEN_LOCK:
        stale = [client for client in _OPEN if client._loop.is_closed()]
    for client in stale:
        client._forget()


def _after_fork_in_child() -> None:
    """The parent's pools, with their sockets, are the parent's: left alone (see _client), and
    kept, so that the child does not even close its copies of their file descriptors. (The
    lock may have been held by a parent thread at the fork: the child gets a new one.)"""
    global _OPEN_LOCK
    _OPEN_LOCK = threading.Lock()
    for client in list(_OPEN):
        client._forget()
        _ABANDONED.append(client)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

for _name in ("aiohttp.client", "aiohttp.internal"):
    logging.getLogger(_name).addFilter(_REDACT)  # secrets masked, as in httpx's loggers
