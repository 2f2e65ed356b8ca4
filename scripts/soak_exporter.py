"""Soak the exporter: `make soak` (SOAK_SECONDS, default 600), or `python scripts/soak_exporter.py`.

Runs `python -m streamkap_sdk.sandbox --token-lifetime 20` and `python -m streamkap_sdk.exporter`
on 127.0.0.1, and every few refreshes injects a fault through the sandbox's control endpoints,
in turn: a 503 (retried within the refresh), a dropped connection (the `reset` fault, retried),
a revoked token (POST /_sandbox/revoke: a 401, renewal and replay), and enough 503s to fail a
whole refresh (the next one must recover). /metrics is scraped every second meanwhile.

Reports refreshes done, failed and recovered, the longest gap between successful refreshes,
the exporter's memory (RSS) after warm-up and at the end, and how long SIGTERM took; exits 1
when a target is missed: a gap over two intervals, memory growth beyond noise, a failed scrape,
a failed refresh not recovered from, a secret in the exporter's output, or a stop over 1 s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

REFRESH = re.compile(r"refresh (\d+) (ok|failed) in (\d+\.\d+) s")
MAX_RETRIES = 2  # the SDK's default: a fault must outlast 3 attempts of every request to fail one
IDS_PER_REQUEST = 1000
PAGE = 4096  # /proc/PID/statm counts pages


@dataclass
class Report:
    seconds: float
    interval: float
    pipelines: int
    destinations: int
    refreshes: int = 0
    failed: int = 0
    recovered: int = 0  # failed refreshes followed by a successful one
    faults: dict[str, int] = field(default_factory=dict)
    longest_gap_s: float = 0.0  # between the starts of consecutive successful refreshes
    longest_gap_intervals: float = 0.0
    rss_start_mib: float = 0.0  # after warm-up (the second successful refresh)
    rss_end_mib: float = 0.0
    rss_max_mib: float = 0.0
    scrapes: int = 0
    scrape_failures: int = 0
    token_requests: int = 0
    refresh_requests: int = 0
    stop_s: float = 0.0
    secret_leaked: bool = False
    problems: list[str] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="how long (default 600)")
    parser.add_argument("--interval", type=float, default=5.0, help="refresh interval (5)")
    parser.add_argument("--pipelines", type=int, default=2500, help="pipeline ids (2500)")
    parser.add_argument("--destinations", type=int, default=20, help="destination ids (20)")
    parser.add_argument("--fault-every", type=int, default=3, help="refreshes between faults")
    parser.add_argument("--json", action="store_true", help="print the report as JSON only")
    args = parser.parse_args(argv)
    report = soak(args)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    else:
        _print(report)
    return 1 if report.problems else 0


def soak(args: argparse.Namespace) -> Report:
    report = Report(args.seconds, args.interval, args.pipelines, args.destinations)
    secret = "soak-" + secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="streamkap-soak-") as tmp:
        ids = Path(tmp, "pipelines.txt")
        ids.write_text("".join(f"pipe-{n:05d}\n" for n in range(args.pipelines)))
        sandbox = subprocess.Popen(
            [sys.executable, "-m", "streamkap_sdk.sandbox", "--port", "0",
             "--token-lifetime", "20", "--client-secret", secret],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        exporter: subprocess.Popen[str] | None = None
        try:
            api = _first_match(sandbox.stdout, r"listening on (http://\S+)", "the sandbox")
            env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMKAP_")}
            env.update(
                STREAMKAP_HOST=api, STREAMKAP_CLIENT_ID="sandbox-client", STREAMKAP_SECRET=secret
            )
            exporter = subprocess.Popen(
                [sys.executable, "-m", "streamkap_sdk.exporter", "--pipelines-file", str(ids),
                 "--destinations", ",".join(f"dest-{n:03d}" for n in range(args.destinations)),
                 "--interval", f"{args.interval:g}", "--listen", "127.0.0.1:0",
                 "--ids-per-request", str(IDS_PER_REQUEST)],
                env=env, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            _run(report, args, api, secret, exporter)
        finally:
            for process in (exporter, sandbox):
                if process is not None and process.poll() is None:
                    process.kill()
                    process.wait(timeout=10)
    return report


def _run(
    report: Report,
    args: argparse.Namespace,
    api: str,
    secret: str,
    exporter: subprocess.Popen[str],
) -> None:
    assert exporter.stderr is not None
    first = exporter.stderr.readline()
    match = re.search(r"serving (http://\S+)/metrics", first)
    if match is None:
        raise SystemExit(f"soak: the exporter did not start: {first.strip()}")
    url = match[1]
    lines: list[tuple[float, str]] = [(time.monotonic(), first)]
    reader = threading.Thread(target=_read, args=(exporter.stderr, lines), daemon=True)
    reader.start()

    chunks = -(-args.pipelines // IDS_PER_REQUEST) + (1 if args.destinations else 0)
    faults: list[tuple[str, str, dict[str, Any] | None]] = [
        ("503 once (retried)", "/_sandbox/faults", {"status": 503, "times": 1}),
        ("dropped connection (retried)", "/_sandbox/faults", {"kind": "reset", "times": 1}),
        ("revoked token (renewed)", "/_sandbox/revoke", None),
        # every attempt of every request of one refresh: that refresh fails, the next recovers
        (
            "503 for a whole refresh (fails it)",
            "/_sandbox/faults",
            {"status": 503, "times": chunks * (MAX_RETRIES + 1)},
        ),
    ]
    outcomes: list[tuple[float, bool]] = []  # (start of the refresh, succeeded)
    rss: list[float] = []
    seen = 0
    next_scrape = time.monotonic()
    ends = time.monotonic() + args.seconds
    while time.monotonic() < ends and exporter.poll() is None:
        for received, line in lines[seen:]:
            found = REFRESH.search(line)
            if found is None:
                continue
            outcomes.append((received - float(found[3]), found[2] == "ok"))
            rss.append(_rss_mib(exporter.pid))
            count = int(found[1])
            if count % args.fault_every == 0:
                name, path, body = faults[(count // args.fault_every - 1) % len(faults)]
                _post(api + path, body)
                report.faults[name] = report.faults.get(name, 0) + 1
        seen = len(lines)
        if time.monotonic() >= next_scrape:
            next_scrape += 1.0
            report.scrapes += 1
            if not _scrape_ok(url, expect_entities=any(ok for _, ok in outcomes)):
                report.scrape_failures += 1
        time.sleep(0.05)
    if exporter.poll() is not None:
        report.problems.append(f"the exporter exited early ({exporter.returncode})")

    started = time.monotonic()
    exporter.send_signal(signal.SIGTERM)
    try:
        exporter.wait(timeout=10)
    except subprocess.TimeoutExpired:
        report.problems.append("the exporter did not stop within 10 s of SIGTERM")
    report.stop_s = round(time.monotonic() - started, 3)
    reader.join(timeout=5)
    stats = json.loads(_get(api + "/_sandbox/stats"))
    report.token_requests = stats["token_requests"]
    report.refresh_requests = stats["refresh_requests"]
    _judge(report, outcomes, rss, "".join(line for _, line in lines), secret)


def _judge(
    report: Report, outcomes: list[tuple[float, bool]], rss: list[float], log: str, secret: str
) -> None:
    report.refreshes = len(outcomes)
    report.failed = sum(1 for _, ok in outcomes if not ok)
    report.recovered = sum(
        1 for (_, before), (_, after) in itertools.pairwise(outcomes) if not before and after
    )
    starts = [at for at, ok in outcomes if ok]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    report.longest_gap_s = round(max(gaps, default=0.0), 3)
    report.longest_gap_intervals = round(report.longest_gap_s / report.interval, 3)
    warm = rss[1:] if len(rss) > 1 else rss
    if warm:
        report.rss_start_mib, report.rss_end_mib = round(warm[0], 1), round(warm[-1], 1)
        report.rss_max_mib = round(max(warm), 1)
    report.secret_leaked = secret in log

    expected = report.seconds / report.interval
    if report.refreshes < 0.8 * expected - 1:
        report.problems.append(f"{report.refreshes} refreshes, expected about {expected:.0f}")
    if report.longest_gap_s > 2 * report.interval * 1.05:  # 5%: scheduling and timing noise
        report.problems.append(f"a gap of {report.longest_gap_s} s: over two intervals")
    if report.failed and report.recovered < report.failed - (0 if outcomes[-1][1] else 1):
        report.problems.append(f"{report.failed} failed refreshes, {report.recovered} recovered")
    growth = report.rss_end_mib - report.rss_start_mib
    if growth > max(8.0, 0.1 * report.rss_start_mib):
        report.problems.append(f"memory grew {growth:.1f} MiB")
    if report.scrape_failures:
        report.problems.append(f"{report.scrape_failures} of {report.scrapes} scrapes failed")
    if report.secret_leaked:
        report.problems.append("the client secret appeared in the exporter's output")
    if report.stop_s > 1.0:
        report.problems.append(f"SIGTERM took {report.stop_s} s")
    if "Traceback" in log:
        report.problems.append("a traceback in the exporter's output")


def _read(stream: Any, lines: list[tuple[float, str]]) -> None:
    for line in stream:
        lines.append((time.monotonic(), line))


def _first_match(stream: Any, pattern: str, what: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        found = re.search(pattern, line)
        if found:
            return found[1]
    raise SystemExit(f"soak: {what} did not start")


def _post(url: str, body: dict[str, Any] | None) -> None:
    httpx.post(url, json=body or {}, timeout=10).raise_for_status()


def _get(url: str) -> str:
    response = httpx.get(url, timeout=10)
    response.raise_for_status()
    return response.text


def _scrape_ok(url: str, *, expect_entities: bool) -> bool:
    try:
        families = {f.name: f for f in text_string_to_metric_families(_get(url + "/metrics"))}
    except (httpx.HTTPError, ValueError):
        return False
    if "streamkap_up" not in families:
        return False
    shown = sum(s.value for s in families["streamkap_entities"].samples)
    return shown > 0 or not expect_entities  # a failed refresh keeps the last values


def _rss_mib(pid: int) -> float:
    try:
        resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return resident * PAGE / 2**20


def _print(report: Report) -> None:
    print(f"soak: {report.seconds:g} s, interval {report.interval:g} s, "
          f"{report.pipelines} pipelines + {report.destinations} destinations")  # fmt: skip
    print(f"  refreshes: {report.refreshes} done, {report.failed} failed, "
          f"{report.recovered} recovered")  # fmt: skip
    for name, count in report.faults.items():
        print(f"  fault: {name} x{count}")
    print(f"  tokens: {report.token_requests} exchanges, {report.refresh_requests} refreshes")
    print(f"  longest gap between successful refreshes: {report.longest_gap_s} s "
          f"({report.longest_gap_intervals} intervals)")  # fmt: skip
    print(f"  RSS: {report.rss_start_mib} MiB after warm-up, {report.rss_end_mib} MiB at the "
          f"end (max {report.rss_max_mib})")  # fmt: skip
    print(f"  scrapes: {report.scrapes}, failed {report.scrape_failures}; "
          f"SIGTERM -> exit in {report.stop_s} s")  # fmt: skip
    print("  result: " + ("; ".join(report.problems) if report.problems else "all targets met"))


if __name__ == "__main__":
    sys.exit(main())
