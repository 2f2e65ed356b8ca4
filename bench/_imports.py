"""`from streamkap_sdk import StreamkapClient` vs `import httpx`, each in a fresh interpreter.

Not `import streamkap_sdk`: its names are imported on first use, so that alone costs nothing;
what a user pays is the first import of the client.
"""

from __future__ import annotations

import compileall
import importlib.util
import time
from pathlib import Path

from _harness import Row, compare, run_python

_CODE = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
SDK = "from streamkap_sdk import StreamkapClient"
HTTPX = "import httpx"


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


def import_rows(*, repeats: int = 30, budget: float = 30.0) -> list[Row]:
    times: dict[str, list[float]] = {SDK: [], HTTPX: []}
    _compile_like_an_install()
    _once(SDK), _once(HTTPX)  # warm the file-system cache
    deadline = time.perf_counter() + budget
    for r in range(repeats):
        for statement in (SDK, HTTPX) if r % 2 == 0 else (HTTPX, SDK):
            times[statement].append(_once(statement))
        if r >= 4 and time.perf_counter() > deadline:
            break
    return [
        compare(
            f"import time, fresh interpreter ({len(times[HTTPX])} runs each)",
            times,
            SDK,
            HTTPX,
            unit="ms",
            scale=1e3,
            target=1.5,
        )
    ]
