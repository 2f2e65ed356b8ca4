"""The async client's in-flight gate (`_gate`): FIFO, cancellation, and token renewal first.

The Gate's own behaviour is tested on its own (order, handover, cancellation, the pool
timeout); the client's is tested over HTTP against the fault server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from _faultserver import FaultServer, fault_server

from streamkap_sdk import AsyncStreamkapClient
from streamkap_sdk._gate import DEFAULT_IN_FLIGHT, Gate, in_flight_limit


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_waiters_get_slots_in_arrival_order() -> None:
    gate = Gate(2)
    await gate.acquire()
    await gate.acquire()
    order: list[int] = []

    async def waiter(n: int) -> None:
        await gate.acquire()
        order.append(n)

    tasks = []
    for n in range(8):
        tasks.append(asyncio.create_task(waiter(n)))
        await _settle()  # each is in line before the next arrives
    assert gate.waiting == 8 and order == []
    for _ in range(8):
        gate.release()
        await _settle()
    await asyncio.gather(*tasks)
    assert order == list(range(8))
    assert gate.in_flight == 2  # the two first holders still hold theirs


async def test_a_freed_slot_is_handed_over_and_a_newcomer_does_not_overtake() -> None:
    gate = Gate(1)
    await gate.acquire()
    order: list[str] = []

    async def take(name: str) -> None:
        await gate.acquire()
        order.append(name)

    first = asyncio.create_task(take("waiting"))
    await _settle()
    gate.release()  # handed to "waiting", which has not run yet
    newcomer = asyncio.create_task(take("newcomer"))
    await _settle()
    assert order == ["waiting"]
    assert not newcomer.done()  # it waits its turn although a slot was released before it came
    gate.release()
    await asyncio.wait_for(asyncio.gather(first, newcomer), 5)
    assert order == ["waiting", "newcomer"]


async def test_a_cancelled_waiter_releases_nothing_it_did_not_hold() -> None:
    gate = Gate(1)
    await gate.acquire()
    cancelled = asyncio.create_task(gate.acquire())
    after = asyncio.create_task(gate.acquire())
    await _settle()
    cancelled.cancel()
    await _settle()
    assert cancelled.cancelled()
    assert gate.in_flight == 1 and gate.waiting == 1  # still held by the first holder
    assert not after.done()
    gate.release()  # skips the cancelled waiter, goes to the next
    await asyncio.wait_for(after, 5)
    assert gate.in_flight == 1
    gate.release()
    assert gate.in_flight == 0
    await gate.acquire()  # and the gate still works, without waiting
    assert gate.in_flight == 1


async def test_a_waiter_cancelled_just_after_its_slot_was_handed_over_passes_it_on() -> None:
    gate = Gate(1)
    await gate.acquire()
    handed = asyncio.create_task(gate.acquire())
    nxt = asyncio.create_task(gate.acquire())
    await _settle()
    gate.release()  # the slot is now `handed`'s, but it has not resumed yet
    handed.cancel()
    await _settle()
    assert handed.cancelled()
    await asyncio.wait_for(nxt, 5)  # the slot went on to the next in line
    assert gate.in_flight == 1 and gate.waiting == 0


async def test_waiting_longer_than_the_pool_timeout_is_a_pool_timeout() -> None:
    gate = Gate(1)
    await gate.acquire()
    with pytest.raises(httpx.PoolTimeout, match="pool timeout"):
        await gate.acquire(timeout=0.05)
    assert gate.in_flight == 1 and gate.waiting == 0
    gate.release()
    await gate.acquire(timeout=0.05)  # free: no wait at all


def test_the_size_is_the_pools_max_connections() -> None:
    assert in_flight_limit(httpx.Limits(max_connections=7)) == 7
    assert in_flight_limit(httpx.Limits(max_connections=None)) is None  # unbounded: no gate
    assert in_flight_limit(None) == DEFAULT_IN_FLIGHT == 100
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=9))
    assert in_flight_limit(None, transport) == 9
    assert in_flight_limit(None, httpx.AsyncClient(transport=transport)) == 9
    assert in_flight_limit(None, httpx.MockTransport(lambda r: httpx.Response(200))) == 100


# -- on the client --------------------------------------------------------------------------


def _before_renewal(server: FaultServer, start: int) -> int:
    """Metrics requests the server got after `start` and before the first token request."""
    for count, request in enumerate(server.requests[start:]):
        if request.path.startswith("/auth/"):
            return count
    raise AssertionError("no token request")


@pytest.mark.parametrize("size", [1, 3])
async def test_renewal_goes_ahead_of_queued_calls(size: int) -> None:
    """40 calls at once after the token was revoked: only the calls holding a slot go out
    with the revoked token; the renewal is sent before any of the queued ones."""
    with fault_server() as server:
        client = AsyncStreamkapClient(
            **server.credentials(), limits=httpx.Limits(max_connections=size), max_retries=0
        )
        async with client:
            await client.pipelines.metrics(["warm-up"])
            server.revoke()
            start = len(server.requests)
            results = await asyncio.gather(
                *(client.pipelines.metrics([f"p-{n}"]) for n in range(40))
            )
            assert len(results) == 40
            assert 1 <= _before_renewal(server, start) <= size
            unauthorized = [r for r in server.requests[start:] if r.path.startswith("/pip")]
            assert len(unauthorized) <= 40 + size  # each call sent once, plus <= size replays
            assert client.token_requests == 2


async def test_calls_beyond_the_limit_wait_for_a_slot_not_for_a_connection() -> None:
    """The pool never has a queue: the gate is as large as the pool, so every request that
    gets past it finds a connection (a pool timeout of 0 would fail any request that waited)."""
    with fault_server() as server:
        client = AsyncStreamkapClient(
            **server.credentials(),
            limits=httpx.Limits(max_connections=2),
            timeout=httpx.Timeout(10.0, pool=None),
        )
        async with client:
            state = await client._state()
            gate = state.gate
            assert gate is not None and gate.slots == 2
            peak = 0

            async def one(n: int) -> None:
                nonlocal peak
                await client.pipelines.metrics([f"p-{n}"])
                peak = max(peak, gate.in_flight)

            await asyncio.gather(*(one(n) for n in range(30)))
            assert gate.in_flight == 0 and gate.waiting == 0
            assert peak <= 2
