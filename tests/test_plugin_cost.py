"""The pytest plugin is free for the projects that never use it.

pytest loads `streamkap_sdk.testing.plugin` (a `pytest11` entry point) into every test run of
every project with the SDK installed. Before the SDK's names were imported lazily it brought in
the whole SDK, httpx and the sandbox engine: 162 modules and about 190 ms per run on this
project's machine (measured with the probe below). Now it loads its own package and itself;
the SDK comes with the first test that asks for `streamkap_fake`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = (
    "import json, sys, pytest\n"
    "before = set(sys.modules)\n"
    "import streamkap_sdk.testing.plugin\n"
    "print(json.dumps(sorted(set(sys.modules) - before)))\n"
)
PLUGIN_ONLY = [
    "streamkap_sdk",
    "streamkap_sdk._logs",  # STREAMKAP_LOG is read at import (the standard library only)
    "streamkap_sdk._version",
    "streamkap_sdk.testing",
    "streamkap_sdk.testing.plugin",
]

CONSUMER_TESTS = """
import json
import os
import sys


def test_a_test_without_the_fixture():
    with open(os.environ["MODULES_OUT"], "w", encoding="utf-8") as out:
        json.dump(sorted(sys.modules), out)


def test_the_fixture_brings_the_sdk(streamkap_fake):
    streamkap_fake.set_metrics("orders", latest={"recordsLag": 5})
    with streamkap_fake.client() as client:
        result = client.pipelines.metrics(["orders"])
    assert result.connector_metrics["orders"].latest.records_lag == 5
    assert "streamkap_sdk._client" in sys.modules
"""


def test_importing_the_plugin_loads_only_itself() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == PLUGIN_ONLY


def test_a_consumers_bare_pytest_run(tmp_path: Path) -> None:
    """A project's own tests, run by plain `pytest` with the SDK installed, with the plugin and
    without it (`-p no:...`): a test that does not use the fixture finds only the plugin's own
    modules more, and a test that does gets a working fake."""
    (tmp_path / "test_consumer.py").write_text(CONSUMER_TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n", encoding="utf-8"
    )
    loaded: dict[str, set[str]] = {}
    for run, args in (("with", []), ("without", ["-p", "no:streamkap_sdk.testing.plugin"])):
        out = tmp_path / f"modules-{run}.json"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args,
             "test_consumer.py", *(["-k", "without"] if args else [])],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
            env={**os.environ, "MODULES_OUT": str(out)},
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert ("2 passed" if run == "with" else "1 passed") in done.stdout
        loaded[run] = set(json.loads(out.read_text(encoding="utf-8")))
    assert loaded["with"] - loaded["without"] == set(PLUGIN_ONLY)


def test_the_public_names_still_import() -> None:
    """Lazy, not missing: every name of `__all__`, `from ... import`, and `dir()`."""
    code = (
        "import streamkap_sdk, streamkap_sdk.testing as testing\n"
        "from streamkap_sdk import *\n"
        "from streamkap_sdk.testing import *\n"
        "names = [*streamkap_sdk.__all__, *testing.__all__]\n"
        "missing = [n for n in names if n not in globals()]\n"
        "assert not missing, missing\n"
        "assert set(streamkap_sdk.__all__) <= set(dir(streamkap_sdk))\n"
        "try:\n"
        "    from streamkap_sdk import NoSuchName\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc.name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["ImportError", "streamkap_sdk"]


#: What `from streamkap_sdk import StreamkapClient` must not load: httpx itself defers httpcore
#: to its first transport, and a sync client needs neither asyncio nor aiohttp (nor difflib,
#: which only a misspelt option name uses). `make bench` row 6 measures the import against
#: `import httpx`; this pins the modules that once made it miss (the aiohttp backend's module
#: imported asyncio, the pool module httpcore).
NOT_FOR_THE_SYNC_CLIENT = ("asyncio", "httpcore", "aiohttp", "difflib", "anyio")


def test_importing_the_sync_client_loads_what_httpx_loads() -> None:
    code = (
        "import json, sys\n"
        "import httpx\n"
        "before = set(sys.modules)\n"
        "from streamkap_sdk import StreamkapClient\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    added = json.loads(done.stdout)
    assert [m for m in added if m.partition(".")[0] in NOT_FOR_THE_SYNC_CLIENT] == []
    assert "streamkap_sdk._client" in added  # the probe imported what it claims to
