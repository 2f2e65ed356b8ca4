"""Per-call client-side cost: StreamkapClient and the bare generated builder vs raw httpx.

All contenders send the same request (POST /pipelines/metrics, `time_type=latest` in the query,
two ids in the JSON body, a bearer token) and get the same small JSON answer. Raw httpx is
`httpx.Client(base_url=...).post("/pipelines/metrics", params=..., json=...)` followed by
`response.json()`, the way one would write it by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from _harness import Row, SandboxProcess, compare, interleave

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

    return {"raw httpx": raw, "StreamkapClient": streamkap, "generated builder": bare_generated}


def in_process(*, calls: int = 5000, budget: float = 30.0) -> list[Row]:
    batch = 25  # small batches, many rounds: finely interleaved, so both sides see the same load
    samples = interleave(
        contenders(BASE_URL, TOKEN, FixedTransport()),
        rounds=max(3, calls // batch),
        batch=batch,
        budget=budget,
    )
    name = f"per call, in-process transport ({len(samples['raw httpx']) * batch:,} calls each)"
    return [
        compare(name, samples, "StreamkapClient", "raw httpx", unit="us", scale=1e6, target=1.15),
        compare(name, samples, "generated builder", "raw httpx", unit="us", scale=1e6, target=None),
    ]


def over_sandbox(sandbox: SandboxProcess, *, calls: int = 1500, budget: float = 30.0) -> list[Row]:
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
