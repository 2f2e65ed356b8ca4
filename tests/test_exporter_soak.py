"""`make soak` in 30 seconds: the exporter rides out faults and token renewals (slow)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "soak_exporter.py"


@pytest.mark.slow
def test_a_30_second_soak_meets_the_targets() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--seconds", "30", "--interval", "2", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    report = json.loads(done.stdout)
    assert done.returncode == 0, report["problems"]
    assert report["problems"] == []
    assert report["refreshes"] >= 12
    assert len(report["faults"]) == 4  # each kind of fault was injected at least once
    assert report["failed"] >= 1 and report["recovered"] >= 1
    assert report["longest_gap_intervals"] <= 2.1
    assert report["refresh_requests"] >= 1  # tokens were renewed (20 s lifetime) along the way
    assert report["stop_s"] < 1.0
    assert not report["secret_leaked"]
