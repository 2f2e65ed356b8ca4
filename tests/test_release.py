"""Releases and automation: the release check's rules, the upstream sources `make update-spec`
reads by default, and the workflows' hygiene beyond what zizmor (`make workflows`) audits."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from evolution import mutations

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
WORKFLOWS = ROOT / ".github" / "workflows"
sys.path.insert(0, str(SCRIPTS))  # scripts/ is not a package
import release_check  # noqa: E402
import update_spec  # noqa: E402
from surface import load_knowledge  # noqa: E402

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "streamkap.yaml").read_text("utf-8"))
KNOWLEDGE = load_knowledge(ROOT / "openapi" / "knowledge.yaml")
CHANGELOG = (
    "# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2026-12-01\n\n## [2.0.0]\n\n## [1.3.1]\n"
)


def problems(
    version: str, *, tag: str | None = None, previous: tuple[str, dict[str, Any]] | None = None
) -> list[str]:
    return release_check.check(
        tag=tag or f"v{version}",
        version=version,
        changelog=CHANGELOG,
        spec=SPEC,
        api_version=SPEC["info"]["version"],
        knowledge=KNOWLEDGE,
        previous=release_check.Previous(*previous) if previous else None,
    )


def spec_with(*changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(SPEC)
    for change in changes:
        change(doc)
    return doc


def test_a_first_release_needs_its_tag_and_changelog_section() -> None:
    assert problems("1.4.0") == []
    assert problems("1.4.0", tag="1.4.0") == [
        "tag '1.4.0' is not v1.4.0, the version in _version.py"
    ]
    assert problems("1.5.0") == ["CHANGELOG.md has no '## [1.5.0]' section for this release"]


def test_generated_must_be_from_the_vendored_spec() -> None:
    found = release_check.check(
        tag="v1.4.0", version="1.4.0", changelog=CHANGELOG, spec=SPEC, api_version="1.9.0",
        knowledge=KNOWLEDGE, previous=None,
    )  # fmt: skip
    assert found == [
        f"generated/ is from API '1.9.0' but openapi/streamkap.yaml is "
        f"{SPEC['info']['version']!r}: run make generate"
    ]


def test_a_removal_since_the_last_release_needs_a_major_bump() -> None:
    """The spec now is the vendored one; the previous release had one parameter more."""
    before = spec_with()
    now = spec_with(mutations.remove_parameter)
    found = release_check.check(
        tag="v1.4.0", version="1.4.0", changelog=CHANGELOG, spec=now,
        api_version=now["info"]["version"], knowledge=KNOWLEDGE,
        previous=release_check.Previous("1.3.1", before),
    )  # fmt: skip
    assert len(found) == 1 and found[0].startswith(
        "the spec changes since 1.3.1 need a major bump, this is a minor one (1 change(s), e.g. "
        "pipelines.metrics(snapshot=...) and CLI flag --snapshot"
    )
    ok = release_check.check(
        tag="v2.0.0", version="2.0.0", changelog=CHANGELOG, spec=now,
        api_version=now["info"]["version"], knowledge=KNOWLEDGE,
        previous=release_check.Previous("1.3.1", before),
    )  # fmt: skip
    assert ok == []


def test_an_addition_needs_a_minor_bump() -> None:
    older = spec_with(mutations.remove_parameter)  # so the vendored spec adds `snapshot`
    (found,) = problems("1.3.1", previous=("1.3.0", older))
    assert found.startswith("the spec changes since 1.3.0 need a minor bump, this is a patch")
    assert problems("1.4.0", previous=("1.3.1", older)) == []


def test_the_version_must_go_up() -> None:
    assert problems("1.4.0", previous=("1.4.0", SPEC)) == [
        "version 1.4.0 is not above the previous release 1.4.0"
    ]
    assert problems("1.3.1", previous=("1.3.0", SPEC)) == []  # no spec change: any bump


@pytest.mark.parametrize(
    ("old", "new", "bump"),
    [((1, 2, 3), (2, 0, 0), "major"), ((1, 2, 3), (1, 3, 0), "minor"),
     ((1, 2, 3), (1, 2, 4), "patch"), ((1, 2, 3), (1, 2, 3), "none"),
     ((1, 2, 3), (1, 1, 9), "none")],
)  # fmt: skip
def test_needed_bump(old: tuple[int, int, int], new: tuple[int, int, int], bump: str) -> None:
    assert release_check.needed_bump(old, new) == bump


def test_the_release_check_command_on_this_checkout() -> None:
    """The current version has no CHANGELOG section until a release is prepared: the command
    says so and exits 1, as the release workflow would for a premature tag."""
    from streamkap_sdk import __version__

    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "release_check.py"), "--tag", f"v{__version__}"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    if f"## [{__version__}]" in changelog:
        assert done.returncode == 0, done.stderr
    else:
        assert done.returncode == 1
        assert f"no '## [{__version__}]' section" in done.stderr


# -- upstream: the vendor's pages, in one place -----------------------------------------------


def test_upstream_lists_the_vendors_reference_pages() -> None:
    sources = update_spec.read_sources_file(ROOT / "openapi" / "upstream.txt")
    assert sources and all(re.fullmatch(r"https://[A-Za-z0-9._~/%:+-]+", s) for s in sources)
    assert len(set(sources)) == len(sources)
    assert {"pipelines", "destinations"} <= {s.split("/")[-2] for s in sources}


def test_sources_file_paths_and_comments(tmp_path: Path) -> None:
    listed = tmp_path / "sources.txt"
    listed.write_text(
        "# the vendor's pages\nhttps://example.test/a.md  # first\n\npages/b.md\n",
        encoding="utf-8",
    )
    assert update_spec.read_sources_file(listed) == [
        "https://example.test/a.md",
        str(tmp_path / "pages" / "b.md"),
    ]


def test_update_spec_from_a_sources_file_reports_no_change(tmp_path: Path) -> None:
    """`make update-spec` without SPEC= runs this with openapi/upstream.txt; here the listed
    source is the vendored spec itself, so nothing changes for SDK users."""
    spec = tmp_path / "streamkap.yaml"
    spec.write_bytes((ROOT / "openapi" / "streamkap.yaml").read_bytes())
    listed = tmp_path / "upstream.txt"
    listed.write_text(f"# local\n{ROOT / 'openapi' / 'streamkap.yaml'}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "update_spec.py"), "--sources-file", str(listed),
         "--spec-path", str(spec), "--generated-dir", str(tmp_path / "generated")],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "nothing changes for SDK users" in done.stdout
    assert "version bump needed: none" in done.stdout
    assert (tmp_path / "generated" / "streamkap_api" / "surface.py").exists()


def test_update_spec_needs_a_source() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "update_spec.py")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2
    assert "give at least one SOURCE (or a --sources-file that lists some)" in done.stderr


def test_make_update_spec_defaults_to_upstream() -> None:
    done = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "update-spec"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert "scripts/update_spec.py --sources-file openapi/upstream.txt" in done.stdout


# -- workflow hygiene (zizmor audits the rest) -------------------------------------------------


def _workflows() -> dict[str, dict[Any, Any]]:
    return {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in WORKFLOWS.glob("*.yml")}


def test_actions_are_pinned_to_commits_with_their_release_in_a_comment() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" not in line:
                continue
            assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), (
                f"{path.name}: {line.strip()}"
            )


def test_checkouts_keep_no_credentials_and_jobs_have_their_own_permissions() -> None:
    for name, workflow in _workflows().items():
        assert workflow["permissions"] == {}, f"{name}: the workflow grants nothing by default"
        for job_name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{name}: job {job_name} says what it needs"
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, f"{name}: {job_name}"
    regenerate = _workflows()["regenerate.yml"]["jobs"]
    writers = [n for n, job in regenerate.items() if job["permissions"].get("contents") == "write"]
    assert writers == ["pull-request"]  # the job that fetches and tests cannot write


def test_ci_covers_the_classified_pythons() -> None:
    strategy = _workflows()["ci.yml"]["jobs"]["test"]["strategy"]["matrix"]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    classified = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject)
    assert strategy["python"] == classified
    assert [entry["python"] for entry in strategy["include"]] == ["3.14"]


def test_scheduled_update_opens_a_pull_request() -> None:
    workflow = _workflows()["regenerate.yml"]
    assert workflow[True]["schedule"]  # PyYAML reads the `on:` key as True
    text = (WORKFLOWS / "regenerate.yml").read_text(encoding="utf-8")
    assert 'make update-spec SPEC="$SPEC_URL"' in text  # empty SPEC: openapi/upstream.txt
    assert "peter-evans/create-pull-request@" in text


def test_release_checks_then_publishes_with_the_organisations_index() -> None:
    jobs = _workflows()["release.yml"]["jobs"]
    build = "\n".join(str(step.get("run", "")) for step in jobs["build"]["steps"])
    for needed in ("make release-check", "make dist", "pip install --quiet dist/*.whl"):
        assert needed in build
    assert jobs["publish"]["needs"] == "build"
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    (publish,) = [s for s in jobs["publish"]["steps"] if "pypi-publish" in str(s.get("uses"))]
    assert publish["with"]["repository-url"] == "${{ secrets.PACKAGE_INDEX_URL }}"
