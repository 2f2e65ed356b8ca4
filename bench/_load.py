"""Many calls at once on one client, against a minimal server in a process of its own.

The server (`--serve`) is the least an HTTP/1.1 server can be on asyncio: keep-alive,
Content-Length bodies, the token endpoint and the metrics endpoint answered with small fixed JSON
bodies, nothing else, so that the clients are what is measured. The load runs in a fresh
interpreter per concurrency level (`--drive`): N tasks (or threads) share one client, each
calling in a loop until the round's window closes (the calls in flight then finish and count).
Contenders take turns round by round, the order rotating; per-round requests per second and
every call's latency are kept. A row's ratio is the median over rounds of the subject's seconds
per request over the baseline's (lower is better, like every row of the table).

Two async flavours (issue 22's targets): on httpx, AsyncStreamkapClient against raw
`httpx.AsyncClient` and openai's default async client; on aiohttp, the SDK's
`http_backend="aiohttp"` against the plain `httpx.AsyncClient(transport=httpx_aiohttp.
AiohttpTransport())` and openai's `DefaultAioHttpClient` (raw aiohttp printed beside). Every
contender has the SDK's pool: 100 connections, all kept alive. openai is the benchmark's own
(`_peer`): without it, its rows say so instead of a ratio.

    .venv/bin/python bench/_load.py                 # the rows, printed (STREAMKAP_BENCH_QUICK=1)
    .venv/bin/python bench/_load.py --serve         # just the server
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import _peer
from _harness import Row, pick, skipped_row

TOKEN_PATH = b"/auth/access-token"
METRICS_PATH = "/pipelines/metrics"
IDS = ["pipeline-1", "pipeline-2"]
PARAMS = {"time_type": "latest"}
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
THREADS = 16
P99_OVER_P50 = 3.0  # at 500 tasks, the SDK's p99 at most 3x its p50 (issues 12 and 22)


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
_ANSWERS = {"metrics": _METRICS_ANSWER}  # `--body FILE` swaps in another metrics answer


class _Minimal(asyncio.Protocol):
    """HTTP/1.1 keep-alive with Content-Length bodies: all that the clients here send."""

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
            out.append(_TOKEN_ANSWER if target.startswith(TOKEN_PATH) else _ANSWERS["metrics"])
            buffer = buffer[end:]
        self._buffer = buffer
        if out:
            self._transport.write(b"".join(out))


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Minimal, "127.0.0.1", 0, backlog=2048)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


@contextmanager
def minimal_server(body: str | None = None) -> Iterator[str]:
    """The server's base URL while it runs (in a subprocess: its CPU is not the client's).
    `body`: a file whose bytes are the metrics answer (the small fixed one otherwise)."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", *(["--body", body] if body else [])],
        stdout=subprocess.PIPE,
        text=True,
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


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# -- async load -----------------------------------------------------------------------------

Call = Callable[[], Awaitable[object]]

#: The contenders of each async flavour: the SDK first, then what its rows compare it with.
SDK = {"httpx": "AsyncStreamkapClient", "aiohttp": "SDK on aiohttp"}
PLAIN = {"httpx": "raw httpx", "aiohttp": "httpx + httpx-aiohttp"}
PEER = {"httpx": "openai AsyncOpenAI", "aiohttp": "openai DefaultAioHttpClient"}
RAW_AIOHTTP = "raw aiohttp"  # aiohttp's own session: a reference, no target


async def _async_contenders(
    url: str, flavour: str
) -> tuple[dict[str, Call], Callable[[], Awaitable[None]]]:
    """The flavour's contenders, all with the SDK's pool (100 connections, all kept alive) and
    its timeouts (30 s, connect 10 s; httpx's 5 s pool timeout failed raw httpx at 500 tasks
    now and then), all sending the same request with the same bearer token."""
    import httpx

    from streamkap_sdk import AsyncStreamkapClient

    pool = _peer.MAX_CONNECTIONS
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    timeout = httpx.Timeout(30.0, connect=10.0)
    closers: list[Callable[[], Awaitable[object]]] = []
    transport: httpx.AsyncBaseTransport | None = None
    if flavour == "aiohttp":
        from httpx_aiohttp import AiohttpTransport

        transport = AiohttpTransport(limits=limits)
    plain_http = httpx.AsyncClient(
        base_url=url, timeout=timeout, limits=limits, transport=transport
    )
    closers.append(plain_http.aclose)
    reply = await plain_http.post(TOKEN_PATH.decode(), json={"client_id": "c", "secret": "s"})
    token = reply.json()["accessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    plain_http.headers.update(headers)

    async def plain() -> object:
        response = await plain_http.post(METRICS_PATH, params=PARAMS, json={"ids": IDS})
        response.raise_for_status()
        return response.json()

    sdk = AsyncStreamkapClient(
        client_id="c",
        client_secret="s",
        base_url=url,
        http_backend=flavour,  # type: ignore[arg-type]
    )
    closers.append(sdk.aclose)

    async def streamkap() -> object:
        return await sdk.pipelines.metrics(IDS, time_type="latest")

    contenders: dict[str, Call] = {SDK[flavour]: streamkap, PLAIN[flavour]: plain}
    if _peer.available():
        peer_client = _peer.async_client(url, token, aiohttp=flavour == "aiohttp")
        closers.append(peer_client.close)

        async def peer() -> object:
            return await peer_client.post(
                METRICS_PATH, body={"ids": IDS}, options={"params": PARAMS}, cast_to=object
            )

        contenders[PEER[flavour]] = peer
    if flavour == "aiohttp":
        import aiohttp

        session = aiohttp.ClientSession(
            base_url=url,
            connector=aiohttp.TCPConnector(limit=_peer.MAX_CONNECTIONS),
            headers=headers,
        )
        closers.append(session.close)

        async def raw_aiohttp() -> object:
            async with session.post(METRICS_PATH, params=PARAMS, json={"ids": IDS}) as response:
                response.raise_for_status()
                return await response.json()

        contenders[RAW_AIOHTTP] = raw_aiohttp

    async def close() -> None:
        for closer in closers:
            await closer()

    return contenders, close


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


async def _drive_async(
    url: str, flavour: str, tasks: int, rounds: int, seconds: float
) -> dict[str, Any]:
    contenders, close = await _async_contenders(url, flavour)
    try:
        return await _rounds(
            {
                name: (lambda c=call: _window(c, tasks, seconds))
                for name, call in contenders.items()
            },
            rounds,
            warmup=lambda c=contenders: [_window(call, tasks, 0.3) for call in c.values()],
        )
    finally:
        await close()


async def _rounds(
    windows: dict[str, Callable[[], Awaitable[tuple[float, list[float]]]]],
    rounds: int,
    warmup: Callable[[], list[Awaitable[object]]],
) -> dict[str, Any]:
    for step in warmup():  # connections, the token, first-call imports
        await step
    names = list(windows)
    rps: dict[str, list[float]] = {n: [] for n in names}
    latencies: dict[str, list[float]] = {n: [] for n in names}
    spread: dict[str, list[float]] = {n: [] for n in names}  # per round: p99 / p50
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            got, seen = await windows[name]()
            rps[name].append(got)
            latencies[name].extend(seen)
            q = _quantiles(seen)
            spread[name].append(q["p99"] / q["p50"])
    return {
        "rps": rps,
        "latencies": {n: _quantiles(v) for n, v in latencies.items()},
        "spread": spread,
    }


def _quantiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "p50": values[len(values) // 2],
        "p99": values[min(len(values) - 1, int(len(values) * 0.99))],
        "max": values[-1],
    }


# -- threads --------------------------------------------------------------------------------


def _thread_contenders(url: str) -> tuple[dict[str, Callable[[], object]], Callable[[], None]]:
    import httpx

    from streamkap_sdk import StreamkapClient

    # one pool for all the threads, as large as the threads are many: nobody waits for a socket
    limits = httpx.Limits(max_connections=THREADS, max_keepalive_connections=THREADS)
    raw_http = httpx.Client(base_url=url, limits=limits)
    token = raw_http.post(TOKEN_PATH.decode(), json={"client_id": "c", "secret": "s"})
    headers = {"Authorization": f"Bearer {token.json()['accessToken']}"}
    raw_http.headers.update(headers)
    sdk = StreamkapClient(client_id="c", client_secret="s", base_url=url, limits=limits)
    closers: list[Callable[[], object]] = [raw_http.close, sdk.close]

    def raw() -> object:
        response = raw_http.post(METRICS_PATH, params=PARAMS, json={"ids": IDS})
        response.raise_for_status()
        return response.json()

    def streamkap() -> object:
        return sdk.pipelines.metrics(IDS, time_type="latest")

    contenders: dict[str, Callable[[], object]] = {"raw httpx": raw, "StreamkapClient": streamkap}
    if has("urllib3"):
        import urllib3

        pool = urllib3.PoolManager(maxsize=THREADS, block=True)
        closers.append(pool.clear)
        body = json.dumps({"ids": IDS}).encode()
        target = f"{url}{METRICS_PATH}?time_type=latest"
        send_headers = {**headers, "Content-Type": "application/json"}

        def raw_urllib3() -> object:
            response = pool.request("POST", target, body=body, headers=send_headers)
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            return json.loads(response.data)

        contenders["raw urllib3"] = raw_urllib3

    def close() -> None:
        for closer in closers:
            closer()

    return contenders, close


def _thread_window(call: Callable[[], object], seconds: float) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    errors: list[BaseException] = []

    def worker() -> None:
        clock = time.perf_counter
        mine: list[float] = []
        try:
            while clock() < stop:
                start = clock()
                call()
                mine.append(clock() - start)
        except BaseException as exc:
            errors.append(exc)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    if errors:
        raise errors[0]
    return len(latencies) / (time.perf_counter() - start), latencies


def _drive_threads(url: str, rounds: int, seconds: float) -> dict[str, Any]:
    contenders, close = _thread_contenders(url)

    async def run() -> dict[str, Any]:
        windows = {
            name: (lambda c=call: asyncio.to_thread(_thread_window, c, seconds))
            for name, call in contenders.items()
        }
        return await _rounds(
            windows,
            rounds,
            warmup=lambda: [asyncio.to_thread(_thread_window, c, 0.3) for c in contenders.values()],
        )

    try:
        return asyncio.run(run())
    finally:
        close()


# -- rows -----------------------------------------------------------------------------------


def measure(url: str, what: str, *, rounds: int, seconds: float) -> dict[str, Any]:
    """One fresh interpreter per run: no heap, pool or loop state carried over."""
    out = subprocess.run(
        [sys.executable, __file__, "--drive", url, what, str(rounds), str(seconds)],
        capture_output=True,
        text=True,
        timeout=120 + rounds * seconds * 12,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"the load process failed:\n{out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _ratio(rps: dict[str, list[float]], subject: str, baseline: str) -> float:
    """Median over rounds of subject seconds/request over baseline seconds/request."""
    return statistics.median(b / s for s, b in zip(rps[subject], rps[baseline], strict=True))


def _row(
    name: str, result: dict[str, Any], subject: str, baseline: str, target: float | None
) -> Row:
    rps = result["rps"]
    if baseline not in rps:
        return skipped_row(name, subject, baseline, target, _peer.SKIP)
    return Row(
        name,
        subject,
        baseline,
        1e6 / statistics.median(rps[subject]),
        1e6 / statistics.median(rps[baseline]),
        "us/req",
        target,
        ratio=_ratio(rps, subject, baseline),
    )


#: Issue 22's targets, as the largest seconds-per-request ratio (subject / baseline) allowed:
#: "at least Nx the baseline's speed" is a time ratio of at most 1/N. None: printed only.
ASYNC_TARGETS: dict[str, dict[int, tuple[float | None, float | None]]] = {
    # tasks: (vs the plain httpx stack, vs openai)
    "httpx": {1: (None, 1 / 1.5), 20: (1.0, 1 / 1.5), 500: (1.0, 1 / 1.5)},
    "aiohttp": {1: (1 / 0.8, 1 / 2), 20: (1 / 0.8, 1 / 2), 500: (1 / 0.8, 1 / 2)},
}


def async_rows(url: str, flavour: str, levels: tuple[int, ...] = CONCURRENCY) -> list[Row]:
    """`flavour` "httpx": AsyncStreamkapClient vs raw httpx.AsyncClient and openai's default
    async client; "aiohttp": the SDK on aiohttp vs httpx.AsyncClient on the published
    httpx-aiohttp transport and openai's DefaultAioHttpClient (raw aiohttp printed beside)."""
    out = []
    sdk, plain, peer = SDK[flavour], PLAIN[flavour], PEER[flavour]
    for tasks in levels:
        # short rounds, many of them, where a call takes about a millisecond; at 500 tasks a
        # call waits its turn behind 499 others (about a second): longer rounds, as long in
        # --quick (the calls in flight when a window closes finish and count: with windows much
        # shorter than a call's latency, that tail would be most of what is measured)
        if tasks >= 100:
            rounds, seconds = pick(5, 2), 2.0
        else:
            rounds, seconds = pick(9, 3), pick(0.8, 0.4)
        result = measure(url, f"{flavour}:{tasks}", rounds=rounds, seconds=seconds)
        name = (
            f"async on {flavour}, {tasks} task{'s' if tasks > 1 else ''} on one client, "
            f"minimal server ({rounds} rounds of {seconds:g} s)"
        )
        vs_plain, vs_peer = ASYNC_TARGETS[flavour][tasks]
        out.append(_row(name, result, sdk, plain, vs_plain))
        out.append(_row(name, result, sdk, peer, vs_peer))
        if RAW_AIOHTTP in result["rps"]:
            out.append(_row(name, result, sdk, RAW_AIOHTTP, None))
        if tasks == CONCURRENCY[-1]:
            for contender in result["latencies"]:  # the SDK's has the target, the rest beside
                q = result["latencies"][contender]
                out.append(
                    Row(
                        f"async on {flavour}, {tasks} tasks: p99 latency over p50, median of "
                        f"{rounds} rounds (all rounds: p99 {q['p99']:.2f} s, max {q['max']:.2f} s)",
                        f"{contender} p99",
                        "its p50",
                        q["p99"],
                        q["p50"],
                        "s",
                        P99_OVER_P50 if contender == sdk else None,
                        ratio=statistics.median(result["spread"][contender]),
                    )
                )
    return out


def thread_rows(url: str) -> list[Row]:
    rounds, seconds = pick(7, 3), pick(1.0, 0.5)
    result = measure(url, "threads", rounds=rounds, seconds=seconds)
    name = f"sync, {THREADS} threads on one client, minimal server ({rounds} rounds)"
    out = [_row(name, result, "StreamkapClient", "raw httpx", 1.0)]
    if "raw urllib3" in result["rps"]:
        out.append(_row(name, result, "raw urllib3", "raw httpx", None))
    return out


def rows() -> list[Row]:
    with minimal_server() as url:
        return async_rows(url, "httpx") + async_rows(url, "aiohttp") + thread_rows(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--body", help="with --serve: a file holding the metrics answer's body")
    parser.add_argument("--drive", nargs=4, metavar=("URL", "WHAT", "ROUNDS", "SECONDS"))
    args = parser.parse_args()
    if args.serve:
        if args.body:
            with open(args.body, "rb") as f:
                _ANSWERS["metrics"] = _answer(f.read())
        with suppress(KeyboardInterrupt):
            asyncio.run(_serve())
        return
    if args.drive:
        url, what, rounds, seconds = args.drive
        if what == "threads":
            result = _drive_threads(url, int(rounds), float(seconds))
        else:
            flavour, tasks = what.split(":")
            result = asyncio.run(
                _drive_async(url, flavour, int(tasks), int(rounds), float(seconds))
            )
        print(json.dumps(result))
        return
    for row in rows():
        print(
            f"{row.name} | {row.subject} {row.subject_value:.1f} | {row.baseline} "
            f"{row.baseline_value:.1f} {row.unit} | {row.value:.2f}x | ok={row.ok}"
        )


if __name__ == "__main__":
    main()
