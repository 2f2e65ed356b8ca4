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

from typing import Any, Final

import httpcore

__all__ = ["adopt"]

_KNOWN: Final = httpcore.__version__.startswith("1.0.")


def assign(pool: Any) -> list[Any]:
    """httpcore 1.0.9's `ConnectionPool._assign_requests_to_connections`, in linear time."""
    closing_connections = []
    connections = pool._connections
    # First clean up connections that are closed, have expired their keep-alive, or are idle
    # while the pool holds more connections than it keeps alive (httpcore counts them all).
    for connection in list(connections):
        if connection.is_closed():
            connections.remove(connection)
        elif connection.has_expired() or (
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
