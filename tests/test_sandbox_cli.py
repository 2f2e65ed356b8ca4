"""`python -m streamkap_sdk.sandbox` and `Sandbox.start()`: ports, the missing extra, the banner."""

from __future__ import annotations

import errno
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpx
import pytest

from streamkap_sdk import StreamkapError
from streamkap_sdk._export import MissingDependencyError
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Sandbox
from streamkap_sdk.sandbox import __main__ as sandbox_main
from streamkap_sdk.sandbox._server import SANDBOX_HINT

PROG = "python -m streamkap_sdk.sandbox"
HINT = "the sandbox needs FastAPI and uvicorn: pip install 'streamkap-sdk[sandbox]'"


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that something else listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def command(*args: str, block: str | None = None) -> list[str]:
    """The sandbox command; `block` makes that module unimportable, as if not installed."""
    prelude = f"import sys; sys.modules[{block!r}] = None; " if block else ""
    code = prelude + "import runpy; runpy.run_module('streamkap_sdk.sandbox', run_name='__main__')"
    return [sys.executable, "-c", code, *args]


# -- the port -------------------------------------------------------------------------------


def test_port_in_use_is_one_line_and_exit_1(busy_port: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "streamkap_sdk.sandbox", "--port", str(busy_port)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"{PROG}: error: port {busy_port} on 127.0.0.1 is in use (Address already in use)"
    ]


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_bad_port_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        sandbox_main.main(["--port", port])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"{PROG}: error: argument --port: invalid port {port!r}: use 0-65535 (0 = a free one)"
    )


def test_start_raises_the_bind_error(busy_port: int) -> None:
    sandbox = Sandbox(port=busy_port)
    started = time.monotonic()
    with pytest.raises(RuntimeError) as caught:
        sandbox.start()
    assert time.monotonic() - started < 2  # raised at once, not after the start timeout
    assert str(caught.value) == (
        f"port {busy_port} on 127.0.0.1 is in use (Address already in use)"
    )
    cause = caught.value.__cause__
    assert isinstance(cause, OSError) and cause.errno == errno.EADDRINUSE
    assert not sandbox._thread.is_alive()


def test_start_raises_other_bind_errors() -> None:
    with pytest.raises(RuntimeError, match=r"^cannot listen on 192\.0\.2\.1:\d+: ") as caught:
        Sandbox(host="192.0.2.1", port=8000).start()  # TEST-NET-1: not an address of this host
    assert isinstance(caught.value.__cause__, OSError)


def test_start_reports_a_server_that_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = Sandbox()

    def fail(sockets: Any = None) -> None:
        raise SystemExit(3)  # what uvicorn does when its startup fails

    monkeypatch.setattr(sandbox._server, "run", fail)
    with pytest.raises(RuntimeError, match=r"^sandbox did not start on http://127\.0\.0\.1:\d+: "):
        sandbox.start()


def test_the_port_is_free_again_after_stop() -> None:
    with Sandbox() as first:
        port = first.port
        assert httpx.get(f"{first.url}/_sandbox/stats").status_code == 200
    with Sandbox(port=port) as again:  # rebinding the same port works (SO_REUSEADDR)
        assert httpx.get(f"{again.url}/_sandbox/stats").status_code == 200


# -- without the `sandbox` extra ------------------------------------------------------------


@pytest.mark.parametrize("missing", ["fastapi", "uvicorn"])
def test_command_without_the_extra(missing: str) -> None:
    done = subprocess.run(
        command("--port", "0", block=missing), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"{PROG}: error: {HINT}"]


@pytest.mark.parametrize("missing", ["fastapi", "uvicorn"])
def test_import_without_the_extra(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    monkeypatch.delitem(sys.modules, "streamkap_sdk.sandbox._server")  # imported afresh
    with pytest.raises(ImportError) as caught:
        from streamkap_sdk.sandbox import Sandbox  # noqa: F401
    assert str(caught.value) == HINT == SANDBOX_HINT
    assert isinstance(caught.value, MissingDependencyError)
    assert isinstance(caught.value, StreamkapError)


KIT_WITHOUT_FASTAPI = """
import sys
sys.modules["fastapi"] = None
from streamkap_sdk.sandbox import Engine
from streamkap_sdk.testing import FakeStreamkap
with FakeStreamkap().client() as client:
    print(list(client.pipelines.metrics(["p1"]).to_dict()["connector_metrics"]))
try:
    from streamkap_sdk.sandbox import Sandbox
except ImportError as exc:
    print(type(exc).__name__, exc)
"""


def test_engine_and_testing_kit_without_fastapi() -> None:
    done = subprocess.run(
        [sys.executable, "-c", KIT_WITHOUT_FASTAPI], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["['p1']", f"MissingDependencyError {HINT}"]


# -- help and banner ------------------------------------------------------------------------


def test_help_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        sandbox_main.main(["--help"])
    assert caught.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for text in (
        "--port PORT port on 127.0.0.1 (0 = pick a free one) (default: 0)",
        "--token-lifetime SECONDS lifetime of the tokens it issues (default: 3600.0)",
        "--seed N seed of the deterministic metrics (default: 0)",
        f"--client-id ID client id to accept (default: {DEFAULT_CLIENT_ID})",
        f"--client-secret SECRET client secret to accept (default: {DEFAULT_CLIENT_SECRET})",
    ):
        assert text in out


@contextmanager
def serving(*args: str) -> Iterator[list[str]]:
    """Run the command until it printed its 3-line banner (20 s at most); Ctrl+C it at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "streamkap_sdk.sandbox", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    stdout, stderr = process.stdout, process.stderr
    assert stdout is not None and stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in stdout])
    reader.start()
    try:
        banner: list[str] = []
        deadline = time.monotonic() + 20
        while len(banner) < 3 and (left := deadline - time.monotonic()) > 0:
            with suppress(queue.Empty):
                banner.append(lines.get(timeout=left))
        yield banner
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        reader.join(timeout=10)
        stdout.close()
        stderr.close()


def test_banner_with_the_default_secret() -> None:
    with serving("--port", "0") as lines:
        assert len(lines) == 3, lines
        url = lines[0].removeprefix("Streamkap sandbox listening on ")
        assert url.startswith("http://127.0.0.1:")
        assert lines[1:] == [
            f"  client id: {DEFAULT_CLIENT_ID}",
            f"  client secret: the --client-secret value (default {DEFAULT_CLIENT_SECRET})",
        ]
        assert httpx.get(f"{url}/_sandbox/stats").status_code == 200


def test_banner_never_echoes_a_chosen_secret() -> None:
    with serving("--client-id", "me", "--client-secret", "my-own-s3cret") as lines:
        assert lines[1:] == [
            "  client id: me",
            "  client secret: the --client-secret value you passed (not shown)",
        ]
        assert not any("my-own-s3cret" in line for line in lines)


def test_the_listening_socket_says_tcp_so_asyncio_turns_nagle_off() -> None:
    """With proto 0, asyncio skips TCP_NODELAY and each small answer waits ~40 ms for an ACK."""
    import socket

    with Sandbox() as server:
        assert server._socket is not None
        assert server._socket.proto == socket.IPPROTO_TCP


@pytest.mark.slow
def test_ctrl_c_exits_promptly_on_a_busy_machine() -> None:
    """Issue 11 item 14: under CPU load the sandbox took seconds (once > 10 s) from Ctrl+C to
    exit, mostly tearing the interpreter down; now it stops serving and exits at once."""
    hogs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import time\nend = time.time() + 30\nwhile time.time() < end: pass",
            ]
        )
        for _ in range(4)
    ]
    took: list[float] = []
    try:
        for _ in range(2):
            process = subprocess.Popen(
                [sys.executable, "-m", "streamkap_sdk.sandbox", "--port", "0"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            assert process.stdout is not None
            try:
                url = process.stdout.readline().split()[-1]  # the banner: listening
                assert httpx.get(f"{url}/_sandbox/stats", timeout=10).status_code == 200
                started = time.monotonic()
                process.send_signal(signal.SIGINT)
                assert process.wait(timeout=30) == 0
                took.append(time.monotonic() - started)
            finally:
                if process.poll() is None:
                    process.kill()
                process.communicate(timeout=10)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait(timeout=10)
    assert max(took) < 1.0, took
