"""The peer the targets of issue 22 name: openai-python, pinned for the benchmark only.

openai is not a dependency of the SDK. `make bench` installs it with `pip install --target`:
openai 2.x (bench/requirements.txt, the default, `--peer 2`) into .venvs/bench-openai2, on the
HTTP stack the SDK runs on (httpx; the published httpx-aiohttp for its DefaultAioHttpClient), so
that its rows compare the two SDKs' own layers; openai 3.x (bench/requirements-openai3.txt,
`--peer 3`, `make bench BENCH_PEER=3`) into .venvs/bench-openai3, on httpx2, a copy of httpx with
upstream pool changes of its own (its rows then compare HTTP stacks as much as SDK layers).
STREAMKAP_BENCH_PEER picks one (the subprocesses inherit it); STREAMKAP_BENCH_OPENAI names
another folder. `available()` puts the folder at the END of sys.path, so the packages .venv also
has come from .venv and only what it lacks (openai, jiter, httpx2, ...) from there. Without
openai, the peer's rows print `SKIP` instead of a ratio.

Every openai client here gets the SDK's pool limits (100 connections, all kept alive) and the
same bearer token, and sends the same request through openai's own request path
(`client.post(path, body=..., options={"params": ...}, cast_to=object)`: options, headers,
retries, JSON decoding and validation of the answer).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEER = os.environ.get("STREAMKAP_BENCH_PEER", "2")
REQUIREMENTS = (
    ROOT / "bench" / ("requirements.txt" if PEER == "2" else f"requirements-openai{PEER}.txt")
)
FOLDER = Path(os.environ.get("STREAMKAP_BENCH_OPENAI") or ROOT / ".venvs" / f"bench-openai{PEER}")
SKIP = "skipped (openai not installed)"
MAX_CONNECTIONS = 100  # the SDK's DEFAULT_LIMITS: every contender gets the same pool
PINNED = next(
    (
        line.split("==")[1].strip()
        for line in (REQUIREMENTS.read_text() if REQUIREMENTS.is_file() else "").splitlines()
        if line.startswith("openai==")
    ),
    "?",
)


def available() -> bool:
    """Whether openai can be imported (the bench folder added to sys.path if it exists)."""
    if FOLDER.is_dir() and str(FOLDER) not in sys.path:
        sys.path.append(str(FOLDER))
    return importlib.util.find_spec("openai") is not None


def version() -> str:
    import openai

    return str(openai.__version__)


def http() -> Any:
    """The httpx openai runs on: httpx for 2.x, httpx2 for 3.x."""
    return importlib.import_module("httpx" if version().startswith(("1.", "2.")) else "httpx2")


def _limits() -> Any:
    return http().Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)


def sync_client(base_url: str, token: str, transport: Any = None) -> Any:
    """openai's `OpenAI` (its default sync client, the SDK's pool limits)."""
    import openai

    http_client = openai.DefaultHttpxClient(limits=_limits(), transport=transport)
    return openai.OpenAI(base_url=base_url, api_key=token, http_client=http_client)


def async_client(base_url: str, token: str, *, aiohttp: bool) -> Any:
    """openai's `AsyncOpenAI` on its default async client or on `DefaultAioHttpClient`."""
    import openai

    kind = openai.DefaultAioHttpClient if aiohttp else openai.DefaultAsyncHttpxClient
    return openai.AsyncOpenAI(base_url=base_url, api_key=token, http_client=kind(limits=_limits()))


def fixed_transport(body: bytes) -> Any:
    """The in-process transport of `_percall`, on openai's httpx: one fixed JSON answer."""
    lib = http()

    class FixedTransport(lib.BaseTransport):  # type: ignore[name-defined,misc]
        def handle_request(self, request: Any) -> Any:
            request.read()
            return lib.Response(
                200, content=body, headers={"content-type": "application/json"}, request=request
            )

    return FixedTransport()
