"""The sandbox checks every parameter the spec declares against its schema and the knowledge
table, as the API does (FastAPI's 422 shape), whatever the spec holds: derived from the surface."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from streamkap_api.surface import OPERATIONS, QueryParam
from streamkap_sdk import StreamkapClient, UnprocessableEntityError
from streamkap_sdk.sandbox import Engine, Sandbox
from streamkap_sdk.testing import FakeStreamkap


def bad_value(param: QueryParam) -> str | None:
    """A value the schema (or the table) refuses, or None when the parameter takes any string.

    Derived from the parameter's schema (`QueryParam.schema`), so a parameter a spec update
    adds, of any type, gets a case with no change here (the spec-evolution harness runs this
    module on a mutated spec)."""
    alternatives = list(param.schema.get("anyOf", [param.schema])) if param.schema else []
    kinds = {str(k) for a in alternatives for k in _kinds(a)} or set(param.types)
    free_text = any(
        "string" in _kinds(a) and not {"enum", "format", "pattern"} & set(a) for a in alternatives
    )
    if param.role in ("window_start", "window_end"):
        return "yesterday"
    if param.values is not None:
        return "not-" + param.values[0]
    if param.role == "step_unit" and param.seconds:
        return "fortnight"
    if "integer" in kinds and param.minimum is not None:
        return "0" if param.tokens else "x" if "string" not in kinds else "-5"
    if free_text:
        return None
    if kinds <= {"integer", "number"} and kinds:
        return "x"
    if kinds == {"boolean"}:
        return "banana"
    if kinds == {"string"} and all(a.get("format") for a in alternatives):
        return "x"  # date-time, date, uuid...: "x" is none of them
    return None


def _kinds(alternative: Any) -> list[str]:
    declared = alternative.get("type")
    return list(declared) if isinstance(declared, list) else [declared] if declared else []


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


# -- inputs that made the sandbox answer 500, or accept what the spec forbids (issue 25, 13) -----
#
# Each goes through the sandbox server (HTTP on 127.0.0.1) and through the kit (the engine behind
# an httpx transport, in-process): both must answer alike, and neither with a 500.

PATHS = sorted(op.path for op in OPERATIONS)
PIPELINES = next(op.path for op in OPERATIONS if op.resource == "pipelines")


@pytest.fixture(params=["sandbox", "kit"])
def api(request: pytest.FixtureRequest, sandbox: Sandbox, engine: Engine) -> Iterator[httpx.Client]:
    """A raw httpx client, with a valid bearer token, on the sandbox server or on the kit."""
    if request.param == "sandbox":
        http = httpx.Client(base_url=sandbox.url)
        used = engine
    else:
        fake = FakeStreamkap()
        http = httpx.Client(base_url=fake.base_url, transport=fake.transport())
        used = fake.engine
    with http:
        token = http.post(
            "/auth/access-token", json={"client_id": used.client_id, "secret": used.client_secret}
        ).json()["accessToken"]
        http.headers["Authorization"] = f"Bearer {token}"
        yield http


def detail(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 422, (response.status_code, response.text)
    items: list[dict[str, Any]] = response.json()["detail"]
    return items


@pytest.mark.parametrize("path", PATHS)
def test_a_page_token_is_the_first_page(api: httpx.Client, path: str) -> None:
    """?page=abc&size=2 answered 500 (int() of the token); the spec allows a string page."""
    response = api.post(path, params={"page": "abc", "size": "2"}, json={"ids": ["a", "b", "c"]})
    assert response.status_code == 200, response.text
    first = api.post(path, params={"page": "1", "size": "2"}, json={"ids": ["a", "b", "c"]})
    assert response.json() == first.json()


@pytest.mark.parametrize("body", [b" ", b"\x0c\x0c", b"\t\r\n ", b" \x0b"])
def test_a_blank_body_is_not_json(api: httpx.Client, body: bytes) -> None:
    """Only an empty body is no body: whitespace (form feeds included) is a body, not JSON."""
    response = api.post(PIPELINES, content=body, headers={"content-type": "application/json"})
    assert [i["type"] for i in detail(response)] == ["json_invalid"]
    assert api.post(PIPELINES, content=b"").status_code == 200


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"time_unit": ["x"]}, ["body", "time_unit"]),
        ({"time_unit": {"a": 1}}, ["body", "time_unit"]),
        ({"time_type": ["latest"]}, ["body", "time_type"]),
        ({"sort_dir": 1}, ["body", "sort_dir"]),
        ({"size": [2]}, ["body", "size"]),
        ({"page": {"n": 1}}, ["body", "page"]),
        ({"level": 5}, ["body", "level"]),
        ({"timestamp_to": 5}, ["body", "timestamp_to"]),
    ],
)
def test_a_body_value_of_the_wrong_type_is_a_422(
    api: httpx.Client, body: dict[str, Any], loc: list[str]
) -> None:
    """{"time_unit": ["x"]} answered 500 (a list looked up in a dict): body over query, a body
    value is checked against the query parameter's schema, where it is."""
    assert [i["loc"] for i in detail(api.post(PIPELINES, json=body))] == [loc]


@pytest.mark.parametrize(
    "query",
    [
        {"timestamp_to": "0001-01-01T00:00:00Z"},
        {"timestamp_from": "0001-01-01T00:00:00+01:00", "timestamp_to": "0001-01-02T00:00:00Z"},
        {"timestamp_to": "9999-12-31T23:59:59-01:00"},
        {"timestamp_to": "0001-01-01T00:00:00Z", "time_type": "timeseries"},
        {"timestamp_to": "9999-12-31T23:59:59-23:59", "time_type": "timeseries"},
    ],
)
def test_timestamps_at_the_ends_of_time(api: httpx.Client, query: dict[str, str]) -> None:
    """The first and last moments a datetime holds answered 500 (overflows); now they are
    windows like any other, clamped to what a UTC datetime can hold."""
    response = api.post(PIPELINES, params=query, json={"ids": ["a"]})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", [*PATHS, "/auth/access-token", "/auth/access-token/refresh"])
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE"])
def test_405_names_the_methods_that_work(api: httpx.Client, path: str, method: str) -> None:
    """A 405 had no Allow header, and OPTIONS listed GET, PUT, PATCH and DELETE, which the
    sandbox refuses: now every method but the spec's is a 405 with `Allow: POST`."""
    response = api.request(method, path)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"


def test_unknown_paths_are_404_whatever_the_method(api: httpx.Client) -> None:
    for method in ("GET", "POST", "OPTIONS"):
        assert api.request(method, "/nope/metrics").status_code == 404


@pytest.mark.parametrize("path", [PIPELINES, "/auth/access-token"])
@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000])
def test_json_nested_too_deep_is_a_422(api: httpx.Client, path: str, body: bytes) -> None:
    """json.loads raises RecursionError (not ValueError) on deep nesting: it was a 500."""
    response = api.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("body", [b'{"ids": NaN}', b'{"x": Infinity}', b"-Infinity"])
def test_nan_and_infinity_are_not_json(api: httpx.Client, body: bytes) -> None:
    response = api.post(PIPELINES, content=body, headers={"content-type": "application/json"})
    assert [i["type"] for i in detail(response)] == ["json_invalid"]


def test_ids_any_unicode_can_hold(api: httpx.Client) -> None:
    """A JSON body can carry a lone surrogate ("\\udc00"): it was a 500 (strict UTF-8)."""
    body = b'{"ids": ["\\udc00", "\\ud83d\\ude00", "\\u0000"]}'
    response = api.post(PIPELINES, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert len(response.json()["connector_metrics"]) == 3


@pytest.mark.parametrize("key", ["time_type", "size", "ids", "level"])
def test_a_repeated_key_of_a_single_value_parameter_is_a_422(api: httpx.Client, key: str) -> None:
    """?size=1&size=2 is an array where the spec declares one value: refused, not the last."""
    value = {"time_type": "latest", "size": "1", "ids": "a", "level": "task"}[key]
    response = api.post(PIPELINES, params=[(key, value), (key, value)])
    [problem] = detail(response)
    assert problem["loc"] == ["query", key] and problem["input"] == [value, value]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_a_422(api: httpx.Client, content_type: str) -> None:
    """As FastAPI: a body whose content type is not JSON is not read as JSON."""
    response = api.post(
        PIPELINES, content=b'{"ids": ["a"]}', headers={"content-type": content_type}
    )
    assert [i["type"] for i in detail(response)] == ["model_attributes_type"]
    for json_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        answer = api.post(PIPELINES, content=b'{"ids": ["a"]}', headers={"content-type": json_type})
        assert answer.status_code == 200, answer.text


def test_a_bad_query_value_is_refused_even_when_the_body_overrides_it(api: httpx.Client) -> None:
    """FastAPI checks the query parameters and the body each on its own (then the body wins)."""
    problems = detail(api.post(PIPELINES, params={"size": "x"}, json={"size": 2}))
    assert [p["loc"] for p in problems] == [["query", "size"]]
