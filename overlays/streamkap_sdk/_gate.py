"""How many requests an async client has in flight: at most `slots`, the rest wait in order.

Without it, every concurrent call goes straight into httpx's connection pool, whose queue of
waiting requests is scanned on each release (httpcore's `AsyncConnectionPool` does O(queued x
connections) work per response, so 500 tasks on a 100-connection pool spend most of their time
there) and whose order is not first come, first served: the p99 latency of a busy client grew
past its own read timeout. The gate sits in front of the pool, sized to the pool's
`max_connections`, so the pool never has a queue, and waiting callers are served strictly in
arrival order (a slot that frees up is handed to the longest-waiting caller; a newcomer never
overtakes).

Only the requests of calls pass through it. A token renewal is sent by a call that already holds
a slot (the renewal happens inside that call's request) and whose own connection is not in use
at that moment, so it never queues behind the calls waiting here: hundreds of calls that would
each be sent with a revoked token wait for the renewal instead of going out before it.

One gate per event loop (asyncio futures belong to one loop), like the connection pool.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Final

import httpx

if TYPE_CHECKING:
    import asyncio

__all__ = ["DEFAULT_IN_FLIGHT", "DEFAULT_LIMITS", "Gate", "in_flight_limit"]

#: The pool of the SDK's own clients when `limits=` is not given: httpx's 100 connections, all of
#: which may stay alive between requests (httpx keeps 20). httpcore 1.0 closes an idle connection
#: whenever the pool holds more connections in all than `max_keepalive_connections` (it counts
#: every connection, not the idle ones), so under a load of more than 20 concurrent requests,
#: nearly every request opened a new TCP connection. Idle ones still close after 5 s.
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=100)
#: The gate's size for a pool whose size cannot be read (a transport without one).
DEFAULT_IN_FLIGHT: Final = 100


class Gate:
    """A FIFO counting gate: `async with gate.slot(pool_timeout)` (or acquire/release).

    Cancelling a waiter (task.cancel(), asyncio.timeout, a deadline) takes it out of the line
    and releases nothing it did not hold; if the slot had already been handed to it when the
    cancellation landed, that slot goes on to the next in line.
    """

    __slots__ = ("_free", "_waiters", "slots")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a gate needs at least one slot; got {size}")
        self.slots = size
        self._free = size
        # Futures of waiting callers, oldest first. Invariant: when `_free` > 0, it is empty
        # (a freed slot is handed to a waiter before it is counted as free).
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def in_flight(self) -> int:
        """Slots held right now."""
        return self.slots - self._free

    @property
    def waiting(self) -> int:
        """Callers waiting for a slot (cancelled ones that were not yet skipped excluded)."""
        return sum(1 for w in self._waiters if not w.done())

    def take(self) -> bool:
        """Take a free slot if there is one, without waiting (no coroutine to await)."""
        if self._free:
            self._free -= 1
            return True
        return False

    async def acquire(self, timeout: float | None = None) -> None:
        """Take a slot, waiting in line for one; httpx.PoolTimeout after `timeout` seconds."""
        if self.take():
            return
        import asyncio  # deferred: import time (see _operations)

        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        # One timer handle, not an asyncio.timeout() scope (its object, the task's cancel and
        # uncancel): hundreds of callers wait here at once under load.
        timer = None if timeout is None else loop.call_later(timeout, _expire, waiter)
        try:
            await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # handed a slot just as we were cancelled: pass it on
            else:
                waiter.cancel()  # skipped by release(); nothing held, nothing released
            if isinstance(exc, _Expired):
                raise httpx.PoolTimeout(
                    f"no connection free within the pool timeout ({timeout:g}s): "
                    f"{self.slots} requests in flight on this client"
                ) from None
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def release(self) -> None:
        """Give a slot back: to the longest-waiting caller, if any."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot goes straight to it
                return
        self._free += 1
        if self._free > self.slots:  # pragma: no cover - a release without an acquire
            self._free = self.slots
            raise RuntimeError("Gate.release() without a matching acquire()")


class _Expired(Exception):
    """A waiter's pool timeout passed (set on its future by the timer)."""


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(_Expired())


def in_flight_limit(limits: httpx.Limits | None, http: object = None) -> int | None:
    """The gate's size: the pool's `max_connections` (None: unbounded, no gate).

    `limits` are the client's own (`limits=`); for a pool passed in (`http_client=`,
    `transport=`), the size is read from an httpx/httpcore pool when it has one, else the
    httpx default.
    """
    if limits is not None:
        return limits.max_connections
    for path in (("_transport", "_pool"), ("_pool",)):
        node = http
        for name in path:
            node = getattr(node, name, None)
        size = getattr(node, "_max_connections", 0)
        if size is None or (isinstance(size, int) and size > 0):
            return size
    return DEFAULT_IN_FLIGHT
