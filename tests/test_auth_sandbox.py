"""Token handling end to end: both clients against a sandbox over real HTTP on 127.0.0.1.

The sandbox's engine and the clients' auth share one fake clock, so "the token expired" is a
line in the test (`clock.advance`), not a wait: the scenarios are exact and never sleep.
"""

from __future__ import annotations

import asyncio
import http.server
import importlib.util
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from _support import FakeClock

from streamkap_api.models import PipelineMetricsRes
from streamkap_sdk import (
    APIConnectionError,
    AsyncStreamkapClient,
    AuthenticationError,
    ConfigurationError,
    InternalServerError,
    RedirectError,
    StreamkapClient,
)
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine, Fault
from streamkap_sdk.sandbox._server import Sandbox, free_port

LIFETIME = 120.0  # seconds on the fake clock; the effective skew is min(60, LIFETIME / 2) = 60
Mode = Literal["sync", "async"]
MODES: list[Mode] = ["sync", "async"]


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def timed_sandbox(clock: FakeClock) -> Iterator[Sandbox]:
    with Sandbox(Engine(clock=clock)) as server:
        yield server


@pytest.fixture
def eng(timed_sandbox: Sandbox, clock: FakeClock) -> Engine:
    timed_sandbox.engine.reset()
    timed_sandbox.engine.token_lifetime = LIFETIME
    clock.now = 0.0
    return timed_sandbox.engine


@pytest.fixture
def kwargs(timed_sandbox: Sandbox, clock: FakeClock, eng: Engine) -> dict[str, Any]:
    return {
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "base_url": timed_sandbox.url,
        "token_clock": clock,
    }


def renewals(engine: Engine) -> tuple[int, int]:
    """(credential exchanges, refreshes) the sandbox answered."""
    return engine.token_requests, engine.refresh_requests


class Calls:
    """One client of either kind behind a synchronous `calls(ids)`, for parametrised tests."""

    def __init__(
        self,
        client: StreamkapClient | AsyncStreamkapClient,
        run: Callable[[Any], Any],
    ) -> None:
        self.client = client
        self._run = run
        self.sleeps: list[float] = []

    def __call__(self, ids: tuple[str, ...] = ("p1",), **kw: Any) -> PipelineMetricsRes:
        call = self.client.pipelines.metrics(list(ids), **kw)
        result: PipelineMetricsRes = self._run(call)
        return result

    def no_sleep(self) -> None:
        """Record retry waits instead of sleeping them."""
        if isinstance(self.client, StreamkapClient):
            self.client._sleep = self.sleeps.append
        else:

            async def record(seconds: float) -> None:
                self.sleeps.append(seconds)

            self.client._sleep = record


@contextmanager
def open_client(
    mode: Mode, key: str | os.PathLike[str] | Mapping[str, Any] | None = None, **kw: Any
) -> Iterator[Calls]:
    """A client of either kind (from a project key when `key` is given)."""
    if mode == "sync":
        with StreamkapClient.from_project_key(key, **kw) if key else StreamkapClient(**kw) as c:
            yield Calls(c, lambda result: result)
        return
    with asyncio.Runner() as runner:  # one loop for the client's whole life
        aclient = (
            AsyncStreamkapClient.from_project_key(key, **kw) if key else AsyncStreamkapClient(**kw)
        )
        try:
            yield Calls(aclient, runner.run)
        finally:
            runner.run(aclient.aclose())


# -- single flight across an expiry ---------------------------------------------------------


def test_50_threads_crossing_an_expiry_make_one_token_request(
    kwargs: dict[str, Any], eng: Engine, clock: FakeClock
) -> None:
    with StreamkapClient(**kwargs) as client:
        client.pipelines.metrics(["warm-up"])
        assert renewals(eng) == (1, 0)
        clock.advance(LIFETIME + 1)  # expired for the client and for the sandbox
        start = threading.Barrier(50, timeout=10)
        results: list[PipelineMetricsRes] = []
        errors: list[BaseException] = []

        def worker(n: int) -> None:
            try:
                start.wait()
                results.append(client.pipelines.metrics([f"t{n}"]))
            except BaseException as exc:  # collected, asserted below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors
    assert len(results) == 50
    assert renewals(eng) == (1, 1)  # exactly one renewal, and it used the refresh token
    assert eng.metrics_requests == 51  # renewed before sending: no 401, no replay
    assert client.token_requests == 2


async def test_500_tasks_crossing_an_expiry_make_one_token_request(
    kwargs: dict[str, Any], eng: Engine, clock: FakeClock
) -> None:
    async with AsyncStreamkapClient(**kwargs) as client:
        await client.pipelines.metrics(["warm-up"])
        clock.advance(LIFETIME + 1)
        results = await asyncio.gather(
            *(client.pipelines.metrics([f"t{n}"]) for n in range(500)), return_exceptions=True
        )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert renewals(eng) == (1, 1)
    assert eng.metrics_requests == 501
    assert client.token_requests == 2


def test_a_401_storm_from_many_threads_makes_one_renewal(
    kwargs: dict[str, Any], eng: Engine
) -> None:
    with StreamkapClient(**kwargs) as client:
        client.pipelines.metrics(["warm-up"])
        eng.revoke_tokens()
        start = threading.Barrier(30, timeout=10)
        errors: list[BaseException] = []

        def worker(n: int) -> None:
            try:
                start.wait()
                client.pipelines.metrics([f"t{n}"])
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors
    assert renewals(eng) == (1, 1)
    assert 1 + 30 < eng.metrics_requests <= 1 + 30 * 2  # some 401s, each replayed once


async def test_a_401_storm_from_many_tasks_makes_one_renewal(
    kwargs: dict[str, Any], eng: Engine
) -> None:
    async with AsyncStreamkapClient(**kwargs) as client:
        await client.pipelines.metrics(["warm-up"])
        eng.revoke_tokens()
        await asyncio.gather(*(client.pipelines.metrics([f"t{n}"]) for n in range(50)))
    assert renewals(eng) == (1, 1)
    assert 1 + 50 < eng.metrics_requests <= 1 + 50 * 2


# -- 401: renew once, replay once -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_revoked_token_is_renewed_and_the_call_replayed(
    mode: Mode, kwargs: dict[str, Any], eng: Engine
) -> None:
    with open_client(mode, **kwargs) as calls:
        calls()
        calls()
        eng.revoke_tokens()
        result = calls(("after-revoke",))
    assert isinstance(result, PipelineMetricsRes)
    assert renewals(eng) == (1, 1)
    assert eng.metrics_requests == 4  # three calls, one replay
    first, replay = eng.seen[-2], eng.seen[-1]
    assert first.body == replay.body == {"ids": ["after-revoke"]}
    assert first.authorization != replay.authorization


@pytest.mark.parametrize("mode", MODES)
def test_a_persistent_401_raises_once_without_looping(
    mode: Mode, kwargs: dict[str, Any], eng: Engine
) -> None:
    with open_client(mode, max_retries=5, **kwargs) as calls:
        calls()
        eng.add_fault(Fault(status=401, times=100))
        with pytest.raises(AuthenticationError) as caught:
            calls()
        assert calls.client.token_requests == 2
    assert caught.value.status_code == 401
    assert "renewed and the request replayed once" in str(caught.value)
    assert eng.metrics_requests == 1 + 2  # the call and its single replay; no retries
    assert renewals(eng) == (1, 1)


@pytest.mark.parametrize("mode", MODES)
def test_a_static_token_is_never_renewed(
    mode: Mode, kwargs: dict[str, Any], eng: Engine, clock: FakeClock
) -> None:
    with open_client(mode, **kwargs) as calls:
        calls()
        valid = eng.seen[-1].authorization
    assert valid is not None
    static = {"access_token": valid[7:], "base_url": kwargs["base_url"], "token_clock": clock}
    with open_client(mode, **static) as calls:
        calls()
        clock.advance(LIFETIME + 1)  # expired at the sandbox; the client cannot know
        with pytest.raises(AuthenticationError, match="no credentials to renew it with"):
            calls()
        assert calls.client.token_requests == 0
    assert renewals(eng) == (1, 0)
    assert eng.metrics_requests == 3  # no replay either


@pytest.mark.parametrize("mode", MODES)
def test_a_static_token_is_used_first_then_renewed_with_the_credentials(
    mode: Mode, kwargs: dict[str, Any], eng: Engine
) -> None:
    with open_client(mode, access_token="not-a-valid-token-1234", **kwargs) as calls:
        calls()
        calls()
    assert eng.seen[0].authorization == "Bearer not-a-valid-token-1234"
    assert eng.seen[1].authorization != eng.seen[0].authorization
    assert renewals(eng) == (1, 0)
    assert eng.metrics_requests == 3


# -- proactive renewal ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_token_shorter_lived_than_the_skew_is_not_renewed_on_every_call(
    mode: Mode, kwargs: dict[str, Any], eng: Engine, clock: FakeClock
) -> None:
    eng.token_lifetime = 10.0  # shorter than the 60 s skew: renew 5 s early, not at once
    with open_client(mode, **kwargs) as calls:
        for _ in range(5):
            calls()
            clock.advance(0.9)
        assert renewals(eng) == (1, 0)
        clock.now = 5.0
        calls()
        assert renewals(eng) == (1, 1)
        for _ in range(5):
            clock.advance(0.9)
            calls()
    assert renewals(eng) == (1, 1)
    assert eng.metrics_requests == 11


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("elapsed", "skew", "renewed"),
    [
        (LIFETIME - 61, None, False),
        (LIFETIME - 59, None, True),  # inside the default 60 s skew: renewed early
        (LIFETIME - 0.5, None, True),  # about to expire
        (LIFETIME + 500, None, True),  # expired: the call would have failed with a 401
        (LIFETIME - 11, 10.0, False),  # a configured skew
        (LIFETIME - 9, 10.0, True),
    ],
)
def test_a_token_about_to_expire_is_renewed_before_the_call(
    mode: Mode,
    elapsed: float,
    skew: float | None,
    renewed: bool,
    kwargs: dict[str, Any],
    eng: Engine,
    clock: FakeClock,
) -> None:
    extra: dict[str, Any] = {} if skew is None else {"token_skew": skew}
    with open_client(mode, **kwargs, **extra) as calls:
        calls()
        clock.advance(elapsed)
        calls()
    assert renewals(eng) == (1, int(renewed))
    assert eng.metrics_requests == 2  # never a 401 and a replay
    assert (eng.seen[0].authorization != eng.seen[1].authorization) is renewed


# -- refresh token and fallback -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("how", ["expiry", "401"])
def test_a_rejected_refresh_falls_back_to_the_credentials(
    mode: Mode, how: str, kwargs: dict[str, Any], eng: Engine, clock: FakeClock
) -> None:
    with open_client(mode, **kwargs) as calls:
        calls()
        eng.reset()  # the sandbox forgets every access and refresh token it issued
        if how == "expiry":
            clock.advance(LIFETIME + 1)
        calls()
    assert renewals(eng) == (1, 1)  # the refresh was tried, refused, then the exchange
    assert eng.metrics_requests == (1 if how == "expiry" else 2)


@pytest.mark.parametrize("mode", MODES)
def test_project_key_refresh_goes_to_the_token_endpoint_plus_refresh(
    mode: Mode, timed_sandbox: Sandbox, eng: Engine, clock: FakeClock
) -> None:
    key = _key(timed_sandbox.url, nested=True)
    with open_client(mode, key, token_clock=clock) as calls:
        assert str(calls.client.base_url).startswith(timed_sandbox.url)
        calls()
        clock.advance(LIFETIME)
        calls()
    assert renewals(eng) == (1, 1)


# -- the token endpoint failing -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_refused_credentials_raise_authentication_error_without_retrying(
    mode: Mode, kwargs: dict[str, Any], eng: Engine
) -> None:
    wrong = {**kwargs, "client_secret": "wrong-secret-value-42", "max_retries": 3}
    with open_client(mode, **wrong) as calls, pytest.raises(AuthenticationError) as caught:
        calls()
    message = str(caught.value)
    assert "HTTP 401" in message and "Invalid client credentials" in message
    assert "wrong-secret-value-42" not in message
    assert renewals(eng) == (1, 0)
    assert eng.metrics_requests == 0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [400, 403, 422])
def test_any_refusal_by_the_token_endpoint_is_an_authentication_error(
    mode: Mode, status: int, kwargs: dict[str, Any], eng: Engine
) -> None:
    eng.add_fault(Fault(status=status, tokens=True))
    with open_client(mode, **kwargs) as calls, pytest.raises(AuthenticationError) as caught:
        calls()
    assert caught.value.status_code == status
    assert f"Injected fault: HTTP {status}" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_a_5xx_token_endpoint_is_retried_like_any_call(
    mode: Mode, kwargs: dict[str, Any], eng: Engine
) -> None:
    eng.add_fault(Fault(status=503, tokens=True, times=2))
    with open_client(mode, max_retries=2, **kwargs) as calls:
        calls.no_sleep()
        calls()
        assert calls.client.token_requests == 3
        assert len(calls.sleeps) == 2
    assert eng.metrics_requests == 1

    eng.add_fault(Fault(status=502, tokens=True, times=10))
    with open_client(mode, max_retries=2, **kwargs) as calls:
        calls.no_sleep()
        with pytest.raises(InternalServerError, match="token endpoint"):
            calls()
        assert calls.client.token_requests == 3
    assert eng.metrics_requests == 1


@pytest.mark.parametrize("mode", MODES)
def test_an_unreachable_token_endpoint_is_retried_then_raises(
    mode: Mode, kwargs: dict[str, Any], eng: Engine
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/auth/access-token"
    with open_client(mode, max_retries=2, token_url=dead, **kwargs) as calls:
        calls.no_sleep()
        with pytest.raises(
            APIConnectionError,
            match=r"POST http://127\.0\.0\.1:\d+/auth/access-token \(needed by POST /",
        ):
            calls()
        assert calls.client.token_requests == 3
        assert len(calls.sleeps) == 2
    assert eng.metrics_requests == 0


# -- redirects ------------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, str]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append(dict(self.headers))
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def other_host() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A second server on 127.0.0.1 (another origin) that records the headers it receives."""
    seen: list[dict[str, str]] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("mode", MODES)
def test_a_redirect_to_another_host_is_refused_with_nothing_sent_there(
    mode: Mode,
    kwargs: dict[str, Any],
    eng: Engine,
    other_host: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = other_host
    with open_client(mode, **kwargs) as calls:
        calls()
        eng.add_fault(Fault(kind="redirect", location=f"{url}/pipelines/metrics"))
        with pytest.raises(RedirectError) as caught:
            calls()
    assert seen == []  # not the ids, not the admin headers, not the token
    assert caught.value.target == url
    assert f"to another origin, {url}; nothing was sent there" in str(caught.value)
    assert caught.value.status_code == 307
    assert eng.seen[-1].authorization is not None  # the sandbox did get it


@pytest.mark.parametrize("mode", MODES)
def test_a_token_request_redirected_to_another_host_is_not_followed(
    mode: Mode,
    kwargs: dict[str, Any],
    eng: Engine,
    other_host: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = other_host
    eng.add_fault(Fault(kind="redirect", tokens=True, location=f"{url}/auth/access-token"))
    with (
        open_client(mode, **kwargs) as calls,
        pytest.raises(RedirectError, match=r"from POST http://.*/auth/access-token to another"),
    ):
        calls()
    assert seen == []  # the credentials never reached the other host
    assert eng.metrics_requests == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_redirect_on_the_same_host_keeps_the_token(
    mode: Mode, kwargs: dict[str, Any], eng: Engine
) -> None:
    with open_client(mode, **kwargs) as calls:
        calls()
        eng.add_fault(Fault(kind="redirect", location="/pipelines/metrics"))
        calls(("again",))
    assert eng.metrics_requests == 3
    assert eng.seen[-1].authorization == eng.seen[-2].authorization is not None
    assert eng.seen[-1].body == {"ids": ["again"]}


# -- project keys and admin headers ---------------------------------------------------------


def _key(sandbox_url: str, *, nested: bool) -> dict[str, Any]:
    api: dict[str, Any] = {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}
    urls = {"api_url": sandbox_url, "token_endpoint": f"{sandbox_url}/auth/access-token"}
    return {"api": {**api, **urls}} if nested else {"api": api, **urls}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("nested", [True, False])
@pytest.mark.parametrize("as_file", [True, False])
def test_from_project_key(
    mode: Mode,
    nested: bool,
    as_file: bool,
    timed_sandbox: Sandbox,
    eng: Engine,
    tmp_path: Path,
) -> None:
    key: Any = _key(timed_sandbox.url, nested=nested)
    if as_file:
        path = tmp_path / "project-key.json"
        path.write_text(json.dumps(key), encoding="utf-8")
        key = str(path) if mode == "sync" else path  # a str or any os.PathLike
    with open_client(mode, key) as calls:
        calls()
    assert renewals(eng) == (1, 0)
    assert eng.metrics_requests == 1


def test_project_key_arguments_win_and_the_key_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, timed_sandbox: Sandbox
) -> None:
    monkeypatch.setenv("STREAMKAP_HOST", "https://from-env.example.test")
    key = _key(timed_sandbox.url, nested=True)
    with StreamkapClient.from_project_key(key) as client:
        assert str(client.base_url).startswith(timed_sandbox.url)
    with StreamkapClient.from_project_key(key, base_url="https://override.example.test") as c:
        assert str(c.base_url) == "https://override.example.test"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"client_id": "x"}, "no 'api' object"),
        ({"api": {"client_id": "x", "client_secret": ""}}, "missing api.client_secret"),
        ({"api": {"client_secret": "top-secret-value-1"}}, "missing api.client_id"),
        ("{not json", "not valid JSON"),
        (None, "cannot read"),
    ],
)
def test_bad_project_keys(content: object, message: str, tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(ConfigurationError, match=message) as caught:
        StreamkapClient.from_project_key(path)
    assert "top-secret-value-1" not in str(caught.value)


def _recording_transport(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.startswith("/auth/"):
            return httpx.Response(200, json={"accessToken": "a" * 20, "expiresIn": 3600})
        return httpx.Response(200, json={})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("source", ["arguments", "environment"])
def test_admin_headers(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    kw: dict[str, Any] = {"client_id": "id", "client_secret": "secret-12345678"}
    if source == "arguments":
        kw |= {"admin_tenant_id": "tenant-7", "admin_service_id": "service-9"}
    else:
        monkeypatch.setenv("STREAMKAP_ADMIN_TENANT_ID", "tenant-7")
        monkeypatch.setenv("STREAMKAP_ADMIN_SERVICE_ID", "service-9")
    seen: list[httpx.Request] = []
    with StreamkapClient(transport=_recording_transport(seen), **kw) as client:
        client.pipelines.metrics(["x"])
    token_request, call = seen
    assert call.headers["X-Admin-Tenant-Id"] == "tenant-7"
    assert call.headers["X-Admin-Service-Id"] == "service-9"
    assert "X-Admin-Tenant-Id" not in token_request.headers  # only API calls carry them


async def test_admin_headers_async() -> None:
    seen: list[httpx.Request] = []
    async with AsyncStreamkapClient(
        client_id="id",
        client_secret="secret-12345678",
        admin_tenant_id="tenant-7",
        transport=_recording_transport(seen),
    ) as client:
        await client.pipelines.metrics(["x"])
    assert seen[-1].headers["X-Admin-Tenant-Id"] == "tenant-7"
    assert "X-Admin-Service-Id" not in seen[-1].headers


def test_no_admin_headers_by_default() -> None:
    seen: list[httpx.Request] = []
    kw = {"client_id": "id", "client_secret": "secret-12345678"}
    with StreamkapClient(transport=_recording_transport(seen), **kw) as client:
        client.pipelines.metrics(["x"])
    assert not {"x-admin-tenant-id", "x-admin-service-id"} & set(seen[-1].headers.keys())


# -- the benchmark's scenario stays runnable --------------------------------------------------


def test_bench_auth_scenario() -> None:
    path = Path(__file__).parent.parent / "bench" / "auth_scenario.py"
    spec = importlib.util.spec_from_file_location("auth_scenario", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.token_requests_after_expiry(10, "threads") == 1
    assert module.token_requests_after_expiry(20, "async") == 1
