"""What the spec says is said once: the overlay restates no operation, parameter, enum value,
response field, block, model or metric that the spec states (they come from the generated
surface).

The check looks for restated spec facts in the overlay's code, not for every identifier that
happens to be spelled like a spec word (a spec update may add any word: an enum value `errors`
must not turn the SDK's own `.errors` into a finding):

- a string literal equal to a spec name (docstrings excepted; comments are not code);
- a table copying the spec: a tuple, list, set or dict display holding two or more spec words
  as string literals (the words of GENERIC count here too);
- an attribute or keyword argument named by a compound spec identifier, one that cannot be an
  ordinary word (`connector_metrics`, `time_type`, `recordsLag`): code that reads a spec field
  or passes a spec parameter by its name.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

from streamkap_api.surface import OPERATIONS

OVERLAY = Path(__file__).resolve().parent.parent / "overlays" / "streamkap_sdk"

# Words that are also spec names but mean something else where the overlay writes them as
# string literals (alone; a table of them is still a finding).
GENERIC = {
    "id",  # MetricRecord.id, a column of to_records (the entity's id)
    "ids",  # the methods' positional argument and Prepared.ids (the split id list)
    "status",  # HTTP status codes, and the sandbox fault kind "status"
    "connector",  # aiohttp's connection pool (ClientSession(connector=...), the aiohttp backend)
}

#: A compound identifier: snake_case with an inner underscore, or camelCase.
_COMPOUND = re.compile(r"[A-Za-z0-9]+_[A-Za-z0-9_]*[A-Za-z0-9]|[a-z0-9]+[A-Z]\w*")


def spec_words() -> set[str]:
    """Every name the spec states (GENERIC included)."""
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
    return names


def spec_names() -> set[str]:
    """The spec names a string literal may not equal."""
    return spec_words() - GENERIC


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            found.add(id(first.value))
    return found


def _strings(nodes: Iterable[ast.expr | None]) -> list[str]:
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def restated(source: str, where: str, words: set[str], generic: set[str]) -> list[str]:
    """The spec facts `source` restates (`words`: the spec's names; `generic`: those a literal
    alone may equal), as `where:line: what`."""
    names = words - generic
    identifiers = {w for w in words if _COMPOUND.fullmatch(w)}
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docs and node.value in names:
                found.append(f"{where}:{node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            table = [s for s in _strings(items) if s in words]
            if len(table) >= 2:
                found.append(f"{where}:{node.lineno}: a table of spec words {table}")
        elif isinstance(node, ast.Attribute) and node.attr in identifiers:
            found.append(f"{where}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg in identifiers:
            found.append(f"{where}:{node.lineno}: {node.arg}=")
    return found


def test_the_overlay_restates_nothing_the_spec_says() -> None:
    words = spec_words()
    assert {"time_type", "recordsLag", "connector_metrics", "searchPipelinesMetrics"} <= words
    found: list[str] = []
    for path in sorted(OVERLAY.rglob("*.py")):
        where = str(path.relative_to(OVERLAY.parent))
        found += restated(path.read_text(encoding="utf-8"), where, words, GENERIC)
    assert not found, "spec names restated in the overlay:\n" + "\n".join(found)


SAMPLE = '''
"""A module docstring may say latest."""


def f(exc, result, client, errors):
    exc.errors  # the SDK's attribute, spelled like a spec word: not a finding
    g(errors=1, status=2)
    result.connector_metrics  # 8: a spec field read by its name
    client.metrics(time_type="x")  # 9: a spec parameter passed by its name
    mode = "latest"  # 10: a spec value as a literal
    kinds = ("ids", "id")  # 11: a table of spec words (generic ones too)
    row = {"recordsLag": 1, "other": 2}  # 12: a literal, in a table of one spec word
    return "ids"  # a generic word alone
'''


def test_the_check_finds_restated_facts_not_words() -> None:
    """A spec word that is also a common attribute name (an enum value `errors`, a parameter
    `status`) is not a finding where the SDK uses the name for its own things."""
    words = {
        "errors", "status", "latest", "time_type", "connector_metrics", "recordsLag", "id", "ids",
    }  # fmt: skip
    found = restated(SAMPLE, "sample.py", words, {"id", "ids"})
    assert len(found) == 5 and set(found) == {
        "sample.py:8: .connector_metrics",
        "sample.py:9: time_type=",
        "sample.py:10: 'latest'",
        "sample.py:11: a table of spec words ['ids', 'id']",
        "sample.py:12: 'recordsLag'",
    }, found
