"""The docs' Python code blocks run, against the session's sandbox, each in a fresh process.

Fences tagged ```python run (or plain ```python) are run with STREAMKAP_HOST,
STREAMKAP_CLIENT_ID and STREAMKAP_SECRET pointed at the sandbox, and must exit 0; ```python
no-run blocks are skipped; other languages (sh, text, ...) are never run. One test per block,
named after its file and line, so it works on whatever the README holds today.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine, Sandbox

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md"]
KIT_EXAMPLE = ROOT / "tests" / "test_kit_example.py"
KIT_HEADING = "Testing your service with the kit"
PYTHON = {"python", "py", "python3"}
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    flags: tuple[str, ...]
    code: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def code_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file (CommonMark fences, info string split)."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        words = opening["info"].strip().split()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            body.append(lines[j][indent:] if lines[j][:indent].isspace() else lines[j])
            j += 1
        language = words[0].lower() if words else ""
        found.append(Block(path, i + 1, language, tuple(words[1:]), "\n".join(body) + "\n"))
        i = j + 1
    return found


def _closes(line: str, fence: str) -> bool:
    closing = _FENCE.match(line)
    return bool(
        closing
        and closing["fence"][0] == fence[0]
        and len(closing["fence"]) >= len(fence)
        and not closing["info"].strip()
    )


def python_blocks() -> list[object]:
    params: list[object] = []
    for path in DOCS:
        if not path.exists():
            continue
        for block in code_blocks(path):
            if block.language not in PYTHON:
                continue
            skip = pytest.mark.skip(reason="tagged no-run") if "no-run" in block.flags else ()
            params.append(pytest.param(block, id=block.where, marks=skip))
    return params


@pytest.mark.parametrize("block", python_blocks())
def test_python_block_runs(block: Block, sandbox: Sandbox, engine: Engine, tmp_path: Path) -> None:
    script = tmp_path / "block.py"
    script.write_text(block.code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMKAP_")}
    env.update(
        STREAMKAP_HOST=sandbox.url,
        STREAMKAP_CLIENT_ID=DEFAULT_CLIENT_ID,
        STREAMKAP_SECRET=DEFAULT_CLIENT_SECRET,
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (
        f"the python block at {block.where} failed (tag it ```python no-run if it is not meant "
        f"to run):\n{done.stderr[-3000:]}"
    )


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_kit_example_is_the_tested_file(doc: Path) -> None:
    """The pytest example in the docs is tests/test_kit_example.py, which the suite runs."""
    assert KIT_HEADING in doc.read_text(encoding="utf-8")
    example = KIT_EXAMPLE.read_text(encoding="utf-8")
    codes = [b.code for b in code_blocks(doc) if b.language in PYTHON]
    assert example in codes, f"{doc.name}'s pytest example differs from {KIT_EXAMPLE.name}"


def test_python_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    """Users copy these blocks into type-checked code: they must type-check as written."""
    files = []
    blocks = [b for path in DOCS for b in code_blocks(path) if b.language in PYTHON]
    for n, block in enumerate(blocks):
        target = tmp_path / f"block_{n}_line_{block.line}.py"
        target.write_text(block.code, encoding="utf-8")
        files.append(str(target))
    assert files
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"README code blocks fail mypy --strict:\n{done.stdout[-4000:]}"


def test_fence_parsing(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "text\n```python run\nprint(1)\n```\n\n  ~~~~py no-run\n  x = 1\n  ```\n  ~~~~\n"
        "```sh\nmake demo\n```\n```\nplain\n```\n",
        encoding="utf-8",
    )
    blocks = code_blocks(doc)
    assert [(b.line, b.language, b.flags, b.code) for b in blocks] == [
        (2, "python", ("run",), "print(1)\n"),
        (6, "py", ("no-run",), "x = 1\n```\n"),
        (10, "sh", (), "make demo\n"),
        (13, "", (), "plain\n"),
    ]
