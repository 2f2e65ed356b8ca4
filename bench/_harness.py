"""Shared benchmark machinery: interleaved timing, result rows, a sandbox subprocess.

Every figure is a ratio of two contenders measured side by side in the same run: contenders
take turns batch by batch (the order rotates each round); the ratio is the median of the
per-round ratios, shown next to each side's median.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET


@dataclass(frozen=True)
class Row:
    """One line of the table: `subject` against `baseline`, lower is better for both."""

    name: str
    subject: str  # what is measured, e.g. "StreamkapClient"
    baseline: str  # what it is compared with, e.g. "raw httpx"
    subject_value: float
    baseline_value: float
    unit: str  # "us", "ms", "s", "MiB", "requests"
    target: float | None  # the ratio must be <= target; None = informational
    ratio: float | None = None  # None: subject_value / baseline_value
    exact: int | None = None  # for counts: subject_value must equal this
    skipped: str | None = None  # why the row was not measured (e.g. the peer is not installed)

    @property
    def value(self) -> float:
        if self.ratio is not None:
            return self.ratio
        return self.subject_value / self.baseline_value if self.baseline_value else float("inf")

    @property
    def ok(self) -> bool:
        if self.skipped is not None:
            return True  # not measured: neither met nor missed (the table says why)
        if self.exact is not None:
            return self.subject_value == self.exact
        return self.target is None or self.value <= self.target


def skipped_row(name: str, subject: str, baseline: str, target: float | None, why: str) -> Row:
    """A row that could not be measured, printed as such (e.g. openai not installed)."""
    return Row(name, subject, baseline, 0.0, 0.0, "", target, ratio=0.0, skipped=why)


#: `run.py --quick`: fewer rounds everywhere, so that one row runs in well under a minute.
QUICK = os.environ.get("STREAMKAP_BENCH_QUICK", "") not in ("", "0")


def pick(full: Any, quick: Any) -> Any:
    """`full`, or `quick` under `run.py --quick` (STREAMKAP_BENCH_QUICK=1, which the
    subprocesses inherit)."""
    return quick if QUICK else full


def interleave(
    contenders: dict[str, Callable[[], object]],
    *,
    rounds: int,
    batch: int,
    budget: float,
    warmup: int = 1,
) -> dict[str, list[float]]:
    """Seconds per call of each contender, one sample per round (a batch of `batch` calls).

    Rounds stop early once `budget` seconds have passed (at least three rounds are kept).
    """
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            for _ in range(batch):
                contenders[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    deadline = time.perf_counter() + budget
    for r in range(rounds):
        shift = r % len(names)
        gc.collect()  # once a round: no contender inherits another's garbage for long
        for name in names[shift:] + names[:shift]:
            call = contenders[name]
            start = time.perf_counter()
            for _ in range(batch):
                call()
            samples[name].append((time.perf_counter() - start) / batch)
        if r >= 2 and time.perf_counter() > deadline:
            break
    return samples


def median(values: list[float]) -> float:
    return statistics.median(values)


def paired_ratio(samples: dict[str, list[float]], subject: str, baseline: str) -> float:
    """Median over rounds of subject / baseline within the same round.

    Load from other processes drifts over seconds; within one round both sides saw about the
    same load, so the per-round ratio cancels most of it.
    """
    return median([s / b for s, b in zip(samples[subject], samples[baseline], strict=True)])


def compare(
    name: str,
    samples: dict[str, list[float]],
    subject: str,
    baseline: str,
    *,
    unit: str,
    scale: float = 1.0,
    target: float | None,
) -> Row:
    """A row from interleaved samples: both medians (times `scale`) and the paired ratio."""
    return Row(
        name,
        subject,
        baseline,
        median(samples[subject]) * scale,
        median(samples[baseline]) * scale,
        unit,
        target,
        ratio=paired_ratio(samples, subject, baseline),
    )


def timed(call: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        cpu = platform.processor() or cpu
    try:
        import orjson

        json_lib = f"orjson {orjson.__version__}"
    except ImportError:
        json_lib = "no orjson (stdlib json)"
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}, "
        f"httpx {httpx.__version__}, {json_lib}{load}"
    )


class SandboxProcess:
    """`python -m streamkap_sdk.sandbox` in a subprocess, so its CPU is not the client's GIL."""

    def __init__(self, url: str, process: subprocess.Popen[str]) -> None:
        self.url = url
        self._process = process
        self._control = httpx.Client(base_url=url, timeout=10)

    def credentials(self) -> dict[str, Any]:
        return {
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "base_url": self.url,
        }

    def token(self) -> str:
        """A fresh access token, for the raw httpx contenders."""
        reply = self._control.post(
            "/auth/access-token",
            json={"client_id": DEFAULT_CLIENT_ID, "secret": DEFAULT_CLIENT_SECRET},
        )
        reply.raise_for_status()
        token: str = reply.json()["accessToken"]
        return token

    def fault(self, **spec: Any) -> None:
        self._control.post("/_sandbox/faults", json=spec).raise_for_status()

    def reset(self) -> None:
        self._control.post("/_sandbox/reset").raise_for_status()

    def stats(self) -> dict[str, int]:
        reply = self._control.get("/_sandbox/stats")
        reply.raise_for_status()
        stats: dict[str, int] = reply.json()
        return stats

    def close(self) -> None:
        self._control.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)


@contextmanager
def sandbox_process(*args: str) -> Iterator[SandboxProcess]:
    process = subprocess.Popen(
        [sys.executable, "-m", "streamkap_sdk.sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            match = re.search(r"listening on (http://\S+)", line)
            url = match.group(1) if match else None
        if url is None:
            raise RuntimeError("the sandbox subprocess did not start")
    except BaseException:
        process.kill()
        process.wait(timeout=10)
        raise
    sandbox = SandboxProcess(url, process)
    try:
        yield sandbox
    finally:
        sandbox.close()


def run_python(*args: str, timeout: float = 120) -> Any:
    """Run `python ARGS...` in a fresh interpreter; it prints one JSON document on its last line."""
    out = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"subprocess failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
