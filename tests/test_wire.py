"""What only a socket shows, on every client flavour (sync; async on httpx; async on aiohttp):
stale answers on idle connections, equal-but-different query values, large headers, framing
edge cases, deadlines over slow heads, and the in-flight bound under hundreds of tasks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from _faultserver import Conn, FaultServer, Request, fault_server, head, metrics_body

from streamkap_sdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncStreamkapClient,
    StreamkapClient,
    entities,
    present,
)

FLAVOURS = ["sync", "httpx", "aiohttp"]


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as running:
        yield running


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


Call = dict[str, Any]


def run(flavour: str, options: dict[str, Any], calls: list[Call], pause: float = 0.0) -> list[Any]:
    """Each call's outcome (a result, or the exception), in order, on one client of `flavour`;
    `pause` seconds between calls (an idle connection, for what arrives on it meanwhile)."""
    outcomes: list[Any] = []
    if flavour == "sync":
        with StreamkapClient(**options) as client:
            for n, kw in enumerate(calls):
                if n and pause:
                    time.sleep(pause)
                try:
                    outcomes.append(client.pipelines.metrics(**kw))
                except Exception as exc:
                    outcomes.append(exc)
        return outcomes

    async def main() -> None:
        async with AsyncStreamkapClient(**options, http_backend=flavour) as client:  # type: ignore[arg-type]
            for n, kw in enumerate(calls):
                if n and pause:
                    await asyncio.sleep(pause)
                try:
                    outcomes.append(await client.pipelines.metrics(**kw))
                except Exception as exc:
                    outcomes.append(exc)

    asyncio.run(main())
    return outcomes


def lag(result: Any, entity: str = "p1") -> int:
    metrics = entities(result.connector_metrics)[entity]
    return int(present(present(metrics.latest).records_lag))


def _json(status: int, body: bytes, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


def _answer_then(after: Callable[[Conn], None]) -> Callable[[Request, Conn], None]:
    """A handler answering the ids asked for, then doing `after` on the idle connection."""

    def handler(request: Request, conn: Conn) -> None:
        conn.respond(200, metrics_body(request.json()["ids"]))
        after(conn)

    return handler


# -- an idle connection's unsolicited bytes -------------------------------------------------------


def test_a_response_arriving_on_an_idle_connection_is_never_the_next_answer(
    server: FaultServer, flavour: str
) -> None:
    stale = metrics_body(["p1"])
    stale["connector_metrics"]["p1"]["latest"]["recordsLag"] = 999
    body = httpx.Response(200, json=stale).content

    def unsolicited(conn: Conn) -> None:
        conn.sleep(0.1)
        conn.write(_json(200, body))

    server.once("/pipelines/metrics", _answer_then(unsolicited))
    first, second, third = run(flavour, server.credentials(), [{"ids": ["p1"]}] * 3, pause=0.4)
    assert [lag(first), lag(second), lag(third)] == [7, 7, 7]  # never 999, never one behind


def test_a_408_sent_on_an_idle_connection_is_not_the_next_calls_error(
    server: FaultServer, flavour: str
) -> None:
    def timeout_notice(conn: Conn) -> None:
        conn.sleep(0.1)
        conn.write(head(408, {"content-length": "0", "connection": "close"}, "Request Timeout"))
        conn.close()

    server.once("/pipelines/metrics", _answer_then(timeout_notice))
    first, second = run(flavour, server.credentials(), [{"ids": ["p1"]}] * 2, pause=0.4)
    assert (lag(first), lag(second)) == (7, 7)


# -- query values ---------------------------------------------------------------------------------


def test_query_values_that_compare_equal_each_send_their_own(
    server: FaultServer, flavour: str
) -> None:
    values: list[object] = [True, 1, 1.0, 0, False, True]
    calls = [{"ids": ["p1"], "extra_query": {"flag": v}} for v in values]
    outcomes = run(flavour, server.credentials(), calls)
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    sent = [
        dict(httpx.QueryParams(r.query))["flag"]
        for r in server.requests
        if r.path == "/pipelines/metrics"
    ]
    assert sent == ["true", "1", "1.0", "0", "false", "true"]


# -- what the parser accepts ----------------------------------------------------------------------


def test_large_headers_are_read_alike(server: FaultServer, flavour: str) -> None:
    """One header line of 60 KiB, and 200 header fields: httpx reads them; so does aiohttp."""

    def big(request: Request, conn: Conn) -> None:
        body = httpx.Response(200, json=metrics_body(request.json()["ids"])).content
        fields = "".join(f"x-field-{n}: {n}\r\n" for n in range(200))
        conn.write(_json(200, body, f"x-big: {'a' * 60 * 1024}\r\n{fields}"))

    server.on("/pipelines/metrics", big)
    (result,) = run(flavour, server.credentials(), [{"ids": ["p1"]}])
    assert lag(result) == 7


def _framing(kind: str) -> Callable[[Request, Conn], None]:
    def handler(request: Request, conn: Conn) -> None:
        body = httpx.Response(200, json=metrics_body(request.json()["ids"])).content
        if kind == "bytes past content-length":
            conn.write(_json(200, body) + b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
        elif kind == "two equal content-lengths":
            conn.write(_json(200, body, f"content-length: {len(body)}\r\n"))
        else:  # content-length with chunked
            chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
            conn.write(
                f"HTTP/1.1 200 OK\r\ncontent-length: {len(body)}\r\n"
                "transfer-encoding: chunked\r\n\r\n".encode()
                + chunked
            )
        conn.close()

    return handler


@pytest.mark.parametrize(
    ("kind", "accepted"),
    [
        ("bytes past content-length", True),  # the answer is whole; what follows is dropped
        ("content-length with chunked", False),  # ambiguous framing: refused on every flavour
        # h11 merges identical Content-Length values before httpx (or the SDK) sees the
        # headers, and aiohttp's parser refuses them: the one case the transports still
        # disagree on (README: errors); this pins both, so a change on either side shows
        ("two equal content-lengths", None),
    ],
)
def test_framing_edge_cases_have_one_outcome_on_every_flavour(
    server: FaultServer, flavour: str, kind: str, accepted: bool | None
) -> None:
    if accepted is None:
        accepted = flavour != "aiohttp"
    server.on("/pipelines/metrics", _framing(kind))
    (outcome,) = run(flavour, server.credentials(max_retries=0), [{"ids": ["p1"]}])
    if accepted:
        assert lag(outcome) == 7
    else:
        assert isinstance(outcome, APIConnectionError), outcome
        assert "framing" in str(outcome) or "Content-Length" in str(outcome), str(outcome)


# -- deadlines over slow heads -------------------------------------------------------------------


def _trickle(head_bytes: bytes, every: float = 0.05) -> Callable[[Request, Conn], None]:
    """A handler sending `head_bytes` (status line and headers) one byte at a time."""

    def handler(request: Request, conn: Conn) -> None:
        for byte in head_bytes:  # a client gone: the write fails and ends the handler
            conn.write(bytes([byte]))
            conn.sleep(every)  # returns at once when the server stops

    return handler


SLOW_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-padding: " + b"p" * 200


@pytest.mark.parametrize("path", ["/pipelines/metrics", "/auth/access-token"])
@pytest.mark.parametrize("own_client", [False, True], ids=["sdk-pool", "http_client"])
def test_the_deadline_covers_a_status_line_and_headers_that_trickle_in(
    server: FaultServer, flavour: str, path: str, own_client: bool
) -> None:
    if own_client and flavour == "aiohttp":
        pytest.skip("http_client= is an httpx client; the aiohttp flavour is a transport")
    server.on(path, _trickle(SLOW_HEAD))
    options = server.credentials(deadline=0.5, max_retries=0)
    mine: httpx.Client | httpx.AsyncClient | None = None
    if own_client:
        mine = httpx.Client() if flavour == "sync" else httpx.AsyncClient()
        options["http_client"] = mine
    started = time.monotonic()
    (outcome,) = run(flavour, options, [{"ids": ["p1"]}])
    took = time.monotonic() - started
    if isinstance(mine, httpx.Client):
        mine.close()
    assert isinstance(outcome, APITimeoutError), outcome
    assert took < 1.5, f"the call took {took:.2f}s past a 0.5 s deadline"


# -- hundreds of tasks ----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
def test_five_hundred_tasks_stay_within_the_pool_and_cancellation_leaks_nothing(
    server: FaultServer, backend: str
) -> None:
    import threading

    lock = threading.Lock()
    active = [0, 0]  # now, most at once

    def counted(request: Request, conn: Conn) -> None:
        with lock:
            active[0] += 1
            active[1] = max(active[1], active[0])
        conn.sleep(0.005)
        with lock:
            active[0] -= 1
        conn.respond(200, metrics_body(request.json()["ids"]))

    server.on("/pipelines/metrics", counted)
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=10)

    async def main() -> list[int]:
        async with AsyncStreamkapClient(
            **server.credentials(limits=limits), http_backend=backend
        ) as client:
            await client.pipelines.metrics(["warm"])
            results = await asyncio.gather(
                *(client.pipelines.metrics([f"p{n}"]) for n in range(500))
            )
            doomed = [
                asyncio.ensure_future(client.pipelines.metrics([f"c{n}"])) for n in range(200)
            ]
            await asyncio.sleep(0.05)
            for task in doomed:
                task.cancel()
            await asyncio.gather(*doomed, return_exceptions=True)
            after = await asyncio.wait_for(
                asyncio.gather(*(client.pipelines.metrics([f"a{n}"]) for n in range(20))), 10
            )
            return [len(entities(r.connector_metrics)) for r in [*results, *after]]

    counts = asyncio.run(main())
    assert counts == [1] * 520
    assert active[1] <= 10, f"{active[1]} requests in flight on a 10-connection pool"
