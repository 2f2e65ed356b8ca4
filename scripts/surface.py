"""The spec-derived SDK surface: one generation step, run by scripts/generate.py.

From the vendored spec and the hand-written table of what the spec does not say
(openapi/knowledge.yaml) it derives, per registered operation, everything spec-shaped the
overlay needs, and writes it as generated code next to the generator's output:

- `streamkap_api/surface.py`: the operations as data (method, path, resource name, every query
  parameter with its Python and wire names, types, closed values, description and table facts,
  the body's id lists, the response model, its entity maps and their depth, the metric fields
  of every metrics block);
- `streamkap_api/resources.py`: the typed resource classes (`client.pipelines.metrics(...)`,
  sync and async) with one explicit keyword per parameter, `Literal` types for closed sets and
  the spec's descriptions as docs.

It also normalises the spec before the generator sees it (`normalize`): inline object and enum
schemas are hoisted into named components, so generated classes read as words
(`PipelineMetricsResConnectorMetrics`, not `PipelineMetricsResConnectorMetricsType0`).

Table entries are checked against the spec (`KnowledgeError` names the entry): an operation,
parameter or response field the spec lacks, values the spec contradicts, a fact that does not
fit the declared type. Once the spec declares a closed set itself, the spec's values are used.
"""

from __future__ import annotations

import builtins
import copy
import json
import keyword
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROLES = (
    "split", "whole", "window_start", "window_end", "block", "step_unit", "step_count",
    "page_size", "page_number",
)  # fmt: skip
PARAMETER_FACTS = {
    "values",
    "examples",
    "default",
    "minimum",
    "tokens",
    "paging",
    "role",
    "cli",
    "selects",
    "seconds",
}
OPERATION_FACTS = {"resource", "entity"}
JSON_TO_PY = {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}


class KnowledgeError(Exception):
    """The hand-written table does not fit the spec; the message names the entry."""


# -- spec normalisation ----------------------------------------------------------------------


def _pascal(text: str) -> str:
    words = re.findall(r"[A-Za-z][a-z0-9]*|[0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text))
    return "".join(w[:1].upper() + w[1:] for w in words)


def _is_inline_object(schema: Any) -> bool:
    return (
        isinstance(schema, dict)
        and "$ref" not in schema
        and schema.get("type") == "object"
        and ("properties" in schema or isinstance(schema.get("additionalProperties"), dict))
    )


def _is_inline_enum(schema: Any) -> bool:
    return isinstance(schema, dict) and "$ref" not in schema and "enum" in schema


def normalize(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `doc` whose inline object and enum schemas are named components.

    Objects under a component's property become `<Component><Property>` (their inline
    `additionalProperties` objects `<...>Entry`); enums of query parameters become
    `<Parameter>` (or `<OperationId><Parameter>` when two operations disagree). The JSON
    documents the API accepts and returns are unchanged.
    """
    out: dict[str, Any] = copy.deepcopy(dict(doc))
    schemas: dict[str, Any] = out.setdefault("components", {}).setdefault("schemas", {})

    def hoist(schema: dict[str, Any], name: str) -> dict[str, Any]:
        unique, n = name, 2
        while unique in schemas and schemas[unique] != schema:
            unique, n = f"{name}{n}", n + 1
        schemas[unique] = schema
        return {"$ref": f"#/components/schemas/{unique}"}

    def visit(schema: Any, name: str) -> Any:
        """`schema` with inline objects below it hoisted (named from `name`)."""
        if not isinstance(schema, dict):
            return schema
        for combinator in ("anyOf", "oneOf", "allOf"):
            if combinator in schema:
                schema[combinator] = [visit(member, name) for member in schema[combinator]]
                return schema
        if _is_inline_object(schema):
            extra = schema.get("additionalProperties")
            if _is_inline_object(extra):
                schema["additionalProperties"] = visit(extra, f"{name}Entry")
            for prop, sub in list(schema.get("properties", {}).items()):
                schema["properties"][prop] = visit(sub, name + _pascal(prop))
            return hoist(schema, name)
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            schema["items"] = visit(schema["items"], f"{name}Item")
        return schema

    for comp_name in list(schemas):
        comp = schemas[comp_name]
        if not isinstance(comp, dict):
            continue
        for prop, sub in list(comp.get("properties", {}).items()):
            comp["properties"][prop] = visit(sub, comp_name + _pascal(prop))
        extra = comp.get("additionalProperties")
        if _is_inline_object(extra):
            comp["additionalProperties"] = visit(extra, f"{comp_name}Entry")

    enums: dict[str, Any] = {}
    for _path, _method, operation in _operations(out):
        for param in operation.get("parameters", []):
            members = param.get("schema", {}).get("anyOf", [param.get("schema", {})])
            for i, member in enumerate(members):
                if _is_inline_enum(member):
                    base = _pascal(param["name"])
                    if base in enums and enums[base] != member:
                        base = _pascal(operation["operationId"]) + base
                    enums[base] = member
                    ref = hoist(copy.deepcopy(member), base)
                    if "anyOf" in param["schema"]:
                        param["schema"]["anyOf"][i] = ref
                    else:
                        param["schema"] = ref
    return out


def _operations(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                yield path, method, operation


# -- the surface as data ---------------------------------------------------------------------


@dataclass
class Param:
    name: str
    wire: str
    types: tuple[str, ...]
    formats: tuple[str, ...]
    values: tuple[str, ...] | None
    values_from: str  # "spec", "knowledge" or ""
    examples: tuple[str, ...]
    title: str
    description: str
    facts: dict[str, Any] = field(default_factory=dict)
    schema: dict[str, Any] = field(default_factory=dict)  # what a value may be (`_value_schema`)
    literals: tuple[Any, ...] | None = None  # the closed set as the spec types it (1, not "1")


@dataclass
class Metric:
    name: str
    wire: str
    types: tuple[str, ...]
    series: bool
    title: str
    description: str


@dataclass
class EntityMap:
    name: str
    wire: str
    depth: int
    per_entity: bool
    title: str


@dataclass
class Op:
    operation_id: str
    method: str
    path: str
    resource: str
    entity: str
    summary: str
    description: str
    params: list[Param]
    id_lists: tuple[str, ...]
    ids: str
    body_model: str
    response_model: str
    entity_maps: list[EntityMap]
    other_fields: tuple[str, ...]
    blocks: dict[str, str]  # block wire name -> model name
    metrics: dict[str, list[Metric]]
    builder: str  # "module:function"


@dataclass
class Surface:
    api_title: str
    api_version: str
    operations: list[Op]
    notes: list[str]
    sample_states: tuple[str, ...] = ()
    series_point: tuple[str, str] = ("timestamp", "value")


# The generator's naming rules (openapi_python_client/strings.py: sanitize, split_words,
# snake_case, fix_reserved_words, PythonIdentifier), restated so that this module runs without
# the generator, which has a venv of its own (tools/generator/). scripts/generate.py holds them
# to the pinned generator's on every run, for every string of the spec and the knowledge table.
_DELIMITERS = r"\. _-"
_RESERVED = (set(dir(builtins)) | {"self", "true", "false", "datetime"}) - {"id"}


def _sanitize(value: str) -> str:
    return "".join(c for c in value if c.isidentifier() or c.isdecimal() or c in _DELIMITERS)


def _snake(text: str) -> str:
    """The generator's snake_case (module names: tags, operation ids)."""
    value = _sanitize(text)
    if any(c.isupper() for c in value):
        value = " ".join(re.split("([A-Z]?[a-z]+)", value))
    return "_".join(re.findall(rf"[^{re.escape(_DELIMITERS)}]+", value)).lower()


def _python_name(wire: str) -> str:
    """The generator's name for a property or parameter (snake_case, keyword-safe)."""
    safe = _sanitize(wire)
    name = _snake(safe)
    if name in _RESERVED or keyword.iskeyword(name):
        name += "_"
    return name if name.isidentifier() and not safe.startswith("_") else f"field_{name}"


def _deref(doc: Mapping[str, Any], schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def _ref_name(schema: Any) -> str | None:
    if isinstance(schema, dict) and "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    return None


def _members(schema: Any) -> list[Any]:
    """The non-null alternatives of a schema (anyOf/oneOf flattened one level)."""
    if not isinstance(schema, dict):
        return []
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return [
                m
                for m in schema[combinator]
                if not (isinstance(m, dict) and m.get("type") == "null")
            ]
    return [schema]


def _types(
    doc: Mapping[str, Any], schema: Any
) -> tuple[tuple[str, ...], tuple[str, ...], list[Any]]:
    """(JSON types, formats, enum values) of a schema's non-null alternatives, in spec order."""
    types: list[str] = []
    formats: list[str] = []
    values: list[Any] = []
    for member in _members(schema):
        member = _deref(doc, member)
        kind = member.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
        else:
            kinds = [kind] if kind else []
        for k in kinds:
            if k not in types:
                types.append(k)
        if "format" in member and member["format"] not in formats:
            formats.append(member["format"])
        values.extend(v for v in member.get("enum", []) if v is not None and v not in values)
    return tuple(types), tuple(formats), values


#: The JSON Schema keywords that say what a parameter's value may be (kept in the surface).
VALUE_KEYWORDS = (
    "type", "enum", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
)  # fmt: skip


def _value_schema(doc: Mapping[str, Any], schema: Any, depth: int = 0) -> dict[str, Any]:
    """What a parameter's values may be, as JSON Schema the SDK checks them with.

    The spec's schema with `$ref`s resolved, the null alternative dropped (absent is always
    allowed), `anyOf`/`oneOf` flattened into one `anyOf` of alternatives (a single one stands
    alone) and only the keywords that constrain a value kept (`VALUE_KEYWORDS`, and `items` for
    arrays, described the same way): no titles, descriptions or examples.
    """
    if depth > 16 or not isinstance(schema, dict):
        return {}
    alternatives: list[dict[str, Any]] = []
    for member in _members(schema):
        member = _deref(doc, member)
        if not isinstance(member, dict):
            continue
        if "allOf" in member:  # e.g. pydantic's {allOf: [{$ref: Enum}], default: ...}
            merged: dict[str, Any] = {}
            for part in member["allOf"]:
                merged.update(_deref(doc, part) if isinstance(part, dict) else {})
            member = merged
        if "anyOf" in member or "oneOf" in member:
            nested = _value_schema(doc, member, depth + 1)
            found = nested.get("anyOf", [nested] if nested else [])
            alternatives.extend(a for a in found if a not in alternatives)
            continue
        alternative = {k: member[k] for k in VALUE_KEYWORDS if k in member}
        kind = alternative.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            if not kinds:
                continue
            alternative["type"] = kinds[0] if len(kinds) == 1 else kinds
        elif kind == "null":
            continue
        if "enum" in alternative:
            alternative["enum"] = [v for v in alternative["enum"] if v is not None]
            if not alternative["enum"]:
                continue
        if isinstance(member.get("items"), dict):
            alternative["items"] = _value_schema(doc, member["items"], depth + 1)
        if alternative not in alternatives:
            alternatives.append(alternative)
    if not alternatives:
        return {}
    return alternatives[0] if len(alternatives) == 1 else {"anyOf": alternatives}


def load_knowledge(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path.name}: expected a mapping at the top level")
    for key in data:
        if key not in ("operations", "parameters", "responses"):
            raise KnowledgeError(f"{path.name}: unknown section {key!r}")
    return data


def derive(
    doc: Mapping[str, Any],
    knowledge: Mapping[str, Any],
    *,
    source: str = "knowledge.yaml",
    lenient: bool = False,
) -> Surface:
    """The surface of the registered operations; raises KnowledgeError when the table misfits."""
    doc = normalize(doc)
    ops_by_id = {op["operationId"]: (path, method, op) for path, method, op in _operations(doc)}
    registry = knowledge.get("operations") or {}
    if not registry:
        raise KnowledgeError(f"{source}: operations: no operation registered")
    param_facts: dict[str, dict[str, Any]] = dict(knowledge.get("parameters") or {})
    responses = knowledge.get("responses") or {}
    unknown_response_facts = set(responses) - {"aggregates", "sample_states"}
    if unknown_response_facts:
        raise KnowledgeError(
            f"{source}: responses: unknown fact(s) {sorted(unknown_response_facts)}"
        )
    aggregates = list(responses.get("aggregates") or [])
    sample_states = tuple(str(s) for s in responses.get("sample_states") or ("OK",))
    notes: list[str] = []
    operations: list[Op] = []
    seen_params: set[str] = set()
    seen_fields: set[str] = set()
    resources: dict[str, str] = {}
    for operation_id, extra in registry.items():
        extra = extra or {}
        where = f"{source}: operations.{operation_id}"
        if operation_id not in ops_by_id and lenient:
            continue  # the spec before an update: the table may already name what it adds
        if operation_id not in ops_by_id:
            known = ", ".join(sorted(ops_by_id))
            raise KnowledgeError(
                f"{where}: the spec has no operation {operation_id!r} (it has: {known})"
            )
        unknown = set(extra) - OPERATION_FACTS
        if unknown:
            raise KnowledgeError(f"{where}: unknown fact(s) {', '.join(sorted(unknown))}")
        path, method, spec_op = ops_by_id[operation_id]
        resource = extra.get("resource") or path.strip("/").split("/")[0].replace("-", "_")
        if not resource.isidentifier() or keyword.iskeyword(resource):
            raise KnowledgeError(f"{where}: resource name {resource!r} is not a Python identifier")
        if resource in resources:
            raise KnowledgeError(f"{where}: resource {resource!r} is also {resources[resource]}")
        resources[resource] = operation_id
        entity = extra.get("entity") or (resource[:-1] if resource.endswith("s") else resource)
        params: list[Param] = []
        for spec_param in spec_op.get("parameters", []):
            if spec_param.get("in") != "query":
                continue
            wire = spec_param["name"]
            seen_params.add(wire)
            schema = spec_param.get("schema", {})
            types, formats, spec_values = _types(doc, schema)
            facts = dict(param_facts.get(wire) or {})
            param = _param(
                wire, types, formats, spec_values, schema, spec_param, facts, source, notes
            )
            param.schema = _value_schema(doc, schema)
            if param.values is not None:
                param.literals = tuple(spec_values) if spec_values else param.values
            params.append(param)
        raw_body = spec_op.get("requestBody", {}).get("content", {}).get("application/json", {})
        body_ref = next((r for r in map(_ref_name, _members(raw_body.get("schema"))) if r), None)
        body_schema = doc["components"]["schemas"][body_ref] if body_ref else {}
        id_lists = tuple(
            name
            for name, sub in body_schema.get("properties", {}).items()
            if {"array", "string"} <= set(_types(doc, sub)[0])
        )
        for wire in id_lists:
            seen_params.add(wire)
        role_of = {p.wire: p.facts.get("role") for p in params}
        for wire in id_lists:
            if wire not in role_of:
                role_of[wire] = (param_facts.get(wire) or {}).get("role")
        id_roles = [w for w, r in role_of.items() if r == "split"]
        if len(id_roles) != 1 or id_roles[0] not in id_lists:
            raise KnowledgeError(
                f"{source}: parameters: exactly one body id list of {operation_id} needs role: split "
                f"(body id lists: {', '.join(id_lists) or 'none'})"
            )
        ok = (
            spec_op.get("responses", {})
            .get("200", {})
            .get("content", {})
            .get("application/json", {})
        )
        response_ref = _ref_name(ok.get("schema"))
        if response_ref is None:
            raise KnowledgeError(f"{where}: the 200 response has no named JSON schema")
        response_schema = _deref(doc, ok["schema"])
        entity_maps: list[EntityMap] = []
        other: list[str] = []
        blocks: dict[str, str] = {}
        metrics: dict[str, list[Metric]] = {}
        for wire, sub in response_schema.get("properties", {}).items():
            seen_fields.add(wire)
            depth, leaf = _map_depth(doc, sub)
            if depth == 0 or leaf is None:
                other.append(_python_name(wire))
                continue
            entity_maps.append(
                EntityMap(
                    _python_name(wire),
                    wire,
                    depth,
                    wire not in aggregates,
                    str(sub.get("title", wire)),
                )
            )
            leaf_schema = doc["components"]["schemas"][leaf]
            for block, block_sub in leaf_schema.get("properties", {}).items():
                block_ref = next((r for r in map(_ref_name, _members(block_sub)) if r), None)
                if block_ref is None:
                    continue
                if block in blocks and blocks[block] != block_ref:
                    raise KnowledgeError(
                        f"{where}: metrics block {block!r} has two models ({blocks[block]}, {block_ref})"
                    )
                blocks[block] = block_ref
                metrics[block] = _metric_fields(doc, block_ref)
        operations.append(
            Op(
                operation_id=operation_id,
                method=method.upper(),
                path=path,
                resource=resource,
                entity=entity,
                summary=str(spec_op.get("summary", "")),
                description=str(spec_op.get("description", "")),
                params=params,
                id_lists=id_lists,
                ids=id_roles[0],
                body_model=body_ref or "",
                response_model=response_ref,
                entity_maps=entity_maps,
                other_fields=tuple(other),
                blocks=blocks,
                metrics=metrics,
                builder=_builder(spec_op, operation_id),
            )
        )
    for wire in param_facts:
        if wire not in seen_params and not lenient:
            raise KnowledgeError(
                f"{source}: parameters.{wire}: no registered operation of the spec has a "
                f"parameter {wire!r} (remove the entry, or fix its name)"
            )
    for wire in aggregates:
        if wire not in seen_fields and not lenient:
            raise KnowledgeError(
                f"{source}: responses.aggregates: no registered response has a field {wire!r}"
            )
    all_maps = {m.wire for op in operations for m in op.entity_maps}
    for wire, facts in param_facts.items():
        for value, target in ((facts or {}).get("selects") or {}).items():
            if target not in all_maps:
                raise KnowledgeError(
                    f"{source}: parameters.{wire}.selects.{value}: no entity map {target!r} in "
                    f"the responses (they have: {', '.join(sorted(all_maps))})"
                )
    info = doc.get("info", {})
    point = _series_point(doc, operations)
    return Surface(
        str(info.get("title", "")), str(info.get("version", "")), operations, notes,
        sample_states, point,
    )  # fmt: skip


def _series_point(doc: Mapping[str, Any], operations: list[Op]) -> tuple[str, str]:
    """(time key, value key) of a time series point: its string and its numeric property."""
    for model in {m for op in operations for m in op.blocks.values()}:
        for sub in doc["components"]["schemas"][model].get("properties", {}).values():
            if _types(doc, sub)[0] == ("array",):
                array = next(m for m in (_deref(doc, m) for m in _members(sub)) if "items" in m)
                item = _deref(doc, array["items"])
                props = item.get("properties", {})
                time_key = next(
                    (k for k, v in props.items() if _types(doc, v)[0] == ("string",)), None
                )
                value_key = next(
                    (k for k, v in props.items() if set(_types(doc, v)[0]) & {"integer", "number"}),
                    None,
                )
                if time_key and value_key:
                    return time_key, value_key
    return "timestamp", "value"


def _builder(spec_op: Mapping[str, Any], operation_id: str) -> str:
    tag = _snake(spec_op.get("tags", ["default"])[0]) if spec_op.get("tags") else "default"
    return f"streamkap_api.api.{tag}.{_snake(operation_id)}:build_request_kwargs"


def _param(
    wire: str,
    types: tuple[str, ...],
    formats: tuple[str, ...],
    spec_values: list[Any],
    schema: Mapping[str, Any],
    spec_param: Mapping[str, Any],
    facts: dict[str, Any],
    source: str,
    notes: list[str],
) -> Param:
    where = f"{source}: parameters.{wire}"
    unknown = set(facts) - PARAMETER_FACTS
    if unknown:
        raise KnowledgeError(f"{where}: unknown fact(s) {', '.join(sorted(unknown))}")
    role = facts.get("role")
    if role is not None and role not in ROLES:
        raise KnowledgeError(f"{where}: role must be one of {', '.join(ROLES)}; got {role!r}")
    table_values = facts.get("values")
    values: tuple[str, ...] | None = None
    values_from = ""
    if spec_values:
        values = tuple(str(v) for v in spec_values)
        values_from = "spec"
        if table_values is not None:
            missing = [v for v in table_values if v not in values]
            if missing:
                raise KnowledgeError(
                    f"{where}: values {', '.join(map(repr, missing))} contradict the spec, which "
                    f"declares {', '.join(map(repr, values))}; the spec wins: fix or delete `values`"
                )
            notes.append(f"{wire}: the spec now declares its values; `values` in {source} can go")
    elif table_values is not None:
        if "string" not in types:
            raise KnowledgeError(f"{where}: values given, but the spec types it {'|'.join(types)}")
        values, values_from = tuple(str(v) for v in table_values), "knowledge"
    if "minimum" in facts and (
        "integer" not in types
        or isinstance(facts["minimum"], bool)
        or not isinstance(facts["minimum"], int)
    ):
        raise KnowledgeError(f"{where}: minimum needs an integer parameter and an integer value")
    if facts.get("tokens") and not {"integer", "string"} <= set(types):
        raise KnowledgeError(f"{where}: tokens needs a parameter typed integer | string")
    if role in ("window_start", "window_end") and "string" not in types:
        raise KnowledgeError(f"{where}: a timestamp role needs a string parameter")
    default = facts.get("default")
    if default is not None and values is not None and default not in values:
        raise KnowledgeError(f"{where}: default {default!r} is not one of {', '.join(values)}")
    seconds = facts.get("seconds")
    if seconds is not None:
        if (
            role != "step_unit"
            or not isinstance(seconds, dict)
            or not all(isinstance(v, int) and v > 0 for v in seconds.values())
        ):
            raise KnowledgeError(f"{where}: seconds needs role: step_unit and positive integers")
        for unit in values or ():
            if unit not in seconds:
                raise KnowledgeError(f"{where}: seconds has no duration for value {unit!r}")
    examples = tuple(str(v) for v in facts.get("examples") or seconds or ())
    description = str(spec_param.get("description") or schema.get("description") or "")
    title = str(schema.get("title") or wire)
    return Param(
        _python_name(wire),
        wire,
        types,
        formats,
        values,
        values_from,
        examples,
        title,
        description,
        facts,
    )


def _map_depth(doc: Mapping[str, Any], schema: Any) -> tuple[int, str | None]:
    """(nesting depth, leaf model) of a map of maps of models; (0, None) for anything else."""
    depth = 0
    for member in _members(schema):
        node = _deref(doc, member)
        while (
            isinstance(node, dict)
            and node.get("type") == "object"
            and isinstance(node.get("additionalProperties"), dict)
            and not node.get("properties")
        ):
            extra = node["additionalProperties"]
            depth += 1
            leaf = _ref_name(extra)
            target = _deref(doc, extra)
            if leaf is not None and target.get("properties"):
                return depth, leaf
            node = target
        depth = 0
    return 0, None


def _metric_fields(doc: Mapping[str, Any], model: str) -> list[Metric]:
    fields: list[Metric] = []
    for wire, sub in doc["components"]["schemas"][model].get("properties", {}).items():
        types, _formats, _values = _types(doc, sub)
        series = types == ("array",)
        if series:
            array = next(m for m in map(lambda m: _deref(doc, m), _members(sub)) if "items" in m)
            item = _deref(doc, array["items"])
            types = _types(doc, item.get("properties", {}).get("value", {}))[0]
        fields.append(
            Metric(
                _python_name(wire),
                wire,
                types,
                series,
                str(sub.get("title", wire)),
                str(sub.get("description", "")),
            )
        )
    return fields


# -- rendering -------------------------------------------------------------------------------


def _lit(value: Any) -> str:
    return repr(value)


def _tuple(items: Any) -> str:
    items = list(items)
    if not items:
        return "()"
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _render_param(p: Param) -> str:
    """The `QueryParam(...)` expression of one parameter."""
    args = [
        f"name={_lit(p.name)}",
        f"wire={_lit(p.wire)}",
        f"types={_tuple(map(_lit, p.types))}",
        f"formats={_tuple(map(_lit, p.formats))}",
        f"values={_tuple(map(_lit, p.values)) if p.values is not None else 'None'}",
        f"values_from={_lit(p.values_from)}",
        f"examples={_tuple(map(_lit, p.examples))}",
        f"title={_lit(p.title)}",
        f"description={_lit(p.description)}",
    ]
    f = p.facts
    if f.get("default") is not None:
        args.append(f"default={_lit(str(f['default']))}")
    if "minimum" in f:
        args.append(f"minimum={_lit(f['minimum'])}")
    for flag in ("tokens", "paging"):
        if f.get(flag):
            args.append(f"{flag}=True")
    if f.get("role"):
        args.append(f"role={_lit(f['role'])}")
    if f.get("cli"):
        args.append(f"cli={_lit(f['cli'])}")
    if f.get("seconds"):
        args.append(f"seconds=MappingProxyType({_lit(dict(f['seconds']))})")
    if f.get("selects"):
        sel = {str(k): str(v) for k, v in f["selects"].items()}
        args.append(f"selects=MappingProxyType({_lit(sel)})")
    if p.schema:
        args.append(f"schema=MappingProxyType({_lit(p.schema)})")
    return "QueryParam(" + ", ".join(args) + ")"


def render_surface(surface: Surface) -> str:
    """The source of `streamkap_api/surface.py`."""
    lines = [
        '"""The spec-derived surface of the SDK: the metrics operations as data.',
        "",
        "Generated by scripts/surface.py from openapi/streamkap.yaml and openapi/knowledge.yaml;",
        "never edit by hand (`make generate`; `make check-generated` fails on drift). The SDK's",
        "resources, checks, chunk merge, export, CLI, sandbox and testing kit read it.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass, field",
        "from types import MappingProxyType",
        "from typing import Any",
        "from collections.abc import Mapping",
        "",
        f"API_TITLE = {_lit(surface.api_title)}",
        f"API_VERSION = {_lit(surface.api_version)}",
        "#: (time key, value key) of each point of a time series metric",
        f"SERIES_POINT = {_lit(surface.series_point)}",
        "#: values the sandbox and the kit give string-only metrics (knowledge)",
        f"SAMPLE_STATES = {_tuple(map(_lit, surface.sample_states))}",
        "",
        "",
        "def _empty() -> Mapping[str, Any]:",
        "    return MappingProxyType({})",
        "",
        "",
        "@dataclass(frozen=True, slots=True)",
        "class QueryParam:",
        '    """One query parameter of an operation, as the spec and the knowledge table say."""',
        "",
        "    name: str  # Python keyword",
        "    wire: str  # query key",
        "    types: tuple[str, ...]  # JSON types besides null, in spec order",
        "    formats: tuple[str, ...]",
        "    values: tuple[str, ...] | None  # a closed set (wire form), refused otherwise; None: open",
        "    values_from: str  # 'spec' or 'knowledge' (prose the table restates), '' when open",
        "    examples: tuple[str, ...]  # offered for completion, never refused",
        "    title: str",
        "    description: str",
        "    default: str | None = None  # what the API assumes when absent (knowledge)",
        "    minimum: int | None = None",
        "    tokens: bool = False  # a non-numeric string is an opaque token",
        "    paging: bool = False",
        "    role: str | None = None  # split, whole, window_start, window_end, block, step_*, page_*",
        "    cli: str | None = None  # CLI flag, when not --wire-name",
        "    selects: Mapping[str, str] = field(default_factory=_empty)  # value -> entity map",
        "    seconds: Mapping[str, int] = field(default_factory=_empty)  # step_unit: value -> s",
        "    #: what a value may be: the spec's JSON Schema, $refs resolved, without null (absent is",
        "    #: always allowed), alternatives under one anyOf, only the keywords that constrain a value",
        "    schema: Mapping[str, Any] = field(default_factory=_empty)",
        "",
        "    @property",
        "    def flag(self) -> str:",
        "        return self.cli or '--' + self.wire.replace('_', '-')",
        "",
        "",
        "@dataclass(frozen=True, slots=True)",
        "class MetricField:",
        '    """One metric of a metrics block (a property of e.g. PipelineLatestMetrics)."""',
        "",
        "    name: str  # model attribute",
        "    wire: str  # JSON key",
        "    types: tuple[str, ...]  # of the value (for a series: of each point's value)",
        "    series: bool  # a list of timeseries entries",
        "    title: str",
        "    description: str",
        "",
        "",
        "@dataclass(frozen=True, slots=True)",
        "class EntityMap:",
        '    """A top-level response field that maps ids (depth 2: ids, then tasks/topics) to metrics."""',
        "",
        "    name: str",
        "    wire: str",
        "    depth: int",
        "    per_entity: bool  # False for aggregates (not keyed by the ids asked)",
        "    title: str",
        "",
        "",
        "@dataclass(frozen=True, slots=True)",
        "class Operation:",
        '    """One metrics search operation of the family (`client.<resource>.metrics`)."""',
        "",
        "    operation_id: str",
        "    method: str",
        "    path: str",
        "    resource: str",
        "    entity: str",
        "    summary: str",
        "    description: str",
        "    query: tuple[QueryParam, ...]",
        "    id_lists: tuple[str, ...]  # body fields taking an array or a comma-separated string",
        "    ids: str  # the id list split across requests (role: ids): the methods' positional",
        "    body_model: str",
        "    response_model: str",
        "    entity_maps: tuple[EntityMap, ...]",
        "    other_fields: tuple[str, ...]  # attributes of the other top-level response fields",
        "    metric_models: Mapping[str, str]  # block ('latest', ...) -> model name",
        "    metrics: Mapping[str, tuple[MetricField, ...]]  # block -> its metrics",
        "    builder: str  # 'module:function' of the generated request builder",
        "",
        "    def param(self, key: str) -> QueryParam | None:",
        '        """The parameter by Python or wire name."""',
        "        return next((p for p in self.query if key in (p.name, p.wire)), None)",
        "",
        "    def with_role(self, role: str) -> QueryParam | None:",
        "        return next((p for p in self.query if p.role == role), None)",
        "",
        "    def model(self, name: str) -> Any:",
        '        """A model class of this operation by name (imports the models on first use)."""',
        "        from . import models",
        "",
        "        return getattr(models, name)",
        "",
        "",
    ]
    # each distinct parameter once (the operations of the family share most of them)
    names: dict[str, str] = {}
    for op in surface.operations:
        for p in op.params:
            rendered = _render_param(p)
            if rendered not in names:
                base = f"_{p.wire.upper()}"
                taken = set(names.values())
                name, n = base, 2
                while name in taken:
                    name, n = f"{base}_{n}", n + 1
                names[rendered] = name
                lines += [f"{name} = {rendered}", ""]
    lines += ["", "OPERATIONS: tuple[Operation, ...] = ("]
    for op in surface.operations:
        lines.append("    Operation(")
        lines += [
            f"        operation_id={_lit(op.operation_id)},",
            f"        method={_lit(op.method)},",
            f"        path={_lit(op.path)},",
            f"        resource={_lit(op.resource)},",
            f"        entity={_lit(op.entity)},",
            f"        summary={_lit(op.summary)},",
            f"        description={_lit(op.description)},",
            "        query=(",
        ]
        for p in op.params:
            lines.append(f"            {names[_render_param(p)]},")
        lines.append("        ),")
        lines.append(f"        id_lists={_tuple(map(_lit, op.id_lists))},")
        lines.append(f"        ids={_lit(op.ids)},")
        lines.append(f"        body_model={_lit(op.body_model)},")
        lines.append(f"        response_model={_lit(op.response_model)},")
        lines.append("        entity_maps=(")
        for m in op.entity_maps:
            lines.append(
                f"            EntityMap(name={_lit(m.name)}, wire={_lit(m.wire)}, depth={m.depth}, "
                f"per_entity={m.per_entity}, title={_lit(m.title)}),"
            )
        lines.append("        ),")
        lines.append(f"        other_fields={_tuple(map(_lit, op.other_fields))},")
        lines.append(f"        metric_models=MappingProxyType({_lit(op.blocks)}),")
        lines.append("        metrics=MappingProxyType({")
        for block, fields in op.metrics.items():
            lines.append(f"            {_lit(block)}: (")
            for m in fields:
                lines.append(
                    f"                MetricField(name={_lit(m.name)}, wire={_lit(m.wire)}, "
                    f"types={_tuple(map(_lit, m.types))}, series={m.series}, title={_lit(m.title)}, "
                    f"description={_lit(m.description)}),"
                )
            lines.append("            ),")
        lines.append("        }),")
        lines.append(f"        builder={_lit(op.builder)},")
        lines.append("    ),")
    lines += [
        ")",
        "",
        "_BY_KEY = {key: op for op in OPERATIONS for key in (op.resource, op.operation_id)}",
        "",
        "",
        "def operation(key: str) -> Operation:",
        '    """An operation by resource name (`pipelines`) or operation id."""',
        "    try:",
        "        return _BY_KEY[key]",
        "    except KeyError:",
        "        known = ', '.join(op.resource for op in OPERATIONS)",
        "        raise KeyError(f'no operation {key!r}; the SDK has: {known}') from None",
        "",
    ]
    return "\n".join(lines)


def _annotation(p: Param, alias: str | None) -> str:
    if p.facts.get("role") in ("split", "whole"):
        return "IdList | None"
    if p.facts.get("role") in ("window_start", "window_end"):
        return "datetime.datetime | str | None"
    parts: list[str] = []
    if alias is not None:
        parts.append(alias)
    closed = alias is not None and p.values is not None  # the alias holds the whole closed set
    alternatives = p.schema.get("anyOf", [p.schema]) if p.schema else []
    for alternative in alternatives:
        if closed and ("enum" in alternative or alternative.get("type") == "string"):
            continue  # a closed set: only its literals
        for py in _value_annotation(alternative):
            if py not in parts:
                parts.append(py)
    if not alternatives:
        for t in p.types:  # no schema: the JSON types alone
            py = JSON_TO_PY.get(t, "Any")
            if py not in parts:
                parts.append(py)
    return " | ".join([*parts, "None"]) if parts else "Any"


#: The Python types a string of a JSON Schema format may also be given as (the SDK converts).
FORMAT_TO_PY = {"date-time": "datetime.datetime", "date": "datetime.date", "uuid": "uuid.UUID"}


def _value_annotation(schema: Mapping[str, Any]) -> list[str]:
    """The Python types of one alternative of a value schema (`_value_schema`)."""
    if "enum" in schema:
        return ["Literal[" + ", ".join(_lit(v) for v in schema["enum"]) + "]"]
    kinds = schema.get("type")
    out: list[str] = []
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        if kind == "array":
            items = schema.get("items") or {}
            inner = [a for alt in items.get("anyOf", [items]) for a in _value_annotation(alt)]
            item = " | ".join(dict.fromkeys(inner)) or "Any"
            out += [f"list[{item}]", f"tuple[{item}, ...]"]
        elif kind == "string" and schema.get("format") in FORMAT_TO_PY:
            out += [FORMAT_TO_PY[schema["format"]], "str"]
        elif kind in JSON_TO_PY:
            out.append(JSON_TO_PY[kind])
        else:
            out.append("Any")
    return out


def _doc_lines(text: str, indent: str, width: int = 92) -> list[str]:
    import textwrap

    out: list[str] = []
    for paragraph in text.strip().split("\n"):
        wrapped = textwrap.wrap(paragraph, width) or [""]
        out.extend(indent + w if w else "" for w in wrapped)
    return out


def _uses_uuid(surface: Surface) -> bool:
    return any("uuid" in json.dumps(p.schema) for op in surface.operations for p in op.params)


def render_resources(surface: Surface) -> str:
    """The source of `streamkap_api/resources.py`."""
    aliases: dict[str, tuple[Any, ...]] = {}
    alias_of: dict[tuple[str, str], str] = {}
    for op in surface.operations:
        for p in op.params:
            choices = p.literals if p.literals is not None else (p.examples or None)
            if not choices:
                continue
            name = _pascal(p.wire)
            if name in aliases and aliases[name] != choices:
                name = _pascal(op.resource) + _pascal(p.wire)
            aliases[name] = choices
            alias_of[(op.operation_id, p.wire)] = name
    lines = [
        '"""Typed resources: `client.<resource>.metrics(...)` with one keyword per spec parameter.',
        "",
        "Generated by scripts/surface.py from openapi/streamkap.yaml and openapi/knowledge.yaml;",
        "never edit by hand. Each method hands its arguments to the SDK client that owns it",
        "(`streamkap_sdk`), which checks them against `surface` before anything is sent.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import datetime",
        *(["import uuid"] if _uses_uuid(surface) else []),
        "from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence",
        "from typing import TYPE_CHECKING, Any, Generic, Literal, Never, Protocol, TypeVar",
        "",
        "import httpx",
        "",
        "from .surface import Operation, operation",
        "",
        "if TYPE_CHECKING:",
    ]
    for model in sorted({op.response_model for op in surface.operations}):
        lines.append(f"    from .models import {model}")
    models = sorted({op.response_model for op in surface.operations})
    exported = [
        *models,
        *(
            f"{p}{_pascal(op.resource)}Resource{raw}"
            for op in surface.operations
            for p in ("", "Async")
            for raw in ("", "WithRawResponse")
        ),
        *aliases,
        "AsyncResources",
        "IdList",
        "RawResponse",
        "Resources",
    ]
    lines += [
        "",
        "#: The response models, for `from streamkap_sdk import ...` (see streamkap_sdk.__init__).",
        f"RESPONSE_MODELS = {_tuple(map(_lit, models))}",
        f"__all__ = [{', '.join(map(_lit, sorted(exported)))}]",
        "",
        "IdList = str | Iterable[str]",
        "Progress = Callable[[int, int], None]",
        "Timeout = float | httpx.Timeout | None",
        "",
    ]
    for name, choices in aliases.items():
        open_set = not any(
            p.values is not None
            for op in surface.operations
            for p in op.params
            if alias_of.get((op.operation_id, p.wire)) == name
        )
        lit = "Literal[" + ", ".join(_lit(c) for c in choices) + "]"
        comment = "  # examples: any string is accepted" if open_set else ""
        lines.append(f"{name} = {lit}{comment}")
    lines += [
        "",
        "",
        "class Call(Protocol):",
        '    """What a resource calls: the SDK client\'s one entry point for every operation."""',
        "",
        "    def __call__(",
        "        self,",
        "        operation: Operation,",
        "        ids: object,",
        "        params: dict[str, Any],",
        "        unknown: Mapping[str, Any],",
        "        options: dict[str, Any],",
        "        /,",
        "    ) -> Any: ...",
        "",
        "",
        '_R = TypeVar("_R")',
        '_M_co = TypeVar("_M_co", covariant=True)',
        "",
        "",
        "class RawResponse(Protocol[_M_co]):",
        '    """What `client.<resource>.with_raw_response.metrics(...)` returns: the HTTP response',
        "    (status, headers, request id, timing, retries) beside the usual model, `parse()`.",
        "",
        "    The body was already read and checked when the call returned (a response that does not",
        "    fit the model raised then, as without `with_raw_response`). For a call split into",
        "    several requests, `responses` holds one per request, in the order of the id chunks,",
        "    and the attributes describe the first; `parse()` returns the merged model.",
        '    """',
        "",
        "    @property",
        "    def status_code(self) -> int: ...",
        "    @property",
        "    def headers(self) -> httpx.Headers: ...",
        "    @property",
        "    def request_id(self) -> str | None: ...",
        "    @property",
        "    def elapsed(self) -> datetime.timedelta: ...",
        "    @property",
        "    def retries_taken(self) -> int: ...",
        "    @property",
        "    def method(self) -> str: ...",
        "    @property",
        "    def url(self) -> httpx.URL: ...",
        "    @property",
        "    def responses(self) -> Sequence[RawResponse[_M_co]]: ...",
        "    def parse(self) -> _M_co: ...",
        "",
    ]
    for op in surface.operations:
        for is_async in (False, True):
            lines += ["", *_resource_class(op, is_async, alias_of)]
    for is_async in (False, True):
        prefix = "Async" if is_async else ""
        lines += [
            "",
            "",
            f"class {prefix}Resources:",
            f'    """The resources of {"an async" if is_async else "a sync"} client, one per registered operation."""',
            "",
        ]
        for op in surface.operations:
            lines.append(f"    {op.resource}: {prefix}{_pascal(op.resource)}Resource")
            lines.append(f'    """{op.summary or op.operation_id} (`{op.method} {op.path}`)."""')
        lines += [
            "",
            "    def _bind_resources(self, call: Call) -> None:",
        ]
        for op in surface.operations:
            lines.append(
                f"        self.{op.resource} = {prefix}{_pascal(op.resource)}Resource(call)"
            )
    lines.append("")
    return "\n".join(lines)


def _resource_class(op: Op, is_async: bool, alias_of: Mapping[tuple[str, str], str]) -> list[str]:
    """The resource of `op` as three classes: the method, generic in what it returns, then the
    resource (returns the model) and its `with_raw_response` view (returns a RawResponse)."""
    prefix = "Async" if is_async else ""
    cls = f"{prefix}{_pascal(op.resource)}Resource"
    base = f"_{cls}Base"
    where = f"client.{op.resource}"
    kind = "async" if is_async else "sync"
    lines = _resource_base(op, base, is_async, alias_of)
    lines += [
        "",
        "",
        f'class {cls}WithRawResponse({base}["RawResponse[{op.response_model}]"]):',
        f'    """`{where}.with_raw_response` on the {kind} client: `metrics()` returns a',
        '    RawResponse (status, headers, request id, timing, retries; `parse()` for the model)."""',
        "",
        "    __slots__ = ()",
        "",
        "",
        f'class {cls}({base}["{op.response_model}"]):',
        f'    """`{where}` on the {kind} client: {op.operation_id}."""',
        "",
        "    __slots__ = ()",
        "",
        "    @property",
        f"    def with_raw_response(self) -> {cls}WithRawResponse:",
        '        """The same `metrics()`, returning the HTTP response beside the model."""',
        f"        return {cls}WithRawResponse(self._call, raw=True)",
    ]
    return lines


def _resource_base(
    op: Op, cls: str, is_async: bool, alias_of: Mapping[tuple[str, str], str]
) -> list[str]:
    ids = next((p for p in op.params if p.wire == op.ids), None)
    window = any(p.facts.get("role") == "window_start" for p in op.params)
    ret = "_R"
    lines = [
        "",
        f"class {cls}(Generic[_R]):",
        f'    """{op.operation_id}, {"async" if is_async else "sync"}: `metrics()` returns `_R`."""',
        "",
        '    __slots__ = ("_call", "_raw")',
        "",
        "    def __init__(self, call: Call, *, raw: bool = False) -> None:",
        "        self._call = call",
        "        self._raw = raw",
        "",
        f"    {'async ' if is_async else ''}def metrics(",
        "        self,",
        "        ids: IdList | None = None,",
        "        *,",
    ]
    names: list[str] = []
    for p in op.params:
        if ids is not None and p.wire == ids.wire:
            continue
        lines.append(
            f"        {p.name}: {_annotation(p, alias_of.get((op.operation_id, p.wire)))} = None,"
        )
        names.append(p.name)
    if window:
        lines.append("        since: datetime.timedelta | None = None,")
    lines += [
        "        extra_query: Mapping[str, Any] | None = None,",
        "        extra_body: Mapping[str, Any] | None = None,",
        "        timeout: Timeout = None,",
        "        max_retries: int | None = None,",
        "        deadline: float | None = None,",
        "        progress: Progress | None = None,",
        "        **unknown: Never,",
        f"    ) -> {ret}:",
        '        """' + (op.summary or op.operation_id) + ".",
        "",
    ]
    if op.description:
        lines += _doc_lines(op.description, "        ")
        lines.append("")
    lines += [
        f"        `{op.method} {op.path}` ({op.operation_id}). Any number of ids: above the client's",
        "        `max_ids_per_request` the call is split into several requests and merged.",
        "",
        "        Args:",
    ]
    if ids is not None:
        lines += _doc_lines(
            f"ids: {ids.description or ids.title} (a list, or one comma-separated string).",
            "            ",
        )
    for p in op.params:
        if ids is not None and p.wire == ids.wire:
            continue
        text = f"{p.name}: {p.description or p.title}"
        if p.values is not None:
            text += f" One of: {', '.join(p.values)}."
        elif p.examples:
            text += f" For example: {', '.join(p.examples)} (other values pass through)."
        if p.facts.get("paging"):
            text += " Pages within one request's ids."
        lines += _doc_lines(text, "            ")
    if window:
        lines += _doc_lines(
            "since: A window ending now (or at the window's end parameter) instead of its start.",
            "            ",
        )
    lines += _doc_lines(
        "extra_query / extra_body: parameters the spec does not name yet, sent unchecked (the API"
        " reads the body over the query).",
        "            ",
    )
    lines += _doc_lines(
        "timeout, max_retries, deadline: per-call overrides of the client's settings.",
        "            ",
    )
    lines += _doc_lines("progress: called with (requests done, requests in all).", "            ")
    lines += [
        '        """',
        "        params = {",
    ]
    for name in names:
        lines.append(f"            {_lit(name)}: {name},")
    if window:
        lines.append('            "since": since,')
    lines += [
        '            "extra_query": extra_query,',
        '            "extra_body": extra_body,',
        "        }",
        "        options = {",
        '            "timeout": timeout,',
        '            "max_retries": max_retries,',
        '            "deadline": deadline,',
        '            "progress": progress,',
        '            "raw": self._raw,',
        "        }",
    ]
    call = f"self._call(_OP_{_snake(op.resource).upper()}, ids, params, unknown, options)"
    if is_async:
        lines.append(f"        result: Awaitable[{ret}] = {call}")
        lines.append("        return await result")
    else:
        lines.append(f"        result: {ret} = {call}")
        lines.append("        return result")
    if not is_async:
        lines.insert(0, f"_OP_{_snake(op.resource).upper()} = operation({_lit(op.operation_id)})")
        lines.insert(1, "")
    return lines


def write(out_package: Path, spec: Mapping[str, Any], knowledge_path: Path) -> Surface:
    """Write surface.py and resources.py into the generated package; return the surface."""
    surface = derive(spec, load_knowledge(knowledge_path), source=knowledge_path.name)
    (out_package / "surface.py").write_text(render_surface(surface), encoding="utf-8")
    (out_package / "resources.py").write_text(render_resources(surface), encoding="utf-8")
    return surface


def main() -> None:  # pragma: no cover - debugging aid
    import sys

    spec = yaml.safe_load(Path(sys.argv[1]).read_text())
    surface = derive(spec, load_knowledge(Path(sys.argv[2])))
    print(json.dumps([op.operation_id for op in surface.operations]))


if __name__ == "__main__":  # pragma: no cover
    main()


# -- what a spec change means for SDK users ------------------------------------------------------


@dataclass
class SdkChanges:
    """The SDK-facing difference between two specs (for `make update-spec`)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # breaking for users
    changed: list[str] = field(default_factory=list)  # breaking: narrower values, new types

    @property
    def breaking(self) -> bool:
        return bool(self.removed or self.changed)

    @property
    def bump(self) -> str:
        return "major" if self.breaking else "minor" if self.added else "none"

    def render(self, version: str = "") -> str:
        lines = ["SDK change report (what SDK users see)"]
        for title, items in (
            ("added", self.added),
            ("removed [BREAKING]", self.removed),
            ("changed [BREAKING]", self.changed),
        ):
            if items:
                lines += ["", f"{title}:", *(f"  - {item}" for item in items)]
        if not (self.added or self.removed or self.changed):
            lines += ["", "nothing changes for SDK users"]
        lines += [
            "",
            f"version bump needed: {self.bump}" + (f" (from {version})" if version else ""),
        ]
        if self.bump != "none":
            lines += ["", "CHANGELOG entry to paste:", "", *self.changelog(version)]
        return "\n".join(lines)

    def changelog(self, version: str = "") -> list[str]:
        head = f"## {_bumped(version, self.bump)}" if version else "## Unreleased"
        out = [head, ""]
        for title, items in (
            ("Added", self.added),
            ("Removed", self.removed),
            ("Changed", self.changed),
        ):
            if items:
                out += [f"### {title}", *(f"- {item}" for item in items), ""]
        return out


def _bumped(version: str, bump: str) -> str:
    try:
        major, minor, _patch = (int(p) for p in version.split(".")[:3])
    except ValueError:
        return f"{version} ({bump} bump)"
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return version


def _model_attributes(doc: Mapping[str, Any]) -> dict[str, set[str]]:
    normalized = normalize(doc)
    return {
        name: {_python_name(p) for p in (schema.get("properties") or {})}
        for name, schema in normalized.get("components", {}).get("schemas", {}).items()
        if isinstance(schema, dict)
    }


def sdk_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], knowledge: Mapping[str, Any]
) -> SdkChanges:
    """Keyword arguments, CLI flags, values, resources and model attributes added or removed."""
    report = SdkChanges()
    old_ops = derive(old, knowledge, lenient=True).operations if old else []
    before = {op.resource: op for op in old_ops}
    # lenient: a registered operation the new spec drops is reported here (as removed), and
    # then refused by generation, which names the table entry to delete
    after = {op.resource: op for op in derive(new, knowledge, lenient=True).operations}
    for resource in after.keys() - before.keys():
        report.added.append(
            f"client.{resource}.metrics() (both clients), CLI `streamkap-metrics {resource}`"
        )
    for resource in before.keys() - after.keys():
        report.removed.append(f"client.{resource}.metrics() and CLI `streamkap-metrics {resource}`")
    for resource in sorted(after.keys() & before.keys()):
        was = {p.name: p for p in before[resource].params}
        now = {p.name: p for p in after[resource].params}
        for name in sorted(now.keys() - was.keys()):
            flag = now[name].facts.get("cli") or "--" + now[name].wire.replace("_", "-")
            report.added.append(f"{resource}.metrics({name}=...) and CLI flag {flag}")
        for name in sorted(was.keys() - now.keys()):
            flag = was[name].facts.get("cli") or "--" + was[name].wire.replace("_", "-")
            report.removed.append(f"{resource}.metrics({name}=...) and CLI flag {flag}")
        for name in sorted(now.keys() & was.keys()):
            old_values, new_values = was[name].values, now[name].values
            if old_values == new_values:
                continue
            if new_values is None:
                report.added.append(f"{resource}.metrics({name}=): any value now passes")
            elif old_values is None:
                report.changed.append(
                    f"{resource}.metrics({name}=): now one of {', '.join(new_values)}"
                )
            else:
                gained = [v for v in new_values if v not in old_values]
                lost = [v for v in old_values if v not in new_values]
                if gained:
                    report.added.append(
                        f"{resource}.metrics({name}=): new value(s) {', '.join(gained)}"
                    )
                if lost:
                    report.removed.append(
                        f"{resource}.metrics({name}=): value(s) {', '.join(lost)} gone"
                    )
            if set(now[name].types) != set(was[name].types):
                report.changed.append(
                    f"{resource}.metrics({name}=): type {'|'.join(was[name].types)} -> {'|'.join(now[name].types)}"
                )
    old_attrs = _model_attributes(old) if old else {}
    new_attrs = _model_attributes(new)
    for model in sorted(new_attrs):
        for attr in sorted(new_attrs[model] - old_attrs.get(model, set())):
            report.added.append(f"{model}.{attr}")
    for model in sorted(old_attrs):
        if model not in new_attrs:
            report.removed.append(f"model {model}")
            continue
        for attr in sorted(old_attrs[model] - new_attrs[model]):
            report.removed.append(f"{model}.{attr}")
    return report
