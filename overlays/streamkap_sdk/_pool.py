"""httpcore's connection pool, without its quadratic step, for the pools the SDK builds.

httpcore 1.0's `_assign_requests_to_connections` runs on every request and every response
close. For each idle connection it counts the pool's connections by building a list of them
(`len([c.is_idle() for c in connections])`, which counts them all, idle or not), so one pass is
O(connections x idle connections), and for each queued request it lists every available and
every idle connection to use the first. At 20 concurrent calls that was half of the client's
CPU time. `assign` is the same procedure, step for step and with the same outcome (the same
count, the same first connection, the same connections closed), in linear time.

Only pools of exactly httpcore's own classes, in httpcore 1.0, built by the SDK's own clients
(`_fastclient`) get it; anything else is left alone.
"""

from __future__ import annotations

import contextlib
import time
import weakref
from typing import Any, Final

import httpcore

__all__ = ["adopt"]

_KNOWN: Final = httpcore.__version__.startswith("1.0.")

try:  # the HTTP/1.1 connections, whose expiry check is done here without anyio's overhead
    from httpcore._async.connection import AsyncHTTPConnection
    from httpcore._async.http11 import AsyncHTTP11Connection, HTTPConnectionState
    from httpcore._sync.connection import HTTPConnection
    from httpcore._sync.http11 import HTTP11Connection
    from httpcore._utils import is_socket_readable

    _OUTER: frozenset[type] = frozenset({AsyncHTTPConnection, HTTPConnection})
    _HTTP11: frozenset[type] = frozenset({AsyncHTTP11Connection, HTTP11Connection})
    _IDLE: Any = HTTPConnectionState.IDLE
except ImportError:  # pragma: no cover - another httpcore layout: its own has_expired()
    _OUTER = _HTTP11 = frozenset()

#: network stream -> its socket (anyio rebuilds a dict of attributes on every lookup)
_SOCKETS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _has_expired(connection: Any) -> bool:
    """`connection.has_expired()`, as httpcore 1.0.9 computes it for HTTP/1.1 connections:
    the keep-alive ran out, or the connection is idle and its socket readable (the server
    closed it). The readability check is the same poll; only finding the socket is cheaper
    (it was most of the cost of a busy pool: every pass checks every idle connection)."""
    inner = connection._connection if type(connection) in _OUTER else None
    if inner is None or type(inner) not in _HTTP11:
        return bool(connection.has_expired())
    keepalive_expired = inner._expire_at is not None and time.monotonic() > inner._expire_at
    if inner._state != _IDLE:
        return keepalive_expired
    stream = inner._network_stream
    try:
        sock = _SOCKETS[stream]
    except (KeyError, TypeError):
        sock = stream.get_extra_info("socket")
        with contextlib.suppress(TypeError):  # not weakly referenceable: looked up each time
            _SOCKETS[stream] = sock
    return bool(is_socket_readable(sock)) or keepalive_expired


def assign(pool: Any) -> list[Any]:
    """httpcore 1.0.9's `ConnectionPool._assign_requests_to_connections`, in linear time."""
    closing_connections = []
    connections = pool._connections
    # First clean up connections that are closed, have expired their keep-alive, or are idle
    # while the pool holds more connections than it keeps alive (httpcore counts them all).
    for connection in list(connections):
        if connection.is_closed():
            connections.remove(connection)
        elif _has_expired(connection) or (
            connection.is_idle() and len(connections) > pool._max_keepalive_connections
        ):
            connections.remove(connection)
            closing_connections.append(connection)

    # Then assign queued requests to connections.
    for pool_request in [request for request in pool._requests if request.is_queued()]:
        origin = pool_request.request.url.origin
        available = next(
            (c for c in connections if c.can_handle_request(origin) and c.is_available()), None
        )
        if available is not None:  # an existing connection can take it
            pool_request.assign_to_connection(available)
        elif len(connections) < pool._max_connections:  # room for a new one
            connection = pool.create_connection(origin)
            connections.append(connection)
            pool_request.assign_to_connection(connection)
        else:  # close an idle one, if any, to make room
            idle = next((c for c in connections if c.is_idle()), None)
            if idle is not None:
                connections.remove(idle)
                closing_connections.append(idle)
                connection = pool.create_connection(origin)
                connections.append(connection)
                pool_request.assign_to_connection(connection)
    return closing_connections


class _AsyncPool(httpcore.AsyncConnectionPool):
    def _assign_requests_to_connections(self) -> list[Any]:
        return assign(self)


class _SyncPool(httpcore.ConnectionPool):
    def _assign_requests_to_connections(self) -> list[Any]:
        return assign(self)


_SWAPS: Final[dict[type, type]] = {
    httpcore.AsyncConnectionPool: _AsyncPool,
    httpcore.ConnectionPool: _SyncPool,
}


def adopt(transport: object) -> None:
    """Give an httpx transport's pool the linear `assign`, if it is httpcore's own pool."""
    pool = getattr(transport, "_pool", None)
    swap = _SWAPS.get(type(pool))
    if (
        _KNOWN
        and swap is not None
        and all(
            hasattr(pool, name)
            for name in (
                "_connections",
                "_requests",
                "_max_connections",
                "_max_keepalive_connections",
            )
        )
    ):
        pool.__class__ = swap
