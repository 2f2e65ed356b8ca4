"""What every request needs from the wire, whoever sends it: bounded bodies, the redirect rule,
the call context the auth drivers read, and the sync client's deadline (`run_until`).

The clients each have ONE method that touches the transport (`_exchange`: send one request,
follow same-origin redirects, read a bounded body); everything it decides is here, as plain
functions and small objects that know nothing about how bytes arrive.
"""

from __future__ import annotations

import contextvars
import threading
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import httpx

from ._errors import APITimeoutError, RedirectError, ResponseTooLargeError

__all__ = [
    "CALL",
    "MAX_REDIRECTS",
    "MAX_RESPONSE_BYTES",
    "SMALL_BODY_BYTES",
    "AsyncCall",
    "BodyReader",
    "SyncCall",
    "body_limit",
    "check_framing",
    "next_hop",
    "run_until",
]

MiB: Final = 1 << 20
#: Default cap on a decoded 2xx body: a day of per-minute series for several hundred pipelines
#: is ~50-100 MB of JSON, so this leaves room while stopping a decompression bomb.
MAX_RESPONSE_BYTES: Final = 256 * MiB
#: Cap on token-endpoint bodies and error bodies (a few hundred bytes in practice).
SMALL_BODY_BYTES: Final = 1 * MiB
#: Same-origin redirects followed per request before giving up.
MAX_REDIRECTS: Final = 5
#: What the client accepts: exactly the encodings `BodyReader` decodes with a bound.
ACCEPT_ENCODING: Final = "gzip, deflate"

#: request.extensions key holding the SyncCall / AsyncCall of the call a request belongs to.
CALL: Final = "streamkap_sdk.call"


@dataclass(slots=True)
class SyncCall:
    """What the sync auth driver needs from the call it runs in."""

    end: float | None  # time.monotonic() deadline of the call, None = no deadline
    lock: threading.Lock  # single-flights token renewal
    send: Callable[[httpx.Request], httpx.Response]  # a token request, body read and bounded


@dataclass(slots=True)
class AsyncCall:
    """What the async auth driver needs from the call it runs in."""

    end: float | None
    lock: Any  # asyncio.Lock of the running loop (asyncio is imported lazily)
    send: Callable[[httpx.Request], Awaitable[httpx.Response]]


# -- bounded bodies -----------------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB and n % (MiB // 4) == 0 else f"{n:,} bytes"


def body_limit(response: httpx.Response, limit: int) -> int:
    """The cap for this response's decoded body: `limit` for a success, small for the rest."""
    return limit if response.is_success else min(limit, SMALL_BODY_BYTES)


def too_large(response: httpx.Response, limit: int, *, what: str) -> ResponseTooLargeError:
    """`what`: "response" (a success, capped by max_response_bytes), "error" or
    "token-endpoint" (the fixed 1 MiB cap)."""
    request = response.request
    setting = "max_response_bytes" if what == "response" else "fixed cap"
    return ResponseTooLargeError(
        f"HTTP {response.status_code} from {request.method} {request.url.copy_with(query=None)}: "
        f"the {what} body is larger than {_size(limit)} ({setting}); not read any further",
        response=response,
        limit=limit,
    )


_STEP: Final = 1 << 20


class _Inflate:
    """zlib, gzip or deflate (zlib-wrapped or raw, as httpx accepts), never producing more than
    asked per step, so a decompression bomb cannot expand past the cap in one go."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
        self._started = False

    def run(self, data: bytes, room: int) -> list[bytes]:
        out: list[bytes] = []
        while data and not self._z.eof:
            try:
                # At most 1 MiB per step: zlib assembles each step's output in one more copy.
                piece = self._z.decompress(data, min(room + 1, _STEP))
            except zlib.error:
                if self._gzip or self._started:
                    raise
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
                self._started = True
                continue
            self._started = True
            data = self._z.unconsumed_tail
            out.append(piece)
            room -= len(piece)
            if room < 0:
                break
        return out

    def flush(self) -> bytes:
        return self._z.flush()


class BodyReader:
    """Collects a response body from raw (still encoded) chunks, decoding as it goes and
    refusing more than `limit` decoded bytes (`TooLarge`). Peak memory stays near the cap."""

    class TooLarge(Exception):
        pass

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self._layers: list[_Inflate] = []
        if content_encoding:
            encodings = [e.strip().lower() for e in content_encoding.split(",")]
            layers = [e for e in reversed(encodings) if e and e != "identity"]
            unknown = [e for e in layers if e not in ("gzip", "x-gzip", "deflate")]
            if unknown:
                raise ValueError(f"unsupported Content-Encoding {unknown[0]!r}")
            self._layers = [_Inflate(e) for e in layers]
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0

    def _push(self, pieces: list[bytes], depth: int) -> None:
        for piece in pieces:
            if depth < len(self._layers):
                self._push(self._layers[depth].run(piece, self._limit - self._size), depth + 1)
                continue
            self._size += len(piece)
            if self._size > self._limit:
                self._parts.clear()
                raise self.TooLarge
            self._parts.append(piece)

    def feed(self, chunk: bytes) -> None:
        if not self._layers:  # identity: the common case, kept short
            self._size += len(chunk)
            if self._size > self._limit:
                self._parts.clear()
                raise self.TooLarge
            self._parts.append(chunk)
        elif chunk:
            self._push([chunk], 0)

    @property
    def collected(self) -> int:
        """Decoded bytes collected so far."""
        return self._size

    def finish(self) -> bytes:
        for depth, layer in enumerate(self._layers):
            self._push([layer.flush()], depth + 1)
        parts, self._parts = self._parts, []
        return parts[0] if len(parts) == 1 else b"".join(parts)


# -- framing ----------------------------------------------------------------------------------


def check_framing(response: httpx.Response) -> None:
    """RemoteProtocolError for a response whose body length is ambiguous: Content-Length given
    twice, or together with Transfer-Encoding (RFC 9112 6.3: a sign of request smuggling).
    httpx's parser reads both; aiohttp's refuses both: this makes the two transports agree."""
    headers = response.headers
    lengths = headers.get_list("content-length")
    if len(lengths) > 1 or (lengths and "transfer-encoding" in headers):
        what = (
            "Content-Length twice" if len(lengths) > 1 else "Content-Length and Transfer-Encoding"
        )
        raise httpx.RemoteProtocolError(
            f"ambiguous framing: the response has {what}; not read", request=response.request
        )


# -- redirects ----------------------------------------------------------------------------------

_FOLLOWED: Final = frozenset({307, 308})  # method and body kept, as the API needs both
_REWRITING: Final = frozenset({301, 302, 303})  # would turn the POST into a bodiless GET


def origin(url: httpx.URL) -> str:
    port = url.port
    return f"{url.scheme}://{url.host}" + (f":{port}" if port is not None else "")


def _where(request: httpx.Request) -> str:
    return f"{request.method} {request.url.copy_with(query=None)}"


def _target(request: httpx.Request, response: httpx.Response) -> httpx.URL:
    """Where a redirect points, or RedirectError when it does not say, or says nonsense."""
    status, where = response.status_code, _where(request)
    location = response.headers.get("location")
    if not location:
        raise RedirectError(f"HTTP {status} from {where} without a Location header", response)
    try:
        target = request.url.join(location.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        raise RedirectError(
            f"HTTP {status} from {where} with an unusable Location header", response
        ) from None
    if target.scheme not in ("http", "https") or not target.host:
        raise RedirectError(
            f"HTTP {status} from {where} to {location[:100]!r}, which is not an http(s) URL; "
            "not followed",
            response,
        )
    return target


def check_location(response: httpx.Response) -> None:
    """httpx response hook: a redirect's Location is checked here first, because httpx parses
    it even when it does not follow redirects, and fails with a transport error."""
    if response.status_code in _FOLLOWED or response.status_code in _REWRITING:
        _target(response.request, response)


async def check_location_async(response: httpx.Response) -> None:
    check_location(response)


def next_hop(
    request: httpx.Request, response: httpx.Response, visited: list[httpx.URL]
) -> httpx.Request | None:
    """The request that follows a redirect `response`, None when it is not a redirect, or
    RedirectError: only 307/308 to the same origin (scheme, host, port) are followed, so
    nothing (ids, headers, the token or the credentials) ever goes to another host, or from
    https to http. A loop, too many hops or a bad `Location` are RedirectErrors too."""
    status = response.status_code
    if status not in _FOLLOWED and status not in _REWRITING:
        return None
    where = _where(request)
    target = _target(request, response)
    if (target.scheme, target.host, target.port) != (
        request.url.scheme,
        request.url.host,
        request.url.port,
    ):
        downgrade = request.url.scheme == "https" and target.scheme == "http"
        raise RedirectError(
            f"refused to follow HTTP {status} from {where} to another origin, {origin(target)}"
            + (" (from https to plain http)" if downgrade else "")
            + "; nothing was sent there",
            response,
            target=origin(target),
        )
    if status in _REWRITING:
        raise RedirectError(
            f"HTTP {status} from {where}: following it would resend the {request.method} as a "
            "GET without its body; not followed (the API answers 307/308 for a moved POST)",
            response,
        )
    if target in visited or len(visited) >= MAX_REDIRECTS:
        kind = "a redirect loop" if target in visited else f"more than {MAX_REDIRECTS} redirects"
        raise RedirectError(f"{kind} from {where}; gave up", response)
    visited.append(target)
    headers = request.headers.multi_items()  # Authorization too: the same origin
    return httpx.Request(
        request.method,
        target,
        headers=headers,
        content=request.content,
        extensions=request.extensions,
    )


# -- the sync deadline ---------------------------------------------------------------------------

T = TypeVar("T")


def run_until(end: float, work: Callable[[], T], what: str) -> T:
    """`work()`, waited for no later than `end` (a time.monotonic() value): APITimeoutError then.

    A sync read blocked on a socket cannot be interrupted from outside, and per-read timeouts
    do not bound a response whose status line, headers or body trickle in a byte at a time. So
    the attempt runs in a thread of its own (with the caller's contextvars, which APM agents
    keep their spans in) and the caller stops waiting at its deadline. The thread then ends by
    itself: its reads are bounded by the per-read timeouts (already capped at the deadline) and
    its result is dropped. Ctrl+C interrupts the wait as it would the call.
    """
    outcome: list[tuple[bool, Any]] = []
    done = threading.Event()
    context = contextvars.copy_context()

    def attempt() -> None:
        try:
            outcome.append((True, context.run(work)))
        except BaseException as exc:  # handed to the caller, whatever it is
            outcome.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=attempt, name="streamkap-call", daemon=True).start()
    if not done.wait(max(end - time.monotonic(), 0.0)):
        raise APITimeoutError(f"the call's deadline passed during {what}")
    ok, value = outcome[0]
    if ok:
        result: T = value
        return result
    raise value
