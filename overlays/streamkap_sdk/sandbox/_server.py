"""The sandbox over real HTTP: a FastAPI app on the engine, served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import socket
import threading
from typing import Any, Final, Self

from .._export import MissingDependencyError
from ._engine import Engine, Fault, Reply

SANDBOX_HINT: Final = "the sandbox needs FastAPI and uvicorn: pip install 'streamkap-sdk[sandbox]'"

try:
    import uvicorn
    from fastapi import FastAPI, Request, Response
    from fastapi.responses import JSONResponse
    from starlette.types import Receive, Scope, Send
except ModuleNotFoundError as exc:  # the `sandbox` extra is missing
    if (exc.name or "").partition(".")[0] not in {"fastapi", "starlette", "uvicorn"}:
        raise
    raise MissingDependencyError(SANDBOX_HINT) from exc


class InjectedReset(ConnectionAbortedError):
    """Raised inside the app to make the server drop the connection (the "reset" fault)."""


class _ResetResponse(Response):
    """Sends the headers and part of the body, then drops the connection (a fault)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.body, reply.status, reply.headers)
        self._cut = reply.reset_after or 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {"type": "http.response.body", "body": self.body[: self._cut], "more_body": True}
        )
        # An ASGI app that raises after the response started makes the server close the
        # connection: the client sees a truncated body (uvicorn logs it at ERROR level).
        raise InjectedReset("sandbox fault: connection dropped mid-body")


_FAULT_FIELDS: Final = tuple(f.name for f in dataclasses.fields(Fault))


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fault_from(spec: dict[str, Any]) -> Fault:
    """A Fault from the JSON of POST /_sandbox/faults, or ValueError saying what is wrong."""
    unknown = sorted(set(spec) - set(_FAULT_FIELDS))
    if unknown:
        raise ValueError(
            f"unknown field(s) {', '.join(unknown)}; known: {', '.join(_FAULT_FIELDS)}"
        )
    spec = dict(spec)
    if _number(spec.get("retry_after")):
        spec["retry_after"] = f"{spec['retry_after']:g}"
    for name in ("status", "times"):
        if name in spec and not (_number(spec[name]) and spec[name] == int(spec[name])):
            raise ValueError(f"{name} must be an integer")
        if name in spec:
            spec[name] = int(spec[name])
    if "delay" in spec and not _number(spec["delay"]):
        raise ValueError("delay must be a number of seconds")
    headers = spec.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ValueError("headers must be an object of strings")
    return Fault(**spec)


CONTROL_PREFIX: Final = "/_sandbox/"


class SandboxApp:
    """The sandbox's ASGI app: `/_sandbox/...` (the controls, a FastAPI app) and every other
    request, whatever its method, answered by the engine. The engine, not a router, says which
    methods a path takes: a 405 names exactly those (`Allow`), OPTIONS included."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.controls = _controls(engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.controls(scope, receive, send)
            return
        request = Request(scope, receive)
        reply = self.engine.handle(
            request.method,
            scope["path"],
            list(request.query_params.multi_items()),
            dict(request.headers),
            await request.body(),
        )
        if reply.delay:
            await asyncio.sleep(reply.delay)
        response = (
            _ResetResponse(reply)
            if reply.reset_after is not None
            else Response(reply.body, reply.status, reply.headers)
        )
        await response(scope, receive, send)


def create_app(engine: Engine) -> SandboxApp:
    return SandboxApp(engine)


def _controls(engine: Engine) -> FastAPI:
    app = FastAPI(title="Streamkap sandbox", docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/_sandbox/faults")
    async def add_fault(spec: dict[str, Any]) -> Response:
        """Queue a fault; the JSON object holds Fault's fields: {"status": 503, "times": 2}."""
        try:
            fault = _fault_from(spec)
        except (TypeError, ValueError) as exc:
            return JSONResponse({"detail": f"invalid fault: {exc}"}, status_code=422)
        engine.add_fault(fault)
        return JSONResponse({"status": "ok"})

    @app.post("/_sandbox/revoke")
    async def revoke() -> dict[str, str]:
        engine.revoke_tokens()
        return {"status": "ok"}

    @app.post("/_sandbox/reset")
    async def reset() -> dict[str, str]:
        engine.reset()
        return {"status": "ok"}

    @app.get("/_sandbox/stats")
    async def stats() -> dict[str, int]:
        return engine.stats()

    return app


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class Sandbox:
    """Runs the sandbox in a background thread: `with Sandbox() as sbx: sbx.url, sbx.engine`."""

    def __init__(self, engine: Engine | None = None, *, host: str = "127.0.0.1", port: int = 0):
        self.engine = engine or Engine()
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(
            create_app(self.engine),
            host=host,
            port=self.port,
            log_level="critical",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._socket: socket.socket | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="streamkap-sandbox", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        """Listen and serve in the background; RuntimeError saying why if that fails.

        The socket is bound here, so a port in use (or any other bind error) is raised at
        once, with the operating system's reason, rather than logged by uvicorn.
        """
        self._socket = self._bind()
        self._thread.start()
        for _ in range(500):  # bounded: up to ~5 s
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            threading.Event().wait(0.01)
        self.stop()
        reason = f": {self._error!r}" if self._error is not None else ""
        raise RuntimeError(f"sandbox did not start on {self.url}{reason}") from self._error

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say TCP,
        # and with Nagle on every small response waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            # As uvicorn does: a port left in TIME_WAIT can be reused, one in use cannot.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except (OSError, OverflowError) as exc:  # OverflowError: a port above 65535
            sock.close()
            raise RuntimeError(bind_error(self.host, self.port, exc)) from exc
        return sock

    def _serve(self) -> None:
        assert self._socket is not None
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # reported by start(), which waits for the server
            self._error = exc

    def stop(self) -> None:
        """Stop serving: requests in flight get up to a second to finish, then the server is
        forced down (it never waits on idle keep-alive connections or slow clients)."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=1)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bind_error(host: str, port: int, exc: OSError | OverflowError) -> str:
    """One line saying why (host, port) cannot be listened on."""
    reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use ({reason})"
    return f"cannot listen on {host}:{port}: {reason}"
