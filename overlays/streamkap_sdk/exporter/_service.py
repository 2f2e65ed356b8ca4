"""The exporter service: a background refresh, and an HTTP server that renders its snapshot.

The refresh runs on its own thread, in its own event loop, with the async client: one split
call per resource (the SDK's chunking, retries, token renewal and deadline), the resources
concurrently, then one new `Snapshot` swapped in. Refreshes follow a fixed schedule and never
overlap: one that runs late delays the next, which then starts at once. Scrapes render the
current snapshot and never call the API. `stop()` cancels an in-flight refresh and returns
within a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, Self
from urllib.parse import urlsplit

from prometheus_client.exposition import choose_encoder, gzip_accepted

from .._client import AsyncStreamkapClient
from .._errors import StreamkapError
from ._metrics import Answer, Snapshot, SnapshotCollector, answer_from
from ._spec import Resource, resources

__all__ = ["DEFAULT_INTERVAL", "DEFAULT_PORT", "Exporter"]

DEFAULT_INTERVAL: Final = 60.0
DEFAULT_PORT: Final = 9464  # Prometheus's port allocations list it for this kind of exporter
STOP_TIMEOUT: Final = 1.0

log = logging.getLogger("streamkap_sdk.exporter")


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Exporter:
    """`Exporter(client, {"pipelines": [...], ...}).start()`; `stop()` ends it.

    `client` is an AsyncStreamkapClient the exporter owns from then on (it closes it on stop).
    `ids` maps resource names (`pipelines`, `destinations`) to the ids to watch. Each call has
    `deadline` seconds (default: the interval), so a refresh lasts about one interval at most.
    """

    def __init__(
        self,
        client: AsyncStreamkapClient,
        ids: Mapping[str, Sequence[str]],
        *,
        interval: float = DEFAULT_INTERVAL,
        deadline: float | None = None,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        known = {spec.resource: spec for spec in resources()}
        unknown = sorted(set(ids) - set(known))
        if unknown:
            raise ValueError(f"unknown resource(s) {', '.join(unknown)}; known: {', '.join(known)}")
        if interval <= 0 or (deadline is not None and deadline <= 0):
            raise ValueError("interval and deadline must be positive")
        self._plan: list[tuple[Resource, list[str]]] = [
            (spec, list(ids[name])) for name, spec in known.items() if ids.get(name)
        ]
        if not self._plan:
            raise ValueError("no ids to watch")
        self._client = client
        self.interval = float(interval)
        self.deadline = float(deadline) if deadline is not None else self.interval
        self._wall_clock = wall_clock
        self._snapshot = Snapshot(resources=tuple(spec.resource for spec, _ in self._plan))
        self._changed = threading.Condition()
        self._collector = SnapshotCollector(lambda: self._snapshot)
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._refresh_thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop_ready = threading.Event()
        self._stopping = False
        self._refresh_started: float | None = None  # monotonic, while a refresh runs
        self._scrape_failure: str | None = None  # why the last /metrics failed, if it did
        self._first_errors: dict[str, Exception] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Listen (OSError when the address cannot be bound), then serve and refresh."""
        self._server = _Server((self._host, self._port), self)
        self._http_thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="streamkap-exporter-http",
            daemon=True,
        )
        self._refresh_thread = threading.Thread(
            target=self._run_loop, name="streamkap-exporter-refresh", daemon=True
        )
        self._http_thread.start()
        self._refresh_thread.start()
        return self

    @property
    def url(self) -> str:
        """`http://host:port` of the server (the real port when 0 was asked for)."""
        if self._server is None:
            raise RuntimeError("the exporter is not started")
        host, port = self._server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Cancel any refresh in flight, close the client and the server; within `timeout`."""
        self._stopping = True
        until = time.monotonic() + timeout
        if self._refresh_thread is not None and self._refresh_thread.is_alive():
            self._loop_ready.wait(max(0.0, until - time.monotonic()))
            loop, task = self._loop, self._task
            if loop is not None and task is not None:
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    loop.call_soon_threadsafe(task.cancel)
            self._refresh_thread.join(max(0.0, until - time.monotonic()))
        if self._server is not None:
            self._server.shutdown()  # returns within its poll interval (0.1 s)
            self._server.server_close()
        with self._changed:
            self._changed.notify_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state -------------------------------------------------------------------------------

    @property
    def watched(self) -> dict[str, list[str]]:
        """resource -> the ids it refreshes, in registry order."""
        return {spec.resource: list(ids) for spec, ids in self._plan}

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def first_refresh_errors(self) -> dict[str, Exception] | None:
        """resource -> the error its first refresh ended with (only those that failed); None
        until the first refresh has ended. What a command checks its configuration by."""
        errors = self._first_errors
        return None if errors is None else dict(errors)

    def wait_for_refreshes(self, count: int, timeout: float) -> bool:
        """Block until `count` refreshes have ended in all (True), or `timeout` passed."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._snapshot.refreshes >= count or self._stopping, timeout
            ) and (self._snapshot.refreshes >= count)

    def render(self, accept: str = "") -> tuple[bytes, str]:
        """The /metrics body and its content type, in the format `accept` asks for."""
        encoder, content_type = choose_encoder(accept)
        try:
            body = encoder(self._collector)
        except Exception as exc:  # a bug: /healthz says so until a scrape succeeds again
            self._scrape_failure = type(exc).__name__
            raise
        self._scrape_failure = None
        return body, content_type

    def health(self) -> tuple[bool, str]:
        """(healthy, one line): healthy while the refresh loop runs and is not stuck, and the
        last /metrics scrape (if any) could be rendered.

        A failing API does not make the exporter unhealthy (restarting it would not help);
        `streamkap_up` says that. Stuck: one refresh running for over three intervals.
        """
        thread = self._refresh_thread
        if thread is None or not thread.is_alive():
            return False, "refresh loop not running"
        failure = self._scrape_failure
        if failure is not None:
            return False, f"scrapes failing: the last /metrics failed ({failure})"
        started = self._refresh_started
        if started is not None and time.monotonic() - started > 3 * max(
            self.interval, self.deadline
        ):
            return False, f"refresh running for {time.monotonic() - started:.0f} s"
        snapshot = self._snapshot
        if snapshot.refreshes == 0:
            return True, "ok: first refresh running"
        state = "succeeded" if snapshot.up else "failed"
        count = f"{snapshot.refreshes} refresh{'' if snapshot.refreshes == 1 else 'es'}"
        return True, f"ok: {count}, the last {state}"

    # -- refreshing --------------------------------------------------------------------------

    def _run_loop(self) -> None:
        try:
            asyncio.run(self._refresh_forever())
        except Exception:  # a bug: say so; /healthz turns 503 as the loop is gone
            log.exception("the refresh loop stopped")

    async def _refresh_forever(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._loop_ready.set()
        try:
            next_at = time.monotonic()
            while not self._stopping:
                await self._refresh()
                next_at = max(next_at + self.interval, time.monotonic())
                await asyncio.sleep(next_at - time.monotonic())
        except asyncio.CancelledError:
            pass
        finally:
            await self._client.aclose()

    async def _fetch(self, spec: Resource, ids: list[str]) -> Answer:
        ask = {spec.block_param: spec.block, "deadline": self.deadline}
        result = await getattr(self._client, spec.resource).metrics(ids, **ask)
        return answer_from(spec, result.to_dict(), self._wall_clock())

    async def _refresh(self) -> None:
        self._refresh_started = started = time.monotonic()
        outcomes = await asyncio.gather(
            *(self._fetch(spec, ids) for spec, ids in self._plan), return_exceptions=True
        )
        duration = time.monotonic() - started
        old = self._snapshot
        answers = dict(old.answers)
        errors = dict(old.errors)
        dropped = dict(old.dropped)
        failures: dict[str, Exception] = {}
        parts: list[str] = []
        failed = False
        for (spec, ids), outcome in zip(self._plan, outcomes, strict=True):
            name = spec.resource
            if isinstance(outcome, Answer):
                answers[name] = outcome
                part = f"{name} {outcome.entities}/{len(ids)}"
                if outcome.dropped:
                    dropped[name] = dropped.get(name, 0) + outcome.dropped
                    plural = "" if outcome.dropped == 1 else "s"
                    part += f" ({outcome.dropped} value{plural} dropped: not valid Unicode)"
                parts.append(part)
                continue
            if not isinstance(outcome, Exception):  # BaseException: not ours to swallow
                raise outcome
            failed = True
            failures[name] = outcome
            error = type(outcome).__name__
            errors[(name, error)] = errors.get((name, error), 0) + 1
            kept = answers.get(name)
            keeping = (
                f"showing {kept.entities} from {self._wall_clock() - kept.fetched_at:.0f} s ago"
                if kept is not None
                else "nothing to show yet"
            )
            unexpected = "" if isinstance(outcome, StreamkapError) else "unexpected "
            parts.append(
                f"{name} failed: {unexpected}{error}: {_one_line(str(outcome))} ({keeping})"
            )
        snapshot = Snapshot(
            resources=old.resources,
            answers=answers,
            up=not failed,
            duration=duration,
            errors=errors,
            refreshes=old.refreshes + 1,
            dropped=dropped,
        )
        # Logged before it is published: whoever waits for this refresh sees its line first.
        log.log(
            logging.WARNING if failed else logging.INFO,
            "refresh %d %s in %.3f s: %s",
            snapshot.refreshes,
            "failed" if failed else "ok",
            duration,
            "; ".join(parts),
        )
        with self._changed:
            if self._first_errors is None:
                self._first_errors = failures
            self._snapshot = snapshot
            self._refresh_started = None
            self._changed.notify_all()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A burst of scrapes (several Prometheus servers, a dashboard's probes) is accepted at once:
    # socketserver's backlog of 5 dropped the SYNs of the rest, which waited ~1 s to retry.
    # The kernel caps it at net.core.somaxconn.
    request_queue_size = max(128, socket.SOMAXCONN)

    def __init__(self, address: tuple[str, int], exporter: Exporter) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.exporter = exporter
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up early (a scrape timeout) is one DEBUG line, not the traceback
        socketserver prints on stderr; anything else is a bug, logged as one."""
        error = sys.exc_info()[1]
        peer = client_address[0] if isinstance(client_address, tuple) else client_address
        if isinstance(error, ConnectionError | TimeoutError):
            log.debug("%s: connection closed early (%s)", peer, type(error).__name__)
        else:
            log.error("serving a request from %s failed", peer, exc_info=True)


_INDEX: Final = (
    b"<html><head><title>Streamkap exporter</title></head><body><h1>Streamkap exporter</h1>"
    b'<p><a href="/metrics">/metrics</a> &middot; <a href="/healthz">/healthz</a></p>'
    b"</body></html>\n"
)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    server_version = "streamkap-exporter"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        path = urlsplit(self.path).path
        status, body, content_type = 200, b"", "text/plain; charset=utf-8"
        headers: dict[str, str] = {}
        try:
            if path == "/metrics":
                body, content_type = self.server.exporter.render(self.headers.get("Accept", ""))
                if gzip_accepted(self.headers.get("Accept-Encoding", "")):
                    body = gzip.compress(body, compresslevel=6)
                    headers["Content-Encoding"] = "gzip"
            elif path == "/healthz":
                healthy, text = self.server.exporter.health()
                status, body = (200 if healthy else 503), (text + "\n").encode()
            elif path == "/":
                body, content_type = _INDEX, "text/html; charset=utf-8"
            else:
                status, body = 404, b"not found: try /metrics or /healthz\n"
        except Exception:  # a bug in rendering: answer 500, keep serving
            log.exception("rendering %s failed", path)
            status, body = 500, b"internal error\n"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)
        self.log_message('"%s" %s %s', self.requestline, status, len(body))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Logged once the answer is written (`_answer`): an aborted one is the abort's line."""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)
