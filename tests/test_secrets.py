"""No secret leaks: the client secret and every access and refresh token stay out of log records
(at DEBUG, the SDK's and httpx's/httpcore's), out of repr()/str() of SDK objects, and out of
exception text, across every auth scenario, for both clients.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import httpcore
import httpx
import pytest
from _support import FakeClock

from streamkap_sdk import (
    APIConnectionError,
    APIError,
    AsyncStreamkapClient,
    AuthenticationError,
    Credentials,
    StreamkapClient,
)
from streamkap_sdk._config import resolve
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, Engine, Fault
from streamkap_sdk.sandbox._server import Sandbox, free_port

SECRET = "sk-" + secrets.token_urlsafe(24)
WRONG_SECRET = "wrong-" + secrets.token_urlsafe(24)
ECHO_TOKEN = "echo-" + secrets.token_urlsafe(24)
LIFETIME = 120.0
Mode = Literal["sync", "async"]


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def leak_sandbox(clock: FakeClock) -> Iterator[Sandbox]:
    with Sandbox(Engine(client_secret=SECRET, clock=clock)) as server:
        yield server


@pytest.fixture
def eng(leak_sandbox: Sandbox, clock: FakeClock) -> Engine:
    leak_sandbox.engine.reset()
    leak_sandbox.engine.token_lifetime = LIFETIME
    clock.now = 0.0
    return leak_sandbox.engine


class Evidence:
    """Every piece of text a user could see: reprs, strs, exception text, log records."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.errors: list[BaseException] = []

    def objects(self, *objs: object) -> None:
        self.texts += [f(o) for o in objs for f in (repr, str)]

    def error(self, exc: BaseException) -> None:
        self.errors.append(exc)
        seen: BaseException | None = exc
        while seen is not None:  # the whole chain, notes and traceback text included
            self.texts += [str(seen), repr(seen), *map(str, seen.args)]
            self.texts += getattr(seen, "__notes__", [])
            seen = seen.__cause__ or seen.__context__
        self.texts.append("".join(traceback.format_exception(exc)))

    @contextmanager
    def expect(self, kind: type[BaseException]) -> Iterator[None]:
        with pytest.raises(kind) as caught:
            yield
        self.error(caught.value)

    def client(self, client: StreamkapClient | AsyncStreamkapClient) -> None:
        auth = client._auth
        self.objects(client, auth, auth._token, client._settings, auth._credentials)


class Calls:
    def __init__(self, client: StreamkapClient | AsyncStreamkapClient, run: Any) -> None:
        self.client = client
        self._run = run

    def __call__(self, *ids: str) -> object:
        return self._run(self.client.pipelines.metrics(list(ids or ["p1"])))

    def no_sleep(self) -> None:
        if isinstance(self.client, StreamkapClient):
            self.client._sleep = lambda seconds: None
        else:

            async def skip(seconds: float) -> None:
                return None

            self.client._sleep = skip


@contextmanager
def open_client(mode: Mode, evidence: Evidence, **kw: Any) -> Iterator[Calls]:
    if mode == "sync":
        with StreamkapClient(**kw) as client:
            yield Calls(client, lambda result: result)
            evidence.client(client)
        return
    with asyncio.Runner() as runner:
        aclient = AsyncStreamkapClient(**kw)
        try:
            yield Calls(aclient, runner.run)
            evidence.client(aclient)
        finally:
            runner.run(aclient.aclose())


def sandbox_scenarios(
    mode: Mode, sandbox: Sandbox, engine: Engine, clock: FakeClock, evidence: Evidence
) -> list[str]:
    """Every auth path against the sandbox; returns the tokens it issued."""
    issued: set[str] = set()
    creds = {
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": SECRET,
        "base_url": sandbox.url,
        "token_clock": clock,
    }
    with open_client(mode, evidence, **creds) as calls:
        evidence.client(calls.client)
        calls()  # exchange
        evidence.client(calls.client)
        clock.now += LIFETIME  # proactive refresh
        calls()
        engine.revoke_tokens()  # 401 -> refresh -> replay
        calls()
        engine.add_fault(Fault(kind="redirect", location="/pipelines/metrics"))
        calls()
        issued.update(engine.issued)
        engine.reset()  # 401 -> refused refresh -> exchange -> replay
        calls()
        engine.add_fault(Fault(status=503, tokens=True))  # retried token endpoint
        calls.no_sleep()
        clock.now += LIFETIME
        calls()
        engine.add_fault(Fault(status=401, times=2))  # 401, renewal, 401 -> error
        with evidence.expect(AuthenticationError):
            calls()
        valid = (engine.seen[-1].authorization or "")[7:]

    wrong = {**creds, "client_secret": WRONG_SECRET}
    with open_client(mode, evidence, **wrong) as calls, evidence.expect(AuthenticationError):
        calls()

    static = {"access_token": valid, "base_url": sandbox.url}
    with open_client(mode, evidence, **static) as calls:
        calls()
        engine.revoke_tokens()
        with evidence.expect(AuthenticationError):
            calls()

    with open_client(mode, evidence, access_token=valid, **creds) as calls:
        calls()  # static first, then renewed with the credentials

    dead = {**creds, "token_url": f"http://127.0.0.1:{free_port()}/auth/access-token"}
    with open_client(mode, evidence, max_retries=1, **dead) as calls:
        calls.no_sleep()
        with evidence.expect(APIConnectionError):
            calls()
    return sorted(issued.union(engine.issued))


def echoing_transport() -> httpx.MockTransport:
    """A hostile server that echoes whatever secret it was sent back in its error detail."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/access-token":
            sent = json.loads(request.content)
            if sent["secret"] == WRONG_SECRET:
                return httpx.Response(401, json={"detail": f"bad secret {sent['secret']}"})
            return httpx.Response(200, json={"accessToken": ECHO_TOKEN, "expiresIn": 60})
        presented = request.headers.get("Authorization", "")
        return httpx.Response(401, json={"detail": f"token {presented[7:]} is not valid"})

    return httpx.MockTransport(handler)


def echo_scenarios(mode: Mode, evidence: Evidence) -> None:
    base = {"client_id": "id", "base_url": "https://echo.example.test"}
    for secret in (WRONG_SECRET, SECRET):
        kw = {**base, "client_secret": secret, "transport": echoing_transport()}
        with open_client(mode, evidence, **kw) as calls, evidence.expect(APIError):
            calls()


def log_texts(records: list[logging.LogRecord]) -> list[str]:
    texts = []
    for record in records:
        texts += [record.getMessage(), repr(record.args), record.exc_text or ""]
        if record.exc_info and record.exc_info[1] is not None:
            texts.append("".join(traceback.format_exception(record.exc_info[1])))
    return texts


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
def test_no_secret_leaks(
    mode: Mode,
    leak_sandbox: Sandbox,
    eng: Engine,
    clock: FakeClock,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    evidence = Evidence()
    issued = sandbox_scenarios(mode, leak_sandbox, eng, clock, evidence)
    echo_scenarios(mode, evidence)
    settings = resolve(client_id="id", client_secret=SECRET, access_token=ECHO_TOKEN, env={})
    evidence.objects(settings, Credentials("id", SECRET))

    records = debug_logs.records
    texts = evidence.texts + log_texts(records) + [debug_logs.text]
    haystack = "\n".join(texts)

    # the scan covered what it claims to: tokens were issued, each scenario raised, and the
    # SDK's, httpx's and httpcore's DEBUG records were captured
    assert len(issued) >= 12
    assert len(evidence.errors) == 6
    loggers = {r.name.split(".")[0] for r in records}
    assert set(LOGGERS) <= loggers
    assert any(r.levelno == logging.DEBUG and r.name.startswith(LOGGERS[2]) for r in records)
    assert "renewing the token" in haystack and "retrying" in haystack

    for secret in (SECRET, WRONG_SECRET, ECHO_TOKEN, *issued):
        assert secret not in haystack, f"a secret leaked: {secret[:4]}…"
    assert "bad secret ***" in haystack  # the echoing server's detail kept, its secret masked
    assert "token *** is not valid" in haystack
