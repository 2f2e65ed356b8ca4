"""Compare two OpenAPI documents and classify the changes an SDK user would notice.

    python scripts/spec_diff.py OLD.yaml NEW.yaml    # exit 1 if anything is breaking

`compare(old, new)` is pure: it looks at operations (by operationId), their parameters, request and
response schemas, and component schemas with their properties. Removals, type changes and newly
required inputs are BREAKING; additions are not; description/title-only edits are "changed (docs)".
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

Kind = Literal["added", "removed", "changed", "changed (docs)"]
Section = Literal["Operations", "Parameters", "Schemas"]

SECTIONS: tuple[Section, ...] = ("Operations", "Parameters", "Schemas")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keys that only document a schema; editing them never changes generated behaviour.
DOC_KEYS = frozenset({"description", "summary", "title", "example", "examples", "externalDocs"})
_MARKERS: dict[Kind, str] = {"added": "+", "removed": "-", "changed": "~", "changed (docs)": "~"}


@dataclass(frozen=True)
class Change:
    section: Section
    kind: Kind
    subject: str
    detail: str = ""
    breaking: bool = False

    def render(self) -> str:
        text = f"  {_MARKERS[self.kind]} {self.subject} {self.kind}"
        if self.detail:
            text += f" ({self.detail})" if self.kind == "added" else f": {self.detail}"
        return text + ("  [BREAKING]" if self.breaking else "")


@dataclass
class Report:
    changes: list[Change] = field(default_factory=list)
    old_version: str | None = None
    new_version: str | None = None

    @property
    def breaking(self) -> bool:
        return any(c.breaking for c in self.changes)

    def of(self, kind: Kind) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def summary(self) -> str:
        if not self.changes:
            return "Summary: no API changes"
        counts = {k: len(self.of(k)) for k in _MARKERS}
        n_breaking = sum(c.breaking for c in self.changes)
        parts = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        verdict = f"BREAKING ({n_breaking} breaking)" if n_breaking else "non-breaking"
        return f"Summary: {len(self.changes)} changes ({parts}) - {verdict}"

    def render(self) -> str:
        lines = ["OpenAPI change report"]
        if self.old_version != self.new_version:
            lines.append(f"API version: {self.old_version} -> {self.new_version}")
        if self.breaking:
            lines.append("*** BREAKING CHANGES: existing SDK users may break ***")
        for section in SECTIONS:
            entries = [c for c in self.changes if c.section == section]
            if entries:
                lines += ["", f"{section}:"] + [c.render() for c in entries]
        lines += ["", self.summary()]
        return "\n".join(lines)


# --- schema helpers -------------------------------------------------------------------------------


def _strip_docs(value: Any, names: bool = False) -> Any:
    """`value` with documentation-only keys removed at every depth.

    `names` marks a mapping of property names (where a property may well be called "title").
    """
    if isinstance(value, Mapping):
        return {
            k: _strip_docs(v, names=k in ("properties", "patternProperties") and not names)
            for k, v in value.items()
            if names or k not in DOC_KEYS
        }
    if isinstance(value, list):
        return [_strip_docs(v) for v in value]
    return value


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_tokens(schema: Any) -> frozenset[str]:
    """The set of shapes a schema admits, e.g. {"integer", "null", "array[TimeseriesEntry]"}."""
    if not isinstance(schema, Mapping):
        return frozenset({"any"})
    if "$ref" in schema:
        return frozenset({_ref_name(schema["$ref"])})
    tokens: set[str] = set()
    for key in ("anyOf", "oneOf"):
        for member in schema.get(key, []):
            tokens |= type_tokens(member)
    if "allOf" in schema:
        parts = sorted(_fmt(type_tokens(m)) for m in schema["allOf"])
        tokens.add(f"allOf[{', '.join(parts)}]")
    raw_type = schema.get("type")
    types = raw_type if isinstance(raw_type, list) else [raw_type] if raw_type else []
    for name in types:
        tokens.add(_type_token(name, schema))
    return frozenset(tokens) if tokens else frozenset({"any"})


def _type_token(name: str, schema: Mapping[str, Any]) -> str:
    if name == "array":
        return f"array[{_fmt(type_tokens(schema.get('items')))}]"
    extra = schema.get("additionalProperties")
    if name == "object" and isinstance(extra, Mapping) and not schema.get("properties"):
        return f"map[{_fmt(type_tokens(extra))}]"
    return f"{name}:{schema['format']}" if "format" in schema else name


def _fmt(tokens: frozenset[str]) -> str:
    return " | ".join(sorted(tokens, key=lambda t: (t == "null", t)))  # "null" last reads best


def _enum_values(schema: Any) -> set[str]:
    """All enum values anywhere in `schema`, as reprs so unhashable/mixed values compare safely."""
    if isinstance(schema, Mapping):
        found = {repr(v) for v in schema.get("enum", [])}
        for value in schema.values():
            found |= _enum_values(value)
        return found
    if isinstance(schema, list):
        return set().union(*(_enum_values(v) for v in schema)) if schema else set()
    return set()


def _changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return ", ".join(keys)


@dataclass(frozen=True)
class _Delta:
    detail: str
    breaking: bool
    docs_only: bool = False


def schema_delta(old: Any, new: Any) -> _Delta | None:
    """How a parameter's or property's schema changed, or None if it did not."""
    if old == new:
        return None
    old_s, new_s = _strip_docs(old), _strip_docs(new)
    if old_s == new_s:
        return _Delta("description/title only", breaking=False, docs_only=True)
    old_t, new_t = type_tokens(old), type_tokens(new)
    if old_t != new_t:
        return _Delta(f"type {_fmt(old_t)} -> {_fmt(new_t)}", breaking=True)
    dropped = _enum_values(old) - _enum_values(new)
    if dropped:
        return _Delta(f"enum values removed: {', '.join(sorted(dropped))}", breaking=True)
    if isinstance(old_s, Mapping) and isinstance(new_s, Mapping):
        return _Delta(f"schema changed ({_changed_keys(old_s, new_s)})", breaking=False)
    return _Delta("schema changed", breaking=False)


def _combine(
    section: Section, subject: str, deltas: list[_Delta], docs_changed: bool = False
) -> Change | None:
    """Fold several aspects of one item's change into a single report line."""
    real = [d for d in deltas if not d.docs_only]
    if real:
        detail = "; ".join(d.detail for d in real)
        return Change(section, "changed", subject, detail, breaking=any(d.breaking for d in real))
    if deltas or docs_changed:
        return Change(section, "changed (docs)", subject, "description/title only")
    return None


def _without(mapping: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in keys}


# --- operations and parameters --------------------------------------------------------------------


@dataclass(frozen=True)
class _Operation:
    op_id: str
    method: str
    path: str
    body: Mapping[str, Any]
    params: dict[tuple[str, str], Mapping[str, Any]]

    @property
    def label(self) -> str:
        return f"{self.op_id} ({self.method.upper()} {self.path})"


def _resolve(doc: Mapping[str, Any], item: Any) -> Any:
    """Follow a local `#/...` $ref (parameters and bodies are often shared via components)."""
    while isinstance(item, Mapping) and str(item.get("$ref", "")).startswith("#/"):
        target: Any = doc
        for part in item["$ref"][2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        item = target
    return item


def _operations(doc: Mapping[str, Any]) -> dict[str, _Operation]:
    """Operations keyed by operationId, with parameter/body/response $refs resolved."""
    ops: dict[str, _Operation] = {}
    for path, path_item in (doc.get("paths") or {}).items():
        shared = path_item.get("parameters", [])
        for method in METHODS:
            raw = path_item.get(method)
            if not isinstance(raw, Mapping):
                continue
            params: dict[tuple[str, str], Mapping[str, Any]] = {}
            # Operation-level parameters override path-level ones with the same name+location.
            for ref in [*shared, *raw.get("parameters", [])]:
                param = _resolve(doc, ref)
                params[(str(param.get("in")), str(param.get("name")))] = param
            body = dict(raw)
            if "requestBody" in body:
                body["requestBody"] = _resolve(doc, body["requestBody"])
            if "responses" in body:
                body["responses"] = {k: _resolve(doc, v) for k, v in body["responses"].items()}
            op_id = raw.get("operationId") or f"{method.upper()} {path}"
            ops[op_id] = _Operation(op_id, method, path, body, params)
    return ops


def _payload_schemas(op: _Operation) -> dict[str, Any]:
    """Request/response schemas keyed like "request body (application/json)"."""
    found: dict[str, Any] = {}
    request = op.body.get("requestBody") or {}
    for media, content in (request.get("content") or {}).items():
        found[f"request body ({media})"] = content.get("schema")
    for status, response in (op.body.get("responses") or {}).items():
        for media, content in (response.get("content") or {}).items():
            found[f"response {status} ({media})"] = content.get("schema")
    return found


def _compare_payloads(old: dict[str, Any], new: dict[str, Any]) -> list[_Delta]:
    deltas: list[_Delta] = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            deltas.append(_Delta(f"{key} removed", breaking=True))
        elif key not in old:
            deltas.append(_Delta(f"{key} added", breaking=False))
        else:
            old_t, new_t = type_tokens(old[key]), type_tokens(new[key])
            if old_t != new_t:
                deltas.append(_Delta(f"{key} {_fmt(old_t)} -> {_fmt(new_t)}", breaking=True))
    return deltas


def _compare_operation(old: _Operation, new: _Operation) -> Change | None:
    deltas: list[_Delta] = []
    if (old.method, old.path) != (new.method, new.path):
        moved = f"{old.method.upper()} {old.path} -> {new.method.upper()} {new.path}"
        deltas.append(_Delta(f"moved {moved}", breaking=True))
    old_req = bool((old.body.get("requestBody") or {}).get("required"))
    new_req = bool((new.body.get("requestBody") or {}).get("required"))
    if new_req and not old_req:
        deltas.append(_Delta("request body became required", breaking=True))
    deltas += _compare_payloads(_payload_schemas(old), _payload_schemas(new))
    # Parameters are reported in their own section.
    old_rest, new_rest = _without(old.body, "parameters"), _without(new.body, "parameters")
    if not deltas and _strip_docs(old_rest) != _strip_docs(new_rest):
        deltas.append(_Delta(f"changed ({_changed_keys(old_rest, new_rest)})", breaking=False))
    return _combine("Operations", new.label, deltas, docs_changed=old_rest != new_rest)


def _param_label(op: _Operation, key: tuple[str, str]) -> str:
    return f"{op.op_id}: {key[0]} parameter '{key[1]}'"


def _compare_params(old: _Operation, new: _Operation) -> Iterator[Change]:
    for key in sorted(old.params.keys() | new.params.keys()):
        label = _param_label(new, key)
        if key not in new.params:
            yield Change("Parameters", "removed", label, breaking=True)
        elif key not in old.params:
            required = bool(new.params[key].get("required"))
            detail = "required" if required else "optional"
            # A new *required* input breaks every existing call site.
            yield Change("Parameters", "added", label, detail, breaking=required)
        else:
            change = _compare_param(label, old.params[key], new.params[key])
            if change:
                yield change


def _compare_param(label: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Change | None:
    deltas: list[_Delta] = []
    was, now = bool(old.get("required")), bool(new.get("required"))
    if was != now:
        deltas.append(_Delta("became required" if now else "became optional", breaking=now))
    schema = schema_delta(old.get("schema"), new.get("schema"))
    if schema:
        deltas.append(schema)
    old_rest, new_rest = _without(old, "schema", "required"), _without(new, "schema", "required")
    if _strip_docs(old_rest) != _strip_docs(new_rest):
        deltas.append(_Delta(f"changed ({_changed_keys(old_rest, new_rest)})", breaking=False))
    return _combine("Parameters", label, deltas, docs_changed=old_rest != new_rest)


def _compare_all_operations(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    old_ops, new_ops = _operations(old), _operations(new)
    changes: list[Change] = []
    params: list[Change] = []
    for op_id in sorted(old_ops.keys() | new_ops.keys()):
        if op_id not in new_ops:
            changes.append(Change("Operations", "removed", old_ops[op_id].label, breaking=True))
        elif op_id not in old_ops:
            changes.append(Change("Operations", "added", new_ops[op_id].label))
        else:
            change = _compare_operation(old_ops[op_id], new_ops[op_id])
            changes += [change] if change else []
            params += _compare_params(old_ops[op_id], new_ops[op_id])
    return changes + params


# --- component schemas ----------------------------------------------------------------------------


def _schemas(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    return (doc.get("components") or {}).get("schemas") or {}


def _compare_schema(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    # The schema's own keywords first; properties and `required` are reported per property.
    own = schema_delta(*(_without(s, "properties", "required") for s in (old, new)))
    own_change = _combine("Schemas", name, [own] if own else [])
    changes: list[Change] = [own_change] if own_change else []
    old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
    old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
    for prop in sorted(old_props.keys() | new_props.keys()):
        label = f"{name}.{prop}"
        if prop not in new_props:
            changes.append(Change("Schemas", "removed", label, breaking=True))
        elif prop not in old_props:
            required = prop in new_req
            detail = "required" if required else "optional"
            changes.append(Change("Schemas", "added", label, detail, breaking=required))
        else:
            required_change = (prop in old_req, prop in new_req)
            change = _compare_property(label, old_props[prop], new_props[prop], required_change)
            changes += [change] if change else []
    return changes


def _compare_property(label: str, old: Any, new: Any, required: tuple[bool, bool]) -> Change | None:
    deltas: list[_Delta] = []
    was, now = required
    if was != now:
        deltas.append(_Delta("became required" if now else "became optional", breaking=now))
    delta = schema_delta(old, new)
    if delta:
        deltas.append(delta)
    return _combine("Schemas", label, deltas)


def _compare_all_schemas(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    old_s, new_s = _schemas(old), _schemas(new)
    changes: list[Change] = []
    for name in sorted(old_s.keys() | new_s.keys()):
        if name not in new_s:
            changes.append(Change("Schemas", "removed", name, breaking=True))
        elif name not in old_s:
            changes.append(Change("Schemas", "added", name))
        else:
            changes += _compare_schema(name, old_s[name], new_s[name])
    return changes


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Report:
    """Classify every difference between two OpenAPI documents (neither is modified)."""
    return Report(
        changes=_compare_all_operations(old, new) + _compare_all_schemas(old, new),
        old_version=(old.get("info") or {}).get("version"),
        new_version=(new.get("info") or {}).get("version"),
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: spec_diff.py OLD NEW  (OpenAPI YAML/JSON files)", file=sys.stderr)
        return 2
    old, new = (yaml.safe_load(Path(a).read_text(encoding="utf-8")) for a in args)
    report = compare(old, new)
    print(report.render())
    return 1 if report.breaking else 0


if __name__ == "__main__":
    raise SystemExit(main())
