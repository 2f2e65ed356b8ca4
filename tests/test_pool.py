"""`_pool.assign` is httpcore's `_assign_requests_to_connections`, step for step, in linear time.

Both run on the same made-up pool states (connections closed, expired, idle, busy, for one
origin or another; requests queued or not) and must leave the same pool behind: the same
connections in the same order, the same ones closed, the same request on the same connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamkap_sdk import AsyncStreamkapClient, StreamkapClient
from streamkap_sdk._pool import _KNOWN, _AsyncPool, _SyncPool, assign

pytestmark = pytest.mark.skipif(
    not _KNOWN,
    reason=f"the linear pool replaces httpcore 1.0's step only; {httpcore.__name__} "
    f"{httpcore.__version__} keeps its own (httpx2's httpcore2 under the alias)",
)


@dataclass(eq=False)
class Conn:
    name: str
    origin: str
    closed: bool
    expired: bool
    idle: bool
    available: bool

    def is_closed(self) -> bool:
        return self.closed

    def has_expired(self) -> bool:
        return self.expired

    def is_idle(self) -> bool:
        return self.idle

    def is_available(self) -> bool:
        return self.available

    def can_handle_request(self, origin: str) -> bool:
        return origin == self.origin


@dataclass
class Url:
    origin: str


@dataclass
class Req:
    url: Url


@dataclass(eq=False)
class PoolRequest:
    request: Req
    queued: bool
    connection: Conn | None = None

    def is_queued(self) -> bool:
        return self.queued

    def assign_to_connection(self, connection: Conn) -> None:
        self.connection = connection
        self.queued = False


@dataclass
class Pool:
    _connections: list[Conn]
    _requests: list[PoolRequest]
    _max_connections: int
    _max_keepalive_connections: int
    created: list[str] = field(default_factory=list)

    def create_connection(self, origin: str) -> Conn:
        conn = Conn(f"new-{len(self.created)}", origin, False, False, False, False)
        self.created.append(conn.name)
        return conn


_CONN = st.tuples(st.sampled_from(["a", "b"]), st.booleans(), st.booleans(), st.booleans(),
                  st.booleans())  # fmt: skip


@st.composite
def _states(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "conns": draw(st.lists(_CONN, max_size=8)),
        "requests": draw(
            st.lists(st.tuples(st.sampled_from(["a", "b"]), st.booleans()), max_size=6)
        ),
        "max": draw(st.integers(1, 8)),
        "keepalive": draw(st.integers(0, 8)),
    }


def _build(state: dict[str, Any]) -> Pool:
    conns = [Conn(f"c{i}", *spec) for i, spec in enumerate(state["conns"])]
    requests = [PoolRequest(Req(Url(origin)), queued) for origin, queued in state["requests"]]
    return Pool(conns, requests, state["max"], state["keepalive"])


def _outcome(pool: Pool, closing: list[Conn]) -> Any:
    return (
        [c.name for c in pool._connections],
        [c.name for c in closing],
        [(r.queued, r.connection.name if r.connection else None) for r in pool._requests],
        pool.created,
    )


@settings(max_examples=500, deadline=None)
@given(_states())
def test_assign_is_httpcores_assignment(state: dict[str, Any]) -> None:
    for original in (
        httpcore.AsyncConnectionPool._assign_requests_to_connections,
        httpcore.ConnectionPool._assign_requests_to_connections,
    ):
        theirs = _build(state)
        expected = _outcome(theirs, original(theirs))  # type: ignore[arg-type]
        mine = _build(state)
        assert _outcome(mine, assign(mine)) == expected


def test_the_sdks_own_pools_get_it_and_pools_passed_in_do_not() -> None:
    client = StreamkapClient(base_url="http://127.0.0.1:9", access_token="t")
    assert type(client._http._transport._pool) is _SyncPool  # type: ignore[attr-defined]
    client.close()
    mine = httpx.HTTPTransport()
    client = StreamkapClient(base_url="http://127.0.0.1:9", access_token="t", transport=mine)
    assert type(mine._pool) is httpcore.ConnectionPool
    client.close()


async def test_the_async_clients_pools_get_it() -> None:
    async with AsyncStreamkapClient(base_url="http://127.0.0.1:9", access_token="t") as client:
        state = await client._state()
        assert type(state.http._transport._pool) is _AsyncPool  # type: ignore[attr-defined]


def test_the_expiry_check_is_httpcores_on_real_connections() -> None:
    """Idle, busy, past their keep-alive, closed by the server: `_has_expired` says what
    `has_expired()` says, on the pool of a real client talking to a real server."""
    import socket
    import time

    from _faultserver import fault_server, metrics_body

    from streamkap_sdk._pool import _has_expired

    kept: list[Any] = []

    def answer_and_keep(request: Any, conn: Any) -> None:
        kept.append(conn._handler.connection)  # the server's end of the socket, kept first:
        conn.respond(200, metrics_body(["a"]))  # the client may look as soon as this is sent

    with fault_server() as server:
        client = StreamkapClient(**server.credentials())
        with client:
            client.pipelines.metrics(["a"])
            pool = client._http._transport._pool  # type: ignore[attr-defined]
            connections = list(pool._connections)
            assert connections
            for c in connections:
                assert _has_expired(c) == c.has_expired() is False
            inner = connections[0]._connection
            inner._expire_at = time.monotonic() - 1  # the keep-alive ran out
            assert _has_expired(connections[0]) == connections[0].has_expired() is True
            pool._connections.remove(connections[0])
            connections[0].close()
            server.once("/pipelines/metrics", answer_and_keep)
            client.pipelines.metrics(["a"])
            connections = [c for c in pool._connections if c.is_idle()]
            assert len(connections) == 1 and kept
            assert _has_expired(connections[0]) == connections[0].has_expired() is False
            kept[0].shutdown(socket.SHUT_RDWR)  # the server hangs up on the idle connection
            deadline = time.monotonic() + 5
            while not connections[0].has_expired() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _has_expired(connections[0]) == connections[0].has_expired() is True
