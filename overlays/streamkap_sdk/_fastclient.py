"""httpx's clients with a shorter path for the requests the SDK sends: same wire, less work.

The SDK's own pools (not an `http_client=` of yours, which is used as it is) are these
subclasses of `httpx.Client` and `httpx.AsyncClient`. For the requests the SDK builds and
sends, the generic client layer cost more than the SDK itself (two thirds of a small call's
client-side time; more than raw httpx's whole call under load): every request re-parsed its URL
to add the query, merged the headers afresh, went through the cookie jar twice (once to add
cookies nobody set, once to look for a `Set-Cookie` no server sent), and through three layers of
send. Here, for exactly those requests:

- `build_request`: the URL with its query is built once per (URL, query) and kept (a small
  bounded cache), the merged headers once per set of request headers, and the JSON body is
  encoded as httpx encodes it (compact, UTF-8, NaN refused);
- `send` (`stream=True`, no redirects followed: all the SDK asks for): the auth flow is driven
  as httpx drives it, and the request goes straight to the transport httpx would pick (proxies
  included), with the event hooks, `response.elapsed`, the `request` attached to transport
  errors, and httpx's INFO log line kept; cookies are still stored, when a response sets any.

Anything else (other arguments, a client with cookies or params of its own, a URL carrying a
user name, a closed client) takes httpx's own path, unchanged. The connection pools these
clients build get a linear-time version of httpcore's assignment step (`_pool`).
"""

from __future__ import annotations

import datetime
import json as _json
import logging
import time
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from typing import Any, Final

import httpx

__all__ = ["AsyncClient", "Client"]

#: httpx's own request log line, kept (its logger is "httpx2" under httpx2.alias_httpx())
_logger = logging.getLogger(httpx.__name__)
_CACHE_SIZE: Final = 256
_DEFAULT: Any = httpx.USE_CLIENT_DEFAULT
#: The short `send` needs httpx's transport choice (proxies, mounts); without it, httpx's send.
_ROUTES: Final = hasattr(httpx.Client, "_transport_for_url") and hasattr(
    httpx.AsyncClient, "_transport_for_url"
)


def _encode_json(value: Any) -> bytes:
    """As httpx 0.28 encodes `json=` (httpx._content.encode_json)."""
    return _json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def _query_key(params: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """A hashable key for `params` (None when a value is not a plain scalar or list of them)."""
    items: list[Any] = []
    for name, value in params.items():
        # a list as a 1-tuple holding a tuple: never equal to a scalar
        items.append((name, (tuple(value),) if isinstance(value, list | tuple) else value))
    key = tuple(items)
    try:
        hash(key)
    except TypeError:
        return None
    return key


class _Fast:
    """What both clients share: the cached pieces of a request."""

    _urls: dict[tuple[Any, ...], httpx.URL]
    _heads: dict[tuple[Any, ...], httpx.Headers]
    headers: httpx.Headers
    cookies: httpx.Cookies
    params: httpx.QueryParams
    timeout: httpx.Timeout

    def _setup(self) -> None:
        self._urls = {}
        self._heads = {}

    def _plain(
        self,
        url: object,
        content: object,
        data: object,
        files: object,
        json: object,
        params: object,
        headers: object,
        cookies: object,
        timeout: object,
        extensions: object,
    ) -> bool:
        """A request the short path builds exactly as httpx would."""
        return (
            isinstance(url, httpx.URL)
            and url.is_absolute_url
            and not url.userinfo
            and content is None
            and data is None
            and files is None
            and json is not None
            and cookies is None
            and timeout is _DEFAULT
            and extensions is None
            and isinstance(params, dict)
            and (headers is None or isinstance(headers, dict))
            and not self.cookies
            and not self.params
        )

    def _fast_request(
        self, method: str, url: httpx.URL, params: dict[str, Any], json: Any, headers: Any
    ) -> httpx.Request | None:
        key = _query_key(params)
        if key is None:
            return None
        url_key = (url, key)
        full = self._urls.get(url_key)
        if full is None:
            if len(self._urls) >= _CACHE_SIZE:
                self._urls.clear()
            full = self._urls[url_key] = httpx.URL(url, params=params)
        head_key = (id(self.headers), full.netloc, *(headers or {}).items())
        base = self._heads.get(head_key)
        if base is None:
            merged = httpx.Headers(self.headers)
            merged.update(headers)
            if "Host" not in merged:
                merged = httpx.Headers([(b"Host", full.netloc), *merged.raw])
            if len(self._heads) >= _CACHE_SIZE:
                self._heads.clear()
            base = self._heads[head_key] = merged
        body = _encode_json(json)
        sent = httpx.Headers(base)
        sent.setdefault("Content-Type", "application/json")
        sent["Content-Length"] = str(len(body))
        request = httpx.Request(
            method,
            full,
            headers=sent,
            stream=httpx.ByteStream(body),
            extensions={"timeout": self.timeout.as_dict()},
        )
        request.read()  # `request.content`, as for any request built with content
        return request

    def _auth_for(self, request: httpx.Request, auth: Any) -> tuple[bool, httpx.Auth | None]:
        """(usable, auth) for the short path: what httpx.Client._build_request_auth returns,
        unless that takes more than an Auth instance or None."""
        if request.url.userinfo or not _ROUTES:
            return False, None  # httpx would turn it into BasicAuth
        chosen = getattr(self, "_auth", None) if auth is _DEFAULT else auth
        if chosen is None or isinstance(chosen, httpx.Auth):
            return True, chosen
        return False, None


class _TimedAsync(httpx.AsyncByteStream):
    """Sets `response.elapsed` when the response is closed, as httpx's own wrapper does."""

    def __init__(self, stream: httpx.AsyncByteStream, response: httpx.Response, start: float):
        self._stream = stream
        self._response = response
        self._start = start

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        self._response.elapsed = datetime.timedelta(seconds=time.perf_counter() - self._start)
        await self._stream.aclose()


class _TimedSync(httpx.SyncByteStream):
    def __init__(self, stream: httpx.SyncByteStream, response: httpx.Response, start: float):
        self._stream = stream
        self._response = response
        self._start = start

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        self._response.elapsed = datetime.timedelta(seconds=time.perf_counter() - self._start)
        self._stream.close()


def _log(request: httpx.Request, response: httpx.Response) -> None:
    if _logger.isEnabledFor(logging.INFO):
        _logger.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )


def _adopt_pools(client: httpx.Client | httpx.AsyncClient, kwargs: dict[str, Any]) -> None:
    """The pools httpx built for this client (not a transport passed in) get `_pool.assign`."""
    if kwargs.get("transport") is None:
        from . import _pool  # deferred: it imports httpcore, as httpx's transports do

        for transport in (client._transport, *client._mounts.values()):
            _pool.adopt(transport)


class AsyncClient(_Fast, httpx.AsyncClient):
    """httpx.AsyncClient, with the short path (module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._setup()
        _adopt_pools(self, kwargs)

    def build_request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        content: Any = None,
        data: Any = None,
        files: Any = None,
        json: Any = None,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        timeout: Any = _DEFAULT,
        extensions: Any = None,
    ) -> httpx.Request:
        if self._plain(
            url, content, data, files, json, params, headers, cookies, timeout, extensions
        ):
            assert isinstance(url, httpx.URL)
            request = self._fast_request(method, url, params, json, headers)
            if request is not None:
                return request
        return super().build_request(
            method, url, content=content, data=data, files=files, json=json, params=params,
            headers=headers, cookies=cookies, timeout=timeout, extensions=extensions,
        )  # fmt: skip

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = _DEFAULT,
        follow_redirects: Any = _DEFAULT,
    ) -> httpx.Response:
        usable, chosen = self._auth_for(request, auth)
        if not (stream and follow_redirects is False and usable) or self.is_closed:
            return await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        if "timeout" not in request.extensions:
            request.extensions["timeout"] = self.timeout.as_dict()
        if chosen is None:
            return await self._one(request, [])
        flow = chosen.async_auth_flow(request)
        try:
            request = await flow.__anext__()
            history: list[httpx.Response] = []
            while True:
                response = await self._one(request, history)
                try:
                    try:
                        following = await flow.asend(response)
                    except StopAsyncIteration:
                        return response
                    response.history = list(history)
                    await response.aread()
                    request = following
                    history.append(response)
                except BaseException:
                    await response.aclose()
                    raise
        finally:
            await flow.aclose()

    async def _one(self, request: httpx.Request, history: list[httpx.Response]) -> httpx.Response:
        """httpx's _send_handling_redirects + _send_single_request, for a request whose
        redirects are not followed."""
        hooks = self.event_hooks
        for hook in hooks["request"]:
            await hook(request)
        transport = self._transport_for_url(request.url)
        start = time.perf_counter()
        try:
            response = await transport.handle_async_request(request)
        except httpx.RequestError as exc:
            exc.request = request
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.request = request
        response.stream = _TimedAsync(response.stream, response, start)
        response.history = list(history)
        try:
            if "set-cookie" in response.headers:
                self.cookies.extract_cookies(response)
            _log(request, response)
            for hook in hooks["response"]:
                await hook(response)
        except BaseException:
            await response.aclose()
            raise
        return response


class Client(_Fast, httpx.Client):
    """httpx.Client, with the short path (module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._setup()
        _adopt_pools(self, kwargs)

    def build_request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        content: Any = None,
        data: Any = None,
        files: Any = None,
        json: Any = None,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        timeout: Any = _DEFAULT,
        extensions: Any = None,
    ) -> httpx.Request:
        if self._plain(
            url, content, data, files, json, params, headers, cookies, timeout, extensions
        ):
            assert isinstance(url, httpx.URL)
            request = self._fast_request(method, url, params, json, headers)
            if request is not None:
                return request
        return super().build_request(
            method, url, content=content, data=data, files=files, json=json, params=params,
            headers=headers, cookies=cookies, timeout=timeout, extensions=extensions,
        )  # fmt: skip

    def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = _DEFAULT,
        follow_redirects: Any = _DEFAULT,
    ) -> httpx.Response:
        usable, chosen = self._auth_for(request, auth)
        if not (stream and follow_redirects is False and usable) or self.is_closed:
            return super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        if "timeout" not in request.extensions:
            request.extensions["timeout"] = self.timeout.as_dict()
        if chosen is None:
            return self._one(request, [])
        flow: Generator[httpx.Request, httpx.Response, None] = chosen.sync_auth_flow(request)
        try:
            request = next(flow)
            history: list[httpx.Response] = []
            while True:
                response = self._one(request, history)
                try:
                    try:
                        following = flow.send(response)
                    except StopIteration:
                        return response
                    response.history = list(history)
                    response.read()
                    request = following
                    history.append(response)
                except BaseException:
                    response.close()
                    raise
        finally:
            flow.close()

    def _one(self, request: httpx.Request, history: list[httpx.Response]) -> httpx.Response:
        hooks = self.event_hooks
        for hook in hooks["request"]:
            hook(request)
        transport = self._transport_for_url(request.url)
        start = time.perf_counter()
        try:
            response = transport.handle_request(request)
        except httpx.RequestError as exc:
            exc.request = request
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.request = request
        response.stream = _TimedSync(response.stream, response, start)
        response.history = list(history)
        try:
            if "set-cookie" in response.headers:
                self.cookies.extract_cookies(response)
            _log(request, response)
            for hook in hooks["response"]:
                hook(response)
        except BaseException:
            response.close()
            raise
        return response
