"""The sandbox checks every parameter the spec declares against its schema and the knowledge
table, as the API does (FastAPI's 422 shape), whatever the spec holds: derived from the surface."""

from __future__ import annotations

import pytest

from streamkap_api.surface import OPERATIONS, QueryParam
from streamkap_sdk import StreamkapClient, UnprocessableEntityError
from streamkap_sdk.sandbox import Engine


def bad_value(param: QueryParam) -> str | None:
    """A value the schema (or the table) refuses, or None when the parameter takes any string."""
    if param.role in ("window_start", "window_end"):
        return "yesterday"
    if param.values is not None:
        return "not-" + param.values[0]
    if param.types == ("integer",) or (param.minimum is not None and not param.tokens):
        return "x" if "string" not in param.types else "-5"
    if "integer" in param.types and param.minimum is not None:
        return "0"  # below the minimum
    if param.role == "step_unit" and param.seconds:
        return "fortnight"
    return None


CASES = [
    pytest.param(op.resource, p.wire, bad, id=f"{op.resource}-{p.wire}")
    for op in OPERATIONS
    for p in op.query
    if p.role not in ("split", "whole") and (bad := bad_value(p)) is not None
]


def test_every_checked_parameter_has_a_case() -> None:
    wires = {wire for _r, wire, _b in (c.values for c in CASES)}
    assert {"time_type", "size", "page", "timestamp_from", "sort_dir", "time_unit"} <= wires


@pytest.mark.parametrize(("resource", "wire", "value"), CASES)
def test_a_bad_value_is_a_422_naming_it(
    client: StreamkapClient, engine: Engine, resource: str, wire: str, value: str
) -> None:
    with pytest.raises(UnprocessableEntityError) as caught:
        getattr(client, resource).metrics(["a"], extra_query={wire: value}, max_retries=0)
    assert caught.value.errors[0].loc == ("query", wire), caught.value.errors
    assert engine.seen[-1].query[wire] == value


@pytest.mark.parametrize("resource", [op.resource for op in OPERATIONS])
def test_integers_beyond_64_bits_are_a_422(
    client: StreamkapClient, engine: Engine, resource: str
) -> None:
    op = next(op for op in OPERATIONS if op.resource == resource)
    wire = next(p.wire for p in op.query if "integer" in p.types and p.minimum is not None)
    with pytest.raises(UnprocessableEntityError) as caught:
        getattr(client, resource).metrics(["a"], extra_query={wire: str(10**30)})
    assert caught.value.errors[0].type == "less_than_equal"
