"""End to end with a real Prometheus (Debian's package): sandbox -> exporter -> Prometheus.

The package is installed by scripts/install_prometheus.sh when missing (as root, through
apt-get, never as a running service); the tests skip only when that fails, saying why. Every
server listens on 127.0.0.1 on a free port; Prometheus keeps its data in a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_readme import code_blocks

from streamkap_sdk import StreamkapClient, entities, present
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Sandbox
from streamkap_sdk.sandbox._server import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "prometheus"
README = ROOT / "README.md"
SECTION = "Monitoring with Prometheus"
PIPES = ["orders", "users"]
DESTS = ["warehouse"]


@pytest.fixture(scope="module")
def promtool() -> str:
    return _binaries()[1]


@pytest.fixture(scope="module")
def prometheus_binary() -> str:
    return _binaries()[0]


def _binaries() -> tuple[str, str]:
    found = shutil.which("prometheus"), shutil.which("promtool")
    if None in found:
        done = subprocess.run(
            ["sh", str(ROOT / "scripts" / "install_prometheus.sh")],
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            pytest.skip(f"Debian's prometheus package could not be installed: {why}")
        found = shutil.which("prometheus"), shutil.which("promtool")
    prometheus, promtool = found
    assert prometheus is not None and promtool is not None
    return prometheus, promtool


@contextlib.contextmanager
def exporter(sandbox: Sandbox) -> Iterator[str]:
    """`python -m streamkap_sdk.exporter` against the sandbox; yields its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMKAP_")}
    env.update(
        STREAMKAP_HOST=sandbox.url,
        STREAMKAP_CLIENT_ID=DEFAULT_CLIENT_ID,
        STREAMKAP_SECRET=DEFAULT_CLIENT_SECRET,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "streamkap_sdk.exporter", "--pipelines", ",".join(PIPES),
         "--destinations", ",".join(DESTS), "--listen", "127.0.0.1:0", "--interval", "1"],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        found = re.search(r"serving (http://127\.0\.0\.1:\d+)/metrics", first)
        assert found, first
        yield found[1]
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()


@contextlib.contextmanager
def prometheus(binary: str, target: str, tmp_path: Path) -> Iterator[str]:
    """A Prometheus on 127.0.0.1 scraping `target` every second; yields its URL."""
    config = tmp_path / "prometheus.yml"
    shutil.copy(EXAMPLES / "streamkap-alerts.yml", tmp_path)
    example = (EXAMPLES / "prometheus.yml").read_text()
    config.write_text(
        example.replace("30s", "1s").replace('"127.0.0.1:9464"', f'"{target}"')
    )  # the README's configuration, faster and pointed at this exporter
    port = free_port()
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/-/ready", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "Prometheus did not become ready in 60 s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def query(url: str, promql: str) -> list[dict[str, Any]]:
    answer = httpx.get(url + "/api/v1/query", params={"query": promql}, timeout=5).json()
    assert answer["status"] == "success", answer
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result


def wait_for(url: str, promql: str, timeout: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while not (result := query(url, promql)):
        assert time.monotonic() < deadline, f"no result for {promql} within {timeout} s"
        time.sleep(0.25)
    return result


def test_prometheus_scrapes_what_the_sdk_returns(
    prometheus_binary: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    with (
        exporter(sandbox) as exporter_url,
        prometheus(prometheus_binary, exporter_url.removeprefix("http://"), tmp_path) as url,
    ):
        [sample] = wait_for(url, 'streamkap_pipeline_records_lag{pipeline_id="orders"}')
        with StreamkapClient(
            client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET, base_url=sandbox.url
        ) as client:
            result = client.pipelines.metrics(["orders"], time_type="latest")
        expected = present(entities(result.connector_metrics)["orders"].latest).records_lag
        assert float(sample["value"][1]) == expected
        assert sample["metric"]["job"] == "streamkap"

        [up] = wait_for(url, 'up{job="streamkap"}')
        assert up["value"][1] == "1"
        [exporter_up] = query(url, "streamkap_up")
        assert exporter_up["value"][1] == "1"
        lag = query(url, "streamkap_destination_latency")
        assert [s["metric"]["destination_id"] for s in lag] == DESTS

        # The README's PromQL runs against it, and every query has an answer (bounded wait:
        # a rate needs two scrapes).
        for promql in readme_promql():
            assert wait_for(url, promql), promql
        rules = httpx.get(url + "/api/v1/rules", timeout=5).json()["data"]["groups"]
        assert {r["name"] for g in rules for r in g["rules"]} >= {
            "StreamkapPipelineLagging",
            "StreamkapMetricsStale",
        }


def test_the_exposition_passes_promtool(promtool: str, sandbox: Sandbox) -> None:
    with exporter(sandbox) as url:
        deadline = time.monotonic() + 20
        while "streamkap_pipeline_records_lag{" not in (text := httpx.get(url + "/metrics").text):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    done = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr  # lint: names, types, HELP


def test_the_example_configuration_and_alerts(promtool: str) -> None:
    for args in (
        ["check", "config", "prometheus.yml"],
        ["check", "rules", "streamkap-alerts.yml"],
        ["test", "rules", "streamkap-alerts.test.yml"],  # the alerts fire when they should
    ):
        done = subprocess.run(
            [promtool, *args], cwd=EXAMPLES, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_shows_the_example_files() -> None:
    blocks = [b.code for b in readme_blocks() if b.language == "yaml"]
    for name in ("prometheus.yml", "streamkap-alerts.yml"):
        assert (EXAMPLES / name).read_text().strip() in [b.strip() for b in blocks], name


def readme_blocks() -> list[Any]:
    text = README.read_text(encoding="utf-8").splitlines()
    start = text.index(f"## {SECTION}") + 1
    end = next((i for i in range(start, len(text)) if text[i].startswith("## ")), len(text))
    return [b for b in code_blocks(README) if start < b.line <= end]


def readme_promql() -> list[str]:
    queries = [
        line.split("  #", 1)[0].strip()
        for block in readme_blocks()
        if block.language == "promql"
        for line in block.code.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert queries, f"no promql block in the README's {SECTION!r} section"
    return queries
