"""The spec-evolution harness: a spec update reaches SDK users with no hand edits.

It copies the project to a temporary folder, applies vendor-like mutations to the vendored spec
(tests/evolution/mutations.py), runs `make update-spec` there, and checks what each mutation
changes, in the copy, through the public API only (tests/evolution/check_*.py, run with the copy
first on the path): a new parameter with declared values (one of them `errors`, a common
attribute name), a new boolean and a new number parameter (wrong types refused unsent, right
ones sent, CLI flags parsed), one more value of an existing enum, a new metric, a new top-level
entity map and a third operation registered by one line of openapi/knowledge.yaml; mypy on code
using them; the spec-said-once check of the copy's overlay. A second copy loses a parameter,
which the SDK must refuse by name.

It does not run the whole suite again in the copy: what a spec change can change is what these
checks look at, and the suite itself runs on the vendored spec.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from evolution import mutations

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)
STAMP = VENV / ".installed"
# The generator's venv (the Makefile's; scripts/generate.py's default), used by the copies too.
GENERATOR_VENV = Path(os.environ.get("STREAMKAP_GENERATOR_VENV") or ROOT / ".venvs" / "generator")
_IGNORED = shutil.ignore_patterns(
    ".venv", ".venvs", ".git", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", "dist", "build", "*.egg-info",
)  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        "EVOLUTION_COPY" in os.environ, reason="already inside a mutated copy (no recursion)"
    ),
]


def _copy_project(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=_IGNORED)  # copy2: mtimes kept, so make sees no change
    modules = ROOT / "tools" / "prism" / "node_modules"
    if modules.is_dir():  # the Prism contract test of the copy uses the installed mock
        (dest / "tools" / "prism" / "node_modules").symlink_to(modules)
    return dest


def _env(copy: Path) -> dict[str, str]:
    paths = [copy / "generated", copy / "overlays", copy / "tests" / "evolution"]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(map(str, paths)),
        "EVOLUTION_COPY": str(copy),
        "STREAMKAP_GENERATOR_VENV": str(GENERATOR_VENV),
        "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def _update_spec(copy: Path, *mutate: Callable[[mutations.Doc], None]) -> str:
    doc = yaml.safe_load((copy / "openapi" / "streamkap.yaml").read_text(encoding="utf-8"))
    for change in mutate:
        change(doc)
    source = copy / "vendor-update.yaml"
    source.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    done = subprocess.run(
        ["make", "-C", str(copy), f"VENV={VENV}", "-o", str(STAMP), f"GEN_VENV={GENERATOR_VENV}",
         "-o", str(GENERATOR_VENV / ".installed"), "update-spec", f"SPEC={source}"],
        capture_output=True, text=True, env=_env(copy), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _run(copy: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=copy, capture_output=True, text=True, env=_env(copy),
        timeout=timeout,
    )  # fmt: skip


@pytest.fixture(scope="module")
def additive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    copy = _copy_project(tmp_path_factory.mktemp("evolution") / "project")
    knowledge = copy / "openapi" / "knowledge.yaml"
    text = knowledge.read_text(encoding="utf-8")
    registry = "  searchDestinationsMetrics: {}\n"
    assert registry in text
    # the one line that registers the third operation
    knowledge.write_text(
        text.replace(registry, registry + f"  {mutations.THIRD_OPERATION}: {{}}\n"),
        encoding="utf-8",
    )
    return copy, _update_spec(copy, *mutations.ADDITIVE)


def test_change_report_speaks_about_the_sdk(additive: tuple[Path, str]) -> None:
    _copy, report = additive
    for expected in (
        f"pipelines.metrics({mutations.NEW_PARAM}=...) and CLI flag --metric-names",
        f"pipelines.metrics({mutations.NEW_BOOL_PARAM}=...) and CLI flag --include-paused",
        f"pipelines.metrics({mutations.NEW_NUMBER_PARAM}=...) and CLI flag --min-lag",
        f"pipelines.metrics(time_type=): new value(s) {mutations.NEW_TIME_TYPE}",
        f"PipelineLatestMetrics.{mutations.NEW_PROPERTY}",
        f"PipelineMetricsRes.{mutations.NEW_MAP}",
        f"client.{mutations.THIRD_RESOURCE}.metrics() (both clients)",
        "version bump needed: minor (from ",
        "CHANGELOG entry to paste:",
    ):
        assert expected in report, f"{expected!r} missing from:\n{report}"
    assert "[BREAKING]" not in report


def test_additive_changes_reach_every_part_of_the_sdk(additive: tuple[Path, str]) -> None:
    copy, _report = additive
    done = _run(copy, "tests/evolution/check_additive.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all additive checks passed" in done.stdout


def test_additive_changes_are_typed(additive: tuple[Path, str]) -> None:
    """One mypy run: typed_additive.py has no error, typed_mistakes.py one per marked line."""
    copy, _report = additive
    mypy = ("-m", "mypy", "--strict", "--config-file", "pyproject.toml", "--no-incremental")
    files = ("tests/evolution/typed_additive.py", "tests/evolution/typed_mistakes.py")
    done = _run(copy, *mypy, *files)
    source = (copy / "tests" / "evolution" / "typed_mistakes.py").read_text().splitlines()
    expected = {n for n, line in enumerate(source, 1) if "# E:" in line}
    reported = {int(n) for n in re.findall(r"typed_mistakes\.py:(\d+): error", done.stdout)}
    assert reported == expected, done.stdout
    assert "typed_additive.py" not in done.stdout, done.stdout


def test_a_spec_word_that_is_a_common_name_is_not_restated(additive: tuple[Path, str]) -> None:
    """The copy's spec has the enum value `errors`; the SDK's own `.errors` is no finding."""
    copy, _report = additive
    check = "import test_spec_said_once as t; t.test_the_overlay_restates_nothing_the_spec_says()"
    done = _run(copy, "-c", f"import sys; sys.path.insert(0, 'tests'); {check}")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]


def test_a_removed_parameter_is_refused_by_name(tmp_path: Path) -> None:
    copy = _copy_project(tmp_path / "project")
    report = _update_spec(copy, mutations.remove_parameter)
    assert f"pipelines.metrics({mutations.REMOVED_PARAM}=...)" in report
    assert "version bump needed: major" in report
    done = _run(copy, "tests/evolution/check_removed.py")
    assert done.returncode == 0, done.stdout + done.stderr
