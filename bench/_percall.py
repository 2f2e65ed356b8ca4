"""Per-call client-side cost: StreamkapClient and the bare generated builder vs raw httpx, and
vs openai's `OpenAI` (issue 22: at most 1.35x raw httpx, at least 2x openai's speed).

All contenders send the same request (POST /pipelines/metrics, `time_type=latest` in the query,
two ids in the JSON body, a bearer token) and get the same small JSON answer. Raw httpx is
`httpx.Client(base_url=...).post("/pipelines/metrics", params=..., json=...)` followed by
`response.json()`, the way one would write it by hand. openai (`_peer`, the benchmark's own,
on httpx2) sends it through `client.post(path, body=..., options={"params": ...},
cast_to=object)` on an httpx2 copy of the same in-process transport.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import _peer
import httpx
from _harness import Row, SandboxProcess, compare, interleave, pick, skipped_row

from streamkap_api.api.pipelines import search_pipelines_metrics
from streamkap_api.models import PipelineMetricsReqBody, PipelineMetricsRes
from streamkap_sdk import StreamkapClient

BASE_URL = "http://bench.invalid"
TOKEN = "bench-token"
IDS = ["pipeline-1", "pipeline-2"]
PATH = "/pipelines/metrics"
PARAMS = {"time_type": "latest"}
BODY = json.dumps(
    {
        "connector_metrics": {
            i: {"latest": {"latency": 12.5, "recordsLag": 3, "status": "RUNNING"}} for i in IDS
        },
        "account_metrics": {"account": {"latest": {"latency": 10.0, "recordsLag": 6}}},
    }
).encode()


class FixedTransport(httpx.BaseTransport):
    """Like httpx.MockTransport with a handler returning one fixed JSON body, minus the handler."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(
            200, content=BODY, headers={"content-type": "application/json"}, request=request
        )


def contenders(
    base_url: str, token: str, transport: httpx.BaseTransport | None
) -> dict[str, Callable[[], object]]:
    raw_http = httpx.Client(
        base_url=base_url, transport=transport, headers={"Authorization": f"Bearer {token}"}
    )
    sdk = StreamkapClient(base_url=base_url, access_token=token, transport=transport)
    body = PipelineMetricsReqBody(ids=IDS)

    def raw() -> object:
        return raw_http.post(PATH, params=PARAMS, json={"ids": IDS}).json()

    def streamkap() -> object:
        return sdk.pipelines.metrics(IDS, time_type="latest")

    def bare_generated() -> object:
        # the generated package ships request builders and models, no client of its own
        kwargs = search_pipelines_metrics.build_request_kwargs(body=body, time_type="latest")
        response = raw_http.request(**kwargs)
        assert response.status_code == 200
        return PipelineMetricsRes.from_dict(response.json())

    every = {"raw httpx": raw, "StreamkapClient": streamkap, "generated builder": bare_generated}
    if transport is not None and _peer.available():
        peer_client = _peer.sync_client(base_url, token, _peer.fixed_transport(BODY))

        def peer() -> object:
            return peer_client.post(
                PATH, body={"ids": IDS}, options={"params": PARAMS}, cast_to=object
            )

        every[PEER] = peer
    return every


PEER = "openai OpenAI"


def in_process(*, calls: int | None = None, budget: float | None = None) -> list[Row]:
    calls = calls or pick(5000, 1000)
    budget = budget or pick(30.0, 8.0)
    batch = 25  # small batches, many rounds: finely interleaved, so both sides see the same load
    samples = interleave(
        contenders(BASE_URL, TOKEN, FixedTransport()),
        rounds=max(3, calls // batch),
        batch=batch,
        budget=budget,
    )
    name = f"per call, in-process transport ({len(samples['raw httpx']) * batch:,} calls each)"

    def row(subject: str, baseline: str, target: float | None) -> Row:
        if baseline not in samples:
            return skipped_row(name, subject, baseline, target, _peer.SKIP)
        return compare(name, samples, subject, baseline, unit="us", scale=1e6, target=target)

    return [
        row("StreamkapClient", "raw httpx", 1.35),
        row("generated builder", "raw httpx", None),
        row("StreamkapClient", PEER, 0.5),  # at least 2x openai's speed
    ]


def over_sandbox(
    sandbox: SandboxProcess, *, calls: int | None = None, budget: float | None = None
) -> list[Row]:
    calls = calls or pick(1500, 300)
    budget = budget or pick(30.0, 8.0)
    batch = 25
    token = sandbox.token()
    every = contenders(sandbox.url, token, None)
    samples = interleave(
        {k: every[k] for k in ("raw httpx", "StreamkapClient")},
        rounds=max(3, calls // batch),
        batch=batch,
        budget=budget,
    )
    name = (
        f"per call, sandbox on 127.0.0.1, wall ({len(samples['raw httpx']) * batch:,} calls each)"
    )
    return [
        compare(name, samples, "StreamkapClient", "raw httpx", unit="us", scale=1e6, target=1.05)
    ]
