"""What wraps httpx sees the SDK's traffic (issue 22): every request, token requests included,
goes through the public `send` of a plain httpx client, so APM agents, tracers and mocking
libraries need nothing of the SDK's.

On each client flavour where the tool applies (StreamkapClient; AsyncStreamkapClient on httpx;
AsyncStreamkapClient(http_backend="aiohttp"), which sends through `httpx.AsyncClient.send` too,
with the httpx-aiohttp transport under it):

- Sentry's httpx integration (it wraps `httpx.Client.send` / `httpx.AsyncClient.send`) records
  one `http.client` span and one breadcrumb per request, and its `sentry-trace` / `baggage`
  headers reach the server, naming those spans. Sentry patches httpx for the life of the
  process (its integrations are set up once, with no way back), so each flavour runs in a
  subprocess (this file, run as a script): nothing of Sentry's is left in the test process.
- OpenTelemetry: the httpx instrumentation (it wraps httpx's transports) records a client span
  per request on both httpx flavours, the aiohttp-client one (it wraps `aiohttp.ClientSession`)
  on the aiohttp flavour; each span's `traceparent` reaches the server. Both are undone
  (`uninstrument()`) before the test ends, and a call after that records nothing.
- respx and pytest-httpx answer the token request and the metrics request, and the SDK returns
  its typed model from what they answered; nothing reaches the server. respx mocks httpcore by
  default, which the aiohttp flavour does not use: there, `respx.mock(using="httpx")` mocks at
  the httpx client, which the aiohttp flavour sends through as well. pytest-httpx mocks httpx's
  own transports, so it applies to the httpx flavours.

Each call is made to answer 401 once (the server "revokes" the first token), so a call is four
requests: the token exchange, the metrics request (401), the refresh, the replay (200).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, Literal

import httpx
import pytest
from _faultserver import CLIENT_ID, Conn, FaultServer, Request, fault_server

from streamkap_api.models import PipelineLatestMetrics
from streamkap_sdk import (
    AsyncStreamkapClient,
    PipelineMetricsRes,
    StreamkapClient,
    entities,
    present,
)

FLAVOURS: Final = ("sync", "async-httpx", "async-aiohttp")
TOKEN, REFRESH, METRICS = "/auth/access-token", "/auth/access-token/refresh", "/pipelines/metrics"
#: token, metrics (401), refresh, the replay: what one call sends after a revoked token
PATHS: Final = [TOKEN, METRICS, REFRESH, METRICS]
STATUSES: Final = [200, 401, 200, 200]
HERE: Final = Path(__file__).resolve().parent


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as running:
        yield running


def unauthorized(request: Request, conn: Conn) -> None:
    conn.respond(401, {"detail": "Not authenticated"})


def call(flavour: str, credentials: dict[str, Any]) -> PipelineMetricsRes:
    """One `pipelines.metrics` call on a fresh client of `flavour`, closed after it."""
    if flavour == "sync":
        with StreamkapClient(**credentials) as client:
            return client.pipelines.metrics(["orders"])

    async def run() -> PipelineMetricsRes:
        backend: Literal["httpx", "aiohttp"] = "aiohttp" if flavour == "async-aiohttp" else "httpx"
        async with AsyncStreamkapClient(**credentials, http_backend=backend) as client:
            return await client.pipelines.metrics(["orders"])

    return asyncio.run(run())


def assert_model(result: object, latency: float) -> None:
    assert isinstance(result, PipelineMetricsRes)
    assert list(entities(result.connector_metrics)) == ["orders"]
    latest = present(entities(result.connector_metrics)["orders"].latest)
    assert isinstance(latest, PipelineLatestMetrics)
    assert latest.latency == latency


# -- Sentry -------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_sentry_records_a_span_and_a_breadcrumb_per_request_and_its_trace_reaches_the_server(
    server: FaultServer, flavour: str, tmp_path: Path
) -> None:
    server.once(METRICS, unauthorized)
    out = tmp_path / "sentry.json"
    env = {
        **os.environ,
        "STREAMKAP_PROBE_CREDENTIALS": json.dumps(server.credentials()),
        "SENTRY_AGENT_HINTS": "false",  # no coding-agent hint at init or exit
    }
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "sentry", flavour, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=HERE.parent,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    seen = json.loads(out.read_text())
    assert seen["model"] == "PipelineMetricsRes" and seen["ids"] == ["orders"]

    sent = list(server.requests)
    assert [r.path for r in sent] == PATHS
    urls = [server.url + path for path in PATHS]

    (root,) = [s for s in seen["spans"] if s["is_segment"]]
    assert root["name"] == "streamkap-call"
    spans = sorted((s for s in seen["spans"] if s["op"] == "http.client"), key=lambda s: s["start"])
    assert [(s["method"], s["url"], s["status_code"]) for s in spans] == list(
        zip(["POST"] * 4, urls, STATUSES, strict=True)
    )
    for span in spans:
        assert span["origin"] == "auto.http.httpx"
        assert (span["trace_id"], span["parent_span_id"]) == (root["trace_id"], root["span_id"])
    assert len(seen["spans"]) == len(sent) + 1  # nothing else was recorded: one span a request

    crumbs = [(b["method"], b["url"], b["status_code"]) for b in seen["breadcrumbs"]]
    assert crumbs == list(zip(["POST"] * 4, urls, STATUSES, strict=True))

    for request, span in zip(sent, spans, strict=True):  # each request names its own span
        assert request.headers["sentry-trace"] == f"{root['trace_id']}-{span['span_id']}-1"
        baggage = request.headers["baggage"].split(",")
        assert f"sentry-trace_id={root['trace_id']}" in baggage
        assert "sentry-sampled=true" in baggage


def sentry_probe(flavour: str, credentials: dict[str, Any], out: Path) -> None:
    """In a process of its own: one call under Sentry (httpx integration, in-memory transport,
    every trace sampled), then what Sentry captured, written to `out` as JSON."""
    import sentry_sdk
    from sentry_sdk.envelope import Envelope
    from sentry_sdk.integrations.httpx import HttpxIntegration
    from sentry_sdk.transport import Transport

    envelopes: list[Envelope] = []

    class InMemory(Transport):
        def capture_envelope(self, envelope: Envelope) -> None:
            envelopes.append(envelope)

    sentry_sdk.init(
        dsn="http://public@127.0.0.1:9/1",  # never used: the transport keeps what it gets
        transport=InMemory,
        traces_sample_rate=1.0,
        integrations=[HttpxIntegration()],
        default_integrations=False,
        auto_enabling_integrations=False,
        release="streamkap-sdk-tests",
        environment="tests",
    )
    try:
        with sentry_sdk.start_span(name="streamkap-call"):
            result = call(flavour, credentials)
        sentry_sdk.capture_message("after the call")  # an event: it carries the breadcrumbs
        sentry_sdk.flush(timeout=10)
    finally:
        sentry_sdk.get_client().close()

    spans: list[dict[str, Any]] = []
    breadcrumbs: list[dict[str, Any]] = []
    for envelope in envelopes:
        for item in envelope.items:
            payload = json.loads(item.get_bytes())
            if item.type == "span":
                spans += [_span(s) for s in payload["items"]]
            elif item.type == "event":
                breadcrumbs += [
                    {
                        "method": b["data"]["http.method"],
                        "url": b["data"]["url"],
                        "status_code": b["data"]["http.response.status_code"],
                    }
                    for b in payload.get("breadcrumbs", {}).get("values", [])
                    if b.get("type") == "http"
                ]
    summary = {
        "model": type(result).__name__,
        "ids": list(entities(result.connector_metrics)),
        "spans": spans,
        "breadcrumbs": breadcrumbs,
    }
    out.write_text(json.dumps(summary))


def _span(span: dict[str, Any]) -> dict[str, Any]:
    attributes = {k: v.get("value") for k, v in span.get("attributes", {}).items()}
    return {
        "name": span["name"],
        "is_segment": span.get("is_segment", False),
        "op": attributes.get("sentry.op"),
        "origin": attributes.get("sentry.origin"),
        "method": attributes.get("http.request.method"),
        "url": attributes.get("url.full"),
        "status_code": attributes.get("http.response.status_code"),
        "trace_id": span["trace_id"],
        "span_id": span["span_id"],
        "parent_span_id": span.get("parent_span_id"),
        "start": span["start_timestamp"],
    }


# -- OpenTelemetry ------------------------------------------------------------------------------


@pytest.fixture
def tracing() -> Iterator[tuple[Any, Any]]:
    """A tracer provider of the test's own (not the global one) and its in-memory exporter."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_opentelemetry_records_a_client_span_per_request(
    server: FaultServer, flavour: str, tracing: tuple[Any, Any]
) -> None:
    import aiohttp
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.trace import SpanKind

    provider, exporter = tracing
    instrumentor: HTTPXClientInstrumentor | AioHttpClientInstrumentor
    if flavour == "async-aiohttp":
        instrumentor, scope = AioHttpClientInstrumentor(), "aiohttp_client"
    else:
        instrumentor, scope = HTTPXClientInstrumentor(), "httpx"
    wrapped = (  # what the instrumentations wrap
        httpx.HTTPTransport.handle_request,
        httpx.AsyncHTTPTransport.handle_async_request,
        aiohttp.ClientSession.__init__,
    )
    server.once(METRICS, unauthorized)
    instrumentor.instrument(tracer_provider=provider)
    try:
        with provider.get_tracer("tests").start_as_current_span("streamkap-call") as parent:
            result = call(flavour, server.credentials())
    finally:
        instrumentor.uninstrument()
    assert_model(result, float(len("orders")))  # the FaultServer's latency: len(id)

    spans = sorted(
        (s for s in exporter.get_finished_spans() if s.kind == SpanKind.CLIENT),
        key=lambda s: s.start_time or 0,
    )
    sent = list(server.requests)
    assert [r.path for r in sent] == PATHS
    urls = [server.url + path for path in PATHS]
    assert [_otel_request(s) for s in spans] == list(zip(["POST"] * 4, urls, STATUSES, strict=True))
    context = parent.get_span_context()
    for request, span in zip(sent, spans, strict=True):
        assert span.instrumentation_scope.name == f"opentelemetry.instrumentation.{scope}"
        assert span.parent.span_id == context.span_id
        assert span.context.trace_id == context.trace_id
        trace, own = f"{context.trace_id:032x}", f"{span.context.span_id:016x}"
        assert request.headers["traceparent"].startswith(f"00-{trace}-{own}-")
    assert len(exporter.get_finished_spans()) == len(sent) + 1  # the requests' and the parent

    # undone: what was wrapped is the original again, and a call records nothing
    assert wrapped == (
        httpx.HTTPTransport.handle_request,
        httpx.AsyncHTTPTransport.handle_async_request,
        aiohttp.ClientSession.__init__,
    )
    exporter.clear()
    server.requests.clear()
    call(flavour, server.credentials())
    assert exporter.get_finished_spans() == ()
    assert [r.path for r in server.requests] == [TOKEN, METRICS]
    assert all("traceparent" not in r.headers for r in server.requests)


def _otel_request(span: Any) -> tuple[object, object, object]:
    """(method, URL, status) of a client span, under the stable semantic-conventions names or
    the old ones (the instrumentations emit either, as OTEL_SEMCONV_STABILITY_OPT_IN says)."""
    attributes = span.attributes or {}

    def get(new: str, old: str) -> object:
        return attributes.get(new, attributes.get(old))

    return (
        get("http.request.method", "http.method"),
        get("url.full", "http.url"),
        get("http.response.status_code", "http.status_code"),
    )


# -- respx, pytest-httpx ------------------------------------------------------------------------

MOCKED_TOKEN: Final = {"accessToken": "mocked-access", "refreshToken": "r", "expiresIn": 3600}


def mocked_metrics(request: httpx.Request) -> httpx.Response:
    """What the mock answers a metrics request with: a latency no server here would send."""
    ids = json.loads(request.content)["ids"]
    return httpx.Response(
        200, json={"connector_metrics": {i: {"latest": {"latency": 42.5}} for i in ids}}
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_respx_mocks_the_token_and_the_metrics_request(server: FaultServer, flavour: str) -> None:
    import respx

    using = "httpx" if flavour == "async-aiohttp" else "httpcore"  # see the module docstring
    with respx.mock(base_url=server.url, using=using, assert_all_called=True) as mock:
        token = mock.post(TOKEN).respond(200, json=MOCKED_TOKEN)
        metrics = mock.post(METRICS).mock(side_effect=mocked_metrics)
        result = call(flavour, server.credentials())

    assert_model(result, 42.5)
    assert (token.call_count, metrics.call_count) == (1, 1)
    assert json.loads(token.calls.last.request.content)["client_id"] == CLIENT_ID
    assert metrics.calls.last.request.headers["authorization"] == "Bearer mocked-access"
    assert server.requests == []  # nothing reached the wire


PYTEST_HTTPX_MISSING = (
    "pytest-httpx is not installed: each of its releases requires one httpx minor version "
    "(0.36.2: httpx==0.28.*), so the dev group, on the newest httpx, cannot pin it"
)


@pytest.fixture
def httpx_mock_if_installed(request: pytest.FixtureRequest) -> Any:
    pytest.importorskip("pytest_httpx", reason=PYTEST_HTTPX_MISSING)
    return request.getfixturevalue("httpx_mock")


@pytest.mark.parametrize("flavour", ["sync", "async-httpx"])
def test_pytest_httpx_mocks_the_token_and_the_metrics_request(
    server: FaultServer, flavour: str, httpx_mock_if_installed: Any
) -> None:
    httpx_mock = httpx_mock_if_installed
    httpx_mock.add_response(method="POST", url=server.url + TOKEN, json=MOCKED_TOKEN)
    httpx_mock.add_callback(mocked_metrics, method="POST", url=server.url + METRICS)

    result = call(flavour, server.credentials())

    assert_model(result, 42.5)
    token, metrics = httpx_mock.get_requests()
    assert (token.url, metrics.url) == (server.url + TOKEN, server.url + METRICS)
    assert json.loads(token.content)["client_id"] == CLIENT_ID
    assert metrics.headers["authorization"] == "Bearer mocked-access"
    assert server.requests == []  # nothing reached the wire


if (
    __name__ == "__main__"
):  # the Sentry probe: python tests/test_observability.py sentry FLAVOUR OUT
    _, tool, flavour_arg, out_arg = sys.argv
    assert tool == "sentry" and flavour_arg in FLAVOURS
    sentry_probe(flavour_arg, json.loads(os.environ["STREAMKAP_PROBE_CREDENTIALS"]), Path(out_arg))
