"""May this tag be released? `python scripts/release_check.py --tag v1.2.0` (`make release-check`).

Checks, each a line on stderr when it fails (exit 1), for the release workflow and for a
maintainer about to tag:

- the tag is `v` + the SDK version (overlays/streamkap_sdk/_version.py, the one version source);
- CHANGELOG.md has a section for that version (`## [1.2.0]`), so the release has its notes;
- the generated package is from the vendored spec (its API_VERSION is the spec's info.version,
  which the wheel exposes as `streamkap_sdk.__api_version__`);
- the version bump since the previous release tag is at least what the spec's changes need, by
  the rule `make update-spec` reports: a change that breaks SDK users (a parameter, value,
  model attribute or resource removed, a type changed) needs a major bump, an added one a minor
  bump (scripts/surface.py's `sdk_changes` between the spec of the previous tag and this one).
  The first release has nothing to compare with.

Needs the tags in the clone (`fetch-depth: 0` in CI). Only PyYAML besides the standard library.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

from surface import load_knowledge, sdk_changes  # noqa: E402

SPEC = "openapi/streamkap.yaml"
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True)
class Previous:
    """The release before this one: its version and the spec it was built from."""

    version: str
    spec: dict[str, Any]


def _parts(version: str) -> tuple[int, int, int] | None:
    match = _VERSION.fullmatch(version)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def needed_bump(old: tuple[int, int, int], new: tuple[int, int, int]) -> str:
    """What going from `old` to `new` is: major, minor, patch, or none (not higher)."""
    if new <= old:
        return "none"
    if new[0] > old[0]:
        return "major"
    return "minor" if new[1] > old[1] else "patch"


_RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}


def check(
    *,
    tag: str,
    version: str,
    changelog: str,
    spec: dict[str, Any],
    api_version: str,
    knowledge: dict[str, Any],
    previous: Previous | None,
) -> list[str]:
    """The problems that stop the release (empty: release it)."""
    problems: list[str] = []
    if tag != f"v{version}":
        problems.append(f"tag {tag!r} is not v{version}, the version in _version.py")
    current = _parts(version)
    if current is None:
        problems.append(f"version {version!r} is not MAJOR.MINOR.PATCH")
    if not re.search(rf"^## \[{re.escape(version)}\]", changelog, re.MULTILINE):
        problems.append(f"CHANGELOG.md has no '## [{version}]' section for this release")
    spec_version = str(spec.get("info", {}).get("version", ""))
    if api_version != spec_version:
        problems.append(
            f"generated/ is from API {api_version!r} but {SPEC} is {spec_version!r}: "
            "run make generate"
        )
    if previous is None or current is None:
        return problems
    before = _parts(previous.version)
    if before is None:
        return problems
    changes = sdk_changes(previous.spec, spec, knowledge)
    made = needed_bump(before, current)
    if made == "none":
        problems.append(f"version {version} is not above the previous release {previous.version}")
    elif _RANK[made] < _RANK[changes.bump]:
        what = changes.removed + changes.changed if changes.breaking else changes.added
        problems.append(
            f"the spec changes since {previous.version} need a {changes.bump} bump, this is a "
            f"{made} one ({len(what)} change(s), e.g. {what[0]}; see make update-spec's report)"
        )
    return problems


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def previous_release(tag: str) -> Previous | None:
    """The newest `v*` tag before `tag` (by version) reachable from HEAD, and its spec; None
    for a first release, or outside a git checkout (which has no tags to compare with)."""
    try:
        listed = _git("tag", "--list", "v*", "--merged", "HEAD")
    except (OSError, subprocess.CalledProcessError):
        print("release_check: not a git checkout: the version bump is not checked", file=sys.stderr)
        return None
    tags = [t for t in listed.split() if t != tag]
    versions = sorted((p, t) for t in tags if (p := _parts(t[1:])) is not None)
    current = _parts(tag[1:]) if tag.startswith("v") else None
    older = [(p, t) for p, t in versions if current is None or p < current]
    if not older:
        return None
    _, name = older[-1]
    text = _git("show", f"{name}:{SPEC}")
    loaded = yaml.safe_load(text)
    return Previous(name[1:], loaded if isinstance(loaded, dict) else {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", required=True, help="the tag being released, e.g. v1.2.0")
    args = parser.parse_args(argv)
    version_text = (ROOT / "overlays" / "streamkap_sdk" / "_version.py").read_text("utf-8")
    version = version_text.split("=", 1)[1].strip().strip("\"'")
    sys.path.insert(0, str(ROOT / "generated"))  # the generated package, as the wheel has it
    from streamkap_api.surface import API_VERSION

    spec = yaml.safe_load((ROOT / SPEC).read_text(encoding="utf-8"))
    problems = check(
        tag=args.tag,
        version=version,
        changelog=(ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
        spec=spec,
        api_version=API_VERSION,
        knowledge=load_knowledge(ROOT / "openapi" / "knowledge.yaml"),
        previous=previous_release(args.tag),
    )
    for problem in problems:
        print(f"release_check: {problem}", file=sys.stderr)
    if not problems:
        print(f"release_check: {args.tag} may be released (Streamkap API {API_VERSION})")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
