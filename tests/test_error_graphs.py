"""No secret anywhere an error reaches, and every error pickles (issue 11, items 7 and 8).

Each error path below runs over real HTTP against the fault server, whose endpoints echo what
they were sent (in bodies, in `detail`, in `x-request-id`). For each error the test searches
the whole object graph (args, notes, attributes, request, response, __cause__, __context__),
its pickle, its str/repr and every log record (DEBUG, the SDK's, httpx's and httpcore's) for
each secret: the client secret (long and short), every token issued, and a URL password.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import multiprocessing
import pickle
import secrets
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx
import pytest
from _faultserver import CLIENT_ID, Conn, FaultServer, Request, fault_server
from _support import failing_call, square

import streamkap_sdk
from streamkap_sdk import (
    APIError,
    AsyncStreamkapClient,
    InternalServerError,
    StreamkapClient,
    StreamkapError,
    ValidationErrorItem,
)
from streamkap_sdk._errors import status_error
from streamkap_sdk.sandbox import Sandbox
from streamkap_sdk.sandbox._server import free_port

LONG = "sk-" + secrets.token_urlsafe(24)
SHORT = "Zq7x9"  # shorter than 8: it used to be left unmasked
PASSWORD = "pw-" + secrets.token_urlsafe(10)


def text_of(root: object) -> str:
    """Every string and byte string reachable from `root` through the attributes an error
    carries (functions and classes are not followed)."""
    parts: list[str] = []
    seen: set[int] = set()
    stack: list[object] = [root]
    while stack and len(seen) < 50_000:
        obj = stack.pop()
        if id(obj) in seen or obj is None or isinstance(obj, int | float | type):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            parts.append(obj)
        elif isinstance(obj, bytes | bytearray):
            parts.append(bytes(obj).decode("utf-8", "replace"))
        elif isinstance(obj, httpx.Request):
            parts += [str(obj.url), repr(obj.headers.raw)]
            if hasattr(obj, "_content"):
                parts.append(obj.content.decode("utf-8", "replace"))
            stack.append(dict(obj.extensions))
        elif isinstance(obj, httpx.Response):
            parts.append(repr(obj.headers.raw))
            if hasattr(obj, "_content"):
                parts.append(obj.content.decode("utf-8", "replace"))
            stack += [obj._request, dict(obj.extensions)]
        elif isinstance(obj, BaseException):
            parts += [str(obj), repr(obj)]
            stack += [obj.args, obj.__cause__, obj.__context__, vars(obj)]
        elif isinstance(obj, dict):
            stack += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            stack += list(obj)
        elif dataclasses.is_dataclass(obj):
            stack += [getattr(obj, f.name) for f in dataclasses.fields(obj)]
        elif callable(obj):
            continue
        elif hasattr(obj, "__dict__"):
            stack.append(vars(obj))
    return "\n".join(parts)


class Evidence:
    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    @contextmanager
    def expect(self, kind: type[BaseException] = APIError) -> Iterator[None]:
        with pytest.raises(kind) as caught:
            yield
        self.errors.append(caught.value)

    def haystacks(self) -> list[tuple[str, str]]:
        found = []
        for error in self.errors:
            name = type(error).__name__
            found.append((f"{name} graph", text_of(error)))
            found.append((f"{name} pickle", pickle.dumps(error).decode("latin-1")))
            found.append((f"{name} traceback", "".join(traceback.format_exception(error))))
        return found


def echo_everything(server: FaultServer) -> None:
    """Every endpoint echoes the credentials or token it was sent, in body and request id."""

    def token(request: Request, conn: Conn) -> None:
        sent = request.json() or {}
        echo = str(sent)
        if sent.get("secret") in (LONG, SHORT):
            conn.respond(
                401, {"detail": f"bad secret {sent.get('secret')}"}, {"x-request-id": echo[:60]}
            )
        else:
            conn.respond(200, server.issue())

    server.on("/auth/access-token", token)


def scenarios(
    server: FaultServer, other: FaultServer, run: Callable[..., Any], evidence: Evidence
) -> None:
    base = f"http://user:{PASSWORD}@127.0.0.1:{server.port}"
    for secret in (LONG, SHORT):
        kw = {"client_id": CLIENT_ID, "client_secret": secret, "base_url": base, "max_retries": 1}
        echo_everything(server)
        with evidence.expect():  # the exchange refused, echoing the secret in body and header
            run(kw)
        dead = {**kw, "token_url": f"http://127.0.0.1:{free_port()}/auth/access-token"}
        with evidence.expect():  # the token endpoint unreachable: exc.request was the exchange
            run(dead)
        server.on(
            "/auth/access-token", lambda r, c: c.respond(307, b"", {"location": f"{other.url}/x"})
        )
        with evidence.expect():  # a token redirect refused
            run(kw)

        def token_then(metrics: Callable[[Request, Conn], None]) -> None:
            server.on("/auth/access-token", lambda r, c: c.respond(200, server.issue()))
            server.on("/pipelines/metrics", metrics)

        def bearer(request: Request) -> str:
            return request.headers.get("authorization", "")[7:]

        token_then(lambda r, c: c.respond(200, f"not json: {bearer(r)}".encode()))
        with evidence.expect():  # a non-JSON 200 echoing the access token
            run(kw)
        token_then(lambda r, c: c.respond(503, {"detail": bearer(r)}, {"x-request-id": bearer(r)}))
        with evidence.expect():  # the token as the request id of a retried 503 (logged)
            run(kw)
        token_then(lambda r, c: c.respond(401, {"detail": f"token {bearer(r)} is not valid"}))
        with evidence.expect():  # a persistent 401 echoing the token
            run(kw)
        token_then(
            lambda r, c: c.respond(
                422,
                {"detail": [{"loc": ["query", "x"], "type": "t", "msg": f"bad {bearer(r)}"}]},
            )
        )
        with evidence.expect():  # a 422 whose errors echo the token
            run(kw)
        token_then(lambda r, c: c.respond(307, b"", {"location": f"{other.url}/{bearer(r)}"}))
        with evidence.expect():  # a redirect to another origin carrying the token in its URL
            run(kw)
        server.on("/auth/access-token", lambda r, c: c.sleep(5))
        with evidence.expect():  # the exchange timing out: the cause's request is the exchange
            run({**kw, "timeout": 0.3, "max_retries": 0})
        server.on(
            "/auth/access-token", lambda r, c: c.respond(200, b"{" + (LONG * 40_000).encode())
        )
        with evidence.expect():  # an oversized token body echoing the secret
            run(kw)
        server.on("/auth/access-token", lambda r, c: c.respond(200, server.issue()))
        server.on(
            "/pipelines/metrics",
            lambda r, c: c.respond(200, {"connector_metrics": {bearer(r): {}}}),
        )
        with evidence.expect():  # someone else's ids: here, the token itself as an id
            run(kw)


# the SDK's, httpx's and httpcore's loggers, by the names of the modules imported as httpx and
# httpcore (httpx2 and httpcore2 under `httpx2.alias_httpx()`, as `make test-httpx2` runs)
LOGGERS = ("streamkap_sdk", httpx.__name__, httpcore.__name__)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_no_secret_in_any_error_graph_pickle_or_log(
    mode: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    def run(kw: dict[str, Any]) -> object:
        if mode == "sync":
            with StreamkapClient(**kw) as client:
                client._sleep = lambda seconds: None
                return client.pipelines.metrics(["p1"])

        async def call() -> object:
            async with AsyncStreamkapClient(**kw) as client:

                async def skip(seconds: float) -> None:
                    return None

                client._sleep = skip
                return await client.pipelines.metrics(["p1"])

        return asyncio.run(call())

    evidence = Evidence()
    with fault_server() as server, fault_server() as other:
        scenarios(server, other, run, evidence)
        issued = list(server.issued)
    assert len(evidence.errors) == 22 and len(issued) >= 20
    assert other.requests == []
    logs = [(f"log {r.name}", r.getMessage()) for r in debug_logs.records]
    assert any("retrying" in text for _, text in logs)
    for where, text in evidence.haystacks() + logs:
        for secret in (LONG, PASSWORD, *issued):
            assert secret not in text, f"{secret[:4]}… in {where}"
        assert f"bad secret {SHORT}" not in text, where
    assert any("bad secret ***" in text for _, text in evidence.haystacks())


# -- pickling -------------------------------------------------------------------------------


def response(status: int, payload: Any = None, **headers: str) -> httpx.Response:
    request = httpx.Request("POST", "https://api.streamkap.test/pipelines/metrics", content=b"{}")
    return httpx.Response(
        status, json=payload, headers={"x-request-id": "req-9", **headers}, request=request
    )


def every_public_error() -> list[BaseException]:
    errors: list[BaseException] = [
        status_error(response(status, {"detail": detail}))
        for status, detail in [
            (400, "bad"), (401, "who"), (403, "no"), (404, "gone"), (409, "conflict"),
            (422, [{"loc": ["query", "size"], "msg": "too big", "type": "le"}]),
            (429, "slow down"), (500, "oops"), (503, "later"),
        ]
    ]  # fmt: skip
    errors += [
        streamkap_sdk.StreamkapError("root"),
        streamkap_sdk.ConfigurationError("bad setting"),
        streamkap_sdk.ClientClosedError("closed"),
        streamkap_sdk.InvalidParameterError("size", "must be positive"),
        streamkap_sdk.APIError("api"),
        streamkap_sdk.APIConnectionError("down", request=response(200).request),
        streamkap_sdk.APITimeoutError("slow"),
        streamkap_sdk.MalformedResponseError("bad json", response=response(200), path=("a", 1)),
        streamkap_sdk.ResponseTooLargeError("big", response=response(200), limit=5),
        streamkap_sdk.RedirectError("away", response(307), target="https://x.test"),
        streamkap_sdk.ChunkConflictError("two values", path=("connector_metrics", "p1")),
        streamkap_sdk.MissingFieldError("latest is missing"),
        streamkap_sdk.MissingDependencyError("pip install pandas"),
    ]
    for error in errors:
        error.add_note("a note")
    return errors


ATTRIBUTES = (
    "status_code",
    "request_id",
    "detail",
    "errors",
    "path",
    "parameter",
    "limit",
    "target",
)


def test_every_public_error_class_is_covered() -> None:
    classes = {
        getattr(streamkap_sdk, n)
        for n in streamkap_sdk.__all__
        if isinstance(getattr(streamkap_sdk, n), type)
        and issubclass(getattr(streamkap_sdk, n), Exception)
        and not issubclass(getattr(streamkap_sdk, n), Warning)
    }
    assert classes == {type(e) for e in every_public_error()} | {streamkap_sdk.APIStatusError}


@pytest.mark.parametrize("error", every_public_error(), ids=lambda e: type(e).__name__)
def test_every_error_round_trips_through_pickle(error: BaseException) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error) and again.args == error.args
    assert again.__notes__ == ["a note"]
    for name in ATTRIBUTES:
        assert getattr(again, name, None) == getattr(error, name, None), name
    if hasattr(error, "response"):
        assert again.response.status_code == error.response.status_code
        assert again.response.content == error.response.content
        assert again.response.headers["x-request-id"] == "req-9"
    if isinstance(error, streamkap_sdk.UnprocessableEntityError):
        assert again.errors == [ValidationErrorItem(("query", "size"), "too big", "le")]


def test_an_error_raised_in_a_process_pool_worker(sandbox: Sandbox) -> None:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        with pytest.raises(InternalServerError) as caught:
            pool.submit(failing_call, sandbox.url).result(timeout=60)
        assert pool.submit(square, 7).result(timeout=60) == 49  # the pool still works
    error = caught.value
    assert error.status_code == 503 and error.detail == "down"
    assert error.request_id is not None and error.request_id.startswith("sbx-")
    assert str(error).startswith(f"HTTP 503 Service Unavailable from POST {sandbox.url}/pipelines")
    assert error.response.request.headers.get("authorization") is None
    assert isinstance(error, StreamkapError)
