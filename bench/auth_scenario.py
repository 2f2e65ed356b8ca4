"""How many token requests does a burst of concurrent calls cause once the token has expired?

    from auth_scenario import token_requests_after_expiry
    token_requests_after_expiry(500, "async")   # 1 with single-flighted renewal

Runs against an in-process sandbox on 127.0.0.1. The sandbox and the client share a fake clock,
so the expiry is exact: one warm-up call obtains a token, the clock jumps past its lifetime, and
then `concurrency` calls start together on one client (threads on a StreamkapClient, or tasks
on an AsyncStreamkapClient). The answer counts credential exchanges plus refreshes.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any, Literal

from streamkap_sdk import AsyncStreamkapClient, StreamkapClient
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine
from streamkap_sdk.sandbox._server import Sandbox

__all__ = ["token_requests_after_expiry"]

LIFETIME = 2.0  # seconds on the fake clock
JOIN_TIMEOUT = 60.0  # bounds every wait in the threaded run


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _threads(client: StreamkapClient, concurrency: int) -> None:
    start = threading.Barrier(concurrency, timeout=JOIN_TIMEOUT)
    errors: list[BaseException] = []

    def call(n: int) -> None:
        try:
            start.wait()
            client.pipelines.metrics([f"bench-{n}"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    if errors:
        raise errors[0]
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"threaded burst did not finish within {JOIN_TIMEOUT:g}s")


def token_requests_after_expiry(concurrency: int, mode: Literal["async", "threads"]) -> int:
    """Token requests (exchanges + refreshes) made by `concurrency` simultaneous calls on one
    client after its token expired. Single-flighted renewal makes this 1 for any concurrency.
    Raises if any call fails."""
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    if mode not in ("async", "threads"):
        raise ValueError(f"mode must be 'async' or 'threads', got {mode!r}")
    clock = _Clock()
    with Sandbox(Engine(clock=clock, token_lifetime=LIFETIME)) as sandbox:
        engine = sandbox.engine
        settings: dict[str, Any] = {
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "base_url": sandbox.url,
            "token_clock": clock,
            "max_retries": 0,  # a failure should show, not be retried away
        }
        if mode == "threads":
            with StreamkapClient(**settings) as client:
                client.pipelines.metrics(["warm-up"])
                clock.now += LIFETIME * 1.5
                before = engine.token_requests + engine.refresh_requests
                _threads(client, concurrency)
        else:

            async def run() -> int:
                async with AsyncStreamkapClient(**settings) as client:
                    await client.pipelines.metrics(["warm-up"])
                    clock.now += LIFETIME * 1.5
                    count = engine.token_requests + engine.refresh_requests
                    async with asyncio.timeout(JOIN_TIMEOUT):
                        await asyncio.gather(
                            *(client.pipelines.metrics([f"bench-{n}"]) for n in range(concurrency))
                        )
                    return count

            before = asyncio.run(run())
        return engine.token_requests + engine.refresh_requests - before


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    for kind in ("threads", "async"):
        print(f"{kind:>7} x{n}: {token_requests_after_expiry(n, kind)} token request(s)")
