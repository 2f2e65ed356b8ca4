"""A small HTTP/1.1 server on 127.0.0.1 that misbehaves on request: bodies that trickle in,
decompression bombs, bytes past Content-Length, redirects, broken token endpoints.

It speaks the API's happy path by default (token exchange and refresh, both metrics operations
answering exactly the ids asked for), and a test overrides one path with `on(path, handler)`
(every request) or `once(path, handler, times)` (the next ones). A handler gets the parsed
request and a `Conn` to write raw bytes to, so it can send anything a real server could.
"""

from __future__ import annotations

import functools
import http.server
import json
import secrets
import socketserver
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CLIENT_ID = "fault-client"
SECRET = "fault-secret-" + secrets.token_urlsafe(12)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    query: str = ""  # the raw query string

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Conn:
    """The connection a handler answers on."""

    def __init__(self, handler: http.server.BaseHTTPRequestHandler, server: FaultServer):
        self._handler = handler
        self._server = server

    def write(self, data: bytes) -> None:
        self._handler.wfile.write(data)
        self._handler.wfile.flush()

    def respond(
        self,
        status: int,
        body: bytes | Any = b"",
        headers: dict[str, str] | None = None,
        *,
        reason: str = "OK",
    ) -> None:
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
            headers = {"content-type": "application/json", **(headers or {})}
        self.write(head(status, {"content-length": str(len(body)), **(headers or {})}, reason))
        self.write(body)

    def sleep(self, seconds: float) -> None:
        """Wait, but not past the server's stop (so no test leaves a thread behind)."""
        self._server.stopping.wait(seconds)

    def close(self) -> None:
        self._handler.close_connection = True


def head(status: int, headers: dict[str, str], reason: str = "OK") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


Handler = Callable[[Request, Conn], None]


def metrics_body(ids: list[str]) -> dict[str, Any]:
    return {
        "connector_metrics": {
            i: {"latest": {"latency": float(len(i)), "recordsLag": 7}} for i in ids
        },
        "account_metrics": {"account": {"latest": {"latency": 1.0}}},
    }


@functools.cache
def gzip_bomb(mib: int) -> bytes:
    """`mib` MiB of zero bytes, gzipped (about 4.5 KiB per MiB)."""
    chunk = b"\0" * (1 << 20)
    comp = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join([comp.compress(chunk) for _ in range(mib)] + [comp.flush()])


class FaultServer:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.issued: list[str] = []  # tokens handed out (access and refresh)
        self.valid: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.stopping = threading.Event()
        self.expires_in: float = 3600
        self._routes: dict[str, Handler] = {}
        self._queued: dict[str, deque[Handler]] = {}
        self._lock = threading.Lock()
        server = self

        class _Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    self.command,
                    self.path.split("?")[0],
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    self.path.partition("?")[2],
                )
                server._dispatch(request, Conn(self, server))

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up on a misbehaving answer: that is the point

        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- programming it -----------------------------------------------------------------------

    def on(self, path: str, handler: Handler) -> None:
        self._routes[path] = handler

    def once(self, path: str, handler: Handler, times: int = 1) -> None:
        with self._lock:
            self._queued.setdefault(path, deque()).extend([handler] * times)

    def count(self, path: str) -> int:
        return sum(1 for r in list(self.requests) if r.path == path)

    def revoke(self) -> None:
        self.valid.clear()

    # -- the default API ------------------------------------------------------------------------

    def _dispatch(self, request: Request, conn: Conn) -> None:
        with self._lock:
            self.requests.append(request)
            queue = self._queued.get(request.path)
            handler = queue.popleft() if queue else None
        handler = handler or self._routes.get(request.path) or self._default
        handler(request, conn)

    def issue(self) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
        with self._lock:
            self.valid.add(access)
            self.refresh_tokens.add(refresh)
            self.issued += [access, refresh]
        return {"accessToken": access, "refreshToken": refresh, "expiresIn": self.expires_in}

    def _default(self, request: Request, conn: Conn) -> None:
        if request.path == "/auth/access-token":
            sent = request.json() or {}
            if (sent.get("client_id"), sent.get("secret")) != (CLIENT_ID, SECRET):
                conn.respond(401, {"detail": "Invalid client credentials"})
            else:
                conn.respond(200, self.issue())
        elif request.path == "/auth/access-token/refresh":
            token = (request.json() or {}).get("refresh_token")
            if token in self.refresh_tokens:
                self.refresh_tokens.discard(token)
                conn.respond(200, self.issue())
            else:
                conn.respond(401, {"detail": "Invalid refresh token"})
        elif request.path in ("/pipelines/metrics", "/destinations/metrics"):
            bearer = request.headers.get("authorization", "")[7:]
            if bearer not in self.valid:
                conn.respond(401, {"detail": "Not authenticated"})
                return
            conn.respond(200, metrics_body((request.json() or {}).get("ids") or []))
        else:
            conn.respond(404, {"detail": "Not Found"})

    # -- running ------------------------------------------------------------------------------

    def credentials(self, **kw: Any) -> dict[str, Any]:
        return {"client_id": CLIENT_ID, "client_secret": SECRET, "base_url": self.url, **kw}

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer().start()
    try:
        yield server
    finally:
        server.stop()


def elapsed(start: float) -> float:
    return time.monotonic() - start
