"""The hand-written knowledge table is checked against the spec at generation time."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import surface  # noqa: E402
from generate import generate_into  # noqa: E402

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "streamkap.yaml").read_text())
KNOWLEDGE: dict[str, Any] = surface.load_knowledge(ROOT / "openapi" / "knowledge.yaml")


def derive(doc: dict[str, Any] | None = None, table: dict[str, Any] | None = None) -> Any:
    return surface.derive(doc or SPEC, table or KNOWLEDGE)


def param(result: Any, resource: str, wire: str) -> Any:
    op = next(op for op in result.operations if op.resource == resource)
    return next(p for p in op.params if p.wire == wire)


def table_with(**parameters: Any) -> dict[str, Any]:
    table = copy.deepcopy(KNOWLEDGE)
    table["parameters"].update(parameters)
    return table


def spec_with_time_type_enum(values: list[str]) -> dict[str, Any]:
    doc = copy.deepcopy(SPEC)
    for item in doc["paths"].values():
        for p in item["post"]["parameters"]:
            if p["name"] == "time_type":
                p["schema"]["anyOf"][0]["enum"] = values
    return doc


def test_the_vendored_table_fits_the_vendored_spec() -> None:
    result = derive()
    assert [op.operation_id for op in result.operations] == list(KNOWLEDGE["operations"])
    assert {"pipelines", "destinations"} <= {op.resource for op in result.operations}
    time_type = param(result, "pipelines", "time_type")
    table_values = KNOWLEDGE["parameters"]["time_type"]["values"]
    schema = next(
        p["schema"] for p in SPEC["paths"]["/pipelines/metrics"]["post"]["parameters"]
        if p["name"] == "time_type"
    )  # fmt: skip
    declared = [v for member in schema.get("anyOf", [schema]) for v in member.get("enum", [])]
    # the table's prose values, until the spec declares its own (then the spec's)
    assert time_type.values == tuple(declared or table_values)
    assert time_type.values_from == ("spec" if declared else "knowledge")
    assert param(result, "pipelines", "sort_dir").values_from == "spec"
    level = param(result, "pipelines", "level")
    assert level.values is None and level.examples == ("connector", "task", "topic")


@pytest.mark.parametrize(
    ("table", "named"),
    [
        (table_with(timestamp_form={"role": "window_start"}), "parameters.timestamp_form"),
        (table_with(size={"minimum": "one"}), "parameters.size"),
        (table_with(level={"minimum": 1}), "parameters.level"),
        (table_with(sort={"role": "chunks"}), "parameters.sort"),
        (table_with(sort={"colour": "red"}), "parameters.sort"),
        (table_with(size={"values": ["1", "2"]}), "parameters.size"),
        (table_with(level={"selects": {"x": "nowhere_metrics"}}), "parameters.level.selects.x"),
        (
            {**KNOWLEDGE, "operations": {"searchNoSuchMetrics": {}}},
            "operations.searchNoSuchMetrics",
        ),
        ({**KNOWLEDGE, "responses": {"aggregates": ["total_metrics"]}}, "responses.aggregates"),
    ],
)
def test_a_misfit_entry_is_named(table: dict[str, Any], named: str) -> None:
    with pytest.raises(surface.KnowledgeError, match=named.replace(".", r"\.")):
        derive(table=table)


def test_values_the_spec_contradicts_fail_naming_the_parameter() -> None:
    doc = spec_with_time_type_enum(["latest", "timeseries"])  # "timesummary" is gone
    with pytest.raises(surface.KnowledgeError, match=r"parameters\.time_type: .*'timesummary'"):
        derive(doc)


def test_once_the_spec_declares_values_the_spec_wins() -> None:
    doc = spec_with_time_type_enum(["timeseries", "latest", "timesummary", "realtime"])
    result = derive(doc)
    time_type = param(result, "destinations", "time_type")
    assert time_type.values == ("timeseries", "latest", "timesummary", "realtime")
    assert time_type.values_from == "spec"
    assert any("time_type" in note for note in result.notes)


def test_generation_stops_before_writing(tmp_path: Path) -> None:
    bad = tmp_path / "knowledge.yaml"
    bad.write_text(yaml.safe_dump(table_with(timestamp_form={"role": "window_start"})))
    with pytest.raises(SystemExit, match=r"knowledge\.yaml: parameters\.timestamp_form"):
        generate_into(tmp_path / "out", knowledge=bad)
    assert not (tmp_path / "out" / "streamkap_api").exists()
