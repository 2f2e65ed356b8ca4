"""The SDK's own httpx clients (`_fastclient`): the requests they build and send by the short
path are what httpx's own path builds and sends, and whatever the short path does not cover
takes httpx's path. Over HTTP to the fault server on 127.0.0.1, for both clients."""

from __future__ import annotations

import logging
import socket
from collections.abc import Generator
from typing import Any

import httpx
import pytest
from _faultserver import Conn, Request, fault_server

from streamkap_sdk import AsyncStreamkapClient, StreamkapClient
from streamkap_sdk._fastclient import AsyncClient, Client

BASE = httpx.URL("http://api.test.invalid:8080/v2/pipelines/metrics")
CASES: list[dict[str, Any]] = [
    {"params": {}, "json": {"ids": ["a", "b"]}},
    {"params": {"time_type": "latest", "size": 10}, "json": {"ids": ["p-1"]}},
    {
        "params": {"tenant_ids": ["t 1", "t/2"], "q": "é & =?#", "flag": True, "n": 1.5},
        "json": {"ids": ["ünïcode", 'quo"te'], "nested": {"x": [1, None, False]}},
    },
]
HEADERS = {"Content-Type": "application/json", "X-Extra": "1"}


def _wire(request: httpx.Request) -> tuple[Any, ...]:
    return (
        request.method,
        str(request.url),
        sorted((k.lower(), v) for k, v in request.headers.multi_items()),
        request.content,
        request.extensions.get("timeout"),
    )


@pytest.mark.parametrize("case", CASES)
def test_the_short_build_is_httpx_build(case: dict[str, Any]) -> None:
    for fast, plain in ((Client(), httpx.Client()), (AsyncClient(), httpx.AsyncClient())):
        for _ in range(2):  # the second one from the caches
            mine = fast.build_request("POST", BASE, headers=HEADERS, **case)
            theirs = plain.build_request("POST", BASE, headers=HEADERS, **case)
            assert _wire(mine) == _wire(theirs)
            assert mine.content == theirs.content


def test_what_the_short_build_does_not_cover_is_httpx_build() -> None:
    fast, plain = Client(), httpx.Client()
    fast.cookies.set("session", "s1")  # a client with cookies: httpx adds them
    plain.cookies.set("session", "s1")
    args: dict[str, Any] = {"params": {"a": "1"}, "json": {"ids": []}}
    assert _wire(fast.build_request("POST", BASE, **args)) == _wire(
        plain.build_request("POST", BASE, **args)
    )
    fresh = Client()
    for odd in (
        {"params": {"a": {"un": "hashable"}}, "json": {}},  # not a cacheable query
        {"params": {}, "content": b"raw"},
        {"params": {}, "json": {}, "timeout": 3.0},
    ):
        mine = fresh.build_request("POST", BASE, **odd)
        theirs = httpx.Client().build_request("POST", BASE, **odd)
        assert _wire(mine) == _wire(theirs)
    assert _wire(fresh.build_request("POST", "/relative", json={})) == _wire(
        httpx.Client().build_request("POST", "/relative", json={})
    )


def _cookie_jar_server(conn: Conn, request: Request, seen: list[str | None]) -> None:
    seen.append(request.headers.get("cookie"))
    conn.respond(200, {"ok": True}, {"set-cookie": "lb=node-7; Path=/"})


def test_a_cookie_the_server_sets_is_sent_back_by_both_clients() -> None:
    """httpx keeps cookies a server sets (a load balancer's stickiness cookie): still so."""
    with fault_server() as server:
        seen: list[str | None] = []
        server.on("/pipelines/metrics", lambda r, c: _cookie_jar_server(c, r, seen))
        with StreamkapClient(**server.credentials()) as client:
            client.pipelines.metrics(["a"], time_type="latest")
            client.pipelines.metrics(["a"], time_type="latest")
        assert seen == [None, "lb=node-7"]


async def test_a_cookie_the_server_sets_is_sent_back_async() -> None:
    with fault_server() as server:
        seen: list[str | None] = []
        server.on("/pipelines/metrics", lambda r, c: _cookie_jar_server(c, r, seen))
        async with AsyncStreamkapClient(**server.credentials()) as client:
            for _ in range(2):
                await client.pipelines.metrics(["a"], time_type="latest")
        assert seen == [None, "lb=node-7"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_short_send_keeps_hooks_elapsed_errors_and_the_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with fault_server() as server:
        hooked: list[str] = []
        client = Client(
            event_hooks={
                "request": [lambda r: hooked.append(f"request {r.url.path}")],
                "response": [lambda r: hooked.append(f"response {r.status_code}")],
            }
        )
        request = client.build_request("POST", httpx.URL(server.url + "/nowhere"), json={})
        with caplog.at_level(logging.INFO, logger="httpx"):
            response = client.send(request, stream=True, auth=None, follow_redirects=False)
            response.read()
        assert hooked == ["request /nowhere", "response 404"]
        assert response.request is request and response.elapsed.total_seconds() > 0
        assert any('"HTTP/1.1 404 ' in r.getMessage() for r in caplog.records)
        unreachable = client.build_request(
            "POST", httpx.URL(f"http://127.0.0.1:{_closed_port()}/x"), json={}
        )
        with pytest.raises(httpx.ConnectError) as raised:
            client.send(unreachable, stream=True, auth=None, follow_redirects=False)
        assert raised.value.request is unreachable
        client.close()


async def test_short_send_keeps_hooks_elapsed_and_errors_async() -> None:
    with fault_server() as server:
        hooked: list[str] = []

        async def on_request(r: httpx.Request) -> None:
            hooked.append(f"request {r.url.path}")

        async def on_response(r: httpx.Response) -> None:
            hooked.append(f"response {r.status_code}")

        client = AsyncClient(event_hooks={"request": [on_request], "response": [on_response]})
        request = client.build_request("POST", httpx.URL(server.url + "/nowhere"), json={})
        response = await client.send(request, stream=True, auth=None, follow_redirects=False)
        await response.aread()
        assert hooked == ["request /nowhere", "response 404"]
        assert response.request is request and response.elapsed.total_seconds() > 0
        unreachable = client.build_request(
            "POST", httpx.URL(f"http://127.0.0.1:{_closed_port()}/x"), json={}
        )
        with pytest.raises(httpx.ConnectError) as raised:
            await client.send(unreachable, stream=True, auth=None, follow_redirects=False)
        assert raised.value.request is unreachable
        await client.aclose()
        with pytest.raises(RuntimeError, match="closed"):  # httpx's own error, as before
            await client.send(request, stream=True, auth=None, follow_redirects=False)


class _Retry(httpx.Auth):
    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "first"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = "second"
            yield request


def _replaying() -> tuple[httpx.MockTransport, list[str | None]]:
    calls: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers.get("authorization"))
        return httpx.Response(401 if len(calls) == 1 else 200, json={"n": len(calls)})

    return httpx.MockTransport(answer), calls


def _outcome(response: httpx.Response, calls: list[str | None]) -> tuple[Any, ...]:
    return (
        calls,
        response.json(),
        [(r.status_code, r.is_stream_consumed, r.history) for r in response.history],
    )


def test_an_auth_flow_is_driven_as_httpx_drives_it() -> None:
    """A 401 then a replay: the first response is read and kept in `history`, as httpx does."""
    outcomes = []
    for cls in (Client, httpx.Client):
        transport, calls = _replaying()
        client = cls(transport=transport)
        request = client.build_request("POST", BASE, json={})
        response = client.send(request, stream=True, auth=_Retry(), follow_redirects=False)
        response.read()
        outcomes.append(_outcome(response, calls))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == ["first", "second"]


async def test_an_auth_flow_is_driven_as_httpx_drives_it_async() -> None:
    outcomes = []
    for cls in (AsyncClient, httpx.AsyncClient):
        transport, calls = _replaying()
        client = cls(transport=transport)
        request = client.build_request("POST", BASE, json={})
        response = await client.send(request, stream=True, auth=_Retry(), follow_redirects=False)
        await response.aread()
        outcomes.append(_outcome(response, calls))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == ["first", "second"]
