"""Spec tooling: extraction, the change report, update_spec end to end, and the drift check.

Everything that writes runs on copies under tmp_path; the repo's spec and generated/ are only read.

The "new" specs these tests feed the tooling are not static files: they are the current
openapi/streamkap.yaml plus small, explicit edits (ADDITIVE, BREAKING, MUTATIONS below), so a
routine `make update-spec` cannot invalidate them. The tests that compare specs run twice: on the
current spec and on it after a simulated, unrelated vendor update, which is the proof that they
survive one. An edit whose target a future spec no longer has fails, naming the edit to update.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
SPEC = ROOT / "openapi" / "streamkap.yaml"
GENERATED = ROOT / "generated"
PIPELINES_OP = GENERATED / "streamkap_api" / "api" / "pipelines" / "search_pipelines_metrics.py"

# The vendor docs pages the spec was first extracted from live in shared/, outside the repo: in CI
# a copy of shared/ sits beside the clone. STREAMKAP_SEEDS_DIR points anywhere else.
SEEDS_ENV = "STREAMKAP_SEEDS_DIR"
SIBLING_SEEDS = ROOT.parent / "shared" / "seeds"
# sha256 of what scripts/extract_spec.py builds from those pages (API 2.0.0). Pinned here rather
# than compared with openapi/streamkap.yaml, which a later `make update-spec` legitimately replaces.
SEED_SPEC_SHA256 = "97dec346fd5f5747224d0d1abee6a7f4ec7d860fa0ca56b8b77f176d893a5834"

sys.path.insert(0, str(SCRIPTS))  # scripts/ is not a package
import extract_spec  # noqa: E402
import generate  # noqa: E402
import spec_diff  # noqa: E402
import surface  # noqa: E402
import update_spec  # noqa: E402

Doc = dict[str, Any]


def vendored() -> Doc:
    loaded: Doc = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return loaded


def only_path(doc: Doc, path: str) -> Doc:
    """`doc` restricted to one path, like a single-operation vendor docs page."""
    if path not in doc["paths"]:
        spec_outdated("only_path", f"no path {path!r}")
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


# --- edits that derive the test specs from the current one --------------------------------------

SEARCH_PIPELINES = "searchPipelinesMetrics"
LATEST = "PipelineLatestMetrics"


def spec_outdated(edit: str, problem: str) -> NoReturn:
    pytest.fail(
        f"{edit} in tests/test_spec_tooling.py no longer fits the spec: {problem}. "
        f"openapi/streamkap.yaml changed under it; update {edit} to edit what the spec has now."
    )


def operation(doc: Doc, op_id: str, edit: str) -> Doc:
    for item in (doc.get("paths") or {}).values():
        for method in spec_diff.METHODS:
            op = item.get(method)
            if isinstance(op, dict) and op.get("operationId") == op_id:
                return op
    spec_outdated(edit, f"no operation with operationId {op_id!r}")


def query_param(doc: Doc, op_id: str, name: str, edit: str) -> Doc:
    for param in operation(doc, op_id, edit).get("parameters") or []:
        if param.get("in") == "query" and param.get("name") == name:
            found: Doc = param
            return found
    spec_outdated(edit, f"{op_id} has no query parameter {name!r}")


def component(doc: Doc, name: str, edit: str) -> Doc:
    found = ((doc.get("components") or {}).get("schemas") or {}).get(name)
    if not isinstance(found, dict):
        spec_outdated(edit, f"no component schema {name!r}")
    return found


def properties(doc: Doc, schema: str, edit: str) -> Doc:
    props = component(doc, schema, edit).get("properties")
    if not isinstance(props, dict):
        spec_outdated(edit, f"component schema {schema!r} has no properties")
    return props


def prop(doc: Doc, schema: str, name: str, edit: str) -> Doc:
    found = properties(doc, schema, edit).get(name)
    if not isinstance(found, dict):
        spec_outdated(edit, f"{schema} has no property {name!r}")
    return found


def nullable(type_: str, title: str, description: str) -> Doc:
    return {
        "anyOf": [{"type": type_}, {"type": "null"}],
        "title": title,
        "description": description,
    }


def add_query_param(op: Doc, param: Doc, edit: str) -> None:
    params = op.setdefault("parameters", [])
    if any(p.get("name") == param["name"] for p in params):
        where = op.get("operationId", "the operation")
        spec_outdated(edit, f"{where} already has a parameter {param['name']!r}; pick a new name")
    params.append(copy.deepcopy(param))


def add_property(doc: Doc, schema: str, name: str, value: Doc, edit: str) -> None:
    props = properties(doc, schema, edit)
    if name in props:
        spec_outdated(edit, f"{schema} already has a property {name!r}; pick a new name")
    props[name] = copy.deepcopy(value)


INCLUDE_PAUSED: Doc = {
    "name": "include_paused",
    "in": "query",
    "required": False,
    "schema": nullable("boolean", "Include Paused", "Also return metrics for paused pipelines"),
    "description": "Also return metrics for paused pipelines",
}


def with_additive_edits(base: Doc) -> Doc:
    """ADDITIVE: `base` plus an optional query parameter and an optional response property."""
    doc = copy.deepcopy(base)
    op = operation(doc, SEARCH_PIPELINES, "with_additive_edits")
    add_query_param(op, INCLUDE_PAUSED, "with_additive_edits")
    throughput = nullable("number", "Throughput", "Records per second over the last minute")
    add_property(doc, LATEST, "throughput", throughput, "with_additive_edits")
    return doc


def status_types(doc: Doc, edit: str) -> list[str]:
    """The scalar types PipelineLatestMetrics.status admits, e.g. ["string", "null"]."""
    status = prop(doc, LATEST, "status", edit)
    types = [m.get("type") for m in status.get("anyOf", [status])]
    if not all(isinstance(t, str) for t in types) or "string" not in types or "integer" in types:
        spec_outdated(edit, f"{LATEST}.status is no longer a plain (nullable) string: {status}")
    return types


def with_breaking_edits(base: Doc) -> Doc:
    """BREAKING: `base` without query parameter 'snapshot', and with status string -> integer."""
    edit = "with_breaking_edits"
    doc = copy.deepcopy(base)
    snapshot = query_param(doc, SEARCH_PIPELINES, "snapshot", edit)
    op = operation(doc, SEARCH_PIPELINES, edit)
    op["parameters"] = [p for p in op["parameters"] if p is not snapshot]
    status_types(doc, edit)
    status = prop(doc, LATEST, "status", edit)
    for member in status.get("anyOf", [status]):
        if member["type"] == "string":
            member["type"] = "integer"
    return doc


def types_text(types: list[str]) -> str:
    """How the report writes a set of types: sorted, "null" last."""
    return " | ".join(sorted(set(types), key=lambda t: (t == "null", t)))


UPDATE_PARAM = "vendor_update_probe"
UPDATE_PROPERTY = "vendorUpdateProbe"


def with_vendor_update(base: Doc) -> Doc:
    """A routine additive vendor update, unrelated to the edits above: a new API version, an
    optional query parameter on every operation and an optional property on every object schema
    (`make update-spec` of a spec that only adds an optional parameter broke these tests once)."""
    edit = "with_vendor_update"
    doc = copy.deepcopy(base)
    doc["info"]["version"] = f"{doc['info']['version']}.post1"
    param = {
        "name": UPDATE_PARAM,
        "in": "query",
        "required": False,
        "schema": nullable("boolean", "Vendor Update Probe", "Added by a vendor update"),
    }
    for item in doc["paths"].values():
        for method in spec_diff.METHODS:
            if isinstance(item.get(method), dict):
                add_query_param(item[method], param, edit)
    added = nullable("string", "Vendorupdateprobe", "Added by a vendor update")
    for name, schema in doc["components"]["schemas"].items():
        if isinstance(schema.get("properties"), dict):
            add_property(doc, name, UPDATE_PROPERTY, added, edit)
    return doc


@pytest.fixture(params=["current-spec", "after-vendor-update"])
def base(request: pytest.FixtureRequest) -> Doc:
    """The spec the comparisons start from: the vendored one, then after an unrelated update."""
    return vendored() if request.param == "current-spec" else with_vendor_update(vendored())


def test_simulated_vendor_update_is_additive() -> None:
    report = spec_diff.compare(vendored(), with_vendor_update(vendored()))
    assert report.changes, "the simulated vendor update must change something"
    assert {(c.kind, c.breaking) for c in report.changes} == {("added", False)}
    assert {c.section for c in report.changes} == {"Parameters", "Schemas"}
    assert f"searchPipelinesMetrics: query parameter '{UPDATE_PARAM}'" in {
        c.subject for c in report.changes
    }
    assert f"{LATEST}.{UPDATE_PROPERTY}" in {c.subject for c in report.changes}


def test_outdated_edit_fails_naming_what_to_update() -> None:
    """A spec without an edit's target fails loudly instead of passing vacuously."""
    no_snapshot = with_breaking_edits(vendored())  # 'snapshot' is gone from this one
    with pytest.raises(pytest.fail.Exception) as info:
        with_breaking_edits(no_snapshot)
    assert str(info.value).startswith(
        "with_breaking_edits in tests/test_spec_tooling.py no longer fits the spec: "
        "searchPipelinesMetrics has no query parameter 'snapshot'."
    )
    with pytest.raises(pytest.fail.Exception, match="already has a parameter 'include_paused'"):
        with_additive_edits(with_additive_edits(vendored()))
    status_as_ref = vendored()
    properties(status_as_ref, LATEST, "test")["status"] = {"$ref": "#/components/schemas/X"}
    with pytest.raises(pytest.fail.Exception, match=r"PipelineLatestMetrics.status is no longer"):
        with_breaking_edits(status_as_ref)
    with pytest.raises(pytest.fail.Exception, match="no operation with operationId 'searchPipe"):
        with_additive_edits(only_path(vendored(), "/destinations/metrics"))


# --- extraction ---------------------------------------------------------------------------------


def seed_pages() -> list[Path]:
    """The vendor docs pages, or a skip that says where they were looked for."""
    explicit = os.environ.get(SEEDS_ENV)
    where = Path(explicit) if explicit else SIBLING_SEEDS
    pages = sorted(where.glob("*.txt")) if where.is_dir() else []
    if pages:
        return pages
    if explicit and os.environ.get("CI") != "true":
        pytest.fail(f"no vendor docs pages (*.txt) in {SEEDS_ENV}={where}")
    looked = f"{SEEDS_ENV}={where}" if explicit else f"{where} ({SEEDS_ENV} is not set)"
    pytest.skip(f"vendor docs pages (*.txt) not found in {looked}; shared/ is outside the repo")


@pytest.mark.parametrize(
    ("env", "ci", "outcome"),
    [
        (None, "true", "skip"),
        (None, None, "skip"),
        ("empty", "true", "skip"),
        ("empty", None, "fail"),
        ("pages", None, "found"),
    ],
)
def test_seed_pages_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: str | None, ci: str | None, outcome: str
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "SIBLING_SEEDS", tmp_path / "shared" / "seeds")
    monkeypatch.delenv(SEEDS_ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    if ci:
        monkeypatch.setenv("CI", ci)
    where = tmp_path / "shared" / "seeds"
    if env:
        where = tmp_path / env
        where.mkdir()
        monkeypatch.setenv(SEEDS_ENV, str(where))
    if env == "pages":
        (where / "page.txt").write_text("x")
        assert seed_pages() == [where / "page.txt"]
        return
    expected = {"skip": pytest.skip.Exception, "fail": pytest.fail.Exception}[outcome]
    with pytest.raises(expected, match=SEEDS_ENV) as info:
        seed_pages()
    assert str(where) in str(info.value)


def test_seed_pages_extract_to_the_spec_they_describe(tmp_path: Path) -> None:
    pages = seed_pages()
    out = tmp_path / "streamkap.yaml"
    assert extract_spec.main([*map(str, pages), "-o", str(out)]) == 0
    built = out.read_text(encoding="utf-8")
    current = SPEC.read_text(encoding="utf-8")
    if built == current:
        return  # the vendored spec is exactly what extraction builds from these pages
    if hashlib.sha256(current.encode()).hexdigest() == SEED_SPEC_SHA256:
        pytest.fail(
            "openapi/streamkap.yaml is not what scripts/extract_spec.py builds from the seeds"
        )
    # openapi/streamkap.yaml has been updated from newer vendor input since; the seed pages
    # must still extract to the spec they describe.
    report = spec_diff.compare(yaml.safe_load(built), vendored()).render()
    assert hashlib.sha256(built.encode()).hexdigest() == SEED_SPEC_SHA256, (
        f"scripts/extract_spec.py builds from {pages[0].parent} neither openapi/streamkap.yaml "
        f"nor the spec pinned as SEED_SPEC_SHA256 (extraction changed, or new seed pages: "
        f"vendor them with make update-spec and re-pin). Seeds vs vendored spec:\n{report}"
    )


def test_extraction_refuses_differing_shared_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = vendored()
    if len(base["paths"]) < 2:
        spec_outdated("test_extraction_refuses_differing_shared_schema", "fewer than two paths")
    # One single-path page per path, like the vendor docs; each carries every component.
    pages = [only_path(base, path) for path in base["paths"]]
    # Sanity: the split pages merge back into the vendored spec when they agree.
    assert extract_spec.merge(pages) == base

    entry = component(
        pages[-1], "TimeseriesEntry", "test_extraction_refuses_differing_shared_schema"
    )
    entry["description"] = "Edited on one page only"
    with pytest.raises(extract_spec.ExtractionError, match="TimeseriesEntry"):
        extract_spec.merge(pages)

    files = [tmp_path / f"page{i}.txt" for i in range(len(pages))]
    for file, page, path in zip(files, pages, base["paths"], strict=True):
        file.write_text(docs_page(page, f"post {path}"), encoding="utf-8")
    out = tmp_path / "merged.yaml"
    assert extract_spec.main([*map(str, files), "-o", str(out)]) == 1
    assert "components.schemas.TimeseriesEntry differs" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("- openapi: 3.1.0\n", "the input (read as YAML; no ```yaml block) parsed to a list"),
        ("", "parsed to nothing"),
        ("# Title\n\nJust prose.\n", "parsed to a string"),
        ('{"swagger": "2.0", "paths": {}}', "JSON is a mapping without the 'openapi' key"),
        ("openapi: 3.1.0\ninfo: {}\n", "without the 'paths' key (top-level keys: openapi, info)"),
        ("openapi: 3.1.0\npaths:\n", "has 'paths' set to nothing, not a mapping"),
        ("# Page\n\n```yaml\n- 1\n```\n", "the ```yaml block parsed to a list"),
    ],
)
def test_parse_document_says_what_it_found(text: str, found: str) -> None:
    with pytest.raises(extract_spec.ExtractionError) as info:
        extract_spec.parse_document(text, "in.yaml")
    assert str(info.value).startswith("in.yaml: no OpenAPI document found: ")
    assert found in str(info.value)


# --- change report -------------------------------------------------------------------------------


def summarize(report: spec_diff.Report) -> set[tuple[str, str, str, bool]]:
    return {(c.section, c.kind, c.subject, c.breaking) for c in report.changes}


def test_additive_edits_are_not_breaking(base: Doc) -> None:
    report = spec_diff.compare(base, with_additive_edits(base))
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


def test_breaking_edits_are_breaking(base: Doc) -> None:
    old_types = status_types(base, "with_breaking_edits")
    new_types = ["integer" if t == "string" else t for t in old_types]
    report = spec_diff.compare(base, with_breaking_edits(base))
    assert report.breaking
    assert summarize(report) == {
        ("Parameters", "removed", "searchPipelinesMetrics: query parameter 'snapshot'", True),
        ("Schemas", "changed", "PipelineLatestMetrics.status", True),
    }
    text = report.render()
    assert "- searchPipelinesMetrics: query parameter 'snapshot' removed  [BREAKING]" in text
    assert (
        f"~ PipelineLatestMetrics.status changed: type {types_text(old_types)} -> "
        f"{types_text(new_types)}  [BREAKING]"
    ) in text
    assert "*** BREAKING CHANGES" in text
    assert (
        text.splitlines()[-1] == "Summary: 2 changes (1 removed, 1 changed) - BREAKING (2 breaking)"
    )


def _edit_param_doc(d: Doc) -> None:
    size = query_param(d, SEARCH_PIPELINES, "size", "MUTATIONS")
    size["description"] = "How many results"
    size.setdefault("schema", {})["description"] = "How many results"


def _require_status(d: Doc) -> None:
    prop(d, LATEST, "status", "MUTATIONS")
    required = component(d, LATEST, "MUTATIONS").setdefault("required", [])
    if "status" in required:
        spec_outdated("MUTATIONS", f"{LATEST}.status is already required")
    required.append("status")


def _retarget_response(d: Doc) -> None:
    op = operation(d, SEARCH_PIPELINES, "MUTATIONS")
    content = op.get("responses", {}).get("200", {}).get("content", {}).get("application/json")
    if not isinstance(content, dict):
        spec_outdated("MUTATIONS", f"{SEARCH_PIPELINES} has no 200 application/json response")
    component(d, "DestinationMetricsRes", "MUTATIONS")
    target = {"$ref": "#/components/schemas/DestinationMetricsRes"}
    if content.get("schema") == target:
        spec_outdated("MUTATIONS", f"{SEARCH_PIPELINES} already answers DestinationMetricsRes")
    content["schema"] = target


def _drop_enum_value(d: Doc) -> None:
    schema = query_param(d, SEARCH_PIPELINES, "sort_dir", "MUTATIONS").get("schema", {})
    for member in [schema, *schema.get("anyOf", [])]:
        if "desc" in member.get("enum", []):
            member["enum"].remove("desc")
            return
    spec_outdated("MUTATIONS", f"{SEARCH_PIPELINES} query parameter 'sort_dir' has no enum 'desc'")


def _remove_operation(d: Doc) -> None:
    for path, item in d["paths"].items():
        for method in spec_diff.METHODS:
            if (item.get(method) or {}).get("operationId") == "searchDestinationsMetrics":
                del item[method]
                if not any(m in item for m in spec_diff.METHODS):
                    del d["paths"][path]
                return
    spec_outdated("MUTATIONS", "no operation with operationId 'searchDestinationsMetrics'")


def _describe_value(d: Doc) -> None:
    prop(d, "TimeseriesEntry", "value", "MUTATIONS")["description"] = "x"


MUTATIONS: list[tuple[str, Callable[[Doc], None], tuple[str, str, str, bool]]] = [
    (
        "param description",
        _edit_param_doc,
        ("Parameters", "changed (docs)", "searchPipelinesMetrics: query parameter 'size'", False),
    ),
    (
        "property description",
        _describe_value,
        ("Schemas", "changed (docs)", "TimeseriesEntry.value", False),
    ),
    (
        "param becomes required",
        lambda d: query_param(d, SEARCH_PIPELINES, "size", "MUTATIONS").update(required=True),
        ("Parameters", "changed", "searchPipelinesMetrics: query parameter 'size'", True),
    ),
    (
        "property becomes required",
        _require_status,
        ("Schemas", "changed", "PipelineLatestMetrics.status", True),
    ),
    (
        "response schema ref",
        _retarget_response,
        ("Operations", "changed", "searchPipelinesMetrics (POST /pipelines/metrics)", True),
    ),
    (
        "enum value removed",
        _drop_enum_value,
        ("Parameters", "changed", "searchPipelinesMetrics: query parameter 'sort_dir'", True),
    ),
    (
        "operation removed",
        _remove_operation,
        ("Operations", "removed", "searchDestinationsMetrics (POST /destinations/metrics)", True),
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS]
)
def test_compare_classifies_single_change(
    base: Doc, mutate: Callable[[Doc], None], expected: tuple[str, str, str, bool]
) -> None:
    before = copy.deepcopy(base)
    new = copy.deepcopy(base)
    mutate(new)
    report = spec_diff.compare(base, new)
    assert summarize(report) == {expected}
    assert report.breaking is expected[3]
    assert base == before, "compare() must not modify its inputs"


def test_identical_specs_report_nothing(base: Doc) -> None:
    report = spec_diff.compare(base, copy.deepcopy(base))
    assert report.changes == []
    assert not report.breaking
    assert report.render().splitlines()[-1] == "Summary: no API changes"


# --- update_spec ---------------------------------------------------------------------------------


@pytest.fixture
def additive_source(tmp_path: Path) -> Callable[[Doc], Path]:
    """Write the ADDITIVE edit of a spec where update_spec can read it."""

    def write(doc: Doc) -> Path:
        source = tmp_path / "additive.yaml"
        source.write_text(extract_spec.dump(with_additive_edits(doc)), encoding="utf-8")
        return source

    return write


@pytest.mark.slow
def test_update_spec_applies_additive_change(
    workspace: tuple[Path, Path],
    base: Doc,
    additive_source: Callable[[Doc], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo_before = tree_digest(SPEC.parent, GENERATED)
    spec, generated = workspace
    updated = base != vendored()
    if updated:  # the workspace holds the spec after the simulated vendor update
        spec.write_text(extract_spec.dump(base), encoding="utf-8")
    source = additive_source(base)
    assert run_update(workspace, str(source)) == 0

    out = capsys.readouterr().out
    assert "+ searchPipelinesMetrics: query parameter 'include_paused' added (optional)" in out
    assert "Summary: 2 changes (2 added) - non-breaking" in out
    assert yaml.safe_load(spec.read_text()) == yaml.safe_load(source.read_text())
    operation_py = (generated / PIPELINES_OP.relative_to(GENERATED)).read_text()
    assert "include_paused: bool | None | Unset = UNSET" in operation_py
    assert 'params["include_paused"]' in operation_py
    assert (f'params["{UPDATE_PARAM}"]' in operation_py) is updated
    provenance = json.loads((generated / "PROVENANCE.json").read_text())
    assert provenance["spec_sha256"] == hashlib.sha256(spec.read_bytes()).hexdigest()
    assert tree_digest(SPEC.parent, GENERATED) == repo_before, "the real repo must be untouched"


def test_update_spec_rejects_invalid_spec(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    bad = vendored()
    op = operation(bad, SEARCH_PIPELINES, "test_update_spec_rejects_invalid_spec")
    del op["responses"]["200"]["description"]
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
    # the validator's wording: 'description' (jsonschema) or "description" (jsonschema-rs)
    assert re.search(r"""['"]description['"] is a required property""", proc.stderr), proc.stderr
    assert workspace_digest(workspace) == before


def test_update_spec_says_what_a_non_spec_file_holds(
    workspace: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.yaml"
    source.write_text("- openapi: 3.1.0\n  paths: {}\n")
    before = workspace_digest(workspace)
    assert run_update(workspace, str(source)) == 2
    err = capsys.readouterr().err
    assert f"{source}: no OpenAPI document found: " in err
    assert "parsed to a list, not a mapping with 'openapi' and 'paths' keys" in err
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
    additive_source: Callable[[Doc], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken_generator(*_args: object, **_kwargs: object) -> None:
        raise SystemExit("generate: openapi-python-client failed")

    monkeypatch.setattr(update_spec, "generate_into", broken_generator)
    before = workspace_digest(workspace)
    assert run_update(workspace, str(additive_source(vendored()))) == 1
    assert "restored" in capsys.readouterr().err
    assert workspace_digest(workspace) == before


# --- drift check ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_drift_check_catches_hand_edit(tmp_path: Path) -> None:
    copy_dir = tmp_path / "generated"
    shutil.copytree(GENERATED, copy_dir, ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy_dir / "streamkap_api" / "models" / "timeseries_entry.py"
    original = edited.read_text()
    assert "value: float | int\n" in original, "update the hand edit below to match generated/"
    edited.write_text(original.replace("value: float | int\n", "value: float\n", 1))
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
    assert text.count(old) == 1, f"update this test: {old!r} is not in the spec exactly once"
    spec = tmp_path / "streamkap.yaml"
    spec.write_text(text.replace(old, new), encoding="utf-8")

    generate.generate_into(tmp_path / "out", spec=spec)
    problems = generate.drift(GENERATED, tmp_path / "out")
    assert any(line.endswith("models/timeseries_entry.py") for line in problems)
    assert any(line.startswith("+") and new in line for line in problems)


# --- every type a query parameter can have, as the surface and the resources see it -------------

KNOWLEDGE = ROOT / "openapi" / "knowledge.yaml"
TYPED_PARAMS: list[tuple[str, Doc, Doc, str]] = [
    # (name, the spec's schema, what the surface keeps of it, the keyword's annotation)
    ("include_paused", {"type": "boolean", "default": False, "title": "Include Paused"},
     {"type": "boolean"}, "bool | None"),
    ("min_lag", {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}], "title": "M"},
     {"type": "number", "minimum": 0}, "float | None"),
    ("after", {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
     {"type": "string", "format": "date-time"}, "datetime.datetime | str | None"),
    ("on_day", {"type": "string", "format": "date"}, {"type": "string", "format": "date"},
     "datetime.date | str | None"),
    ("owner", {"type": ["string", "null"], "format": "uuid"}, {"type": "string", "format": "uuid"},
     "uuid.UUID | str | None"),
    ("states", {"anyOf": [{"type": "array", "items": {"type": "string", "enum": ["errors", "ok"]},
                           "description": "x"}, {"type": "null"}]},
     {"type": "array", "items": {"type": "string", "enum": ["errors", "ok"]}},
     "list[Literal['errors', 'ok']] | tuple[Literal['errors', 'ok'], ...] | None"),
    ("priority", {"anyOf": [{"type": "integer", "enum": [1, 2, 3]}, {"type": "null"}]},
     {"type": "integer", "enum": [1, 2, 3]}, "Priority | None"),
    ("either", {"anyOf": [{"type": "integer", "maximum": 9}, {"type": "boolean"}]},
     {"anyOf": [{"type": "integer", "maximum": 9}, {"type": "boolean"}]}, "int | bool | None"),
]  # fmt: skip


def test_every_parameter_type_reaches_the_surface_and_the_resources() -> None:
    """The surface keeps what a value may be (the schema the SDK checks with, and the CLI reads
    flags by), and each keyword is typed from it: a closed set of integers is a Literal of
    integers, an array a list or tuple of its items, a format its Python type or a string."""
    doc = vendored()
    op = operation(doc, SEARCH_PIPELINES, "test_every_parameter_type_reaches_the_surface")
    for name, schema, _kept, _annotation in TYPED_PARAMS:
        add_query_param(op, {"name": name, "in": "query", "required": False, "schema": schema},
                        "test_every_parameter_type_reaches_the_surface")  # fmt: skip
    derived = surface.derive(doc, surface.load_knowledge(KNOWLEDGE))
    params = {p.wire: p for o in derived.operations for p in o.params}
    resources = surface.render_resources(derived)
    for name, _schema, kept, annotation in TYPED_PARAMS:
        assert params[name].schema == kept, name
        assert f"        {name}: {annotation} = None," in resources, name
    assert "Priority = Literal[1, 2, 3]" in resources
    assert params["priority"].values == ("1", "2", "3")  # the wire form, for the sandbox
    assert "import uuid" in resources
    assert params["time_type"].schema == {"type": "string"}  # the table's closed set is apart
