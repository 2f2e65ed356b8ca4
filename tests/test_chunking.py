"""Id lists of any size: splitting, bounded concurrency, merging, and failing as one call."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from streamkap_api.models import PipelineMetricsRes
from streamkap_api.types import Unset
from streamkap_sdk import (
    APITimeoutError,
    AsyncStreamkapClient,
    BadRequestError,
    ChunkConflictError,
    DroppedAggregateWarning,
    InternalServerError,
    StreamkapClient,
)
from streamkap_sdk._merge import merge_responses
from streamkap_sdk._operations import operation
from streamkap_sdk.sandbox import Engine, Fault

PIPELINES = operation("pipelines")
Call = Callable[..., Awaitable[Any]]
TEN_THOUSAND = [f"pipeline-{n:05d}" for n in range(10_000)]

PIPELINES = operation("pipelines")


@pytest.fixture(params=["sync", "async"])
async def make_call(
    request: pytest.FixtureRequest, engine: Engine, credentials: dict[str, str]
) -> AsyncIterator[Callable[..., Call]]:
    """`make_call(**client_settings)` -> `await call(ids, **params)` on the sync or async client."""
    sync_clients: list[StreamkapClient] = []
    async_clients: list[AsyncStreamkapClient] = []

    def make(**settings: Any) -> Call:
        if request.param == "async":
            async_clients.append(AsyncStreamkapClient(**{**credentials, **settings}))
            return async_clients[-1].pipelines.metrics
        client = StreamkapClient(**{**credentials, **settings})
        sync_clients.append(client)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return client.pipelines.metrics(*args, **kwargs)

        return call

    yield make
    for c in sync_clients:
        c.close()
    for a in async_clients:
        await a.aclose()


def _per_id(engine: Engine, ids: list[str], **query: str) -> dict[str, PipelineMetricsRes]:
    """What the sandbox answers for each id asked alone (in-process, same engine and token)."""
    token = next(s.authorization for s in engine.seen if s.authorization)
    results = {}
    for entity in ids:
        reply = engine.handle(
            "POST", "/pipelines/metrics", list(query.items()), {"authorization": token},
            json.dumps({"ids": [entity], "tenant_ids": ["t1"]}).encode(),
        )  # fmt: skip
        assert reply.status == 200, reply.body
        results[entity] = PipelineMetricsRes.from_dict(json.loads(reply.body))
    return results


# -- 10,000 ids against the sandbox -------------------------------------------------------------


async def test_ten_thousand_ids_equal_the_union_of_per_id_results(
    make_call: Callable[..., Call], engine: Engine
) -> None:
    call = make_call()  # the default max_ids_per_request (1000) and max_concurrency
    ids = [*TEN_THOUSAND, " pipeline-00000 ", "", "pipeline-00001"]  # normalised away
    progress: list[tuple[int, int]] = []
    merged = await call(
        ids, tenant_ids="t1", time_type="latest", progress=lambda d, t: progress.append((d, t))
    )
    # one request per chunk of 1000, ids in order, every chunk with the whole tenant list
    assert engine.metrics_requests == 10
    assert sorted(progress) == [(n, 10) for n in range(1, 11)]
    bodies = [s.body for s in engine.seen]
    assert all(b["tenant_ids"] == ["t1"] and len(b["ids"]) == 1000 for b in bodies)
    assert sorted(i for b in bodies for i in b["ids"]) == TEN_THOUSAND
    assert all(s.query == {"time_type": "latest"} for s in engine.seen)
    # the merged map is the union of what each id returns when asked alone
    rows = merged.connector_metrics.additional_properties
    assert list(rows) == TEN_THOUSAND  # chunk order = id order
    alone = _per_id(engine, TEN_THOUSAND, time_type="latest")
    assert all(rows[i] == alone[i].connector_metrics[i] for i in TEN_THOUSAND)
    assert merged.account_metrics == alone[TEN_THOUSAND[0]].account_metrics  # same in every chunk


@pytest.mark.parametrize(("count", "per_request", "chunks"), [(1001, 1000, 2), (1001, 250, 5)])
async def test_requests_equal_chunks(
    make_call: Callable[..., Call], engine: Engine, count: int, per_request: int, chunks: int
) -> None:
    call = make_call(max_ids_per_request=per_request, max_concurrency=2)
    merged = await call(TEN_THOUSAND[:count], level="task")
    assert engine.metrics_requests == chunks
    assert sorted(len(s.body["ids"]) for s in engine.seen)[-1] == per_request
    # task_metrics are nested one level deeper and still unioned
    assert list(merged.task_metrics.additional_properties) == TEN_THOUSAND[:count]


async def test_exactly_one_chunk_is_one_request(
    make_call: Callable[..., Call], engine: Engine
) -> None:
    call = make_call(max_ids_per_request=3)
    merged = await call(["a", "b", "c", "a"])
    assert engine.metrics_requests == 1
    assert list(merged.connector_metrics.additional_properties) == ["a", "b", "c"]


# -- a failing chunk fails the call -------------------------------------------------------------


async def test_a_failing_chunk_fails_the_call_and_stops_the_rest(
    make_call: Callable[..., Call], engine: Engine
) -> None:
    call = make_call(max_ids_per_request=10, max_concurrency=1)
    engine.add_fault(Fault(kind="status", status=400))
    with pytest.raises(BadRequestError, match="HTTP 400"):  # the chunk's own error, no group
        await call(TEN_THOUSAND[:50])
    assert engine.metrics_requests == 1  # the four other chunks were never sent


async def test_a_chunk_failing_after_its_retries(
    make_call: Callable[..., Call], engine: Engine
) -> None:
    call = make_call(max_ids_per_request=10, max_concurrency=1)
    engine.add_fault(Fault(kind="status", status=503, times=5))
    with pytest.raises(InternalServerError, match="HTTP 503"):
        await call(TEN_THOUSAND[:30], max_retries=0)
    assert engine.metrics_requests == 1


async def test_nothing_is_left_running_after_a_failure(
    make_call: Callable[..., Call], engine: Engine
) -> None:
    call = make_call(max_ids_per_request=10, max_concurrency=4)
    engine.add_fault(Fault(kind="status", status=400))
    with pytest.raises(BadRequestError):
        await call(TEN_THOUSAND[:200])
    assert not [t for t in threading.enumerate() if t.name.startswith("streamkap-chunk")]
    assert asyncio.all_tasks() == {asyncio.current_task()}
    await asyncio.sleep(0.2)  # let the server finish reading what was on the wire at cancel
    sent = engine.metrics_requests
    assert 1 <= sent < 20  # chunks started before the failure was seen; never all of them
    await asyncio.sleep(0.3)
    assert engine.metrics_requests == sent  # nothing keeps sending (no retries behind our back)


def _answer(request: httpx.Request, **extra: Any) -> httpx.Response:
    ids = json.loads(request.content).get("ids", [])
    body = {"connector_metrics": {i: {"latest": {"latency": 1.0}} for i in ids}, **extra}
    return httpx.Response(200, json=body)


def test_sync_in_flight_chunks_finish_and_the_rest_never_start() -> None:
    sent: list[list[str]] = []
    lock = threading.Lock()
    slow_started = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        with lock:
            sent.append(ids)
        if ids == ["bad"]:
            assert slow_started.wait(5)
            return httpx.Response(400, json={"detail": "bad chunk"})
        slow_started.set()
        time.sleep(0.3)  # in flight while "bad" fails
        return _answer(request)

    with StreamkapClient(
        access_token="x", transport=httpx.MockTransport(handler),
        max_ids_per_request=1, max_concurrency=2,
    ) as c:  # fmt: skip
        with pytest.raises(BadRequestError, match="bad chunk"):
            c.pipelines.metrics(["bad", "slow", "c", "d", "e"])
        assert sorted(map(tuple, sent)) == [("bad",), ("slow",)]
        assert not [t for t in threading.enumerate() if t.name.startswith("streamkap-chunk")]


async def test_async_in_flight_chunks_are_cancelled() -> None:
    started: list[str] = []
    cancelled: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        started.append(ids[0])
        if ids == ["bad"]:
            await asyncio.sleep(0.05)
            return httpx.Response(400, json={"detail": "bad chunk"})
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(ids[0])
            raise
        return _answer(request)

    async with AsyncStreamkapClient(
        access_token="x", transport=httpx.MockTransport(handler),
        max_ids_per_request=1, max_concurrency=3,
    ) as c:  # fmt: skip
        began = time.monotonic()
        with pytest.raises(BadRequestError, match="bad chunk"):
            await c.pipelines.metrics(["slow-1", "bad", "slow-2", "never-1", "never-2"])
        assert time.monotonic() - began < 5
    assert sorted(started) == ["bad", "slow-1", "slow-2"]
    assert sorted(cancelled) == ["slow-1", "slow-2"]


# -- bounded concurrency and progress -----------------------------------------------------------


def test_sync_concurrency_is_bounded() -> None:
    lock = threading.Lock()
    now = peak = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal now, peak
        with lock:
            now += 1
            peak = max(peak, now)
        time.sleep(0.02)
        with lock:
            now -= 1
        return _answer(request)

    with StreamkapClient(
        access_token="x", transport=httpx.MockTransport(handler),
        max_ids_per_request=5, max_concurrency=3,
    ) as c:  # fmt: skip
        merged = c.pipelines.metrics(TEN_THOUSAND[:100])
    assert peak == 3
    assert len(merged.connector_metrics.additional_properties) == 100


async def test_async_concurrency_is_bounded() -> None:
    now = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal now, peak
        now += 1
        peak = max(peak, now)
        await asyncio.sleep(0.01)
        now -= 1
        return _answer(request)

    async with AsyncStreamkapClient(
        access_token="x", transport=httpx.MockTransport(handler),
        max_ids_per_request=5, max_concurrency=3,
    ) as c:  # fmt: skip
        merged = await c.pipelines.metrics(TEN_THOUSAND[:100])
    assert peak == 3
    assert len(merged.connector_metrics.additional_properties) == 100


# -- the merge rule -----------------------------------------------------------------------------


def _res(**payload: Any) -> PipelineMetricsRes:
    return PipelineMetricsRes.from_dict(payload)


def _latest(latency: float) -> dict[str, Any]:
    return {"latest": {"latency": latency}}


def test_entity_maps_are_unioned() -> None:
    merged = merge_responses(PIPELINES, [
        _res(connector_metrics={"a": _latest(1)}, inline_metrics={"a": _latest(5)},
             task_metrics={"a": {"a-0": _latest(1)}}),
        _res(connector_metrics={"b": _latest(2), "a": _latest(1)},  # an equal repeat is fine
             task_metrics={"a": {"a-1": _latest(2)}, "b": {"b-0": _latest(3)}}),
        _res(connector_metrics=None, topic_metrics={"c": {"c.t": _latest(4)}}),
    ])  # fmt: skip
    assert merged.to_dict() == {
        "connector_metrics": {"a": _latest(1), "b": _latest(2)},
        "inline_metrics": {"a": _latest(5)},
        "task_metrics": {
            "a": {"a-0": _latest(1), "a-1": _latest(2)},  # nested maps union one level down
            "b": {"b-0": _latest(3)},
        },
        "topic_metrics": {"c": {"c.t": _latest(4)}},
    }


@pytest.mark.parametrize(
    ("parts", "path"),
    [
        ([{"connector_metrics": {"a": _latest(1)}}, {"connector_metrics": {"a": _latest(2)}}],
         ("connector_metrics", "a")),
        ([{"task_metrics": {"a": {"a-0": _latest(1)}}},
          {"task_metrics": {"a": {"a-0": _latest(9)}}}], ("task_metrics", "a", "a-0")),
    ],
    ids=["flat", "nested"],
)  # fmt: skip
def test_a_key_with_two_values_is_an_error(parts: list[dict[str, Any]], path: tuple[str]) -> None:
    with pytest.raises(ChunkConflictError, match="different values") as caught:
        merge_responses(PIPELINES, [_res(**p) for p in parts])
    assert caught.value.path == path


def test_account_metrics_kept_when_every_chunk_agrees() -> None:
    account = {"account": _latest(7)}
    merged = merge_responses(PIPELINES, [
        _res(account_metrics=account, connector_metrics={"a": _latest(1)}, new_field=[1]),
        _res(account_metrics=account, connector_metrics={"b": _latest(2)}, new_field=[1]),
    ])  # fmt: skip
    assert merged.to_dict()["account_metrics"] == account
    assert merged.additional_properties == {"new_field": [1]}


def test_differing_aggregates_are_dropped_with_one_warning() -> None:
    with pytest.warns(DroppedAggregateWarning) as record:
        merged = merge_responses(PIPELINES, [
            _res(account_metrics={"account": _latest(1)}, new_total=1, same=True),
            _res(account_metrics={"account": _latest(2)}, new_total=2, same=True),
            _res(account_metrics={"account": _latest(1)}, same=True),
        ])  # fmt: skip
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith("account_metrics, new_total differed between the 3 requests")
    assert "cannot be added up" in message
    assert isinstance(merged.account_metrics, Unset)
    assert merged.additional_properties == {"same": True}


async def test_dropped_aggregate_warning_through_the_clients() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        return _answer(request, account_metrics={"account": _latest(len(ids[0]))})

    settings: dict[str, Any] = {"access_token": "x", "max_ids_per_request": 1}
    with (
        StreamkapClient(transport=httpx.MockTransport(handler), **settings) as c,
        pytest.warns(DroppedAggregateWarning) as record,
    ):
        merged = c.pipelines.metrics(["a", "bb"])
    assert len(record) == 1 and record[0].filename == __file__
    assert list(merged.connector_metrics.additional_properties) == ["a", "bb"]
    async with AsyncStreamkapClient(transport=httpx.MockTransport(handler), **settings) as a:
        with pytest.warns(DroppedAggregateWarning) as record:
            await a.pipelines.metrics(["a", "bb"])
    assert len(record) == 1 and record[0].filename == __file__


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_the_deadline_bounds_the_whole_split_call(
    mode: str, engine: Engine, credentials: dict[str, str]
) -> None:
    """Four 0.3 s requests one at a time overrun a 0.5 s deadline: later ones are never sent."""
    engine.add_fault(Fault(kind="delay", delay=0.3, times=4))
    kwargs = dict(credentials, max_ids_per_request=10, max_concurrency=1)
    ids = [f"p{n}" for n in range(40)]
    with pytest.raises(APITimeoutError, match="deadline"):
        if mode == "sync":
            with StreamkapClient(**kwargs) as client:
                client.pipelines.metrics(ids, deadline=0.5)
        else:
            async with AsyncStreamkapClient(**kwargs) as client:
                await client.pipelines.metrics(ids, deadline=0.5)
    assert engine.metrics_requests == 2  # the third would have started past the deadline
