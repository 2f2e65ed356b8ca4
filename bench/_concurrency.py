"""Concurrency against the sandbox subprocess: token single-flight, and chunked id lists.

`token_requests_after_expiry` is used from `bench/auth_scenario.py` when that module exists;
`token_requests_inline` is the same scenario written here.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from typing import Literal

from _harness import Row, SandboxProcess, compare, sandbox_process, timed

from streamkap_sdk import AsyncStreamkapClient, StreamkapClient

IDS = [f"pipeline-{i:05d}" for i in range(10_000)]
DELAY = 0.2  # seconds the server waits before each metrics answer
TOKEN_LIFETIME = 8.0  # seconds; the client renews at half of it (skew capped at lifetime / 2)


def token_requests_inline(concurrency: int, mode: Literal["async", "threads"]) -> int:
    """Token requests the server saw when `concurrency` calls start together after an expiry.

    One call obtains a token; the client's clock then passes the renewal point (half the
    token's lifetime); then `concurrency` calls start at once, through one client.
    """
    with sandbox_process("--token-lifetime", str(TOKEN_LIFETIME)) as sandbox:
        if mode == "async":
            return asyncio.run(_async_burst(sandbox, concurrency))
        return _thread_burst(sandbox, concurrency)


def _tokens_seen(sandbox: SandboxProcess) -> int:
    stats = sandbox.stats()
    return stats["token_requests"] + stats["refresh_requests"]


async def _async_burst(sandbox: SandboxProcess, concurrency: int) -> int:
    async with AsyncStreamkapClient(**sandbox.credentials()) as client:
        await client.pipelines.metrics(["warm-up"])
        await asyncio.sleep(TOKEN_LIFETIME / 2 + 0.1)
        before = _tokens_seen(sandbox)
        calls = [client.pipelines.metrics([f"p-{i}"]) for i in range(concurrency)]
        await asyncio.wait_for(asyncio.gather(*calls), timeout=TOKEN_LIFETIME / 2)
        return _tokens_seen(sandbox) - before


def _thread_burst(sandbox: SandboxProcess, concurrency: int) -> int:
    with StreamkapClient(**sandbox.credentials()) as client:
        client.pipelines.metrics(["warm-up"])
        time.sleep(TOKEN_LIFETIME / 2 + 0.1)
        before = _tokens_seen(sandbox)
        start = threading.Barrier(concurrency)
        errors: list[BaseException] = []

        def call(i: int) -> None:
            start.wait(timeout=10)
            try:
                client.pipelines.metrics([f"p-{i}"])
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=call, args=(i,)) for i in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        if errors:
            raise errors[0]
        return _tokens_seen(sandbox) - before


def token_rows() -> list[Row]:
    try:
        from auth_scenario import token_requests_after_expiry as scenario

        source = "bench/auth_scenario.py"
    except ImportError:
        scenario = token_requests_inline
        source = "inline scenario"
    rows = []
    for concurrency, mode in ((500, "async"), (50, "threads")):
        count = scenario(concurrency, mode)  # type: ignore[arg-type]
        rows.append(
            Row(
                f"token requests: {concurrency} {mode} calls after expiry ({source})",
                "token requests",
                "expected",
                count,
                1,
                "requests",
                None,
                exact=1,
            )
        )
    return rows


def chunking_rows(sandbox: SandboxProcess, *, rounds: int = 3) -> list[Row]:
    """10,000 ids in one call vs ceil(chunks / concurrency) x one chunk's request, same delay."""
    with StreamkapClient(**sandbox.credentials()) as client:
        per_request = client.max_ids_per_request
        chunks = math.ceil(len(IDS) / per_request)
        waves = math.ceil(chunks / client.max_concurrency)
        one_chunk = IDS[:per_request]
        client.pipelines.metrics(one_chunk, time_type="latest")  # token, connections
        singles: list[float] = []
        wholes: list[float] = []
        for _ in range(rounds):
            sandbox.fault(kind="delay", delay=DELAY, times=1)
            singles.append(timed(lambda: client.pipelines.metrics(one_chunk, time_type="latest")))
            sandbox.fault(kind="delay", delay=DELAY, times=chunks)
            result = None

            def whole() -> None:
                nonlocal result
                result = client.pipelines.metrics(IDS, time_type="latest")

            wholes.append(timed(whole))
            assert result is not None
            got = len(result.connector_metrics.additional_properties)  # type: ignore[union-attr]
            assert got == len(IDS), f"merged {got} pipelines, expected {len(IDS)}"
    samples = {"chunked call": wholes, f"{waves} x one chunk": [waves * s for s in singles]}
    return [
        compare(
            f"{len(IDS):,} ids = {chunks} requests, {client.max_concurrency} at a time, "
            f"server delay {DELAY:g}s each, wall ({rounds} runs each)",
            samples,
            "chunked call",
            f"{waves} x one chunk",
            unit="s",
            target=1.2,
        )
    ]
