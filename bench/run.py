"""`make bench`: what the SDK costs on top of raw httpx, as ratios measured side by side.

Prints one table (each ratio with the two medians behind it) and exits 1 when a target is
missed. Shared machines are noisy, so nothing here is an absolute threshold: every row compares
two contenders measured in the same run, taking turns; the ratio is the median of the ratios of
samples taken back to back (see `_harness`).

    .venv/bin/python bench/run.py [--only 1,4]

Sections: 1 per call, 2 decode time, 3 decode memory, 4 token renewal, 5 chunked calls, 6 import
time, 7 many calls at once (async tasks, threads) against a minimal server, 8 the event loop
while a 48 MB response is fetched and decoded.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import _aiohttp_load
import _concurrency
import _imports
import _load
import _loop
import _payload
import _percall
from _harness import Row, machine, sandbox_process

Section = Callable[[], list[Row]]


def _table(rows: list[tuple[int, Row | str]]) -> str:
    header = (
        "#",
        "measurement",
        "subject",
        "baseline",
        "subject median",
        "baseline median",
        "ratio",
        "target",
        "",
    )
    lines: list[tuple[str, ...]] = [header]
    for number, row in rows:
        if isinstance(row, str):
            lines.append((str(number), row, "", "", "", "", "", "", "ERROR"))
            continue
        if row.exact is not None:
            ratio, target = f"{row.subject_value:g}", f"== {row.exact}"
        else:
            ratio = f"{row.value:.2f}x"
            target = "-" if row.target is None else f"<= {row.target:g}x"
        lines.append(
            (
                str(number),
                row.name,
                row.subject,
                row.baseline,
                _amount(row.subject_value, row.unit),
                _amount(row.baseline_value, row.unit),
                ratio,
                target,
                "ok" if row.ok else "MISSED",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    right = {4, 5, 6}
    out = []
    for n, line in enumerate(lines):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("| " + " | ".join(cells) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def _amount(value: float, unit: str) -> str:
    if unit == "requests":
        return f"{value:g}"
    digits = 0 if value >= 100 else 1 if value >= 10 else 2 if value >= 1 else 3
    return f"{value:.{digits}f} {unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8,9", help="sections to run, e.g. 1,5")
    args = parser.parse_args(argv)
    wanted = {int(s) for s in args.only.split(",") if s.strip()}
    started = time.perf_counter()
    results: list[tuple[int, Row | str]] = []

    def run(number: int, section: Section) -> None:
        if number not in wanted:
            return
        t0 = time.perf_counter()
        try:
            results.extend((number, row) for row in section())
        except Exception as exc:  # the table is printed either way
            traceback.print_exc()
            results.append((number, f"failed: {type(exc).__name__}: {exc}"[:100]))
        print(f"  [section {number}: {time.perf_counter() - t0:.1f}s]", file=sys.stderr)

    print(f"machine: {machine()}", flush=True)
    run(1, _percall.in_process)
    if wanted & {1, 5}:
        with sandbox_process() as sandbox:
            run(1, lambda: _percall.over_sandbox(sandbox))
            run(5, lambda: _concurrency.chunking_rows(sandbox))
    run(5, _concurrency.scaling_rows)
    run(4, _concurrency.token_rows)
    if wanted & {2, 3}:
        body = _payload.build()
        run(2, lambda: [_payload.decode_time(body)])
        with tempfile.TemporaryDirectory(prefix="streamkap-bench-") as workdir:
            run(3, lambda: [_payload.decode_memory(body, Path(workdir))])
        del body
    run(6, _imports.import_rows)
    if wanted & {7}:
        with _load.minimal_server() as url:
            run(7, lambda: _load.async_rows(url) + _load.thread_rows(url))
    run(8, _loop.rows)
    run(9, _aiohttp_load.rows)  # the async client on aiohttp vs raw aiohttp, minimal server

    results.sort(key=lambda item: item[0])
    print(_table(results))
    print("ratio: the median, over rounds, of subject / baseline measured back to back")
    missed = [r for _, r in results if isinstance(r, str) or not r.ok]
    elapsed = time.perf_counter() - started
    print(f"{len(results) - len(missed)} of {len(results)} rows meet their target; {elapsed:.0f}s")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
