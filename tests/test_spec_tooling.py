"""Spec tooling: extraction, the change report, update_spec end to end, and the drift check.

Everything that writes runs on copies under tmp_path; the repo's spec and generated/ are only read.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
SPEC = ROOT / "openapi" / "streamkap.yaml"
GENERATED = ROOT / "generated"
FIXTURES = ROOT / "tests" / "fixtures" / "specs"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PIPELINES_OP = GENERATED / "streamkap_api" / "api" / "pipelines" / "search_pipelines_metrics.py"

sys.path.insert(0, str(SCRIPTS))  # scripts/ is not a package
import extract_spec  # noqa: E402
import generate  # noqa: E402
import spec_diff  # noqa: E402
import update_spec  # noqa: E402

Doc = dict[str, Any]


def vendored() -> Doc:
    loaded: Doc = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return loaded


def only_path(doc: Doc, path: str) -> Doc:
    """`doc` restricted to one path, like a single-operation vendor docs page."""
    single = copy.deepcopy(doc)
    single["paths"] = {path: single["paths"][path]}
    return single


def docs_page(doc: Doc, title: str) -> str:
    """Mimic the vendor's docs pages: prose plus the spec in a ````yaml fence."""
    fenced = f"````yaml {title}\n{extract_spec.dump(doc)}````\n"
    return f"# {title}\n\n> Some prose.\n\n## OpenAPI\n\n{fenced}"


def tree_digest(*roots: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for root in roots
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def workspace_digest(workspace: tuple[Path, Path]) -> dict[str, str]:
    spec, generated = workspace
    return tree_digest(spec.parent, generated)


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of openapi/streamkap.yaml and generated/ that update_spec may overwrite."""
    spec = tmp_path / "openapi" / "streamkap.yaml"
    spec.parent.mkdir()
    shutil.copyfile(SPEC, spec)
    generated = tmp_path / "generated"
    shutil.copytree(GENERATED, generated, ignore=shutil.ignore_patterns("__pycache__"))
    return spec, generated


def run_update(workspace: tuple[Path, Path], *argv: str) -> int:
    spec, generated = workspace
    return update_spec.main([*argv, "--spec-path", str(spec), "--generated-dir", str(generated)])


# --- extraction ---------------------------------------------------------------------------------


def test_seed_pages_reproduce_vendored_spec(tmp_path: Path) -> None:
    pages = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not pages:
        pytest.skip(f"vendor docs pages not available at {SEEDS}")
    out = tmp_path / "streamkap.yaml"
    assert extract_spec.main([*map(str, pages), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == SPEC.read_text(encoding="utf-8"), (
        "openapi/streamkap.yaml is not what scripts/extract_spec.py builds from the seed pages"
    )


def test_extraction_refuses_differing_shared_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = vendored()
    destinations = only_path(base, "/destinations/metrics")
    pipelines = only_path(base, "/pipelines/metrics")
    # Sanity: the split pages merge back into the vendored spec when they agree.
    assert extract_spec.merge([destinations, pipelines]) == base

    entry = pipelines["components"]["schemas"]["TimeseriesEntry"]
    entry["properties"]["value"]["description"] = "Edited on one page only"
    with pytest.raises(extract_spec.ExtractionError, match="TimeseriesEntry"):
        extract_spec.merge([destinations, pipelines])

    pages = [tmp_path / "destinations.txt", tmp_path / "pipelines.txt"]
    pages[0].write_text(docs_page(destinations, "post /destinations/metrics"), encoding="utf-8")
    pages[1].write_text(docs_page(pipelines, "post /pipelines/metrics"), encoding="utf-8")
    out = tmp_path / "merged.yaml"
    assert extract_spec.main([*map(str, pages), "-o", str(out)]) == 1
    assert "components.schemas.TimeseriesEntry differs" in capsys.readouterr().err
    assert not out.exists()


# --- change report -------------------------------------------------------------------------------


def summarize(report: spec_diff.Report) -> set[tuple[str, str, str, bool]]:
    return {(c.section, c.kind, c.subject, c.breaking) for c in report.changes}


def test_additive_fixture_is_not_breaking() -> None:
    report = spec_diff.compare(vendored(), yaml.safe_load((FIXTURES / "additive.yaml").read_text()))
    assert not report.breaking
    assert summarize(report) == {
        ("Parameters", "added", "searchPipelinesMetrics: query parameter 'include_paused'", False),
        ("Schemas", "added", "PipelineLatestMetrics.throughput", False),
    }
    text = report.render()
    assert "+ searchPipelinesMetrics: query parameter 'include_paused' added (optional)" in text
    assert "+ PipelineLatestMetrics.throughput added (optional)" in text
    assert "BREAKING" not in text
    assert text.splitlines()[-1] == "Summary: 2 changes (2 added) - non-breaking"


def test_breaking_fixture_is_breaking() -> None:
    report = spec_diff.compare(vendored(), yaml.safe_load((FIXTURES / "breaking.yaml").read_text()))
    assert report.breaking
    assert summarize(report) == {
        ("Parameters", "removed", "searchPipelinesMetrics: query parameter 'snapshot'", True),
        ("Schemas", "changed", "PipelineLatestMetrics.status", True),
    }
    text = report.render()
    assert "- searchPipelinesMetrics: query parameter 'snapshot' removed  [BREAKING]" in text
    assert "type string | null -> integer | null  [BREAKING]" in text
    assert "*** BREAKING CHANGES" in text
    assert text.splitlines()[-1].endswith("BREAKING (2 breaking)")


def _pipelines_op(doc: Doc) -> Doc:
    op: Doc = doc["paths"]["/pipelines/metrics"]["post"]
    return op


def _param(doc: Doc, name: str) -> Doc:
    return next(p for p in _pipelines_op(doc)["parameters"] if p["name"] == name)


def _schema(doc: Doc, name: str) -> Doc:
    schema: Doc = doc["components"]["schemas"][name]
    return schema


def _edit_param_doc(d: Doc) -> None:
    _param(d, "size")["description"] = "How many results"
    _param(d, "size")["schema"]["description"] = "How many results"


def _retarget_response(d: Doc) -> None:
    content = _pipelines_op(d)["responses"]["200"]["content"]["application/json"]
    content["schema"] = {"$ref": "#/components/schemas/DestinationMetricsRes"}


MUTATIONS: list[tuple[str, Callable[[Doc], None], tuple[str, str, str, bool]]] = [
    (
        "param description",
        _edit_param_doc,
        ("Parameters", "changed (docs)", "searchPipelinesMetrics: query parameter 'size'", False),
    ),
    (
        "property description",
        lambda d: _schema(d, "TimeseriesEntry")["properties"]["value"].update(description="x"),
        ("Schemas", "changed (docs)", "TimeseriesEntry.value", False),
    ),
    (
        "param becomes required",
        lambda d: _param(d, "size").update(required=True),
        ("Parameters", "changed", "searchPipelinesMetrics: query parameter 'size'", True),
    ),
    (
        "property becomes required",
        lambda d: _schema(d, "PipelineLatestMetrics").update(required=["status"]),
        ("Schemas", "changed", "PipelineLatestMetrics.status", True),
    ),
    (
        "response schema ref",
        _retarget_response,
        ("Operations", "changed", "searchPipelinesMetrics (POST /pipelines/metrics)", True),
    ),
    (
        "enum value removed",
        lambda d: _param(d, "sort_dir")["schema"]["anyOf"][0]["enum"].remove("desc"),
        ("Parameters", "changed", "searchPipelinesMetrics: query parameter 'sort_dir'", True),
    ),
    (
        "operation removed",
        lambda d: d["paths"].pop("/destinations/metrics"),
        ("Operations", "removed", "searchDestinationsMetrics (POST /destinations/metrics)", True),
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS]
)
def test_compare_classifies_single_change(
    mutate: Callable[[Doc], None], expected: tuple[str, str, str, bool]
) -> None:
    old = vendored()
    new = copy.deepcopy(old)
    mutate(new)
    report = spec_diff.compare(old, new)
    assert expected in summarize(report)
    assert report.breaking is expected[3]
    assert old == vendored(), "compare() must not modify its inputs"


def test_identical_specs_report_nothing() -> None:
    report = spec_diff.compare(vendored(), vendored())
    assert report.changes == []
    assert not report.breaking
    assert report.render().splitlines()[-1] == "Summary: no API changes"


# --- update_spec ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_update_spec_applies_additive_change(
    workspace: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo_before = tree_digest(SPEC.parent, GENERATED)
    assert run_update(workspace, str(FIXTURES / "additive.yaml")) == 0

    spec, generated = workspace
    out = capsys.readouterr().out
    assert "include_paused" in out
    assert "Summary: 2 changes (2 added) - non-breaking" in out
    assert yaml.safe_load(spec.read_text()) == yaml.safe_load(
        (FIXTURES / "additive.yaml").read_text()
    )
    operation = (generated / PIPELINES_OP.relative_to(GENERATED)).read_text()
    assert "include_paused: bool | None | Unset = UNSET" in operation
    assert 'params["include_paused"]' in operation
    provenance = json.loads((generated / "PROVENANCE.json").read_text())
    assert provenance["spec_sha256"] == hashlib.sha256(spec.read_bytes()).hexdigest()
    assert tree_digest(SPEC.parent, GENERATED) == repo_before, "the real repo must be untouched"


def test_update_spec_rejects_invalid_spec(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    bad = vendored()
    del _pipelines_op(bad)["responses"]["200"]["description"]
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(bad))
    before = workspace_digest(workspace)
    spec, generated = workspace
    # Through the CLI, so the script's own import setup is exercised too.
    cmd = [sys.executable, str(SCRIPTS / "update_spec.py"), str(source)]
    cmd += ["--spec-path", str(spec), "--generated-dir", str(generated)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "invalid OpenAPI document" in proc.stderr
    assert "'description' is a required property" in proc.stderr
    assert workspace_digest(workspace) == before


def test_single_page_source_reports_missing_operation_as_breaking(
    workspace: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "pipelines.txt"
    page.write_text(
        docs_page(only_path(vendored(), "/pipelines/metrics"), "post /pipelines/metrics")
    )
    before = workspace_digest(workspace)
    assert run_update(workspace, str(page), "--fail-on-breaking") == 3

    out = capsys.readouterr().out
    assert "- searchDestinationsMetrics (POST /destinations/metrics) removed  [BREAKING]" in out
    assert "!!! BREAKING" in out
    assert workspace_digest(workspace) == before


def test_update_spec_restores_spec_when_generation_fails(
    workspace: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken_generator(*_args: object, **_kwargs: object) -> None:
        raise SystemExit("generate: openapi-python-client failed")

    monkeypatch.setattr(update_spec, "generate_into", broken_generator)
    before = workspace_digest(workspace)
    assert run_update(workspace, str(FIXTURES / "additive.yaml")) == 1
    assert "restored" in capsys.readouterr().err
    assert workspace_digest(workspace) == before


# --- drift check ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_drift_check_catches_hand_edit(tmp_path: Path) -> None:
    copy_dir = tmp_path / "generated"
    shutil.copytree(GENERATED, copy_dir, ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy_dir / "streamkap_api" / "models" / "timeseries_entry.py"
    edited.write_text(edited.read_text().replace("value: float | int\n", "value: float\n", 1))
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / "generate.py"), "--check", "--output", str(copy_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "models/timeseries_entry.py" in proc.stderr
    assert "drifted" in proc.stderr


@pytest.mark.slow
def test_spec_description_edit_changes_generated_code(tmp_path: Path) -> None:
    text = SPEC.read_text(encoding="utf-8")
    old, new = "The metric value at this timestamp", "Metric value observed at this timestamp"
    assert text.count(old) == 1
    spec = tmp_path / "streamkap.yaml"
    spec.write_text(text.replace(old, new), encoding="utf-8")

    generate.generate_into(tmp_path / "out", spec=spec)
    problems = generate.drift(GENERATED, tmp_path / "out")
    assert any(line.endswith("models/timeseries_entry.py") for line in problems)
    assert any(line.startswith("+") and new in line for line in problems)
