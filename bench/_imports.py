"""`import streamkap_sdk` vs `import httpx`, each in a fresh interpreter, interleaved."""

from __future__ import annotations

import time

from _harness import Row, compare, run_python

_CODE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def _once(module: str) -> float:
    seconds: float = run_python("-c", _CODE.format(module=module), timeout=60)
    return seconds


def import_rows(*, repeats: int = 30, budget: float = 30.0) -> list[Row]:
    times: dict[str, list[float]] = {"import streamkap_sdk": [], "import httpx": []}
    _once("streamkap_sdk"), _once("httpx")  # warm the file-system cache
    deadline = time.perf_counter() + budget
    for r in range(repeats):
        for module in ("streamkap_sdk", "httpx") if r % 2 == 0 else ("httpx", "streamkap_sdk"):
            times[f"import {module}"].append(_once(module))
        if r >= 4 and time.perf_counter() > deadline:
            break
    return [
        compare(
            f"import time, fresh interpreter ({len(times['import httpx'])} runs each)",
            times,
            "import streamkap_sdk",
            "import httpx",
            unit="ms",
            scale=1e3,
            target=1.5,
        )
    ]
