"""A tiny Streamkap API on 127.0.0.1 answering exactly the JSON a test sets, per resource.

For what the sandbox cannot be told to do: leave an entity out of an answer, answer slowly while
counting how many requests overlap. Tokens are issued to anyone and never expire.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class ScriptedAPI:
    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}  # resource -> JSON body of its metrics answer
        self.delay = 0.0  # seconds each metrics request waits before answering
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def metrics(self, resource: str) -> tuple[int, Any]:
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            return 200, self.answers.get(resource, {})
        finally:
            with self._lock:
                self.in_flight -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (deadline, cancelled refresh): nothing to report


def _handler(api: ScriptedAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = self.path.split("?", 1)[0]
            if path.startswith("/auth/access-token"):
                status, body = 200, {"accessToken": "t", "refreshToken": "r", "expiresIn": 3600}
            elif path.endswith("/metrics"):
                status, body = api.metrics(path.strip("/").split("/")[0])
            else:
                status, body = 404, {"detail": "Not Found"}
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
