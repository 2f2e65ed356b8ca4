"""httpx transports that answer from a sandbox `Engine` in-process: no server, no socket.

The engine's network faults map onto what a real connection would raise: a reset becomes
`httpx.RemoteProtocolError`; a delay longer than the request's read timeout becomes
`httpx.ReadTimeout` (shorter delays are skipped, so tests never wait).
"""

from __future__ import annotations

import httpx

from ..sandbox._engine import Engine, Reply

__all__ = ["AsyncEngineTransport", "EngineTransport"]


def _refuse_what_the_wire_refuses(request: httpx.Request) -> None:
    """A real connection (h11) refuses header values with CR, LF or NUL before sending; so
    does the fake, with the same exception, so code tested against it meets the wire's rules."""
    for name, value in request.headers.raw:
        if any(c in value for c in b"\r\n\x00"):
            raise httpx.LocalProtocolError(
                f"Illegal header value in {name.decode('ascii', 'replace')!r}", request=request
            )


def _respond(engine: Engine, request: httpx.Request, body: bytes) -> httpx.Response:
    _refuse_what_the_wire_refuses(request)
    reply: Reply = engine.handle(
        request.method,
        request.url.path,
        list(request.url.params.multi_items()),
        dict(request.headers),
        body,
    )
    timeouts = request.extensions.get("timeout") or {}
    read_timeout = timeouts.get("read")
    if reply.delay and read_timeout is not None and reply.delay > read_timeout:
        raise httpx.ReadTimeout(
            f"the fake waited {reply.delay:g}s, longer than the {read_timeout:g}s read timeout",
            request=request,
        )
    if reply.reset_after is not None:
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=request
        )
    return httpx.Response(reply.status, headers=reply.headers, content=reply.body, request=request)


class EngineTransport(httpx.BaseTransport):
    """For `StreamkapClient(transport=...)` (or any `httpx.Client`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return _respond(self.engine, request, request.read())


class AsyncEngineTransport(httpx.AsyncBaseTransport):
    """For `AsyncStreamkapClient(transport=...)` (or any `httpx.AsyncClient`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return _respond(self.engine, request, await request.aread())
