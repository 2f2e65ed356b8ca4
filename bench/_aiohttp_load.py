"""The async client under concurrency on the aiohttp backend, against raw `aiohttp.ClientSession`.

A minimal asyncio HTTP/1.1 server runs in a process of its own on 127.0.0.1 (`--serve`): it
answers the token endpoint and the metrics endpoint with small fixed JSON bodies, and nothing
else. The load runs in another fresh process (`--drive`): N tasks share one client, each calling
in a loop until the round's window closes (the calls in flight then finish and are counted).
Contenders take turns within each round as A B B A (which one goes first alternates round by
round), so that a machine speeding up or slowing down within a round weighs on both alike; each
contender's requests per second in a round is the mean of its two windows, and every call's
latency is kept. The row's ratio is the median over rounds of SDK rps / raw rps
(so a ratio >= target is good here: the table shows raw / SDK, lower is better, like every row).

    .venv/bin/python bench/_aiohttp_load.py            # the rows, printed
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from _harness import Row

TOKEN_PATH = b"/auth/access-token"
IDS = ["pipeline-1", "pipeline-2"]
TOKEN_BODY = json.dumps(
    {"accessToken": "bench-access-token", "refreshToken": "bench-refresh", "expiresIn": 3600}
).encode()
METRICS_BODY = json.dumps(
    {
        "connector_metrics": {
            i: {"latest": {"latency": 12.5, "recordsLag": 3, "status": "RUNNING"}} for i in IDS
        },
        "account_metrics": {"account": {"latest": {"latency": 10.0, "recordsLag": 6}}},
    }
).encode()
CONCURRENCY = (1, 20, 500)
TARGET = 0.5  # SDK rps at least half raw aiohttp's, at 20 and at 500 tasks (issue 12)


# -- the minimal server ---------------------------------------------------------------------


def _answer(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


_TOKEN_ANSWER = _answer(TOKEN_BODY)
_METRICS_ANSWER = _answer(METRICS_BODY)


class _Minimal(asyncio.Protocol):
    """HTTP/1.1 keep-alive, Content-Length bodies only: all the clients here send."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._buffer = b""

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        out = []
        while True:
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                break
            head = buffer[:head_end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            end = head_end + 4 + length
            if len(buffer) < end:
                break
            target = head.split(b" ", 2)[1]
            out.append(_TOKEN_ANSWER if target.startswith(TOKEN_PATH) else _METRICS_ANSWER)
            buffer = buffer[end:]
        self._buffer = buffer
        if out:
            self._transport.write(b"".join(out))


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Minimal, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


@contextmanager
def minimal_server() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError("the minimal server did not start")
        yield line.split()[-1]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# -- the load -------------------------------------------------------------------------------

Call = Callable[[], Awaitable[object]]


async def _contenders(url: str) -> tuple[dict[str, Call], Callable[[], Awaitable[None]]]:
    import aiohttp

    from streamkap_sdk import AsyncStreamkapClient

    session = aiohttp.ClientSession(
        base_url=url, connector=aiohttp.TCPConnector(limit=100), raise_for_status=False
    )
    async with session.post(TOKEN_PATH.decode(), json={"client_id": "c", "secret": "s"}) as r:
        token = (await r.json())["accessToken"]
    headers = {"Authorization": f"Bearer {token}"}

    async def raw() -> object:
        async with session.post(
            "/pipelines/metrics", params={"time_type": "latest"}, json={"ids": IDS}, headers=headers
        ) as response:
            response.raise_for_status()
            return await response.json()

    sdk = AsyncStreamkapClient(
        client_id="c", client_secret="s", base_url=url, http_backend="aiohttp"
    )

    async def streamkap() -> object:
        return await sdk.pipelines.metrics(IDS, time_type="latest")

    async def close() -> None:
        await session.close()
        await sdk.aclose()

    return {"raw aiohttp": raw, "SDK on aiohttp": streamkap}, close


async def _window(call: Call, tasks: int, seconds: float) -> tuple[float, list[float]]:
    """Requests per second of `tasks` tasks calling in a loop for `seconds`, and latencies."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        clock = time.perf_counter
        while clock() < stop:
            start = clock()
            await call()
            latencies.append(clock() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    return len(latencies) / (time.perf_counter() - start), latencies


async def _drive(url: str, tasks: int, rounds: int, seconds: float) -> dict[str, Any]:
    contenders, close = await _contenders(url)
    names = list(contenders)
    try:
        for name in names:  # warm-up: connections, the token, first-call imports
            await _window(contenders[name], tasks, min(seconds, 0.5))
        rps: dict[str, list[float]] = {n: [] for n in names}
        latencies: dict[str, list[float]] = {n: [] for n in names}
        for r in range(rounds):
            # A B B A (the first alternating round by round): a machine that speeds up or
            # slows down over the round weighs on both alike; each gets its two windows' mean.
            shift = r % len(names)
            order = names[shift:] + names[:shift]
            got: dict[str, list[float]] = {n: [] for n in names}
            for name in order + order[::-1]:
                gc.collect()
                window_rps, seen = await _window(contenders[name], tasks, seconds)
                got[name].append(window_rps)
                latencies[name].extend(seen)
            for name in names:
                rps[name].append(statistics.fmean(got[name]))
    finally:
        await close()
    return {"rps": rps, "latencies": {n: _quantiles(v) for n, v in latencies.items()}}


def _quantiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "p50": values[len(values) // 2],
        "p99": values[min(len(values) - 1, int(len(values) * 0.99))],
    }


def measure(url: str, tasks: int, *, rounds: int = 4, seconds: float = 1.5) -> dict[str, Any]:
    """One fresh interpreter per concurrency level: no heap or loop state carried over."""
    out = subprocess.run(
        [sys.executable, __file__, "--drive", url, str(tasks), str(rounds), str(seconds)],
        capture_output=True,
        text=True,
        timeout=60 + rounds * seconds * 8,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"the load process failed:\n{out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def rows(*, rounds: int = 4, seconds: float = 1.5) -> list[Row]:
    """`make bench` rows: raw aiohttp / SDK on aiohttp, as seconds per request (lower is better
    for both); the target applies at 20 and 500 tasks, p99 at 500 tasks is printed beside."""
    out = []
    with minimal_server() as url:
        for tasks in CONCURRENCY:
            result = measure(url, tasks, rounds=rounds, seconds=seconds)
            rps = result["rps"]
            sdk, raw = rps["SDK on aiohttp"], rps["raw aiohttp"]
            ratio = statistics.median(s / r for s, r in zip(sdk, raw, strict=True))
            latency = result["latencies"]
            name = (
                f"async on aiohttp, {tasks} task{'s' if tasks > 1 else ''}, one client, minimal "
                f"server: {statistics.median(sdk):,.0f} vs {statistics.median(raw):,.0f} req/s"
            )
            if tasks == CONCURRENCY[-1]:
                name += (
                    f", p99 {latency['SDK on aiohttp']['p99'] * 1e3:,.0f} vs "
                    f"{latency['raw aiohttp']['p99'] * 1e3:,.0f} ms"
                )
            out.append(
                Row(
                    name,
                    "SDK on aiohttp",
                    "raw aiohttp",
                    1e6 / statistics.median(sdk),
                    1e6 / statistics.median(raw),
                    "us/req",
                    None if tasks == 1 else 1 / TARGET,
                    ratio=1 / ratio,
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--drive", nargs=4, metavar=("URL", "TASKS", "ROUNDS", "SECONDS"))
    args = parser.parse_args()
    if args.serve:
        with suppress(KeyboardInterrupt):
            asyncio.run(_serve())
        return
    if args.drive:
        url, tasks, rounds, seconds = args.drive
        result = asyncio.run(_drive(url, int(tasks), int(rounds), float(seconds)))
        print(json.dumps(result))
        return
    for row in rows():
        print(row)


if __name__ == "__main__":
    main()
