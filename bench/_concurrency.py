"""Concurrency: token renewal single-flight (`bench/auth_scenario.py`), and chunked id lists."""

from __future__ import annotations

import math
from typing import Literal

from _harness import Row, SandboxProcess, compare, timed

from streamkap_sdk import StreamkapClient

IDS = [f"pipeline-{i:05d}" for i in range(10_000)]
DELAY = 0.2  # seconds the server waits before each metrics answer


def token_rows() -> list[Row]:
    from auth_scenario import token_requests_after_expiry

    rows = []
    runs: tuple[tuple[int, Literal["async", "threads"]], ...] = ((500, "async"), (50, "threads"))
    for concurrency, mode in runs:
        count = token_requests_after_expiry(concurrency, mode)
        what = "tasks" if mode == "async" else "threads"
        rows.append(
            Row(
                f"token requests after expiry: {concurrency} {what} at once, one client",
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


def chunking_rows(sandbox: SandboxProcess, *, rounds: int = 5) -> list[Row]:
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
