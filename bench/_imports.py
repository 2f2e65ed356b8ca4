"""`from streamkap_sdk import StreamkapClient` vs `import httpx`, and vs openai's
`from openai import OpenAI` (issue 22: at most half of openai's), each in a fresh interpreter.

Not `import streamkap_sdk`: its names are imported on first use, so that alone costs nothing;
what a user pays is the first import of the client.
"""

from __future__ import annotations

import compileall
import dataclasses
import importlib.util
import time
from pathlib import Path

import _peer
from _harness import Row, compare, pick, run_python, skipped_row

_CODE = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
SDK = "from streamkap_sdk import StreamkapClient"
HTTPX = "import httpx"
# openai from the bench's folder, at the end of sys.path as `_peer.available()` puts it
OPENAI_SHOWN = f"from openai import OpenAI (openai {_peer.PINNED})"
OPENAI = f"import sys; sys.path.append({str(_peer.FOLDER)!r}); from openai import OpenAI"


def _once(statement: str) -> float:
    seconds: float = run_python("-c", _CODE.format(statement=statement), timeout=60)
    return seconds


def _compile_like_an_install() -> None:
    """Byte-compile the SDK's packages, as pip does for an installed wheel (httpx's were, when it
    was installed). An editable checkout run with PYTHONDONTWRITEBYTECODE=1 has no .pyc files,
    and every fresh interpreter would compile the SDK from source: a cost no user pays."""
    for package in ("streamkap_sdk", "streamkap_api"):
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.origin is not None, package
        compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def import_rows(*, repeats: int | None = None, budget: float | None = None) -> list[Row]:
    repeats = repeats or pick(30, 8)
    budget = budget or pick(30.0, 10.0)
    statements = [SDK, HTTPX]
    peer = _peer.available()
    if peer:
        statements.append(OPENAI)
        # openai's packages byte-compiled too, as an install leaves them
        compileall.compile_dir(_peer.FOLDER, quiet=1)
    times: dict[str, list[float]] = {s: [] for s in statements}
    _compile_like_an_install()
    for statement in statements:
        _once(statement)  # warm the file-system cache
    deadline = time.perf_counter() + budget
    for r in range(repeats):
        shift = r % len(statements)
        for statement in statements[shift:] + statements[:shift]:
            times[statement].append(_once(statement))
        if r >= 4 and time.perf_counter() > deadline:
            break
    name = f"import time, fresh interpreter ({len(times[HTTPX])} runs each)"
    rows = [compare(name, times, SDK, HTTPX, unit="ms", scale=1e3, target=1.5)]
    if peer:
        row = compare(name, times, SDK, OPENAI, unit="ms", scale=1e3, target=0.5)
        rows.append(dataclasses.replace(row, baseline=OPENAI_SHOWN))
    else:
        rows.append(skipped_row(name, SDK, OPENAI_SHOWN, 0.5, _peer.SKIP))
    return rows
