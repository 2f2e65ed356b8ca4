"""What only the aiohttp backend needs checking: its settings, that the requests it builds are
httpx's, that no aiohttp object ever leaves a call, and its pools across forks and closed loops.

Everything else (auth, renewal, retries, deadlines, size limits, redirects, errors, secrets)
is checked by running the client tests on both backends (see conftest.py).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _faultserver import CLIENT_ID, SECRET, Conn, FaultServer, Request, fault_server, head

from streamkap_sdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncStreamkapClient,
    ConfigurationError,
    StreamkapError,
    entities,
)
from streamkap_sdk.sandbox import Sandbox

HERE = Path(__file__).parent


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as running:
        yield running


def aio(server: FaultServer, **kw: Any) -> AsyncStreamkapClient:
    return AsyncStreamkapClient(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        base_url=server.url,
        http_backend="aiohttp",
        **kw,
    )


# -- settings -----------------------------------------------------------------------------------


def test_an_unknown_backend_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match=r"http_backend must be one of 'httpx', 'aiohttp'"):
        AsyncStreamkapClient(access_token="t", http_backend="requests")  # type: ignore[arg-type]


def test_aiohttp_with_an_httpx_transport_is_a_configuration_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    with pytest.raises(ConfigurationError, match=r"transport= brings its own transport"):
        AsyncStreamkapClient(access_token="t", http_backend="aiohttp", transport=transport)


def test_aiohttp_not_installed_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # what `import aiohttp` then refuses
    with pytest.raises(ConfigurationError) as caught:
        AsyncStreamkapClient(access_token="t", http_backend="aiohttp")
    assert "pip install 'streamkap-sdk[aiohttp]'" in str(caught.value)
    AsyncStreamkapClient(access_token="t")  # the default backend does not need it


# -- requests are httpx's -----------------------------------------------------------------------


def _but(headers: httpx.Headers, names: set[str]) -> list[tuple[str, str]]:
    return [(k.lower(), v) for k, v in headers.multi_items() if k.lower() not in names]


def httpx_below_0_28() -> bool:
    major, minor = (int(part) for part in httpx.__version__.split(".")[:2])
    return (major, minor) < (0, 28)


# -- no aiohttp object leaves a call ------------------------------------------------------------


def drop(request: Request, conn: Conn) -> None:
    conn.close()  # no answer at all: the server hangs up


def cut_body(request: Request, conn: Conn) -> None:
    conn.write(head(200, {"content-type": "application/json", "content-length": "500"}))
    conn.write(b'{"connector_metrics": {')
    conn.close()


def garbage(request: Request, conn: Conn) -> None:
    conn.write(b"HTTP/1.1 two hundred OK\r\n\r\n")
    conn.close()


def silent(request: Request, conn: Conn) -> None:
    conn.sleep(3)


FAULTS: dict[str, tuple[Callable[[Request, Conn], None], type[StreamkapError], str]] = {
    "hang-up": (drop, APIConnectionError, "RemoteProtocolError: ServerDisconnectedError"),
    "cut-off body": (cut_body, APIConnectionError, "RemoteProtocolError: ClientPayloadError"),
    "garbage status line": (garbage, APIConnectionError, "RemoteProtocolError"),
    "read timeout": (silent, APITimeoutError, "timed out (ReadTimeout)"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("where", ["/pipelines/metrics", "/auth/access-token"])
async def test_aiohttp_errors_become_the_sdks_with_nothing_of_aiohttps(
    server: FaultServer, fault: str, where: str
) -> None:
    handler, kind, text = FAULTS[fault]
    server.on(where, handler)
    async with aio(server, max_retries=0, timeout=0.5) as client:
        with pytest.raises(kind) as caught:
            await client.pipelines.metrics(["p1"])
    assert text in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    assert _aiohttp_objects(caught.value) == []
    pickle.loads(pickle.dumps(caught.value))


async def test_a_refused_connection_is_a_connection_error(server: FaultServer) -> None:
    port = server.port
    server.stop()  # nothing listens there any more
    client = AsyncStreamkapClient(
        access_token="t", base_url=f"http://127.0.0.1:{port}", http_backend="aiohttp",
        max_retries=0,
    )  # fmt: skip
    async with client:
        with pytest.raises(APIConnectionError, match=r"ConnectError: ClientConnectorError") as e:
            await client.pipelines.metrics(["p1"])
    assert _aiohttp_objects(e.value) == []


def _aiohttp_objects(root: object) -> list[str]:
    """Every object from aiohttp (or its multidict and yarl) reachable from an error."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[object] = [root]
    while stack and len(seen) < 50_000:
        obj = stack.pop()
        if id(obj) in seen or obj is None or isinstance(obj, str | bytes | int | float | type):
            continue
        seen.add(id(obj))
        module = type(obj).__module__.split(".")[0]
        if module in ("aiohttp", "multidict", "yarl"):
            found.append(type(obj).__qualname__)
            continue
        if isinstance(obj, BaseException):
            stack += [obj.args, obj.__cause__, obj.__context__, vars(obj)]
        elif isinstance(obj, httpx.Request | httpx.Response):
            stack += [vars(obj)]
        elif isinstance(obj, dict):
            stack += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            stack += list(obj)
        elif hasattr(obj, "__dict__"):
            stack.append(vars(obj))
    return found


# -- pools: fork, closed loops, threads -----------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
def test_after_a_fork_parent_and_child_each_use_their_own_pool(
    sandbox: Sandbox, backend: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "dev", str(HERE / "_async_fork_probe.py"), sandbox.url, backend],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"before": 20, "parent": 20, "child": 20}, report
    # (the child collects the parent's pool, on either transport, which closes its copies of
    # the file descriptors, harmlessly, with a ResourceWarning shown in development mode)


@pytest.mark.filterwarnings("ignore:unclosed transport:ResourceWarning")
@pytest.mark.filterwarnings("ignore:unclosed <socket:ResourceWarning")
@pytest.mark.filterwarnings("ignore:Unclosed connector:ResourceWarning")
@pytest.mark.filterwarnings("ignore:Unclosed client session:ResourceWarning")
@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
def test_a_loop_closed_without_closing_the_pool(server: FaultServer, backend: str) -> None:
    """The pool is given up (its sockets close when collected, with the event loop's usual
    ResourceWarning, and aiohttp's own on aiohttp), and the client goes on in the next loop."""
    client = AsyncStreamkapClient(**server.credentials(http_backend=backend))
    loop = asyncio.new_event_loop()
    try:
        result = loop.run_until_complete(client.pipelines.metrics(["one"]))
    finally:
        loop.close()  # without shutdown_asyncgens: the pool could not be closed
    assert list(entities(result.connector_metrics)) == ["one"]
    assert list(entities(asyncio.run(client.pipelines.metrics(["two"])).connector_metrics)) == [
        "two"
    ]
    del loop, result
    gc.collect()  # an unclosed aiohttp session or connector would warn here
    asyncio.run(client.aclose())


def test_loops_in_two_threads_at_once_each_get_a_pool(server: FaultServer) -> None:
    client = aio(server)
    pools: set[int] = set()
    errors: list[BaseException] = []

    def worker(tag: str) -> None:
        async def run() -> None:
            for n in range(10):
                result = await client.pipelines.metrics([f"{tag}-{n}"])
                assert list(entities(result.connector_metrics)) == [f"{tag}-{n}"]
            pools.add(id((await client._state()).http))

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
    assert len(pools) == 2


async def test_a_netrc_entry_for_the_api_host_changes_nothing(
    server: FaultServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiohttp's own environment handling (trust_env) would send a ~/.netrc login as basic
    auth, which clashes with the bearer token (a ValueError on every request); the backend
    reads only proxies from the environment, as httpx does."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password elsewhere\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with aio(server) as client:
        result = await client.pipelines.metrics(["p1"])
    assert list(entities(result.connector_metrics)) == ["p1"]
    assert all(r.headers["authorization"].startswith("Bearer ") for r in server.requests[1:])


async def test_the_headers_on_the_wire_are_the_httpx_backends(server: FaultServer) -> None:
    """The aiohttp backend keeps each header set's wire form and decodes only what the auth flow
    adds to it: the server still sees what the httpx backend sends, a renewed token in place of
    the revoked one, and a `with_options` copy's own headers (no stale set, no stale token)."""
    seen: dict[str, list[dict[str, str]]] = {}
    for backend in ("httpx", "aiohttp"):
        server.requests.clear()
        async with AsyncStreamkapClient(
            **server.credentials(default_headers={"X-Team": "orders"}), http_backend=backend
        ) as client:
            await client.pipelines.metrics(["p1"], time_type="latest")
            server.revoke()  # 401, renewal, replay with the new token
            await client.pipelines.metrics(["p1"], time_type="latest")
            other = client.with_options(default_headers={"X-Team": "billing"})
            await other.pipelines.metrics(["p1", "p2"], time_type="latest")
        seen[backend] = [dict(r.headers) for r in server.requests]
    for requests in seen.values():
        tokens = [r.get("authorization") for r in requests]
        # token, metrics, 401'd metrics, refresh, replay, the copy's metrics
        assert tokens[0] is None and tokens[3] is None
        assert tokens[1] == tokens[2] != tokens[4] == tokens[5]
        assert [r.get("x-team") for r in requests] == ["orders"] * 5 + ["billing"]

    def comparable(headers: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in headers.items() if k not in ("user-agent", "authorization")}

    assert [comparable(h) for h in seen["aiohttp"]] == [comparable(h) for h in seen["httpx"]]
