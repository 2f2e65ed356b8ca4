"""Replace the vendored spec with new vendor input, regenerate generated/, and report the changes.

    python scripts/update_spec.py SOURCE [SOURCE ...] [--fail-on-breaking]
    python scripts/update_spec.py --sources-file openapi/upstream.txt
    make update-spec SPEC=SOURCE [FAIL_ON_BREAKING=1]      # the same, one SOURCE
    make update-spec                                       # the sources of openapi/upstream.txt

Each SOURCE is an OpenAPI YAML/JSON file, a vendor docs page embedding one, or a URL of either.
A sources file lists them one per line (`#` starts a comment; relative paths are relative to
the file): openapi/upstream.txt holds the vendor's reference pages, the one place their URLs
are kept.
The sources alone form the new spec: nothing is carried over from the old one, so an operation
missing from the inputs is reported as a BREAKING removal rather than silently kept.

Exit codes: 0 updated (breaking or not), 1 regeneration failed (spec restored),
2 unreadable/unmergeable/invalid input (nothing touched),
3 breaking changes with --fail-on-breaking (nothing touched).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import openapi_spec_validator
import referencing.exceptions
import yaml
from openapi_spec_validator.exceptions import OpenAPIError
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
# scripts/ is not a package; make its siblings importable however this file is loaded.
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

from extract_spec import ExtractionError, dump, merge, parse_document, read_source  # noqa: E402
from generate import generate_into  # noqa: E402
from spec_diff import Report, compare  # noqa: E402
from surface import KnowledgeError, load_knowledge, sdk_changes  # noqa: E402

EXIT_REGENERATION_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_BREAKING = 3


class InputError(Exception):
    """The sources do not make a valid OpenAPI document."""


def load_sources(sources: list[str]) -> dict[str, Any]:
    """Parse, merge and validate `sources` into one OpenAPI document."""
    try:
        doc = merge([parse_document(read_source(s), s) for s in sources])
    except (ExtractionError, OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(str(exc)) from exc
    validate(doc)
    return doc


def validate(doc: dict[str, Any]) -> None:
    try:
        openapi_spec_validator.validate(doc)
    except OpenAPIValidationError as exc:
        raise InputError(f"invalid OpenAPI document at {exc.json_path}: {exc.message}") from exc
    except referencing.exceptions.Unresolvable as exc:
        raise InputError(f"invalid OpenAPI document: unresolvable $ref {exc.ref!r}") from exc
    except OpenAPIError as exc:
        raise InputError(f"not a supported OpenAPI document ({type(exc).__name__})") from exc


def load_current(spec_path: Path) -> dict[str, Any]:
    """The spec being replaced; empty if there is none yet (everything then counts as added)."""
    if not spec_path.exists():
        return {}
    loaded = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def write_and_regenerate(text: str, spec_path: Path, generated_dir: Path) -> None:
    """Write the spec and regenerate; put the old spec back if generation fails."""
    previous = spec_path.read_bytes() if spec_path.exists() else None
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(text, encoding="utf-8")
    try:
        # generate_into only replaces generated_dir's package once the generator has succeeded.
        generate_into(generated_dir, spec=spec_path)
    except BaseException:
        if previous is None:
            spec_path.unlink()
        else:
            spec_path.write_bytes(previous)
        raise


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _breaking_banner(report: Report) -> str:
    count = sum(c.breaking for c in report.changes)
    return (
        f"!!! BREAKING: {count} breaking change(s) in the new spec. Review overlays/ and "
        "bump the SDK major version before releasing. !!!"
    )


def _sdk_version() -> str:
    text = (ROOT / "overlays" / "streamkap_sdk" / "_version.py").read_text(encoding="utf-8")
    return text.split("=", 1)[1].strip().strip("\"'") if "=" in text else ""


def read_sources_file(path: Path) -> list[str]:
    """The sources listed in `path`: one per line, `#` comments; paths relative to the file."""
    sources: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        is_url = entry.startswith(("http://", "https://"))
        sources.append(entry if is_url else str((path.parent / entry).resolve()))
    return sources


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", help="spec files, docs pages, or URLs")
    parser.add_argument(
        "--sources-file",
        type=Path,
        help="read the sources from this file, one per line (e.g. openapi/upstream.txt)",
    )
    parser.add_argument("--spec-path", type=Path, default=ROOT / "openapi" / "streamkap.yaml")
    parser.add_argument("--generated-dir", type=Path, default=ROOT / "generated")
    parser.add_argument(
        "--fail-on-breaking",
        action="store_true",
        help="exit 3 without writing anything if the update contains breaking changes",
    )
    args = parser.parse_args(argv)
    if args.sources_file is not None:
        try:
            args.sources += read_sources_file(args.sources_file)
        except OSError as exc:
            parser.error(f"cannot read --sources-file {str(args.sources_file)!r}: {exc.strerror}")
    if not args.sources:
        parser.error("give at least one SOURCE (or a --sources-file that lists some)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    spec_path: Path = args.spec_path.resolve()
    generated_dir: Path = args.generated_dir.resolve()
    try:
        new = load_sources(args.sources)
    except InputError as exc:
        print(f"update_spec: {exc}", file=sys.stderr)
        print(f"update_spec: nothing changed ({_shown(spec_path)} left as is)", file=sys.stderr)
        return EXIT_BAD_INPUT

    current = load_current(spec_path)
    report = compare(current, new)
    print(report.render())
    try:
        sdk = sdk_changes(current, new, load_knowledge(ROOT / "openapi" / "knowledge.yaml"))
    except KnowledgeError as exc:
        print(f"update_spec: {exc}", file=sys.stderr)
        print(f"update_spec: nothing changed ({_shown(spec_path)} left as is)", file=sys.stderr)
        return EXIT_BAD_INPUT
    print("\n" + sdk.render(_sdk_version()))
    if report.breaking:
        print("\n" + _breaking_banner(report))
    if (report.breaking or sdk.breaking) and args.fail_on_breaking:
        print("update_spec: --fail-on-breaking given; nothing written", file=sys.stderr)
        return EXIT_BREAKING

    try:
        write_and_regenerate(dump(new), spec_path, generated_dir)
    except SystemExit as exc:
        print(f"update_spec: {exc}; {_shown(spec_path)} restored", file=sys.stderr)
        return EXIT_REGENERATION_FAILED
    print(f"\nupdated {_shown(spec_path)} and regenerated {_shown(generated_dir)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
