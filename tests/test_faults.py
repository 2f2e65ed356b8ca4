"""Faults a service meets in production (issue 11), each over real HTTP on 127.0.0.1, against
the sandbox or the small fault server in `_faultserver.py`, for both clients where it applies.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from _faultserver import (
    SECRET,
    Conn,
    FaultServer,
    Request,
    elapsed,
    fault_server,
    gzip_bomb,
    head,
    metrics_body,
)
from _support import FakeClock

import streamkap_sdk
from streamkap_sdk import (
    APIError,
    APITimeoutError,
    AsyncStreamkapClient,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    InvalidParameterError,
    MalformedResponseError,
    StreamkapClient,
    StreamkapError,
    UnprocessableEntityError,
    entities,
)
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine, Fault, Sandbox
from streamkap_sdk.testing import FakeStreamkap

Mode = Literal["sync", "async"]
MODES: list[Mode] = ["sync", "async"]
MiB = 1 << 20
HERE = Path(__file__).parent


class Calls:
    """One client of either kind behind a synchronous `calls(ids, **kw)`."""

    def __init__(self, client: StreamkapClient | AsyncStreamkapClient, run: Any) -> None:
        self.client = client
        self.run = run

    def __call__(self, ids: list[str] | None = None, **kw: Any) -> Any:
        return self.run(self.client.pipelines.metrics(["p1"] if ids is None else ids, **kw))


@contextmanager
def open_client(mode: Mode, **kw: Any) -> Iterator[Calls]:
    if mode == "sync":
        with StreamkapClient(**kw) as client:
            yield Calls(client, lambda result: result)
        return
    with asyncio.Runner() as runner:
        aclient = AsyncStreamkapClient(**kw)
        try:
            yield Calls(aclient, runner.run)
        finally:
            runner.run(aclient.aclose())


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as running:
        yield running


def sandbox_kw(sandbox: Sandbox, **kw: Any) -> dict[str, Any]:
    return {
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "base_url": sandbox.url,
        **kw,
    }


# -- 1. fork ------------------------------------------------------------------------------------


def probe(sandbox: Sandbox, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(HERE / "_fork_probe.py"), sandbox.url, mode],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
def test_after_a_fork_parent_and_child_each_get_their_own_answers(
    sandbox: Sandbox, engine: Engine
) -> None:
    report = probe(sandbox, "concurrent")
    assert report["parent"] == {"ok": 200, "bad": [], "n_bad": 0}, report
    assert report["child"] == {"ok": 200, "bad": [], "n_bad": 0}, report


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
def test_a_fork_during_a_slow_renewal_does_not_deadlock_the_child(
    sandbox: Sandbox, engine: Engine
) -> None:
    engine.add_fault(Fault(kind="delay", delay=3.0, tokens=True))  # the parent's exchange
    report = probe(sandbox, "renewal")
    assert report["child"]["ids"] == ["child"], report
    assert report["child"]["seconds"] < 5, report  # its own exchange, not the parent's lock


# -- 2. a success must answer the request -------------------------------------------------------


def leftover(request: Request, conn: Conn) -> None:
    """A 200 for the ids asked, followed on the same connection by bytes past Content-Length:
    a whole second response about someone else's ids, which the next call reads as its own."""
    conn.respond(200, metrics_body((request.json() or {}).get("ids") or []))
    other = json.dumps(metrics_body(["someone-else"])).encode()
    conn.write(
        head(200, {"content-type": "application/json", "content-length": str(len(other))}) + other
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_response_left_on_the_connection_is_not_taken_for_the_next_one(
    mode: Mode, server: FaultServer
) -> None:
    with open_client(mode, **server.credentials()) as calls:
        calls(["warm"])
        server.once("/pipelines/metrics", leftover)
        assert sorted(entities(calls(["mine"]).connector_metrics)) == ["mine"]
        try:
            answer = calls(["next"])
        except MalformedResponseError as caught:  # httpx reads the leftover: the id check
            message = str(caught)
            assert "connector_metrics holds ids that were not asked for: 'someone-else'" in message
            assert caught.path == ("connector_metrics", "someone-else")
        else:  # aiohttp's pool drops a connection holding unread bytes (tests/test_wire.py)
            assert mode != "sync" and sorted(entities(answer.connector_metrics)) == ["next"]


@pytest.mark.parametrize("mode", MODES)
def test_the_id_check_can_be_turned_off_and_ignores_aggregates(
    mode: Mode, server: FaultServer
) -> None:
    def renamed(request: Request, conn: Conn) -> None:
        conn.respond(200, metrics_body(["p1", "P1-renamed"]))

    server.on("/pipelines/metrics", renamed)
    with open_client(mode, **server.credentials()) as calls, pytest.raises(MalformedResponseError):
        calls(["p1"])
    with open_client(mode, check_response_ids=False, **server.credentials()) as calls:
        result = calls(["p1"])
    assert sorted(entities(result.connector_metrics)) == ["P1-renamed", "p1"]
    assert entities(result.account_metrics)  # keyed "account": an aggregate, never checked


def test_a_subset_of_the_ids_is_a_valid_answer(server: FaultServer) -> None:
    server.on("/pipelines/metrics", lambda r, c: c.respond(200, metrics_body(["a"])))
    with open_client("sync", **server.credentials()) as calls:
        assert list(entities(calls(["a", "b"]).connector_metrics)) == ["a"]


# -- 3. the deadline bounds the whole call -------------------------------------------------------


def trickle(status: int = 200, every: float = 0.9, total: int = 40) -> Callable[..., None]:
    """Headers at once, then the body one byte per `every` seconds (each read well inside any
    read timeout, so only a wall-clock deadline can stop it)."""

    def handler(request: Request, conn: Conn) -> None:
        body = b" " * (total - 2) + b"{}"
        conn.write(head(status, {"content-type": "application/json", "content-length": str(total)}))
        for byte in body:
            conn.write(bytes([byte]))
            conn.sleep(every)

    return handler


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", ["/pipelines/metrics", "/auth/access-token"])
def test_a_body_trickling_in_is_cut_at_the_deadline(
    mode: Mode, server: FaultServer, path: str
) -> None:
    server.on(path, trickle())
    with open_client(mode, **server.credentials()) as calls:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            calls(deadline=2)
        assert elapsed(started) < 2.5


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_a_slow_token_exchange_is_bounded_by_the_deadline(mode: Mode, server: FaultServer) -> None:
    def slow(request: Request, conn: Conn) -> None:
        conn.sleep(6)
        conn.respond(200, server.issue())

    server.on("/auth/access-token", slow)
    with open_client(mode, **server.credentials()) as calls:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            calls(deadline=1.5)
        assert elapsed(started) < 2.0


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_waiting_for_another_calls_renewal_is_bounded_by_the_deadline(
    mode: Mode, server: FaultServer
) -> None:
    def slow(request: Request, conn: Conn) -> None:
        conn.sleep(2.5)
        conn.respond(200, server.issue())

    server.on("/auth/access-token", slow)
    outcome: dict[str, Any] = {}
    if mode == "sync":
        with StreamkapClient(**server.credentials()) as client:
            first = threading.Thread(target=lambda: client.pipelines.metrics(["first"]))
            first.start()
            time.sleep(0.3)  # the first call holds the renewal lock
            started = time.monotonic()
            try:
                client.pipelines.metrics(["second"], deadline=1.5)
            except APIError as exc:
                outcome["error"] = exc
            outcome["seconds"] = elapsed(started)
            first.join(timeout=10)
    else:

        async def run() -> None:
            async with AsyncStreamkapClient(**server.credentials()) as client:
                first = asyncio.create_task(client.pipelines.metrics(["first"]))
                await asyncio.sleep(0.3)
                started = time.monotonic()
                try:
                    await client.pipelines.metrics(["second"], deadline=1.5)
                except APIError as exc:
                    outcome["error"] = exc
                outcome["seconds"] = elapsed(started)
                await first

        asyncio.run(run())
    assert isinstance(outcome.get("error"), APITimeoutError), outcome
    assert outcome["seconds"] < 2.0, outcome


@pytest.mark.parametrize("mode", MODES)
def test_retries_and_waits_stay_inside_the_deadline(mode: Mode, server: FaultServer) -> None:
    def busy(request: Request, conn: Conn) -> None:
        conn.respond(503, {"detail": "busy"}, {"retry-after": "0.4"})

    server.on("/pipelines/metrics", busy)
    with open_client(mode, max_retries=10, **server.credentials()) as calls:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            calls(deadline=1.0)
        assert elapsed(started) < 1.5


# -- 4. response size ---------------------------------------------------------------------------


def bomb(mib: int, status: int = 200) -> Callable[..., None]:
    def handler(request: Request, conn: Conn) -> None:
        body = gzip_bomb(mib)
        headers = {"content-type": "application/json", "content-encoding": "gzip"}
        conn.respond(status, body, headers)

    return handler


@pytest.mark.parametrize("mode", MODES)
def test_a_gzip_bomb_stops_at_max_response_bytes_with_memory_near_the_limit(
    mode: Mode, server: FaultServer
) -> None:
    gzip_bomb(256)  # built before measuring
    server.on("/pipelines/metrics", bomb(256))
    with open_client(mode, max_response_bytes=16 * MiB, **server.credentials()) as calls:
        tracemalloc.start()
        try:
            with pytest.raises(APIError) as caught:
                calls()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert type(caught.value).__name__ == "ResponseTooLargeError"
    assert "larger than 16 MiB (max_response_bytes)" in str(caught.value)
    assert caught.value.limit == 16 * MiB  # type: ignore[attr-defined]
    assert peak < 16 * MiB + 8 * MiB, f"peak {peak / MiB:.1f} MiB"  # not the 256 MiB it expands to


@pytest.mark.slow
def test_the_default_cap_is_256_mib(server: FaultServer) -> None:
    server.on("/pipelines/metrics", bomb(300))
    with open_client("sync", **server.credentials()) as calls, pytest.raises(APIError) as caught:
        calls()
    assert "larger than 256 MiB (max_response_bytes)" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("path", "status", "kind"),
    [
        ("/auth/access-token", 200, "token-endpoint"),
        ("/pipelines/metrics", 503, "error"),
        ("/pipelines/metrics", 401, "error"),  # read by the auth flow before it renews
    ],
)
def test_token_and_error_bodies_are_capped_at_1_mib(
    mode: Mode, server: FaultServer, path: str, status: int, kind: str
) -> None:
    server.on(path, bomb(8, status=status))
    with (
        open_client(mode, max_retries=0, **server.credentials()) as calls,
        pytest.raises(APIError) as caught,
    ):
        calls()
    assert type(caught.value).__name__ == "ResponseTooLargeError"
    assert f"the {kind} body is larger than 1 MiB (fixed cap)" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_a_declared_length_past_the_cap_is_refused_before_reading(
    mode: Mode, server: FaultServer
) -> None:
    def huge(request: Request, conn: Conn) -> None:
        conn.write(head(200, {"content-type": "application/json", "content-length": str(64 * MiB)}))
        conn.close()

    server.on("/pipelines/metrics", huge)
    with (
        open_client(mode, max_response_bytes=MiB, **server.credentials()) as calls,
        pytest.raises(APIError, match="larger than 1 MiB"),
    ):
        calls()


# -- 5. redirects -------------------------------------------------------------------------------


@pytest.fixture
def other() -> Iterator[FaultServer]:
    with fault_server() as running:
        yield running


def redirect(location: str, status: int = 307) -> Callable[..., None]:
    return lambda request, conn: conn.respond(status, b"", {"location": location})


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", ["/pipelines/metrics", "/auth/access-token"])
def test_a_redirect_to_another_origin_sends_nothing_there(
    mode: Mode, server: FaultServer, other: FaultServer, path: str
) -> None:
    server.on(path, redirect(f"{other.url}{path}"))
    with (
        open_client(mode, admin_tenant_id="tenant-7", **server.credentials()) as calls,
        pytest.raises(APIError) as caught,
    ):
        calls(["secret-pipeline"])
    assert other.requests == []
    assert type(caught.value).__name__ == "RedirectError"
    assert f"to another origin, {other.url}; nothing was sent there" in str(caught.value)


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("/pipelines/metrics", "a redirect loop"),
        ("http://[::1", "an unusable Location header"),
        ("ftp://127.0.0.1/x", "which is not an http(s) URL"),
        ("", "without a Location header"),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_loops_and_bad_locations_are_sdk_errors(
    mode: Mode, server: FaultServer, location: str, message: str
) -> None:
    server.on("/pipelines/metrics", redirect(location))
    with open_client(mode, **server.credentials()) as calls, pytest.raises(APIError) as caught:
        calls()
    assert type(caught.value).__name__ == "RedirectError"
    assert message in str(caught.value)
    assert server.count("/pipelines/metrics") <= 2


def test_a_303_would_drop_the_body_and_is_refused(server: FaultServer) -> None:
    server.on("/pipelines/metrics", redirect("/elsewhere", status=303))
    with open_client("sync", **server.credentials()) as calls, pytest.raises(APIError) as caught:
        calls()
    assert "would resend the POST as a GET without its body" in str(caught.value)
    assert server.count("/elsewhere") == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_same_origin_redirect_is_followed_with_the_token(mode: Mode, server: FaultServer) -> None:
    server.once("/pipelines/metrics", redirect("/destinations/metrics", status=308))
    with open_client(mode, **server.credentials()) as calls:
        assert list(entities(calls(["x"]).connector_metrics)) == ["x"]
    moved = [r for r in server.requests if r.path == "/destinations/metrics"]
    assert len(moved) == 1 and moved[0].json() == {"ids": ["x"]}
    assert moved[0].headers["authorization"].startswith("Bearer ")


# -- 6. a broken refresh falls back to the exchange ------------------------------------------


REFRESH_FAULTS: dict[str, Callable[[Request, Conn], None]] = {
    "200 without a token": lambda r, c: c.respond(200, {"expiresIn": 60}),
    "200 that is not JSON": lambda r, c: c.respond(200, b"<html>ok</html>"),
    "hang": lambda r, c: c.sleep(10),
    "503": lambda r, c: c.respond(503, {"detail": "down"}),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(REFRESH_FAULTS))
@pytest.mark.parametrize("how", ["expiry", "401"])
def test_a_broken_refresh_falls_back_to_the_exchange_in_the_same_call(
    mode: Mode, server: FaultServer, fault: str, how: str
) -> None:
    clock = FakeClock()
    server.expires_in = 120
    server.on("/auth/access-token/refresh", REFRESH_FAULTS[fault])
    kw = server.credentials(token_clock=clock, timeout=1.0, max_retries=0)
    with open_client(mode, **kw) as calls:
        calls()
        if how == "expiry":
            clock.advance(121)
        else:
            server.revoke()
        for n in range(5):
            assert list(entities(calls([f"after-{n}"]).connector_metrics)) == [f"after-{n}"]
    assert server.count("/auth/access-token/refresh") == 1  # tried once, then left alone
    assert server.count("/auth/access-token") == 2


# -- 9. event loops -----------------------------------------------------------------------------


def test_one_async_client_in_two_event_loops(sandbox: Sandbox, engine: Engine) -> None:
    clock = FakeClock()
    engine.token_lifetime = 3600
    client = AsyncStreamkapClient(**sandbox_kw(sandbox, token_clock=clock))

    async def burst(tag: str) -> list[list[str]]:
        results = await asyncio.gather(
            *(client.pipelines.metrics([f"{tag}-{n}"]) for n in range(10))
        )
        return [list(entities(r.connector_metrics)) for r in results]

    assert asyncio.run(burst("one")) == [[f"one-{n}"] for n in range(10)]
    engine.revoke_tokens()  # the second loop renews under concurrency
    assert asyncio.run(burst("two")) == [[f"two-{n}"] for n in range(10)]
    clock.advance(7200)  # and the third before sending
    assert asyncio.run(burst("three")) == [[f"three-{n}"] for n in range(10)]
    assert engine.token_requests == 1  # the token outlived each loop
    asyncio.run(client.aclose())  # from yet another loop
    with pytest.raises(ClientClosedError):
        asyncio.run(client.pipelines.metrics(["after"]))


def test_two_loops_in_two_threads_at_once(sandbox: Sandbox, engine: Engine) -> None:
    client = AsyncStreamkapClient(**sandbox_kw(sandbox))
    errors: list[BaseException] = []

    def worker(tag: str) -> None:
        async def run() -> None:
            for n in range(20):
                result = await client.pipelines.metrics([f"{tag}-{n}"])
                assert list(entities(result.connector_metrics)) == [f"{tag}-{n}"]

        try:
            asyncio.run(run())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    asyncio.run(client.aclose())


# -- 10. Ctrl+C or a failing chunk stops a sync chunked call ---------------------------------


def chunked(sandbox: Sandbox) -> StreamkapClient:
    return StreamkapClient(
        **sandbox_kw(sandbox, max_ids_per_request=1, max_concurrency=2, max_retries=5)
    )


@pytest.mark.slow
def test_ctrl_c_during_a_chunked_call_starts_nothing_new(sandbox: Sandbox, engine: Engine) -> None:
    engine.add_fault(Fault(status=503, retry_after="1", times=100))
    with chunked(sandbox) as client:
        timer = threading.Timer(0.6, lambda: os.kill(os.getpid(), signal.SIGINT))  # as Ctrl+C
        timer.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            client.pipelines.metrics([f"p{n}" for n in range(8)])
        seen = engine.metrics_requests
        interrupted = elapsed(started)
        time.sleep(1.5)  # any retry would have happened by now
        timer.join()
    assert interrupted < 1.5  # the waits were cut short
    assert 1 <= engine.metrics_requests == seen <= 2  # the first requests, nothing after


@pytest.mark.slow
def test_a_failing_chunk_stops_the_retries_of_the_others(sandbox: Sandbox, engine: Engine) -> None:
    engine.add_fault(Fault(status=400))  # one chunk fails at once...
    engine.add_fault(Fault(status=503, retry_after="1", times=100))  # ...the other waits to retry
    with chunked(sandbox) as client:
        started = time.monotonic()
        with pytest.raises(BadRequestError):
            client.pipelines.metrics([f"p{n}" for n in range(8)])
        took = elapsed(started)
        seen = engine.metrics_requests
        time.sleep(1.5)  # the other chunk's retry would have been sent by now
    assert took < 1.0
    assert engine.metrics_requests == seen <= 2  # at most the two first requests, nothing after


# -- 11. raw exceptions become SDK errors -----------------------------------------------------


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("json_path", ["orjson", "stdlib"])
def test_deeply_nested_json_is_a_malformed_response(
    mode: Mode, server: FaultServer, json_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if json_path == "stdlib":
        monkeypatch.setattr(streamkap_sdk._decode, "_fast", None)
    body = b'{"connector_metrics": {"p1": {"latest": {"x": ' + deep(100_000) + b"}}}}"
    server.on("/pipelines/metrics", lambda r, c: c.respond(200, body))
    with open_client(mode, **server.credentials()) as calls, pytest.raises(MalformedResponseError):
        calls()


def test_deep_values_in_a_chunk_merge_are_an_sdk_error(server: FaultServer) -> None:
    def answer(request: Request, conn: Conn) -> None:
        ids = (request.json() or {}).get("ids") or []
        entries = [
            f'"{i}": {{"latest": {{"x": '.encode() + deep(1000) + b"}}" for i in ["shared", *ids]
        ]
        conn.respond(200, b'{"connector_metrics": {' + b", ".join(entries) + b"}}")

    server.on("/pipelines/metrics", answer)
    with open_client(
        "sync", max_ids_per_request=1, check_response_ids=False, **server.credentials()
    ) as calls:
        try:
            result = calls(["a", "b"])
        except StreamkapError:
            pass  # a value too deep to compare is a conflict, never a RecursionError
        else:
            assert "shared" in entities(result.connector_metrics)


@pytest.mark.parametrize("mode", MODES)
def test_close_during_calls_is_client_closed_error(mode: Mode, server: FaultServer) -> None:
    def slow(request: Request, conn: Conn) -> None:
        conn.sleep(0.5)
        conn.respond(503, {"detail": "busy"}, {"retry-after": "0.5"})

    server.on("/pipelines/metrics", slow)
    errors: list[BaseException] = []
    if mode == "sync":
        client = StreamkapClient(max_retries=5, **server.credentials())

        def call() -> None:
            try:
                client.pipelines.metrics(["p1"])
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        client.close()
        for thread in threads:
            thread.join(timeout=10)
    else:

        async def run() -> None:
            client = AsyncStreamkapClient(max_retries=5, **server.credentials())
            tasks = [asyncio.create_task(client.pipelines.metrics(["p1"])) for _ in range(4)]
            await asyncio.sleep(0.3)
            await client.aclose()
            for outcome in await asyncio.gather(*tasks, return_exceptions=True):
                errors.append(outcome)  # type: ignore[arg-type]

        asyncio.run(run())
    assert len(errors) == 4
    assert all(isinstance(e, ClientClosedError) for e in errors), errors


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"since": dt.timedelta(days=999_999_999)}, "since"),
        ({"since": dt.timedelta(days=800_000)}, "since"),
    ],
)
def test_since_overflow_is_an_invalid_parameter(
    kwargs: dict[str, Any], parameter: str, sandbox: Sandbox, engine: Engine
) -> None:
    with (
        StreamkapClient(**sandbox_kw(sandbox)) as client,
        pytest.raises(InvalidParameterError) as caught,
    ):
        client.pipelines.metrics(["p1"], **kwargs)
    assert caught.value.parameter == parameter
    assert engine.metrics_requests == 0


def test_very_deep_extra_body_is_an_invalid_parameter(sandbox: Sandbox, engine: Engine) -> None:
    nested: dict[str, Any] = {}
    for _ in range(100_000):
        nested = {"n": nested}
    with (
        StreamkapClient(**sandbox_kw(sandbox)) as client,
        pytest.raises(InvalidParameterError, match="extra_body: nested too deeply"),
    ):
        client.pipelines.metrics(["p1"], extra_body=nested)
    assert engine.metrics_requests == 0


@pytest.mark.parametrize(
    "settings",
    [
        {"max_ids_per_request": 2.5},
        {"max_ids_per_request": "100"},
        {"max_concurrency": 1.5},
        {"max_concurrency": True},
        {"max_response_bytes": "1MB"},
        {"admin_tenant_id": "tenänt"},
        {"admin_service_id": "svc\r\nX-Evil: 1"},
        {"access_token": "tok\nen"},
        {"check_response_ids": "no"},
    ],
)
def test_bad_settings_are_configuration_errors(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        StreamkapClient(client_id="id", client_secret="secret-12345678", **settings)
    assert "X-Evil" not in str(caught.value) and "tok\nen" not in str(caught.value)


def test_cli_since_overflow_is_one_line_and_exit_2(sandbox: Sandbox) -> None:
    env = {
        "STREAMKAP_CLIENT_ID": DEFAULT_CLIENT_ID,
        "STREAMKAP_SECRET": DEFAULT_CLIENT_SECRET,
        "STREAMKAP_HOST": sandbox.url,
        "PATH": "/usr/bin:/bin",
    }
    for since in ("99999999999w", "500000w"):
        done = subprocess.run(
            [sys.executable, "-m", "streamkap_sdk.cli", "pipelines", "--ids", "a",
             "--since", since],
            capture_output=True, text=True, timeout=60, env=env,
        )  # fmt: skip
        assert done.returncode == 2, (since, done.stderr)
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert done.stderr.startswith("streamkap-metrics: error: ")


# -- 13. the fake refuses what the wire refuses ------------------------------------------------


def test_fake_and_wire_refuse_cr_lf_header_values(sandbox: Sandbox) -> None:
    fake = FakeStreamkap()
    for transport, url in ((fake.transport(), fake.base_url), (None, sandbox.url)):
        with httpx.Client(transport=transport) as http, pytest.raises(httpx.LocalProtocolError):
            http.post(f"{url}/pipelines/metrics", headers={"X-Admin-Tenant-Id": "a\r\nX-Evil: 1"})


@pytest.mark.parametrize(
    "params",
    [
        {"time_type": "timeseries", "time_interval": 10**30},
        {"time_type": "timeseries", "time_interval": 2**31 - 1, "time_unit": "month"},
        {"size": 10**30},
        {"page": 10**30},
    ],
)
def test_fake_and_sandbox_answer_422_for_out_of_range_values(
    params: dict[str, Any], sandbox: Sandbox, engine: Engine
) -> None:
    fake = FakeStreamkap()
    with fake.client() as in_process, StreamkapClient(**sandbox_kw(sandbox)) as over_http:
        for client in (in_process, over_http):
            with pytest.raises(UnprocessableEntityError) as caught:
                client.pipelines.metrics(["p1"], **params)
            assert caught.value.status_code == 422


# -- the CR/LF token a server might hand out is never used (nor echoed) --------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_token_with_cr_lf_is_refused_without_echoing_it(mode: Mode, server: FaultServer) -> None:
    evil = "tok3n-" + "x" * 20 + "\r\nX-Evil: 1"
    server.on("/auth/access-token", lambda r, c: c.respond(200, {"accessToken": evil}))
    with (
        open_client(mode, **server.credentials()) as calls,
        pytest.raises(MalformedResponseError) as caught,
    ):
        calls()
    assert "cannot be sent in an HTTP header" in str(caught.value)
    assert "tok3n" not in str(caught.value) and "tok3n" not in repr(caught.value.response.content)
    assert SECRET not in str(caught.value)


def test_https_to_http_on_the_same_host_is_another_origin() -> None:
    """The rule itself (no TLS server here): the scheme is part of the origin."""
    from streamkap_sdk._http import next_hop

    request = httpx.Request("POST", "https://api.streamkap.test/pipelines/metrics", content=b"{}")
    moved = httpx.Response(
        307, headers={"location": "http://api.streamkap.test/pipelines/metrics"}, request=request
    )
    with pytest.raises(streamkap_sdk.RedirectError) as caught:
        next_hop(request, moved, [])
    assert caught.value.target == "http://api.streamkap.test"
    assert "(from https to plain http); nothing was sent there" in str(caught.value)
