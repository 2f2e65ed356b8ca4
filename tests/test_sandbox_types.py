"""Query parameters of every type the spec can declare, checked by the sandbox and the kit.

A spec update (`make update-spec`) can add a parameter of any type: a boolean, a number, an
integer with bounds or a closed set, a string with a format, a length or a pattern, an array.
The sandbox and the kit check each against its schema (the surface's `QueryParam.schema`), not
against a list of names: here an operation of the surface gains such parameters under made-up
names, and a value of the wrong type is a 422 in FastAPI's shape wherever it is sent (the
query, or the body, which takes precedence), on the sandbox server and in the kit alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

import httpx
import pytest

from streamkap_api.surface import OPERATIONS, Operation, QueryParam
from streamkap_sdk.sandbox import Engine, Sandbox
from streamkap_sdk.testing import EngineTransport

# (wire name, schema, [accepted query texts], [(refused query text, FastAPI error type)])
TYPED: list[tuple[str, dict[str, Any], list[str], list[tuple[str, str]]]] = [
    ("include_paused", {"type": "boolean"},
     ["true", "false", "True", "0", "yes", "off"],
     [("banana", "bool_parsing"), ("2", "bool_parsing")]),
    ("min_lag", {"type": "number", "minimum": 0},
     ["2.5", "3", "0", "1e3"], [("x", "float_parsing"), ("-1", "greater_than_equal"),
                                ("nan", "float_parsing"), ("1e999", "finite_number")]),
    ("ratio", {"type": "number", "exclusiveMaximum": 1, "multipleOf": 0.25},
     ["0.5", "0"], [("1", "less_than"), ("0.3", "multiple_of")]),
    ("limit", {"type": "integer", "minimum": 1, "maximum": 100},
     ["7", "100", " 5 "], [("0", "greater_than_equal"), ("101", "less_than_equal"),
                           ("1.5", "int_parsing"), ("x", "int_parsing")]),
    ("small", {"type": "integer", "format": "int32"},
     ["2147483647"], [("2147483648", "less_than_equal")]),
    ("priority", {"type": "integer", "enum": [1, 2, 3]}, ["2"], [("4", "literal_error"),
                                                                  ("x", "literal_error")]),
    ("after", {"type": "string", "format": "date-time"},
     ["2025-01-15T10:00:00Z", "2025-01-15T10:00:00.5+02:00"],
     [("yesterday", "datetime_parsing"), ("2025-01-15T10:00:00", "datetime_parsing"),
      ("2025-02-30T10:00:00Z", "datetime_parsing")]),
    ("day", {"type": "string", "format": "date"},
     ["2025-01-15"], [("2025-1-15", "date_parsing"), ("2025-02-30", "date_parsing")]),
    ("at", {"type": "string", "format": "time"}, ["10:00:00Z"], [("10am", "time_parsing")]),
    ("ref", {"type": "string", "format": "uuid"},
     ["12345678-1234-5678-1234-567812345678"], [("12345678", "uuid_parsing")]),
    ("code", {"type": "string", "pattern": "^[A-Z]{3}$", "minLength": 3, "maxLength": 3},
     ["ABC"], [("AB", "string_too_short"), ("ABCD", "string_too_long"),
               ("abc", "string_pattern_mismatch")]),
    ("mode", {"anyOf": [{"type": "string", "enum": ["fast", "slow"]}, {"type": "integer"}]},
     ["fast", "3"], [("medium", "literal_error")]),
]  # fmt: skip

# (wire name, schema, [accepted repeated-key value lists], [(refused list, error loc tail)])
ARRAYS: list[tuple[str, dict[str, Any], list[list[str]], list[tuple[list[str], list[Any]]]]] = [
    ("states", {"type": "array", "items": {"type": "string", "enum": ["errors", "ok"]}},
     [["errors"], ["errors", "ok"]], [(["errors", "nope"], ["states", 1])]),
    ("counts", {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
     [["1", "2", "3"]], [(["1", "x"], ["counts", 1]), (["1", "2", "3", "4"], ["counts"])]),
    ("tags", {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
     [["a", "b"]], [(["a", "a"], ["tags"])]),
]  # fmt: skip


def typed_param(wire: str, schema: dict[str, Any]) -> QueryParam:
    """A query parameter as the surface would describe it after `make update-spec`."""
    kinds = [a.get("type") for a in schema.get("anyOf", [schema])]
    return QueryParam(
        name=wire,
        wire=wire,
        types=tuple(str(k) for k in kinds if k),
        formats=tuple(str(a["format"]) for a in schema.get("anyOf", [schema]) if "format" in a),
        values=None,
        values_from="",
        examples=(),
        title=wire,
        description="added by a spec update",
        schema=MappingProxyType(schema),
    )


BASE = OPERATIONS[0]
ADDED = tuple(typed_param(w, s) for w, s, *_ in TYPED + ARRAYS)
GROWN: Operation = dataclasses.replace(BASE, query=BASE.query + ADDED)


@pytest.fixture(scope="module")
def grown_sandbox() -> Iterator[Sandbox]:
    with Sandbox(Engine(operations=(GROWN, *OPERATIONS[1:]))) as server:
        yield server


@pytest.fixture(params=["sandbox", "kit"])
def api(request: pytest.FixtureRequest, grown_sandbox: Sandbox) -> Iterator[httpx.Client]:
    """A raw client with a token, on the grown sandbox server or on a grown kit engine."""
    if request.param == "sandbox":
        engine = grown_sandbox.engine
        http = httpx.Client(base_url=grown_sandbox.url)
    else:
        engine = Engine(operations=(GROWN, *OPERATIONS[1:]))
        http = httpx.Client(
            base_url="https://api.streamkap.test", transport=EngineTransport(engine)
        )
    with http:
        token = http.post(
            "/auth/access-token",
            json={"client_id": engine.client_id, "secret": engine.client_secret},
        ).json()["accessToken"]
        http.headers["Authorization"] = f"Bearer {token}"
        yield http


def problems(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 422, (response.status_code, response.text)
    found: list[dict[str, Any]] = response.json()["detail"]
    for entry in found:  # FastAPI's shape (the spec's ValidationError)
        assert {"type", "loc", "msg", "input"} <= set(entry), entry
        assert isinstance(entry["msg"], str) and isinstance(entry["type"], str)
    return found


CASES = [pytest.param(w, s, ok, bad, id=w) for w, s, ok, bad in TYPED]


@pytest.mark.parametrize(("wire", "schema", "accepted", "refused"), CASES)
def test_query_values_are_checked_against_the_schema(
    api: httpx.Client,
    wire: str,
    schema: dict[str, Any],
    accepted: list[str],
    refused: list[tuple[str, str]],
) -> None:
    for text in accepted:
        response = api.post(GROWN.path, params={wire: text}, json={"ids": ["a"]})
        assert response.status_code == 200, (wire, text, response.text)
    for text, kind in refused:
        [problem] = problems(api.post(GROWN.path, params={wire: text}, json={"ids": ["a"]}))
        assert (problem["loc"], problem["type"], problem["input"]) == (
            ["query", wire],
            kind,
            text,
        ), problem


def test_include_paused_banana_is_a_422(api: httpx.Client) -> None:
    """The issue's case: a boolean the spec adds, sent as "banana", answered 200."""
    response = api.post(GROWN.path, params={"include_paused": "banana"})
    assert problems(response) == [
        {
            "type": "bool_parsing",
            "loc": ["query", "include_paused"],
            "msg": "Input should be a valid boolean, unable to interpret input",
            "input": "banana",
        }
    ]


# (wire name, [accepted JSON values], [refused JSON values]): body over query, JSON types count
BODY: list[tuple[str, list[Any], list[Any]]] = [
    ("include_paused", [True, False], ["banana", 2, [True], {"a": 1}]),
    ("min_lag", [2.5, 3, 0], [-1, "x", True, [1]]),
    ("limit", [7, 7.0, "7"], [7.5, 0, True, "x", [7]]),
    ("priority", [1, 3], [4, "x"]),
    ("after", ["2025-01-15T10:00:00Z"], [5, "yesterday", ["2025-01-15T10:00:00Z"]]),
    ("code", ["ABC"], ["abc", 123]),
    ("states", [["errors", "ok"]], ["errors", [1], ["nope"]]),
    ("counts", [[1, 2], ["3"]], [[1.5], 1, ["x"]]),
]


@pytest.mark.parametrize(("wire", "accepted", "refused"), BODY, ids=[b[0] for b in BODY])
def test_body_values_are_checked_against_the_schema(
    api: httpx.Client, wire: str, accepted: list[Any], refused: list[Any]
) -> None:
    for value in accepted:
        response = api.post(GROWN.path, json={"ids": ["a"], wire: value})
        assert response.status_code == 200, (wire, value, response.text)
    for value in refused:
        found = problems(api.post(GROWN.path, json={"ids": ["a"], wire: value}))
        assert found and all(p["loc"][:2] == ["body", wire] for p in found), (value, found)


ARRAY_CASES = [pytest.param(w, s, ok, bad, id=w) for w, s, ok, bad in ARRAYS]


@pytest.mark.parametrize(("wire", "schema", "accepted", "refused"), ARRAY_CASES)
def test_arrays_are_repeated_keys_checked_item_by_item(
    api: httpx.Client,
    wire: str,
    schema: dict[str, Any],
    accepted: list[list[str]],
    refused: list[tuple[list[str], list[Any]]],
) -> None:
    for values in accepted:
        response = api.post(GROWN.path, params=[(wire, v) for v in values])
        assert response.status_code == 200, (wire, values, response.text)
    for values, loc in refused:
        found = problems(api.post(GROWN.path, params=[(wire, v) for v in values]))
        assert [p["loc"] for p in found] == [["query", *loc]], found


def test_every_problem_of_a_request_is_in_the_422(api: httpx.Client) -> None:
    response = api.post(
        GROWN.path,
        params={"include_paused": "banana", "limit": "0"},
        json={"min_lag": -1},
    )
    assert sorted(tuple(p["loc"]) for p in problems(response)) == [
        ("body", "min_lag"),
        ("query", "include_paused"),
        ("query", "limit"),
    ]


def test_the_checks_know_no_parameter_names() -> None:
    """Renaming every added parameter changes nothing: the schema decides, not the name."""
    renamed = tuple(dataclasses.replace(p, name=f"x{i}", wire=f"x{i}") for i, p in enumerate(ADDED))
    engine = Engine(operations=(dataclasses.replace(BASE, query=BASE.query + renamed),))
    with httpx.Client(base_url="http://kit", transport=EngineTransport(engine)) as http:
        token = http.post(
            "/auth/access-token",
            json={"client_id": engine.client_id, "secret": engine.client_secret},
        ).json()["accessToken"]
        http.headers["Authorization"] = f"Bearer {token}"
        for (wire, _schema, _ok, refused), param in zip(TYPED, renamed, strict=False):
            text, kind = refused[0]
            [problem] = problems(http.post(BASE.path, params={param.wire: text}))
            assert (problem["loc"], problem["type"]) == (["query", param.wire], kind), wire
