"""A consumer's type checkers hold them to the spec: mypy --strict and pyright strict report
every mistake in tests/typing_mistakes/mistakes.py (the lines ending in an error marker) and
nothing else, and accept the README-style usage in tests/typing/check_public_api.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MISTAKES = ROOT / "tests" / "typing_mistakes" / "mistakes.py"
GOOD = ROOT / "tests" / "typing" / "check_public_api.py"
BIN = Path(sys.executable).parent


def _marked() -> set[int]:
    lines = MISTAKES.read_text(encoding="utf-8").splitlines()
    return {n for n, line in enumerate(lines, 1) if re.search(r"#\s*E:", line)}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"}
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env
    )  # fmt: skip


def test_mypy_strict_reports_each_mistake() -> None:
    done = _run(
        sys.executable, "-m", "mypy", "--strict", "--config-file", "pyproject.toml",
        "--no-incremental", str(MISTAKES),
    )  # fmt: skip
    reported = {int(n) for n in re.findall(r"mistakes\.py:(\d+): error", done.stdout)}
    assert reported == _marked(), done.stdout


@pytest.fixture(scope="module")
def pyright() -> str:
    binary = BIN / "pyright"
    if not binary.exists():
        pytest.fail("pyright is a dev dependency: run `make test` (it installs it)")
    return str(binary)


def test_pyright_strict_reports_each_mistake(pyright: str) -> None:
    done = _run(pyright, "--pythonpath", sys.executable, str(MISTAKES))
    reported = {int(n) for n in re.findall(r"mistakes\.py:(\d+):\d+ - error", done.stdout)}
    assert reported == _marked(), done.stdout


def test_pyright_strict_accepts_the_public_api_as_documented(pyright: str) -> None:
    good = GOOD.read_text(encoding="utf-8")
    assert "# pyright: strict" in good
    done = _run(pyright, "--pythonpath", sys.executable, str(GOOD))
    assert done.returncode == 0 and "0 errors" in done.stdout, done.stdout
