"""The distributions: build the sdist and, from it, the wheel; check them as the release
workflow does (`twine check`, `check-wheel-contents`); install the wheel into an empty venv
and import it; test the sdist as it is."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
# The generator's venv (the Makefile's; scripts/generate.py's default): the unpacked sdist has none.
GENERATOR_VENV = os.environ.get("STREAMKAP_GENERATOR_VENV") or str(ROOT / ".venvs" / "generator")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Dists:
    wheel: Path
    sdist: Path


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dists]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],  # sdist, wheel from it
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = out.glob("streamkap_sdk-*.whl")
    (sdist,) = out.glob("streamkap_sdk-*.tar.gz")
    yield Dists(wheel, sdist)


def _tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / name), *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_wheel_contents(dists: Dists) -> None:
    names = set(zipfile.ZipFile(dists.wheel).namelist())
    for required in (
        "streamkap_sdk/__init__.py", "streamkap_sdk/py.typed",
        "streamkap_api/__init__.py", "streamkap_api/py.typed",
        "streamkap_api/api/pipelines/search_pipelines_metrics.py",
    ):  # fmt: skip
        assert required in names, f"{required} missing from {dists.wheel.name}"
    assert not any(n.startswith(("tests/", "overlays/", "generated/")) for n in names)
    info = f"streamkap_sdk-{dists.wheel.name.split('-')[1]}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    entry_points = zipfile.ZipFile(dists.wheel).read(f"{info}/entry_points.txt").decode()
    assert "[pytest11]\nstreamkap_sdk.testing.plugin = streamkap_sdk.testing.plugin" in entry_points
    assert "streamkap-metrics = streamkap_sdk.cli:main" in entry_points


def test_published_metadata(dists: Dists) -> None:
    """What an index shows: classifiers that match requires-python and the CI matrix, typed,
    a licence, project URLs, and no dev tooling (it is a dependency group, not an extra)."""
    info = f"streamkap_sdk-{dists.wheel.name.split('-')[1]}.dist-info/METADATA"
    meta = email.message_from_bytes(zipfile.ZipFile(dists.wheel).read(info))
    classifiers = meta.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    pythons = [c.rsplit(" :: ", 1)[1] for c in classifiers if c.count(".") == 1 and "3." in c]
    assert pythons == ["3.11", "3.12", "3.13"]
    assert meta["Requires-Python"] == ">=3.11" and pythons[0] == "3.11"
    assert meta["License-Expression"] and meta.get_all("License-File") == ["LICENSE"]
    assert meta.get_all("Project-URL")
    extras = set(meta.get_all("Provides-Extra") or [])
    assert extras == {"speedups", "sandbox", "pandas", "exporter", "aiohttp"}  # no "dev"
    requires = " ".join(meta.get_all("Requires-Dist") or [])
    for tool in ("pytest", "mypy", "ruff", "twine", "zizmor"):
        assert tool not in requires
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "pytest==" in " ".join(groups["dependency-groups"]["dev"])


def test_twine_check(dists: Dists) -> None:
    done = _tool("twine", "check", "--strict", str(dists.wheel), str(dists.sdist))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_check_wheel_contents(dists: Dists) -> None:
    """Configured in pyproject ([tool.check-wheel-contents]): the two top-level packages."""
    done = _tool("check-wheel-contents", str(dists.wheel))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith(": OK")


def test_wheel_installs_and_imports_in_an_empty_venv(dists: Dists, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(dists.wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    probe = (
        "import streamkap_sdk, streamkap_api, sys;"
        "from streamkap_sdk import StreamkapClient, AsyncStreamkapClient, StreamkapError;"
        "print(streamkap_sdk.__version__, streamkap_sdk.__api_version__, 'fastapi' in sys.modules)"
    )
    out = subprocess.run(
        [str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.split()
    from streamkap_api.surface import API_VERSION
    from streamkap_sdk import __version__

    assert out == [__version__, API_VERSION, "False"]  # the SDK pulls in no sandbox dependency


def _tracked() -> set[str] | None:
    """The files git tracks, or None outside a git checkout (e.g. a copy of the project)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    done = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    return set(done.stdout.split("\0")) - {""} if done.returncode == 0 else None


def test_the_sdist_is_testable(dists: Dists, tmp_path: Path) -> None:
    """It holds every tracked file (tests, scripts, templates, the Makefile, the Prism lock...),
    nothing built or installed; unpacked, generated/ matches its spec and its own tests pass
    against its own code."""
    with tarfile.open(dists.sdist) as archive:
        archive.extractall(tmp_path, filter="data")
        members = {m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name}
    unpacked = tmp_path / dists.sdist.name.removesuffix(".tar.gz")
    for junk in (".venv", ".venvs", "node_modules", "__pycache__", "dist", ".git"):
        assert not any(f"/{junk}/" in f"/{name}/" for name in members), junk
    tracked = _tracked()
    if tracked is not None:
        missing = sorted(
            name for name in tracked - members if (ROOT / name).exists()
        )  # (a tracked file deleted in the work tree is not expected)
        assert not missing, f"tracked but not in the sdist: {missing}"
    for needed in ("Makefile", "tests/conftest.py", "scripts/generate.py", "templates",
                   "tools/prism/package-lock.json", "openapi/streamkap.yaml"):  # fmt: skip
        assert (unpacked / needed).exists(), needed

    check = subprocess.run(
        [sys.executable, "scripts/generate.py", "--check"],
        cwd=unpacked, capture_output=True, text=True, timeout=300,
        env={**os.environ, "STREAMKAP_GENERATOR_VENV": GENERATOR_VENV},
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    own_code = f"{unpacked / 'generated'}:{unpacked / 'overlays'}"
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_params.py",
         "-c", "pyproject.toml", "--rootdir", "."],
        cwd=unpacked, capture_output=True, text=True, timeout=300,
        env={"PATH": f"{BIN}:/usr/bin:/bin", "PYTHONPATH": own_code},
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import streamkap_sdk; print(streamkap_sdk.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": own_code},
    )  # fmt: skip
    assert probe.stdout.strip().startswith(str(unpacked))  # its tests ran its own code
