"""The big response: 200 pipelines x 3 series x 1440 one-minute points, as the sandbox serves it.

Decoding it (`streamkap_sdk._decode.decode_model` on an httpx.Response, the SDK's real path) is
compared with `json.loads` of the same bytes, for time (in this process, interleaved) and for
peak memory (each in a fresh interpreter: how far the peak RSS, VmHWM, rises during the call).

    python bench/_payload.py memory {json,sdk} FILE     # one memory measurement, prints JSON
"""

from __future__ import annotations

import contextlib
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx
from _harness import Row, compare, run_python

from streamkap_api.models import PipelineMetricsRes, TimeseriesEntry
from streamkap_sdk._decode import decode_model
from streamkap_sdk.sandbox import Engine

PIPELINES = 200
SERIES = 3  # latency, recordsLag, status
POINTS = 1440  # one day of minutes
ENTRIES = PIPELINES * SERIES * POINTS
OPERATION = "searchPipelinesMetrics"


def build() -> bytes:
    """The sandbox engine's answer to a one-day, per-minute timeseries query for 200 pipelines."""
    engine = Engine()
    token_reply = engine.handle(
        "POST",
        "/auth/access-token",
        [],
        {},
        json.dumps({"client_id": engine.client_id, "secret": engine.client_secret}).encode(),
    )
    token = json.loads(token_reply.body)["accessToken"]
    reply = engine.handle(
        "POST",
        "/pipelines/metrics",
        [
            ("time_type", "timeseries"),
            ("time_unit", "minute"),
            ("timestamp_from", "2025-01-15T00:00:00Z"),
            ("timestamp_to", "2025-01-16T00:00:00Z"),
        ],
        {"Authorization": f"Bearer {token}"},
        json.dumps({"ids": [f"pipeline-{i:03d}" for i in range(PIPELINES)]}).encode(),
    )
    assert reply.status == 200, reply.body[:200]
    return reply.body


def as_response(body: bytes) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"content-type": "application/json"})


def sdk_decode(response: httpx.Response) -> PipelineMetricsRes:
    return decode_model(response, PipelineMetricsRes, what=OPERATION)


def count_entries(model: object) -> int:
    """TimeseriesEntry instances reachable from `model` (proof that nothing is left lazy)."""
    count = 0
    stack: list[Any] = [model]
    while stack:
        node = stack.pop()
        if isinstance(node, TimeseriesEntry):
            count += 1
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif attrs.has(type(node)):
            stack.extend(getattr(node, f.name) for f in attrs.fields(type(node)))
    return count


def _one_decode(decode: Callable[[], object]) -> float:
    """Seconds for one decode, including the young-generation GC pass it leaves pending.

    The result stays alive until the clock stops (freeing 864,000 objects is not decoding), and
    the heap is collected before and after, so neither contender pays for the other's garbage.
    A decode that pauses the GC leaves every object it built in generation 0: `gc.collect(0)`
    charges that first pass to it (after json.loads it finds next to nothing).
    """
    gc.collect()
    start = time.perf_counter()
    result = decode()
    gc.collect(0)
    seconds = time.perf_counter() - start
    del result
    gc.collect()
    return seconds


def decode_time(body: bytes, *, rounds: int = 5, budget: float = 45.0) -> Row:
    response = as_response(body)
    found = count_entries(sdk_decode(response))
    if found != ENTRIES:
        raise AssertionError(f"decode built {found} TimeseriesEntry objects, expected {ENTRIES}")
    contenders: dict[str, Callable[[], object]] = {
        "json.loads": lambda: json.loads(body),
        "decode_model": lambda: sdk_decode(response),
    }
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    deadline = time.perf_counter() + budget
    for r in range(rounds):
        for name in list(contenders)[:: 1 if r % 2 == 0 else -1]:
            samples[name].append(_one_decode(contenders[name]))
        if r >= 2 and time.perf_counter() > deadline:
            break
    return compare(
        f"decode {len(body) / 1e6:.1f} MB to typed models ({found:,} TimeseriesEntry; "
        f"{len(samples['json.loads'])} runs each)",
        samples,
        "decode_model",
        "json.loads",
        unit="s",
        target=1.3,
    )


def _peak_rss_kib() -> int:
    """This process's peak resident set size (VmHWM) in KiB.

    Not `ru_maxrss`: Linux carries that over from the forking parent into the child.
    """
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return int(status.split("VmHWM:", 1)[1].split()[0])


def _memory_run(kind: str, path: str) -> dict[str, int]:
    body = Path(path).read_bytes()
    response = as_response(body)
    gc.collect()
    with contextlib.suppress(OSError):  # start the peak afresh at the current RSS (Linux >= 4.0)
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    before = _peak_rss_kib()
    result = json.loads(body) if kind == "json" else sdk_decode(response)
    after = _peak_rss_kib()
    assert result is not None
    return {"peak_kib": after - before}


def decode_memory(body: bytes, workdir: Path, *, repeats: int = 2) -> Row:
    path = workdir / "payload.json"
    path.write_bytes(body)
    peaks: dict[str, list[float]] = {"decode_model": [], "json.loads": []}
    for r in range(repeats):
        for kind in ("json", "sdk") if r % 2 == 0 else ("sdk", "json"):
            kib = run_python(__file__, "memory", kind, str(path))["peak_kib"]
            peaks["json.loads" if kind == "json" else "decode_model"].append(kib / 1024)
    return compare(
        f"decode peak memory: growth of peak RSS (VmHWM), fresh process ({repeats} runs each)",
        peaks,
        "decode_model",
        "json.loads",
        unit="MiB",
        target=1.5,
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "memory":
        print(json.dumps(_memory_run(sys.argv[2], sys.argv[3])))
    else:
        sys.exit(__doc__)
