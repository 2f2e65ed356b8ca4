"""What the spec says is said once: the overlay names no operation, parameter, enum value,
response field, block, model or metric that the spec states (they come from the generated
surface). Checked on the overlay's code: string literals and attribute names (docstrings and
comments may mention them)."""

from __future__ import annotations

import ast
from pathlib import Path

from streamkap_api.surface import OPERATIONS

OVERLAY = Path(__file__).resolve().parent.parent / "overlays" / "streamkap_sdk"

# Words that are also spec names but mean something else where the overlay uses them.
GENERIC = {
    "id",  # MetricRecord.id, a column of to_records (the entity's id)
    "ids",  # the methods' positional argument and Prepared.ids (the split id list)
    "status",  # HTTP status codes, and the sandbox fault kind "status"
    "connector",  # aiohttp's connection pool (ClientSession(connector=...), the aiohttp backend)
}


def spec_names() -> set[str]:
    names: set[str] = set()
    for op in OPERATIONS:
        names |= {op.operation_id, op.path, op.body_model, op.response_model, op.resource}
        names |= set(op.id_lists)
        for param in op.query:
            names |= {param.name, param.wire, *(param.values or ()), *param.examples}
        for entity_map in op.entity_maps:
            names |= {entity_map.name, entity_map.wire}
        for block, fields in op.metrics.items():
            names.add(block)
            names |= {n for field in fields for n in (field.name, field.wire)}
        names |= set(op.metric_models.values())
    return names - GENERIC


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            found.add(id(first.value))
    return found


def test_the_overlay_restates_nothing_the_spec_says() -> None:
    names = spec_names()
    assert {"time_type", "recordsLag", "connector_metrics", "searchPipelinesMetrics"} <= names
    found: list[str] = []
    for path in sorted(OVERLAY.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        where = path.relative_to(OVERLAY.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in docs and node.value in names:
                    found.append(f"{where}:{node.lineno}: {node.value!r}")
            elif isinstance(node, ast.Attribute) and node.attr in names:
                found.append(f"{where}:{node.lineno}: .{node.attr}")
            elif isinstance(node, ast.keyword) and node.arg in names:
                found.append(f"{where}:{node.lineno}: {node.arg}=")
    assert not found, "spec names restated in the overlay:\n" + "\n".join(found)
