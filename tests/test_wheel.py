"""One wheel: build it, install it into an empty venv, import it."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_wheel_installs_and_imports_in_an_empty_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = dist.glob("streamkap_sdk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "streamkap_sdk/__init__.py", "streamkap_sdk/py.typed",
        "streamkap_api/__init__.py", "streamkap_api/py.typed",
        "streamkap_api/api/pipelines/search_pipelines_metrics.py",
    ):  # fmt: skip
        assert required in names, f"{required} missing from {wheel.name}"
    assert not any(n.startswith(("tests/", "overlays/", "generated/")) for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    probe = (
        "import streamkap_sdk, streamkap_api, sys;"
        "from streamkap_sdk import StreamkapClient, AsyncStreamkapClient, StreamkapError;"
        "print(streamkap_sdk.__version__, 'fastapi' in sys.modules)"
    )
    out = subprocess.run(
        [str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.split()
    from streamkap_sdk import __version__

    assert out == [__version__, "False"]  # importing the SDK pulls in no sandbox dependency
