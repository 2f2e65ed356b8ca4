"""`make bench`: what the SDK costs on top of raw httpx, and against openai-python, as ratios
measured side by side.

Prints one table (each ratio with the two medians behind it) and exits 1 when a target is
missed; a missed row still prints its ratio, marked "missed". Shared machines are noisy, so
nothing here is an absolute threshold: every row compares two contenders measured in the same
run, taking turns; the ratio is the median of the ratios of samples taken back to back (see
`_harness`). Every ratio is subject time / baseline time (lower is better); the "speed" column
is its inverse. openai (bench/requirements.txt, `_peer`) is the benchmark's own, never the
SDK's: without it, its rows print "skipped (openai not installed)".

    .venv/bin/python bench/run.py [--only percall,async-aiohttp] [--quick] [--peer 2|3] [--list]

--quick runs fewer, shorter rounds (one row in about a minute at most; noisier); --only takes
row names (--list prints them; async-httpx and async-aiohttp name their three levels) or the
section numbers of the table.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import _harness
from _harness import Row, machine, pick, sandbox_process

Section = Callable[[Any], list[Row]]


def _percall(_: Any) -> list[Row]:
    import _percall

    return _percall.in_process()


def _sandbox(sandbox: Any) -> list[Row]:
    import _percall

    return _percall.over_sandbox(sandbox)


def _chunking(sandbox: Any) -> list[Row]:
    import _concurrency

    return _concurrency.chunking_rows(sandbox, rounds=pick(5, 2))


def _scaling(_: Any) -> list[Row]:
    import _concurrency

    return _concurrency.scaling_rows(rounds=pick(3, 1))


def _token(_: Any) -> list[Row]:
    import _concurrency

    return _concurrency.token_rows()


def _decode(body: Any) -> list[Row]:
    import _payload

    return [_payload.decode_time(body, rounds=pick(5, 3), budget=pick(45.0, 20.0))]


def _memory(body: Any) -> list[Row]:
    import _payload

    with tempfile.TemporaryDirectory(prefix="streamkap-bench-") as workdir:
        return [_payload.decode_memory(body, Path(workdir), repeats=pick(2, 1))]


def _imports(_: Any) -> list[Row]:
    import _imports

    return _imports.import_rows()


def _async(flavour: str, tasks: int) -> Section:
    def rows(url: Any) -> list[Row]:
        import _load

        return _load.async_rows(url, flavour, (tasks,))

    return rows


def _threads(url: Any) -> list[Row]:
    import _load

    return _load.thread_rows(url)


def _loop(_: Any) -> list[Row]:
    import _loop

    return _loop.rows(rounds=pick(5, 2))


@contextmanager
def _sandbox_fixture() -> Iterator[Any]:
    with sandbox_process() as sandbox:
        yield sandbox


@contextmanager
def _server_fixture() -> Iterator[Any]:
    import _load

    with _load.minimal_server() as url:
        yield url


@contextmanager
def _payload_fixture() -> Iterator[Any]:
    import _payload

    yield _payload.build()


@contextmanager
def _nothing() -> Iterator[Any]:
    yield None


#: name: (section number in the table, what the rows need set up, the rows)
ROWS: dict[str, tuple[int, Callable[[], Any], Section]] = {
    "percall": (1, _nothing, _percall),  # per call, in-process transport (vs httpx, openai)
    "sandbox": (1, _sandbox_fixture, _sandbox),  # per call over 127.0.0.1
    "decode": (2, _payload_fixture, _decode),  # decode time of the 48 MB answer
    "memory": (3, _payload_fixture, _memory),  # its peak memory
    "token": (4, _nothing, _token),  # token requests after expiry
    "chunking": (5, _sandbox_fixture, _chunking),  # 10,000 ids over the sandbox
    "scaling": (5, _nothing, _scaling),  # per-id time, 1,000 vs 300,000 ids
    "import": (6, _nothing, _imports),  # import time (vs httpx, openai)
    **{
        f"async-{flavour}-{tasks}": (7, _server_fixture, _async(flavour, tasks))
        for flavour in ("httpx", "aiohttp")  # the SDK vs the plain stack and openai
        for tasks in (1, 20, 500)
    },
    "threads": (7, _server_fixture, _threads),  # 16 threads
    "loop": (8, _nothing, _loop),  # the event loop during a 48 MB call
}


def _table(rows: list[tuple[int, Row | str]]) -> str:
    header = (
        "#",
        "measurement",
        "subject",
        "baseline",
        "subject median",
        "baseline median",
        "ratio",
        "speed",
        "target",
        "",
    )
    lines: list[tuple[str, ...]] = [header]
    for number, row in rows:
        if isinstance(row, str):
            lines.append((str(number), row, "", "", "", "", "", "", "", "ERROR"))
            continue
        speed = ""
        if row.exact is not None:
            ratio, target = f"{row.subject_value:g}", f"== {row.exact}"
        else:
            target = "-" if row.target is None else f"<= {row.target:.2f}x"
            if row.target is not None and row.target < 1:
                target += f" (speed >= {1 / row.target:g}x)"
            ratio = "-" if row.skipped else f"{row.value:.2f}x"
            if not row.skipped and row.value and row.unit not in ("MiB", "requests"):
                speed = f"{1 / row.value:.2f}x"
        status = row.skipped or ("ok" if row.ok else "missed")
        measured = not row.skipped
        lines.append(
            (
                str(number),
                row.name,
                row.subject,
                row.baseline,
                _amount(row.subject_value, row.unit) if measured else "-",
                _amount(row.baseline_value, row.unit) if measured else "-",
                ratio,
                speed,
                target,
                status,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    right = {4, 5, 6, 7}
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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--only", default="", help="row names or section numbers, e.g. percall,async-aiohttp or 1,7"
    )
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds (noisier)")
    parser.add_argument("--list", action="store_true", help="print the row names and exit")
    parser.add_argument(
        "--peer",
        choices=("2", "3"),
        default=os.environ.get("STREAMKAP_BENCH_PEER", "2"),
        help="openai 2.x on httpx (bench/requirements.txt) or 3.x on httpx2 (-openai3.txt)",
    )
    args = parser.parse_args(argv)
    if args.list:
        for name, (number, _, _) in ROWS.items():
            print(f"{number}  {name}")
        return 0
    wanted: list[str] = []
    for item in (s.strip() for s in args.only.split(",") if s.strip()):
        if item.isdigit():
            wanted += [name for name, (n, _, _) in ROWS.items() if n == int(item)]
        elif item in ROWS:
            wanted.append(item)
        elif any(name.startswith(f"{item}-") for name in ROWS):  # async-httpx: its levels
            wanted += [name for name in ROWS if name.startswith(f"{item}-")]
        else:
            parser.error(f"unknown row {item!r}; one of: {', '.join(ROWS)}")
    names = [name for name in ROWS if name in wanted] if wanted else list(ROWS)
    if args.quick:
        os.environ["STREAMKAP_BENCH_QUICK"] = "1"  # for the subprocesses
        _harness.QUICK = True
    os.environ["STREAMKAP_BENCH_PEER"] = args.peer  # before _peer is imported; subprocesses too
    import _peer

    peer = f"openai {_peer.version()}" if _peer.available() else _peer.SKIP
    started = time.perf_counter()
    results: list[tuple[int, Row | str]] = []
    print(f"machine: {machine()}; peer: {peer}{'; quick mode' if args.quick else ''}", flush=True)
    with ExitStack() as stack:
        fixtures: dict[Callable[[], Any], Any] = {}
        for name in names:
            number, fixture, section = ROWS[name]
            t0 = time.perf_counter()
            try:
                if fixture not in fixtures:  # set up once, for every row that needs it
                    fixtures[fixture] = stack.enter_context(fixture())
                results.extend((number, row) for row in section(fixtures[fixture]))
            except Exception as exc:  # the table is printed either way
                traceback.print_exc()
                results.append((number, f"{name} failed: {type(exc).__name__}: {exc}"[:100]))
            print(f"  [{name}: {time.perf_counter() - t0:.1f}s]", file=sys.stderr, flush=True)

    results.sort(key=lambda item: item[0])
    print(_table(results))
    print(
        "ratio: the median, over rounds, of subject time / baseline time measured back to back; "
        "speed: its inverse"
    )
    missed = [r for _, r in results if isinstance(r, str) or not r.ok]
    skipped = [r for _, r in results if isinstance(r, Row) and r.skipped]
    elapsed = time.perf_counter() - started
    measured = len(results) - len(skipped)
    print(
        f"{measured - len(missed)} of {measured} measured rows meet their target"
        f"{f', {len(skipped)} skipped' if skipped else ''}; {elapsed:.0f}s"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
