"""Every response the sandbox sends validates against the vendored spec's response schemas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from streamkap_sdk.sandbox import Engine, Sandbox

SPEC = yaml.safe_load((Path(__file__).parents[1] / "openapi" / "streamkap.yaml").read_text())
OPERATIONS = {
    path: item["post"]["responses"] for path, item in SPEC["paths"].items() if "post" in item
}
REGISTRY = Registry().with_resource("urn:spec", Resource.from_contents(SPEC, DRAFT202012))


def validate(path: str, status: int, payload: Any) -> None:
    schema = OPERATIONS[path][str(status)]["content"]["application/json"]["schema"]
    ref = schema["$ref"].replace("#/", "urn:spec#/")
    validator = jsonschema.Draft202012Validator({"$ref": ref}, registry=REGISTRY)
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
    assert not errors, f"{path} {status}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_validator_catches_a_bad_payload() -> None:
    bad = {"connector_metrics": {"p": {"timeseries": {"latency": [{"timestamp": "t"}]}}}}
    with pytest.raises(
        AssertionError,
        match="not valid under any of the given schemas at \\['connector_metrics'\\]",
    ):
        validate("/pipelines/metrics", 200, bad)


@pytest.fixture
def http(sandbox: Sandbox, engine: Engine) -> httpx.Client:
    with httpx.Client(base_url=sandbox.url) as client:
        token = client.post(
            "/auth/access-token",
            json={"client_id": engine.client_id, "secret": engine.client_secret},
        ).json()["accessToken"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.mark.parametrize("path", sorted(OPERATIONS))
@pytest.mark.parametrize("time_type", ["latest", "timeseries", "timesummary"])
@pytest.mark.parametrize("level", [None, "connector", "task", "topic", "inline"])
def test_success_responses_fit_the_spec(
    http: httpx.Client, path: str, time_type: str, level: str | None
) -> None:
    query = {"time_type": time_type, "time_unit": "minute", "tenant_ids": "t1"}
    if level:
        query["level"] = level
    end = dt.datetime(2025, 1, 15, 10, tzinfo=dt.UTC)
    query["timestamp_to"] = end.isoformat()
    query["timestamp_from"] = (end - dt.timedelta(minutes=30)).isoformat()
    response = http.post(path, params=query, json={"ids": ["a", "b", "c"]})
    assert response.status_code == 200, response.text
    payload = response.json()
    validate(path, 200, payload)
    assert any(
        payload.get(k)
        for k in ("connector_metrics", "task_metrics", "topic_metrics", "inline_metrics")
    )


@pytest.mark.parametrize("path", sorted(OPERATIONS))
@pytest.mark.parametrize(
    ("query", "body", "field"),
    [
        ({"time_type": "hourly"}, None, "time_type"),
        ({"sort_dir": "up"}, None, "sort_dir"),
        ({"size": "ten"}, None, "size"),
        ({"timestamp_from": "yesterday"}, None, "timestamp_from"),
        ({}, {"ids": 5}, "ids"),
    ],
)
def test_validation_errors_fit_the_spec(
    http: httpx.Client, path: str, query: dict[str, str], body: Any, field: str
) -> None:
    response = http.post(path, params=query, json=body)
    assert response.status_code == 422
    payload = response.json()
    validate(path, 422, payload)
    assert payload["detail"][0]["loc"][-1] == field


def test_body_overrides_query(http: httpx.Client) -> None:
    response = http.post("/pipelines/metrics", params={"ids": "q1,q2"}, json={"ids": "b1, b2"})
    assert sorted(response.json()["connector_metrics"]) == ["b1", "b2"]
    response = http.post("/pipelines/metrics", params={"ids": "q1,q2"}, json={"ids": None})
    assert sorted(response.json()["connector_metrics"]) == ["q1", "q2"]


def test_bearer_token_required(sandbox: Sandbox, engine: Engine) -> None:
    with httpx.Client(base_url=sandbox.url) as client:
        assert client.post("/pipelines/metrics", json={}).status_code == 401
        denied = client.post(
            "/pipelines/metrics", json={}, headers={"Authorization": "Bearer nope"}
        )
        assert denied.status_code == 401
        assert denied.json() == {"detail": "Invalid or revoked token"}
