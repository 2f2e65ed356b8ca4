"""The sandbox over real HTTP: a FastAPI app on the engine, served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
from typing import Any, Final, Self

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from ._engine import Engine, Fault, Reply

try:
    import uvicorn
except ImportError as exc:  # pragma: no cover - the `sandbox` extra is missing
    raise ImportError("the sandbox needs: pip install 'streamkap-sdk[sandbox]'") from exc


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


def create_app(engine: Engine) -> FastAPI:
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

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def api(request: Request, path: str) -> Response:
        reply = engine.handle(
            request.method,
            "/" + path,
            list(request.query_params.multi_items()),
            dict(request.headers),
            await request.body(),
        )
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.reset_after is not None:
            return _ResetResponse(reply)
        return Response(reply.body, reply.status, reply.headers)

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
        self._thread = threading.Thread(
            target=self._server.run, name="streamkap-sandbox", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        self._thread.start()
        for _ in range(500):  # bounded: up to ~5 s
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            threading.Event().wait(0.01)
        raise RuntimeError(f"sandbox did not start on {self.url}")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
