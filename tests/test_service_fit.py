"""What a consuming service needs around the calls (issue 13, items 1-7): HTTP settings (TLS,
proxies, limits, headers, an own httpx client), identification, raw responses, with_options,
logging, base URLs with a path prefix, and one order of configuration sources.

Everything talks HTTP to real servers on 127.0.0.1: the fault server (which records every
request's headers, and doubles as an HTTP proxy: it answers absolute-form requests too) and the
sandbox.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import pickle
import re
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _faultserver import CLIENT_ID, SECRET, Conn, FaultServer, Request, fault_server

import streamkap_sdk
from streamkap_sdk import (
    APIConnectionError,
    AsyncStreamkapClient,
    ClientClosedError,
    ConfigurationError,
    RedirectError,
    StreamkapClient,
)
from streamkap_sdk.sandbox import Engine, Fault, Sandbox

UA = re.compile(
    rf"^streamkap-sdk/{re.escape(streamkap_sdk.__version__)} "
    rf"python/{sys.version_info.major}\.{sys.version_info.minor} "
    rf"httpx/{re.escape(httpx.__version__)}$"
)
IDS = ["p1", "p2"]


@pytest.fixture
def fs() -> Iterator[FaultServer]:
    with fault_server() as server:
        yield server


def _sync_call(client: StreamkapClient, ids: list[str] = IDS) -> Any:
    return client.pipelines.metrics(ids)


def _async_call(client: AsyncStreamkapClient, ids: list[str] = IDS) -> Any:
    async def go() -> Any:
        return await client.pipelines.metrics(ids)

    return asyncio.run(go())


def _requests(fs: FaultServer, path: str) -> list[Request]:
    return [r for r in fs.requests if r.path.endswith(path)]


# -- identification -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_every_request_says_who_sends_it(fs: FaultServer, kind: str) -> None:
    if kind == "sync":
        with StreamkapClient(**fs.credentials()) as client:
            _sync_call(client)
    else:
        _async_call(AsyncStreamkapClient(**fs.credentials()))
    token = _requests(fs, "/auth/access-token")
    metrics = _requests(fs, "/pipelines/metrics")
    assert token and metrics
    for request in token + metrics:
        assert UA.match(request.headers["user-agent"]), request.headers["user-agent"]


def test_default_headers_go_on_every_request_and_may_replace_the_user_agent(
    fs: FaultServer,
) -> None:
    headers = {"X-Team": "billing", "User-Agent": "billing-svc/3.1"}
    with StreamkapClient(**fs.credentials(default_headers=headers)) as client:
        _sync_call(client)
    for request in _requests(fs, "/auth/access-token") + _requests(fs, "/pipelines/metrics"):
        assert request.headers["x-team"] == "billing"
        assert request.headers["user-agent"] == "billing-svc/3.1"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Authorization": "Bearer x"}, "cannot set Authorization: the client sets it"),
        ({"accept-encoding": "br"}, "cannot set accept-encoding"),
        ({"X-Bad": "a\r\nX-Injected: 1"}, "printable ASCII"),
        ({"bad name": "v"}, "is not a header name"),
        (["X-A", "b"], "must be a mapping"),
    ],
)
def test_default_headers_are_checked_before_anything_is_sent(
    fs: FaultServer, headers: Any, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        StreamkapClient(**fs.credentials(default_headers=headers))
    assert fs.requests == []


# -- an own httpx client ---------------------------------------------------------------------------


def _user_client_state(http: httpx.Client | httpx.AsyncClient) -> tuple[Any, ...]:
    return (
        dict(http.headers),
        http.auth,
        http.follow_redirects,
        {k: list(v) for k, v in http.event_hooks.items()},
        str(http.base_url),
        http.timeout,
    )


def test_an_own_httpx_client_is_used_as_it_is_and_left_open(fs: FaultServer) -> None:
    seen: list[str] = []
    http = httpx.Client(
        headers={"X-Mesh": "on"},
        follow_redirects=True,
        event_hooks={"request": [lambda r: seen.append(r.url.path)]},
    )
    before = _user_client_state(http)
    with StreamkapClient(http_client=http, **fs.credentials()) as client:
        result = _sync_call(client)
    assert sorted(result.connector_metrics.to_dict()) == IDS
    assert seen == ["/auth/access-token", "/pipelines/metrics"]  # its hooks ran
    metrics = _requests(fs, "/pipelines/metrics")[0]
    assert metrics.headers["authorization"].startswith("Bearer ")  # the SDK's auth, per request
    assert metrics.headers["x-mesh"] == "on"  # the user's client's own headers
    assert UA.match(metrics.headers["user-agent"])  # the SDK's win over httpx's default
    assert _user_client_state(http) == before  # nothing of the user's object changed
    assert not http.is_closed
    assert http.get(f"{fs.url}/elsewhere").status_code == 404  # still usable
    http.close()


def test_an_own_async_client_is_used_as_it_is_and_left_open(fs: FaultServer) -> None:
    async def go() -> None:
        async with httpx.AsyncClient(headers={"X-Mesh": "on"}) as http:
            before = _user_client_state(http)
            async with AsyncStreamkapClient(http_client=http, **fs.credentials()) as client:
                await client.pipelines.metrics(IDS)
            assert _user_client_state(http) == before
            assert not http.is_closed
            assert (await http.get(f"{fs.url}/elsewhere")).status_code == 404

    asyncio.run(go())
    assert _requests(fs, "/pipelines/metrics")[0].headers["x-mesh"] == "on"


def test_an_own_client_that_follows_redirects_still_never_leaves_the_origin(
    fs: FaultServer,
) -> None:
    with fault_server() as other:
        fs.on(
            "/pipelines/metrics",
            lambda r, c: c.respond(307, b"", {"location": f"{other.url}/pipelines/metrics"}),
        )
        http = httpx.Client(follow_redirects=True)
        with (
            StreamkapClient(http_client=http, max_retries=0, **fs.credentials()) as client,
            pytest.raises(RedirectError, match="another origin"),
        ):
            _sync_call(client)
        http.close()
        assert other.requests == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"http_client": httpx.AsyncClient()}, "must be an httpx.Client.*AsyncStreamkapClient"),
        ({"http_client": httpx.Client(), "verify": False}, "verify cannot be combined"),
        ({"transport": httpx.HTTPTransport(), "proxy": "http://127.0.0.1:1"}, "proxy cannot"),
        ({"transport": httpx.HTTPTransport(), "http_client": httpx.Client()}, "not both"),
        ({"limits": 10}, "limits must be an httpx.Limits"),
        ({"verify": 1.5}, "verify must be True, False, a CA bundle path"),
    ],
)
def test_http_settings_that_cannot_work_are_refused(
    fs: FaultServer, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        StreamkapClient(**fs.credentials(**kwargs))


def test_limits_configure_the_clients_own_pool(fs: FaultServer) -> None:
    with StreamkapClient(limits=httpx.Limits(max_connections=1), **fs.credentials()) as client:
        _sync_call(client)
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == 1


# -- proxies ---------------------------------------------------------------------------------------


def _as_origin(fs: FaultServer) -> None:
    """Let `fs` answer absolute-form (proxied) requests for http://api.invalid as the API."""
    for path in ("/auth/access-token", "/pipelines/metrics"):

        def handler(request: Request, conn: Conn, path: str = path) -> None:
            request.path = path
            fs._default(request, conn)

        fs.on(f"http://api.invalid{path}", handler)


@pytest.fixture
def no_env_proxy(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def test_an_explicit_proxy_carries_every_request(fs: FaultServer, no_env_proxy: Any) -> None:
    _as_origin(fs)
    creds = fs.credentials(base_url="http://api.invalid", proxy=fs.url)
    with StreamkapClient(**creds) as client:
        _sync_call(client)
    assert [r.path for r in fs.requests] == [
        "/auth/access-token",
        "/pipelines/metrics",
    ]  # both arrived at the proxy (rewritten to the API's paths by _as_origin)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_environment_proxies_keep_working_with_other_http_settings(
    fs: FaultServer, no_env_proxy: pytest.MonkeyPatch, kind: str
) -> None:
    """The old workaround (transport=httpx.HTTPTransport(verify=...)) bypassed HTTPS_PROXY;
    verify=, limits= and default_headers= do not."""
    _as_origin(fs)
    no_env_proxy.setenv("HTTP_PROXY", fs.url)
    creds = fs.credentials(
        base_url="http://api.invalid", verify=False, limits=httpx.Limits(max_connections=5)
    )
    if kind == "sync":
        with StreamkapClient(**creds) as client:
            _sync_call(client)
    else:
        _async_call(AsyncStreamkapClient(**creds))
    assert len(_requests(fs, "/pipelines/metrics")) == 1


# -- TLS -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_fs(self_signed: tuple[Path, Path]) -> Iterator[FaultServer]:
    server = FaultServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed)
    server._httpd.socket = context.wrap_socket(server._httpd.socket, server_side=True)
    server.url = server.url.replace("http://", "https://")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_verify_takes_a_ca_bundle_a_context_or_false(
    tls_fs: FaultServer, self_signed: tuple[Path, Path]
) -> None:
    cert = str(self_signed[0])
    for verify in (cert, ssl.create_default_context(cafile=cert), False):
        with StreamkapClient(verify=verify, **tls_fs.credentials()) as client:
            assert sorted(_sync_call(client).connector_metrics.to_dict()) == IDS
    with (
        StreamkapClient(max_retries=0, **tls_fs.credentials()) as client,  # verify=True
        pytest.raises(APIConnectionError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"),
    ):
        _sync_call(client)


def test_async_verify_takes_a_ca_bundle(
    tls_fs: FaultServer, self_signed: tuple[Path, Path]
) -> None:
    result = _async_call(AsyncStreamkapClient(verify=str(self_signed[0]), **tls_fs.credentials()))
    assert sorted(result.connector_metrics.to_dict()) == IDS


# -- raw responses ---------------------------------------------------------------------------------


def _walk(root: object, limit: int = 20000) -> Iterator[object]:
    """Everything reachable from `root` (bounded)."""
    seen: set[int] = set()
    todo = [root]
    while todo and len(seen) < limit:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        yield obj
        todo.extend(gc.get_referents(obj))


def test_raw_response_has_the_http_facts_and_the_model(
    engine: Engine, credentials: dict[str, str]
) -> None:
    engine.add_fault(Fault(kind="status", status=503, times=1))
    with StreamkapClient(**credentials) as client:
        client._sleep = lambda seconds: None
        raw = client.pipelines.with_raw_response.metrics(["p1"], time_type="latest")
        plain = client.pipelines.metrics(["p1"], time_type="latest")
        token = client._auth._token.access  # type: ignore[union-attr]
    assert raw.status_code == 200
    assert raw.request_id is not None and raw.request_id.startswith("sbx-")
    assert raw.headers["x-request-id"] == raw.request_id
    assert raw.retries_taken == 1  # the 503 was retried once
    assert raw.elapsed.total_seconds() > 0
    assert raw.method == "POST" and raw.url.path == "/pipelines/metrics"
    assert raw.responses == (raw,)
    assert raw.parse().to_dict() == plain.to_dict()
    assert type(raw.parse()) is type(plain)
    assert token not in repr(raw)
    for obj in _walk(raw):  # the Authorization header is not kept anywhere in it
        assert not (isinstance(obj, str | bytes) and token in str(obj)), type(obj)
    assert token.encode() not in pickle.dumps(raw.headers)


def test_raw_response_of_a_split_call_has_one_per_request(
    engine: Engine, credentials: dict[str, str]
) -> None:
    ids = [f"p{i}" for i in range(5)]
    with StreamkapClient(max_ids_per_request=2, **credentials) as client:
        raw = client.pipelines.with_raw_response.metrics(ids, time_type="latest")
        plain = client.pipelines.metrics(ids, time_type="latest")
    assert len(raw.responses) == 3
    assert len({r.request_id for r in raw.responses}) == 3
    assert raw.request_id == raw.responses[0].request_id
    assert [sorted(r.parse().to_dict()["connector_metrics"]) for r in raw.responses] == [
        ["p0", "p1"],
        ["p2", "p3"],
        ["p4"],
    ]
    assert raw.parse().to_dict() == plain.to_dict()
    assert "1 of 3 requests" in repr(raw)


async def test_async_raw_response(engine: Engine, credentials: dict[str, str]) -> None:
    async with AsyncStreamkapClient(**credentials) as client:
        raw = await client.destinations.with_raw_response.metrics(["d1"], time_type="latest")
    assert raw.status_code == 200 and raw.retries_taken == 0
    assert raw.url.path == "/destinations/metrics"
    assert sorted(raw.parse().to_dict()["connector_metrics"]) == ["d1"]


# -- with_options ----------------------------------------------------------------------------------


def test_with_options_shares_pool_and_token_and_changes_only_what_it_names(
    fs: FaultServer,
) -> None:
    with StreamkapClient(max_retries=2, **fs.credentials()) as client:
        client._sleep = lambda seconds: None
        strict = client.with_options(max_retries=0, default_headers={"X-Purpose": "probe"})
        assert type(strict) is StreamkapClient
        _sync_call(client)
        _sync_call(strict)
        assert strict._current_http() is client._current_http()
        assert fs.count("/auth/access-token") == 1  # one token for both
        assert client.token_requests == strict.token_requests == 1
        sent = _requests(fs, "/pipelines/metrics")
        assert "x-purpose" not in sent[0].headers and sent[1].headers["x-purpose"] == "probe"

        fs.once("/pipelines/metrics", lambda r, c: c.respond(503, {"detail": "busy"}), times=3)
        with pytest.raises(streamkap_sdk.APIStatusError):
            _sync_call(strict)  # max_retries=0: one attempt
        assert len(_requests(fs, "/pipelines/metrics")) == 3
        _sync_call(client)  # max_retries=2: two 503s, then a success
        assert len(_requests(fs, "/pipelines/metrics")) == 6

        strict.close()  # only the copy stops
        with pytest.raises(ClientClosedError):
            _sync_call(strict)
        _sync_call(client)
    with pytest.raises(ClientClosedError):  # the original closed the pool they shared
        _sync_call(client.with_options(timeout=5.0))


def test_with_options_deadline_and_timeout(fs: FaultServer) -> None:
    def slow(request: Request, conn: Conn) -> None:
        conn.sleep(1.0)
        fs._default(request, conn)

    fs.on("/pipelines/metrics", slow)
    with StreamkapClient(max_retries=0, **fs.credentials()) as client:
        with pytest.raises(streamkap_sdk.APITimeoutError):
            _sync_call(client.with_options(timeout=0.2))
        start = time.monotonic()
        with pytest.raises(streamkap_sdk.APITimeoutError):
            _sync_call(client.with_options(deadline=0.3))
        assert time.monotonic() - start < 0.9  # the 1 s answer was not waited for


def test_with_options_is_checked(fs: FaultServer) -> None:
    with StreamkapClient(**fs.credentials()) as client:
        with pytest.raises(TypeError, match=r"'max_retry'.*did you mean 'max_retries'"):
            client.with_options(max_retry=1)  # type: ignore[call-arg]
        with pytest.raises(ConfigurationError, match="deadline"):
            client.with_options(deadline=-1)
        with pytest.raises(ConfigurationError, match="cannot set Authorization"):
            client.with_options(default_headers={"Authorization": "x"})


def test_async_with_options_shares_the_loops_pool(fs: FaultServer) -> None:
    async def go() -> None:
        async with AsyncStreamkapClient(**fs.credentials()) as client:
            other = client.with_options(max_retries=0)
            assert type(other) is AsyncStreamkapClient
            await client.pipelines.metrics(IDS)
            await other.pipelines.metrics(IDS)
            assert (await other._state()) is (await client._state())
            assert client.token_requests == 1

    asyncio.run(go())


# -- logging ---------------------------------------------------------------------------------------


def test_streamkap_log_debug_logs_each_request_without_secrets(sandbox: Sandbox) -> None:
    script = (
        "import streamkap_sdk\n"
        "from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID as i, DEFAULT_CLIENT_SECRET as s\n"
        f"c = streamkap_sdk.StreamkapClient(client_id=i, client_secret=s, base_url={sandbox.url!r})"
        "\n"
        "c.pipelines.metrics(['p1', 'p2'], time_type='latest')\n"
        "print(c._auth._token.access)\n"
    )
    env = {**os.environ, "STREAMKAP_LOG": "debug"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    token, log = done.stdout.strip(), done.stderr
    assert re.search(
        rf"POST {re.escape(sandbox.url)}/pipelines/metrics\?\S*time_type=latest\S*: HTTP 200, "
        r"request id sbx-\d+ in [\d.]+ ms \(2 ids, query keys \S*time_type\S*, attempt 1\)",
        log,
    ), log
    assert re.search(rf"POST {re.escape(sandbox.url)}/auth/access-token: HTTP 200", log), log
    from streamkap_sdk.sandbox import DEFAULT_CLIENT_SECRET

    assert token and token not in log and DEFAULT_CLIENT_SECRET not in log


def test_streamkap_log_info_and_bad_values() -> None:
    from streamkap_sdk import _logs

    logger = logging.getLogger("streamkap_sdk")
    level, handlers = logger.level, list(logger.handlers)
    try:
        assert _logs.setup_from_env({}) is None
        assert _logs.setup_from_env({"STREAMKAP_LOG": "INFO"}) == logging.INFO
        assert logger.level == logging.INFO and len(logger.handlers) == len(handlers) + 1
        assert _logs.setup_from_env({"STREAMKAP_LOG": "debug"}) == logging.DEBUG
        assert len(logger.handlers) == len(handlers) + 1  # not a second handler
        assert _logs.setup_from_env({"STREAMKAP_LOG": "loud"}) is None
    finally:
        logger.setLevel(level)
        logger.handlers[:] = handlers


def test_connection_errors_and_retry_lines_name_the_host_and_the_failed_endpoint(
    fs: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    dead = "http://127.0.0.1:9/auth/access-token"  # the discard port: nothing listens
    with StreamkapClient(max_retries=1, **fs.credentials(token_url=dead)) as client:
        client._sleep = lambda seconds: None
        with (
            caplog.at_level(logging.INFO, logger="streamkap_sdk"),
            pytest.raises(APIConnectionError) as caught,
        ):
            _sync_call(client)
    assert "POST http://127.0.0.1:9/auth/access-token (needed by POST /pipelines/metrics)" in str(
        caught.value
    )
    retry = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert retry and "ConnectError on POST http://127.0.0.1:9/auth/access-token" in retry[0]


# -- base URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", ["{url}/streamkap", "{url}/streamkap/", "{url}/streamkap//"])
def test_a_base_url_prefix_is_kept_for_the_token_endpoint_too(fs: FaultServer, base: str) -> None:
    for path in ("/auth/access-token", "/pipelines/metrics"):

        def handler(request: Request, conn: Conn, path: str = path) -> None:
            request.path = path
            fs._default(request, conn)

        fs.on(f"/streamkap{path}", handler)
    creds = fs.credentials(base_url=base.format(url=fs.url))
    with StreamkapClient(**creds) as client:
        _sync_call(client)
        assert str(client.base_url) == f"{fs.url}/streamkap"
    assert [r.path for r in fs.requests] == ["/auth/access-token", "/pipelines/metrics"]
    # ... which the handlers above only saw under the prefix:
    assert fs.count("/streamkap/auth/access-token") == 0  # (rewritten) - and nothing else:
    assert all(r.path in ("/auth/access-token", "/pipelines/metrics") for r in fs.requests)


@pytest.mark.parametrize("base", ["http://h/api?x=1", "http://h/api#top", "http://h/?"])
def test_a_base_url_with_a_query_or_fragment_is_refused(base: str) -> None:
    with pytest.raises(ConfigurationError, match="cannot have a query or a fragment"):
        StreamkapClient(access_token="t", base_url=base)


# -- where settings come from ----------------------------------------------------------------------


def test_an_empty_argument_falls_back_to_the_environment(
    monkeypatch: pytest.MonkeyPatch, fs: FaultServer
) -> None:
    monkeypatch.setenv("STREAMKAP_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("STREAMKAP_SECRET", SECRET)
    monkeypatch.setenv("STREAMKAP_HOST", fs.url)
    with StreamkapClient(client_id="", client_secret="", base_url="") as client:
        _sync_call(client)
    assert fs.count("/pipelines/metrics") == 1


def test_arguments_beat_the_project_key_which_beats_the_environment(
    monkeypatch: pytest.MonkeyPatch, fs: FaultServer, tmp_path: Path
) -> None:
    monkeypatch.setenv("STREAMKAP_HOST", "http://from-env.invalid")
    monkeypatch.setenv("STREAMKAP_CLIENT_ID", "env-id")
    monkeypatch.setenv("STREAMKAP_SECRET", "env-secret")
    key = tmp_path / "key.json"
    key.write_text(
        json.dumps({"api": {"client_id": CLIENT_ID, "client_secret": SECRET, "api_url": fs.url}})
    )
    with StreamkapClient.from_project_key(key) as client:
        assert str(client.base_url) == fs.url  # the key beats STREAMKAP_HOST
        _sync_call(client)  # and its credentials beat the environment's
    with StreamkapClient.from_project_key(key, base_url="http://arg.invalid") as client:
        assert str(client.base_url) == "http://arg.invalid"  # an argument beats the key
    with StreamkapClient.from_project_key(key, base_url="", client_id=None) as client:
        assert str(client.base_url) == fs.url  # empty / None arguments are unset: the key


def test_a_ca_bundle_that_cannot_be_read_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot load CA certificates"):
        StreamkapClient(access_token="t", verify=str(tmp_path / "missing.pem"))
