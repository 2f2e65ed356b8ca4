"""The Prometheus exporter against the sandbox (and a scripted API) over 127.0.0.1.

Every exposition is read back with prometheus_client's own parsers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from _scripted_api import ScriptedAPI
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from streamkap_api import models, surface
from streamkap_api.types import Unset
from streamkap_sdk import AsyncStreamkapClient, RetryPolicy, StreamkapClient, cli
from streamkap_sdk.exporter import Exporter
from streamkap_sdk.exporter._metrics import answer_from, prometheus_name
from streamkap_sdk.exporter._spec import MetricField, Resource, resources
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine, Fault, Sandbox
from streamkap_sdk.sandbox._server import free_port

PIPES = ["orders", "users", "pipe-3"]
DESTS = ["warehouse", "lake"]
FAST_RETRIES = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@contextlib.contextmanager
def running(
    base_url: str,
    ids: Mapping[str, list[str]],
    *,
    interval: float = 0.2,
    deadline: float | None = None,
    secret: str = DEFAULT_CLIENT_SECRET,
    **client_options: Any,
) -> Iterator[Exporter]:
    client = AsyncStreamkapClient(
        client_id=DEFAULT_CLIENT_ID, client_secret=secret, base_url=base_url, **client_options
    )
    with Exporter(client, ids, interval=interval, deadline=deadline, port=0) as exporter:
        yield exporter


def scrape(exporter: Exporter, path: str = "/metrics", **headers: str) -> httpx.Response:
    return httpx.get(exporter.url + path, headers=headers, timeout=5)


def parse(text: str) -> tuple[dict[str, Any], Samples]:
    families = {f.name: f for f in text_string_to_metric_families(text)}
    samples: Samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in families.values()
        for s in family.samples
    }
    return families, samples


def metrics_of(exporter: Exporter) -> tuple[dict[str, Any], Samples]:
    response = scrape(exporter)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


def wait_until(exporter: Exporter, predicate: Callable[[], bool], timeout: float = 10) -> None:
    """Wait refresh by refresh (bounded) until `predicate()` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        left = deadline - time.monotonic()
        assert left > 0, f"not reached within {timeout} s: {exporter.snapshot}"
        exporter.wait_for_refreshes(exporter.snapshot.refreshes + 1, timeout=left)


def sdk_latest(sandbox: Sandbox, resource: str, ids: list[str]) -> dict[str, Any]:
    """id -> the latest metrics model, as the SDK itself returns them."""
    with StreamkapClient(
        client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET, base_url=sandbox.url
    ) as client:
        result = getattr(client, resource).metrics(ids, time_type="latest")
    return {i: m.latest for i, m in result.connector_metrics.additional_properties.items()}


# -- what /metrics holds -------------------------------------------------------------------


def test_exposition_holds_the_sandbox_values(sandbox: Sandbox, engine: Engine) -> None:
    with running(sandbox.url, {"pipelines": PIPES, "destinations": DESTS}) as exporter:
        assert exporter.wait_for_refreshes(1, timeout=10)
        families, samples = metrics_of(exporter)

    # The names the issue promises, spelled out once here.
    pipes = sdk_latest(sandbox, "pipelines", PIPES)
    dests = sdk_latest(sandbox, "destinations", DESTS)
    for pipe in PIPES:
        lag = samples[("streamkap_pipeline_records_lag", (("pipeline_id", pipe),))]
        assert lag == pipes[pipe].records_lag
        status = (("pipeline_id", pipe), ("status", pipes[pipe].status))
        assert samples[("streamkap_pipeline_status", status)] == 1
    for dest in DESTS:
        latency = samples[("streamkap_destination_latency", (("destination_id", dest),))]
        assert latency == dests[dest].latency
    assert families["streamkap_pipeline_records_lag"].type == "gauge"
    assert families["streamkap_pipeline_records_lag"].documentation.startswith("Recordslag")

    # Every property of the generated latest-metrics models, read independently of the exporter;
    # two destination names follow Prometheus's unit and suffix conventions.
    renamed = {
        "put_batch_max_time_ms": ("put_batch_max_time_seconds", 1000),
        "partition_count": ("partitions", 1),
    }
    for model, entity, latest in (
        (models.PipelineLatestMetrics, "pipeline", pipes),
        (models.DestinationLatestMetrics, "destination", dests),
    ):
        for field in attrs.fields(model):
            if not field.init:
                continue
            for entity_id, block in latest.items():
                value = getattr(block, field.name)
                label = (f"{entity}_id", entity_id)
                stem, divisor = renamed.get(field.name, (field.name, 1))
                name = f"streamkap_{entity}_{stem}"
                if value is None or isinstance(value, Unset):  # nothing to show
                    assert not [k for k in samples if k[0] == name and label in k[1]], name
                elif isinstance(value, str):
                    assert samples[(name, tuple(sorted([label, (field.name, value)])))] == 1
                else:
                    assert samples[(name, (label,))] == value / divisor, name
                    kind = "counter" if name.endswith("_total") else "gauge"
                    assert families[name.removesuffix("_total")].type == kind

    assert samples[("streamkap_up", ())] == 1
    assert samples[("streamkap_entities", (("resource", "pipelines"),))] == len(PIPES)
    assert samples[("streamkap_entities", (("resource", "destinations"),))] == len(DESTS)
    fetched = samples[("streamkap_last_success_timestamp_seconds", (("resource", "pipelines"),))]
    assert time.time() - 60 < fetched <= time.time()
    assert samples[("streamkap_refresh_duration_seconds", ())] > 0
    assert not [key for key in samples if key[0] == "streamkap_refresh_errors_total"]


def test_pinned_values_strings_and_nulls(sandbox: Sandbox, engine: Engine) -> None:
    engine.overrides["pinned"] = {
        "latest": {"recordsLag": 5000, "latency": "12.5", "status": "PAUSED"}
    }
    engine.overrides["odd"] = {"latest": {"recordsLag": None, "latency": "n/a"}}
    engine.overrides["empty"] = {"latest": None}
    with running(sandbox.url, {"pipelines": ["pinned", "odd", "empty"]}) as exporter:
        assert exporter.wait_for_refreshes(1, timeout=10)
        _, samples = metrics_of(exporter)
    pinned = (("pipeline_id", "pinned"),)
    assert samples[("streamkap_pipeline_records_lag", pinned)] == 5000
    assert samples[("streamkap_pipeline_latency", pinned)] == 12.5  # a numeric string, parsed
    assert samples[("streamkap_pipeline_status", (*pinned, ("status", "PAUSED")))] == 1
    shown = {dict(labels).get("pipeline_id") for name, labels in samples if "pipeline_" in name}
    assert shown == {"pinned"}  # null, non-numeric and missing values give no sample
    assert samples[("streamkap_entities", (("resource", "pipelines"),))] == 3


#: strings only a lenient float() reads as numbers: none of them is a JSON number
NOT_NUMBERS = {
    "nan": "NaN", "inf": "Infinity", "minus-inf": "-Infinity", "underscore": "1_000",
    "spaces": " 5 ", "newline": "5\n", "plus": "+5", "hex": "0x10", "leading-zero": "01",
    "bare-dot": ".5", "trailing-dot": "5.", "arabic-digit": "\u0663", "overflow": "1e999",
    "empty": "",
}  # fmt: skip
JSON_NUMBERS = {"int": ("42", 42.0), "neg-exp": ("-1.5e3", -1500.0), "frac": ("0.25", 0.25)}


def test_only_json_numbers_become_samples(sandbox: Sandbox, engine: Engine) -> None:
    for entity_id, text in NOT_NUMBERS.items():
        engine.overrides[entity_id] = {"latest": {"recordsLag": text, "latency": text}}
    for entity_id, (text, _) in JSON_NUMBERS.items():
        engine.overrides[entity_id] = {"latest": {"recordsLag": text, "latency": text}}
    ids = [*NOT_NUMBERS, *JSON_NUMBERS]
    with running(sandbox.url, {"pipelines": ids}) as exporter:
        assert exporter.wait_for_refreshes(1, timeout=10)
        _, samples = metrics_of(exporter)
    for name in ("streamkap_pipeline_records_lag", "streamkap_pipeline_latency"):
        shown = {dict(labels)["pipeline_id"]: v for (n, labels), v in samples.items() if n == name}
        assert shown == {entity_id: value for entity_id, (_, value) in JSON_NUMBERS.items()}
    assert samples[("streamkap_up", ())] == 1
    assert samples[("streamkap_entities", (("resource", "pipelines"),))] == len(ids)


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), float("-inf"), True, False, 10**400, None, [1], {"a": 1}],
    ids=["nan", "inf", "-inf", "true", "false", "10**400", "none", "list", "dict"],
)
def test_no_sample_for_values_no_decoder_should_hand_over(value: object) -> None:
    """Whatever the JSON decoder gives (non-finite floats, bools, ints too big for a float)."""
    spec = resources()[0]
    numeric = [f for f in spec.fields if "integer" in f.types or "number" in f.types]
    data = {
        spec.maps[0]: {
            "odd": {"latest": {f.wire: value for f in numeric}},
            "fine": {"latest": {f.wire: 3 for f in numeric}},
        }
    }
    answer = answer_from(spec, data, fetched_at=0.0)
    ids = {s.labels[f"{spec.entity}_id"] for family in answer.families for s in family.samples}
    assert ids == {"fine"}


def test_openmetrics_and_gzip_on_request(sandbox: Sandbox, engine: Engine) -> None:
    with running(sandbox.url, {"pipelines": PIPES}) as exporter:
        assert exporter.wait_for_refreshes(1, timeout=10)
        response = scrape(
            exporter,
            accept="application/openmetrics-text;version=1.0.0,text/plain;q=0.5",
            **{"accept-encoding": "gzip"},
        )
        plain = scrape(exporter, **{"accept-encoding": "identity"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    families = {f.name: f for f in openmetrics_families(response.text)}
    lag = families["streamkap_pipeline_records_lag"]
    assert {s.labels["pipeline_id"] for s in lag.samples} == set(PIPES)
    assert "content-encoding" not in plain.headers  # no gzip when not accepted
    assert "streamkap_pipeline_records_lag" in parse(plain.text)[0]


def test_label_values_are_escaped(sandbox: Sandbox, engine: Engine) -> None:
    weird = ["back\\slash", 'quo"te', "uni\u00e7ode \u2713"]
    for entity_id in weird:
        engine.overrides[entity_id] = {"latest": {"recordsLag": 7, "status": 'say "hi"\\\nbye'}}
    with running(sandbox.url, {"pipelines": weird}) as exporter:
        assert exporter.wait_for_refreshes(1, timeout=10)
        response = scrape(exporter)
    _, samples = parse(response.text)
    for entity_id in weird:
        labels = (("pipeline_id", entity_id),)
        assert samples[("streamkap_pipeline_records_lag", labels)] == 7
        state = (*labels, ("status", 'say "hi"\\\nbye'))
        assert samples[("streamkap_pipeline_status", state)] == 1
    assert 'pipeline_id="back\\\\slash"' in response.text
    assert 'pipeline_id="quo\\"te"' in response.text
    assert 'status="say \\"hi\\"\\\\\\nbye"' in response.text


def dropped(samples: Samples, resource: str = "pipelines") -> float:
    return samples[("streamkap_dropped_values_total", (("resource", resource),))]


def test_a_lone_surrogate_does_not_blank_the_scrape(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings UTF-8 cannot encode (`"RUN\\ud83d"` is valid JSON) are dropped and counted, the
    rest served. Put into the answer after the SDK's decoder, whatever that decoder does."""
    from streamkap_sdk.exporter import _service

    def with_odd_strings(spec: Resource, data: dict[str, Any], fetched_at: float) -> Any:
        entities = data["connector_metrics"]
        entities["odd-state"]["latest"]["status"] = "RUN\ud83d"
        entities["odd-id-\udc00"] = entities.pop("odd-id")
        return answer_from(spec, data, fetched_at)

    monkeypatch.setattr(_service, "answer_from", with_odd_strings)
    with ScriptedAPI() as api:
        api.answers["pipelines"] = {
            "connector_metrics": {
                i: {"latest": {"recordsLag": lag, "status": "RUNNING"}}
                for lag, i in enumerate(["good", "odd-state", "odd-id"], start=1)
            }
        }
        with running(api.url, {"pipelines": ["good", "odd-state", "odd-id"]}, interval=60) as e:
            assert e.wait_for_refreshes(1, timeout=10)
            responses = [
                scrape(e),
                scrape(e, accept="application/openmetrics-text;version=1.0.0"),
                scrape(e, **{"accept-encoding": "gzip"}),
            ]
            health = scrape(e, "/healthz")
    assert [r.status_code for r in responses] == [200, 200, 200]
    families = {f.name: f for f in openmetrics_families(responses[1].text)}
    assert "streamkap_pipeline_records_lag" in families and "streamkap_dropped_values" in families
    _, samples = parse(responses[0].text)
    assert parse(responses[2].text)[1] == samples
    assert samples[("streamkap_up", ())] == 1
    good, odd = (("pipeline_id", "good"),), (("pipeline_id", "odd-state"),)
    assert samples[("streamkap_pipeline_records_lag", good)] == 1
    assert samples[("streamkap_pipeline_status", (*good, ("status", "RUNNING")))] == 1
    assert samples[("streamkap_pipeline_records_lag", odd)] == 2  # its other values stay
    assert not [k for k in samples if k[0] == "streamkap_pipeline_status" and odd[0] in k[1]]
    assert not [k for k in samples if "odd-id" in str(k)]
    assert dropped(samples) == 2  # the state and the entity id
    assert samples[("streamkap_entities", (("resource", "pipelines"),))] == 2
    assert health.status_code == 200


def test_a_lone_surrogate_over_http_never_fails_a_scrape() -> None:
    """End to end, whatever the SDK's decoder makes of `"RUN\\ud83d"` (refuse the answer,
    replace, or pass it on): every scrape answers 200 and /healthz stays ok."""
    with ScriptedAPI() as api:
        api.answers["pipelines"] = {
            "connector_metrics": {
                "good": {"latest": {"recordsLag": 1, "status": "RUN\ud83d"}},
                "odd-\udc00": {"latest": {"recordsLag": 2}},
            }
        }
        with running(api.url, {"pipelines": ["good"]}) as exporter:
            assert exporter.wait_for_refreshes(2, timeout=10)
            responses = [
                scrape(exporter),
                scrape(exporter, accept="application/openmetrics-text;version=1.0.0"),
            ]
            health = scrape(exporter, "/healthz")
    assert [r.status_code for r in responses] == [200, 200]
    _, samples = parse(responses[0].text)
    openmetrics_families(responses[1].text)
    if samples[("streamkap_up", ())] == 0:  # the decoder refused the answer: counted as such
        errors = [k for k in samples if k[0] == "streamkap_refresh_errors_total"]
        assert errors == [
            (
                "streamkap_refresh_errors_total",
                (("error", "MalformedResponseError"), ("resource", "pipelines")),
            )
        ]
    else:
        assert samples[("streamkap_pipeline_records_lag", (("pipeline_id", "good"),))] == 1
    assert health.status_code == 200


def test_values_that_cannot_be_exposed_are_counted_per_refresh() -> None:
    spec = resources()[0]
    data = {
        spec.maps[0]: {
            "good": {"latest": {"recordsLag": 1, "status": "RUN\ud83d"}},
            "bad\ud83d": {"latest": {"recordsLag": 2, "status": "RUNNING"}},
        },
        spec.maps[1]: {"also\udfff": {"latest": {"recordsLag": 3}}},
    }
    answer = answer_from(spec, data, fetched_at=0.0)
    assert answer.dropped == 3 and answer.entities == 1
    shown = [(f.name, s.labels) for f in answer.families for s in f.samples]
    assert shown == [("streamkap_pipeline_records_lag", {"pipeline_id": "good"})]


def test_healthz_is_unhealthy_while_scrapes_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamkap_sdk.exporter import _metrics

    def broken(snapshot: Any) -> Iterator[Any]:
        raise RuntimeError("a bug in rendering")
        yield

    with ScriptedAPI() as api:
        api.answers["pipelines"] = {"connector_metrics": {"a": {"latest": {"recordsLag": 1}}}}
        with running(api.url, {"pipelines": ["a"]}) as exporter:
            assert exporter.wait_for_refreshes(1, timeout=10)
            assert scrape(exporter, "/healthz").status_code == 200
            with monkeypatch.context() as patch:
                patch.setattr(_metrics, "self_metrics", broken)
                assert scrape(exporter).status_code == 500
                health = scrape(exporter, "/healthz")
            assert health.status_code == 503
            assert health.text == "scrapes failing: the last /metrics failed (RuntimeError)\n"
            assert scrape(exporter).status_code == 200  # the bug gone: healthy again
            assert scrape(exporter, "/healthz").status_code == 200


def test_a_metric_the_spec_adds_is_exported_without_code() -> None:
    spec = resources()[0]
    added = MetricField("rows_per_second", "rowsPerSecond", ("number",), "Rowspersecond", "Rate")
    grown = dataclasses.replace(spec, fields=(*spec.fields, added))
    answer = answer_from(
        grown, {spec.maps[0]: {"p1": {"latest": {"rowsPerSecond": 3.5}}}}, fetched_at=0.0
    )
    [family] = [f for f in answer.families if f.name == f"streamkap_{spec.entity}_rows_per_second"]
    assert (
        family.documentation == f"Rowspersecond: Rate (latest rowsPerSecond of each {spec.entity})"
    )
    assert [(s.labels, s.value) for s in family.samples] == [({f"{spec.entity}_id": "p1"}, 3.5)]


@pytest.mark.parametrize(
    ("name", "expected", "divisor"),
    [
        ("records_lag", "streamkap_pipeline_records_lag", 1),
        ("put_batch_max_time_ms", "streamkap_pipeline_put_batch_max_time_seconds", 1000),
        ("commit_us", "streamkap_pipeline_commit_seconds", 1e6),
        ("partition_count", "streamkap_pipeline_partitions", 1),
        ("open_batch_count", "streamkap_pipeline_open_batches", 1),
        ("retry_count", "streamkap_pipeline_retries", 1),
        ("bytes_consumed_total", "streamkap_pipeline_bytes_consumed_total", 1),
        ("ms", "streamkap_pipeline_ms", 1),  # nothing before the unit: left alone
        ("2xx-rate", "streamkap_pipeline_2xx_rate", 1),
    ],
)
def test_names_follow_prometheus_conventions(name: str, expected: str, divisor: float) -> None:
    resource = Resource("pipelines", "pipeline", ("connector_metrics",), "latest", "time_type", ())
    field = MetricField(name, name, ("number",), "Title", "")
    assert prometheus_name(resource, field)[:2] == (expected, divisor)


def test_two_properties_with_one_prometheus_name_give_one_family() -> None:
    grown = Resource(
        "pipelines",
        "pipeline",
        ("connector_metrics",),
        "latest",
        "time_type",
        (
            MetricField("partition_count", "partitionCount", ("integer",), "A", ""),
            MetricField("partitions", "partitions", ("integer",), "B", ""),
        ),
    )
    data = {"connector_metrics": {"p": {"latest": {"partitionCount": 3, "partitions": 4}}}}
    families = answer_from(grown, data, fetched_at=0.0).families
    assert [(f.name, [s.value for s in f.samples]) for f in families] == [
        ("streamkap_pipeline_partitions", [3.0])
    ]


def test_the_spec_names_every_resource_and_metric() -> None:
    """The exporter's view of the spec (the surface) matches the generated models."""
    found = {spec.resource: spec for spec in resources()}
    assert list(found) == [op.resource for op in surface.OPERATIONS]  # each has a latest block
    assert list(found)[:2] == ["pipelines", "destinations"]
    pipelines = found["pipelines"]
    assert (pipelines.entity, pipelines.block, pipelines.block_param) == (
        "pipeline", "latest", "time_type",
    )  # fmt: skip
    assert pipelines.maps[:2] == ("connector_metrics", "inline_metrics")
    assert "account_metrics" not in pipelines.maps  # an aggregate, not per id
    wires = {f.name: f.wire for f in pipelines.fields}
    assert wires.items() >= {"latency": "latency", "records_lag": "recordsLag"}.items()
    lag = next(f for f in pipelines.fields if f.name == "records_lag")
    assert lag.title == "Recordslag" and set(lag.types) == {"integer", "string"}
    for model, spec in (
        (models.PipelineLatestMetrics, pipelines),
        (models.DestinationLatestMetrics, found["destinations"]),
    ):
        assert [f.name for f in spec.fields] == [f.name for f in attrs.fields(model) if f.init]


# -- staleness and disappearance ------------------------------------------------------------


def test_a_failed_refresh_keeps_the_last_good_values(
    sandbox: Sandbox, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="streamkap_sdk.exporter")
    ids = {"pipelines": PIPES, "destinations": DESTS}
    with running(sandbox.url, ids, max_retries=0) as exporter:
        assert exporter.wait_for_refreshes(1, timeout=10)
        _, good = metrics_of(exporter)
        engine.add_fault(Fault(status=503, times=10_000))
        wait_until(exporter, lambda: not exporter.snapshot.up)
        wait_until(exporter, lambda: sum(exporter.snapshot.errors.values()) >= 4)
        _, stale = metrics_of(exporter)
        # two more failed refreshes: the values and their age must not move while failing (a
        # refresh may still have succeeded between `good` and the fault: compare to `stale`)
        wait_until(exporter, lambda: sum(exporter.snapshot.errors.values()) >= 8)
        _, staler = metrics_of(exporter)
        engine.reset()  # faults gone (tokens too: the exporter renews)
        wait_until(exporter, lambda: exporter.snapshot.up)
        _, fresh = metrics_of(exporter)

    def values(samples: Samples) -> Samples:
        return {
            k: v
            for k, v in samples.items()
            if k[0].startswith(("streamkap_pipeline_", "streamkap_destination_"))
        }

    assert values(stale) == values(good) == values(staler)  # nothing lost while the API fails
    assert stale[("streamkap_up", ())] == 0
    for resource in ("pipelines", "destinations"):
        label = (("resource", resource),)
        key = ("streamkap_last_success_timestamp_seconds", label)
        assert good[key] <= stale[key] == staler[key] < fresh[key]  # says how old they are
        assert stale[("streamkap_entities", label)] == len(ids[resource])
        errors = ("streamkap_refresh_errors_total", (("error", "InternalServerError"), *label))
        assert stale[errors] >= 2
        assert fresh[errors] == stale[errors] or fresh[errors] > stale[errors]
    assert fresh[("streamkap_up", ())] == 1
    assert values(fresh) == values(good)  # deterministic sandbox: the same numbers again

    lines = [r for r in caplog.records if r.name == "streamkap_sdk.exporter"]
    failed = [r.getMessage() for r in lines if r.levelno == logging.WARNING]
    assert failed and all("InternalServerError" in m for m in failed)
    assert "pipelines failed: InternalServerError: HTTP 503" in failed[0]
    assert "(showing 3 from" in failed[0]
    refreshes = [r for r in lines if r.getMessage().startswith("refresh ")]
    assert len(refreshes) == exporter.snapshot.refreshes  # exactly one line per refresh
    assert refreshes[0].levelno == logging.INFO
    assert refreshes[0].getMessage().startswith("refresh 1 ok in ")


def test_a_vanished_entity_vanishes() -> None:
    def answer(*ids: str) -> dict[str, Any]:
        return {
            "connector_metrics": {
                i: {"latest": {"recordsLag": 1, "status": "RUNNING"}} for i in ids
            }
        }

    with ScriptedAPI() as api:
        api.answers["pipelines"] = answer("a", "b", "c")
        with running(api.url, {"pipelines": ["a", "b", "c"]}) as exporter:
            assert exporter.wait_for_refreshes(1, timeout=10)
            _, before = metrics_of(exporter)
            api.answers["pipelines"] = answer("a", "c")
            wait_until(exporter, lambda: exporter.snapshot.answers["pipelines"].entities == 2)
            _, after = metrics_of(exporter)

    def ids_in(samples: Samples) -> set[str]:
        return {
            dict(labels)["pipeline_id"] for (_, labels) in samples if "pipeline_id" in dict(labels)
        }

    assert ids_in(before) == {"a", "b", "c"}
    assert ids_in(after) == {"a", "c"}
    assert after[("streamkap_entities", (("resource", "pipelines"),))] == 2
    assert after[("streamkap_up", ())] == 1


def test_scrapes_never_call_the_api_and_refreshes_never_overlap() -> None:
    with ScriptedAPI() as api:
        api.answers["pipelines"] = {"connector_metrics": {"a": {"latest": {"recordsLag": 1}}}}
        api.delay = 0.3  # each refresh takes longer than the interval
        with running(api.url, {"pipelines": ["a"]}, interval=0.1, deadline=5) as exporter:
            assert exporter.wait_for_refreshes(3, timeout=10)
            for _ in range(20):
                assert scrape(exporter).status_code == 200
            refreshes, requests = exporter.snapshot.refreshes, api.requests
    assert requests <= refreshes + 1  # one request per refresh (and one in flight), none per scrape
    assert api.max_in_flight == 1


# -- a well-behaved service ------------------------------------------------------------------


def test_no_secret_in_logs_or_output(
    sandbox: Sandbox,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "exporter-test-secret-4b1d"
    monkeypatch.setattr(engine, "client_secret", secret)
    engine.token_lifetime = 1.0  # renewals all along
    caplog.set_level(logging.DEBUG, logger="streamkap_sdk")
    shown: list[str] = []
    ids = {"pipelines": PIPES, "destinations": DESTS}
    with running(sandbox.url, ids, secret=secret, retry_policy=FAST_RETRIES) as exporter:
        for fault in (
            lambda: engine.add_fault(Fault(status=503, times=10)),
            lambda: engine.add_fault(Fault(kind="reset")),
            engine.revoke_tokens,
            lambda: engine.add_fault(Fault(status=401, tokens=True, times=3)),
        ):
            fault()
            exporter.wait_for_refreshes(exporter.snapshot.refreshes + 2, timeout=10)
            shown += [scrape(exporter).text, scrape(exporter, "/healthz").text]
        assert engine.token_requests + engine.refresh_requests > 2
    shown.append(caplog.text)
    shown += [repr(exporter), repr(exporter.snapshot)]
    everything = "\n".join(shown)
    assert "HTTP 503" in caplog.text  # the failures were logged...
    for value in (secret, *engine.issued):  # ...and no secret or token with them
        assert value not in everything


def test_health_and_other_paths(sandbox: Sandbox, engine: Engine) -> None:
    with running(sandbox.url, {"pipelines": PIPES}) as exporter:
        assert exporter.wait_for_refreshes(1, timeout=10)
        health = scrape(exporter, "/healthz")
        missing = scrape(exporter, "/nope")
        head = httpx.head(exporter.url + "/metrics")
        index = scrape(exporter, "/")
    assert health.status_code == 200 and health.text.startswith("ok: ")
    assert missing.status_code == 404
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0
    assert 'href="/metrics"' in index.text
    assert exporter.health() == (False, "refresh loop not running")  # once stopped


def address_of(exporter: Exporter) -> tuple[str, int]:
    host, port = exporter.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def test_a_burst_of_connections_waits_for_no_syn_retry() -> None:
    """64 connections opened at once are all accepted at once: a listen backlog of 5 made
    every sixth wait about a second for the client's SYN retry."""
    count = 64
    with ScriptedAPI() as api:
        api.answers["pipelines"] = {"connector_metrics": {"a": {"latest": {"recordsLag": 1}}}}
        with running(api.url, {"pipelines": ["a"]}, interval=60) as exporter:
            assert exporter.wait_for_refreshes(1, timeout=10)
            address = address_of(exporter)
            waited: dict[socket.socket, float] = {}
            with selectors.DefaultSelector() as selector, contextlib.ExitStack() as stack:
                started = time.monotonic()
                for _ in range(count):
                    sock = stack.enter_context(socket.socket())
                    sock.setblocking(False)
                    sock.connect_ex(address)
                    selector.register(sock, selectors.EVENT_WRITE)
                deadline = started + 5
                while len(waited) < count and time.monotonic() < deadline:
                    for key, _ in selector.select(timeout=0.05):
                        selector.unregister(key.fileobj)
                        waited[key.fileobj] = time.monotonic() - started  # type: ignore[index]
                answers = []
                for sock in waited:  # every one of them is served, too
                    sock.settimeout(5)
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    answers.append(b"".join(iter(lambda s=sock: s.recv(4096), b"")))
    assert len(waited) == count
    assert max(waited.values()) < 0.5, sorted(waited.values())[-3:]
    assert all(a.startswith(b"HTTP/1.1 200 ") for a in answers)


def hang_up(address: tuple[str, int], request: bytes) -> None:
    """Send `request` (all of it, or part), then reset the connection without reading."""
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(request)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_client_hanging_up_early_is_one_debug_line_and_no_traceback(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="streamkap_sdk.exporter")
    many = {f"p{i}": {"latest": {"recordsLag": i, "status": "RUNNING"}} for i in range(3000)}
    with ScriptedAPI() as api:
        api.answers["pipelines"] = {"connector_metrics": many}
        with running(api.url, {"pipelines": list(many)}, interval=60) as exporter:
            assert exporter.wait_for_refreshes(1, timeout=10)
            address = address_of(exporter)
            for _ in range(5):  # gone while the exporter reads the request: always an error
                hang_up(address, b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            for _ in range(5):  # gone before a large answer is written: an error, or none
                hang_up(address, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            deadline = time.monotonic() + 5
            while len(aborted := [r for r in caplog.records if "closed early" in r.message]) < 5:
                assert time.monotonic() < deadline, capfd.readouterr().err[-2000:]
                time.sleep(0.02)
            assert scrape(exporter).status_code == 200  # still serving
    assert len(aborted) <= 10
    assert {(r.levelno, r.name) for r in aborted} == {(logging.DEBUG, "streamkap_sdk.exporter")}
    assert all(len(r.getMessage().splitlines()) == 1 for r in aborted)
    assert [
        r for r in caplog.records if r.levelno > logging.DEBUG and "refresh" not in r.message
    ] == []
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err, err[-2000:]


def test_stop_cancels_a_refresh_in_flight_within_a_second() -> None:
    with ScriptedAPI() as api:
        api.delay = 5.0
        exporter = Exporter(
            AsyncStreamkapClient(client_id="c", client_secret="s", base_url=api.url),
            {"pipelines": ["a"]},
            port=0,
        ).start()
        deadline = time.monotonic() + 5
        while api.in_flight == 0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        started = time.monotonic()
        exporter.stop()
        assert time.monotonic() - started < 1.0
        assert exporter.health()[0] is False
        with pytest.raises(httpx.ConnectError):
            httpx.get(exporter.url + "/metrics", timeout=1)


def test_bad_arguments_to_the_class() -> None:
    client = AsyncStreamkapClient(client_id="c", client_secret="s", base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="unknown resource"):
        Exporter(client, {"pipelinez": ["a"]})
    with pytest.raises(ValueError, match="no ids"):
        Exporter(client, {"pipelines": []})
    with pytest.raises(ValueError, match="positive"):
        Exporter(client, {"pipelines": ["a"]}, interval=0)


# -- the command ------------------------------------------------------------------------------

MODULE = [sys.executable, "-m", "streamkap_sdk.exporter"]
SCRIPT = Path(sys.executable).with_name("streamkap-metrics")
SERVE = (
    [str(SCRIPT), "serve"]
    if SCRIPT.exists()
    else [sys.executable, "-m", "streamkap_sdk.cli", "serve"]
)


def env_for(host: str, secret: str = DEFAULT_CLIENT_SECRET) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMKAP_")}
    env.update(
        STREAMKAP_HOST=host,
        STREAMKAP_CLIENT_ID=DEFAULT_CLIENT_ID,
        STREAMKAP_SECRET=secret,
    )
    return env


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ([], {}, "no ids: give --pipelines and/or --destinations"),  # and any other resource
        (["--pipelines", "a", "--interval", "0"], {}, "argument --interval: expected seconds >= 1"),
        (["--pipelines", "a", "--listen", "9464"], {}, "argument --listen: invalid address '9464'"),
        (["--pipelines", "a", "--listen", "h:99999"], {}, "invalid address 'h:99999'"),
        (["--pipelines-file", "/nonexistent/ids"], {}, "cannot read --pipelines-file"),
        (
            ["--pipelines", "a"],
            {"STREAMKAP_CLIENT_ID": "", "STREAMKAP_SECRET": ""},
            "no credentials: set STREAMKAP_CLIENT_ID",
        ),
        (["--pipelines", "a"], {"STREAMKAP_SECRET": ""}, "incomplete credentials"),
        (["--pipelines", "a", "--project-key", "/nonexistent.json"], {}, "cannot read"),
        (["--bogus"], {}, "unrecognized arguments: --bogus"),
        (["--pipelines", "a", "--host", "ftp://x"], {}, "argument --host: 'ftp://x' is not a"),
    ],
)
def test_bad_configuration_exits_2_with_one_line(
    args: list[str],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STREAMKAP_CLIENT_ID", DEFAULT_CLIENT_ID)
    monkeypatch.setenv("STREAMKAP_SECRET", DEFAULT_CLIENT_SECRET)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("streamkap-metrics serve: error: ")
    assert message in line


def test_the_command_serves_the_ids_of_flags_and_files(
    tmp_path: Path, sandbox: Sandbox, engine: Engine
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("# watched\nlake\nwarehouse, lake  # two\n\n")
    with serving(
        ["--pipelines", "orders", "--pipelines", "users,orders", "--pipelines-file", "-",
         "--destinations-file", str(ids)],
        sandbox.url,
        stdin="pipe-3\n",
        command=SERVE,
    ) as (url, process):  # fmt: skip
        deadline = time.monotonic() + 10
        while "refresh 1 " not in (line := _readline(process)):
            assert time.monotonic() < deadline, line
        _, samples = parse(httpx.get(url + "/metrics").text)
    shown = {
        (name.split("_")[1], dict(labels)[f"{name.split('_')[1]}_id"])
        for name, labels in samples
        if name.endswith("_records_lag")
    }
    assert shown == {
        ("pipeline", "orders"), ("pipeline", "users"), ("pipeline", "pipe-3"),
        ("destination", "lake"), ("destination", "warehouse"),
    }  # fmt: skip
    assert "refresh 1 ok in " in line and "pipelines 3/3; destinations 2/2" in line


def test_credentials_refused_on_the_first_refresh_exit_2(sandbox: Sandbox, engine: Engine) -> None:
    secret = "not-the-secret-5e1f"
    with serving(["--pipelines", "orders"], sandbox.url, secret=secret, command=SERVE) as (
        _,
        process,
    ):
        assert process.wait(timeout=10) == 2
        assert process.stderr is not None
        rest = process.stderr.read()
    lines = rest.splitlines()
    assert [line for line in lines if ": error: " in line] == lines[-1:]  # one error line
    assert lines[-1].startswith("streamkap-metrics serve: error: credentials refused: HTTP 401")
    assert lines[-1].endswith("; check STREAMKAP_CLIENT_ID and STREAMKAP_SECRET")
    assert "client_secret" not in lines[-1]  # the command's words, not the SDK's keywords
    assert secret not in rest and "Traceback" not in rest
    assert engine.token_requests >= 1


def test_a_refused_project_key_is_named(tmp_path: Path, sandbox: Sandbox, engine: Engine) -> None:
    key = tmp_path / "key.json"
    api = {"client_id": DEFAULT_CLIENT_ID, "client_secret": "revoked", "api_url": sandbox.url}
    key.write_text(json.dumps({"api": api}))
    with serving(["--pipelines", "orders", "--project-key", str(key)], sandbox.url) as (_, process):
        assert process.wait(timeout=10) == 2
        assert process.stderr is not None
        last = process.stderr.read().splitlines()[-1]
    assert last.startswith("python -m streamkap_sdk.exporter: error: credentials refused: ")
    assert last.endswith(f"; check the project key {str(key)!r}")


def test_credentials_refused_later_are_reported_not_fatal(
    sandbox: Sandbox, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(["--pipelines", "orders"], sandbox.url) as (url, process):
        deadline = time.monotonic() + 10
        while "refresh 1 ok" not in (line := _readline(process)):
            assert time.monotonic() < deadline, line
        monkeypatch.setattr(engine, "client_secret", "rotated")  # the key was revoked
        engine.reset()  # every token gone: the next refresh exchanges the credentials again
        while "AuthenticationError" not in (line := _readline(process)):
            assert time.monotonic() < deadline, line
        assert " WARNING " in line
        assert process.poll() is None  # still running
        assert httpx.get(url + "/healthz").status_code == 200
        _, samples = parse(httpx.get(url + "/metrics").text)
    assert samples[("streamkap_up", ())] == 0
    errors = (("error", "AuthenticationError"), ("resource", "pipelines"))
    assert samples[("streamkap_refresh_errors_total", errors)] >= 1
    assert samples[("streamkap_pipeline_records_lag", (("pipeline_id", "orders"),))] >= 0


def test_the_host_flag_beats_streamkap_host(sandbox: Sandbox, engine: Engine) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # STREAMKAP_HOST: nothing listens there
    with serving(["--pipelines", "orders", "--host", sandbox.url], closed) as (_, process):
        deadline = time.monotonic() + 10
        while "refresh 1 " not in (line := _readline(process)):
            assert time.monotonic() < deadline, line
    assert "refresh 1 ok in " in line
    assert engine.metrics_requests >= 1


@contextlib.contextmanager
def serving(
    args: list[str],
    host: str,
    *,
    stdin: str | None = None,
    command: list[str] = MODULE,
    secret: str = DEFAULT_CLIENT_SECRET,
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The command on a free port; yields its URL (from its first log line) and the process."""
    process = subprocess.Popen(
        [*command, *args, "--listen", "127.0.0.1:0", "--interval", "1"],
        env=env_for(host, secret), stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdin is not None
        process.stdin.write(stdin or "")
        process.stdin.close()
        first = _readline(process)
        assert " INFO streamkap_sdk.exporter: serving http://127.0.0.1:" in first, first
        yield first.split("serving ", 1)[1].split("/metrics", 1)[0], process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()


def _readline(process: subprocess.Popen[str]) -> str:
    assert process.stderr is not None
    return process.stderr.readline()


def test_missing_extra_says_how_to_install() -> None:
    code = (
        "import sys; sys.modules['prometheus_client'] = None\n"
        "from streamkap_sdk.exporter import main\n"
        "sys.exit(main(['--pipelines', 'a']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "python -m streamkap_sdk.exporter: error: the exporter needs prometheus-client: "
        "pip install 'streamkap-sdk[exporter]'"
    ]


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_the_command_stops_within_a_second(how: signal.Signals) -> None:
    with ScriptedAPI() as api:
        api.delay = 10.0  # a refresh is in flight when the signal comes
        with serving(["--pipelines", "orders"], api.url) as (url, process):
            deadline = time.monotonic() + 10
            while api.in_flight == 0:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            assert httpx.get(url + "/healthz").text == "ok: first refresh running\n"
            started = time.monotonic()
            process.send_signal(how)
            assert process.wait(timeout=5) == 0
            assert time.monotonic() - started < 1.0
            assert process.stderr is not None
            rest = process.stderr.read().splitlines()
    assert rest[-1].endswith("INFO streamkap_sdk.exporter: stopped"), rest
    assert not [line for line in rest if "Traceback" in line]
