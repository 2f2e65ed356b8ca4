"""Build the vendored spec from Streamkap's API reference pages (or plain OpenAPI files).

Each input is either an OpenAPI document (YAML/JSON) or a documentation page that embeds one
in a ```` ```yaml ```` fence. The documents are merged: paths and schemas are unioned, and a
schema (or any other component) present in several inputs must be identical in all of them,
otherwise extraction fails. The vendor's schema content is never edited.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

import yaml

_FENCE = re.compile(r"^(`{3,})ya?ml[^\n]*\n(.*?)\n\1\s*$", re.S | re.M)


class ExtractionError(Exception):
    """The inputs cannot be merged into one spec."""


def read_source(source: str) -> str:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as resp:  # noqa: S310 - explicit user input
            return resp.read().decode("utf-8")
    return Path(source).read_text(encoding="utf-8")


def parse_document(text: str, origin: str = "<input>") -> dict[str, Any]:
    """Return the OpenAPI document in `text`: a raw JSON/YAML spec or one fenced in a docs page.

    Anything else is an ExtractionError that says what was found instead.
    """
    stripped = text.lstrip()
    if stripped.startswith("{"):
        doc, source = json.loads(text), "JSON"
    else:
        match = _FENCE.search(text)
        doc = yaml.safe_load(match.group(2) if match else text)
        source = "the ```yaml block" if match else "the input (read as YAML; no ```yaml block)"
    kinds = {type(None): "nothing", list: "a list", str: "a string", int: "a number"}
    kinds |= {float: "a number", bool: "a boolean"}
    problem = ""
    if not isinstance(doc, dict):
        problem = f"{source} parsed to {kinds.get(type(doc), type(doc).__name__)}"
        problem += ", not a mapping with 'openapi' and 'paths' keys"
    elif "openapi" not in doc or "paths" not in doc:
        missing = [repr(k) for k in ("openapi", "paths") if k not in doc]
        keys = ", ".join(map(str, list(doc)[:8])) + (", ..." if len(doc) > 8 else "")
        problem = f"{source} is a mapping without the {' and '.join(missing)} key"
        problem += f"{'s' if len(missing) > 1 else ''} (top-level keys: {keys or 'none'})"
        if "swagger" in doc:
            problem += "; Swagger 2.0 is not supported, only OpenAPI 3.x"
    elif not isinstance(doc["paths"], dict):
        paths = kinds.get(type(doc["paths"]), type(doc["paths"]).__name__)
        problem = f"{source} has 'paths' set to {paths}, not a mapping"
    if problem:
        raise ExtractionError(f"{origin}: no OpenAPI document found: {problem}")
    return doc


def _merge_mapping(target: dict[str, Any], extra: dict[str, Any], where: str) -> None:
    for key, value in extra.items():
        if key in target and target[key] != value:
            raise ExtractionError(
                f"{where}.{key} differs between inputs; refusing to pick one "
                "(shared components must be identical)"
            )
        target[key] = value


def merge(documents: list[dict[str, Any]]) -> dict[str, Any]:
    if not documents:
        raise ExtractionError("no input documents")
    first = documents[0]
    merged: dict[str, Any] = {k: v for k, v in first.items() if k not in ("paths", "components")}
    merged["paths"] = {}
    merged["components"] = {}
    for doc in documents:
        for key in ("openapi", "info", "servers"):
            if doc.get(key) != first.get(key):
                raise ExtractionError(f"'{key}' differs between inputs")
        for path, item in doc["paths"].items():
            target = merged["paths"].setdefault(path, {})
            _merge_mapping(target, item, f"paths.{path}")
        for section, entries in doc.get("components", {}).items():
            target = merged["components"].setdefault(section, {})
            _merge_mapping(target, entries, f"components.{section}")
    merged["paths"] = dict(sorted(merged["paths"].items()))
    merged["components"] = {
        section: dict(sorted(entries.items()))
        for section, entries in sorted(merged["components"].items())
    }
    return merged


def dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", help="spec files, docs pages, or URLs")
    parser.add_argument("-o", "--output", required=True, help="where to write the merged YAML")
    args = parser.parse_args(argv)
    try:
        docs = [parse_document(read_source(s), s) for s in args.sources]
        text = dump(merge(docs))
    except ExtractionError as exc:
        print(f"extract_spec: {exc}", file=sys.stderr)
        return 1
    Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
