"""Parameters: the body-over-query rule, id normalisation, request shape, checks before sending."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import enum
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamkap_api.surface import QueryParam
from streamkap_sdk import (
    AsyncStreamkapClient,
    InvalidParameterError,
    ParameterOverrideWarning,
    StreamkapClient,
    StreamkapError,
    UnprocessableEntityError,
    cli,
    effective_parameters,
    normalize_id_list,
)
from streamkap_sdk._operations import operation
from streamkap_sdk._params import check_param, overridden_query_keys
from streamkap_sdk._request import prepare
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine, Sandbox

PIPELINES = operation("pipelines")
Call = Callable[..., Awaitable[Any]]

# -- the precedence function: one table ---------------------------------------------------------

PRECEDENCE = [
    # (case, query, body, effective, overridden query keys)
    ("query only", {"ids": "a,b", "time_type": "latest"}, None,
     {"ids": ["a", "b"], "time_type": "latest"}, []),
    ("query only, empty body", {"tenant_ids": "t1"}, {}, {"tenant_ids": ["t1"]}, []),
    ("body only", {}, {"ids": ["a"], "tenant_ids": "t1,t2"},
     {"ids": ["a"], "tenant_ids": ["t1", "t2"]}, []),
    ("both agreeing", {"ids": "a,b"}, {"ids": ["a", "b"]}, {"ids": ["a", "b"]}, ["ids"]),
    ("both disagreeing: body wins", {"ids": "a,b", "tenant_ids": "t"}, {"ids": ["c"]},
     {"ids": ["c"], "tenant_ids": ["t"]}, ["ids"]),
    ("body null counts as absent", {"ids": "a", "size": "5"}, {"ids": None, "size": None},
     {"ids": ["a"], "size": "5"}, []),
    ("body empty array is present", {"ids": "a"}, {"ids": []}, {"ids": []}, ["ids"]),
    ("array form in the body", {}, {"ids": [" a ", "b", "a", ""]}, {"ids": ["a", "b"]}, []),
    ("string form in the body", {}, {"ids": "c, d,,c"}, {"ids": ["c", "d"]}, []),
    ("string query, array body", {"tenant_ids": "x,y"}, {"tenant_ids": ["z"]},
     {"tenant_ids": ["z"]}, ["tenant_ids"]),
    ("array query (multi-valued), string body", {"ids": ["a", "b"]}, {"ids": "b,c"},
     {"ids": ["b", "c"]}, ["ids"]),
    ("the server splits a comma inside an array item", {}, {"ids": ["a,b", "c"]},
     {"ids": ["a", "b", "c"]}, []),
    ("additional property only in the body", {"time_type": "latest"}, {"custom": 1},
     {"time_type": "latest", "custom": 1}, []),
    ("additional property overrides a query parameter", {"time_type": "latest", "size": "5"},
     {"time_type": "timeseries", "size": 10},
     {"time_type": "timeseries", "size": 10}, ["size", "time_type"]),
    ("other values pass through unchanged", {"page": "cursor-1"}, {"nested": {"a": [1]}},
     {"page": "cursor-1", "nested": {"a": [1]}}, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "body", "effective", "overridden"),
    [pytest.param(*case[1:], id=case[0]) for case in PRECEDENCE],
)
def test_precedence_table(
    query: dict[str, object],
    body: dict[str, object] | None,
    effective: dict[str, object],
    overridden: list[str],
) -> None:
    before = copy.deepcopy((query, body))
    assert effective_parameters(query, body) == effective
    assert overridden_query_keys(query, body) == overridden
    assert (query, body) == before  # pure: the inputs are left alone


def test_sandbox_serves_with_the_same_rule(engine: Engine, sandbox: Sandbox) -> None:
    """The sandbox answers a raw request whose query and body disagree as the rule says."""
    with StreamkapClient(client_id="sandbox-client", client_secret="sandbox-secret",
                         base_url=sandbox.url) as c:  # fmt: skip
        c.pipelines.metrics(["warm-up"])  # to get a token
    token = engine.seen[-1].authorization
    assert token is not None
    response = httpx.post(
        f"{sandbox.url}/pipelines/metrics",
        params={"ids": "q1,q2", "time_type": "timesummary"},
        json={"ids": ["b1"], "time_type": "latest"},
        headers={"Authorization": token},
    )
    assert response.status_code == 200
    payload = response.json()
    assert list(payload["connector_metrics"]) == ["b1"]
    assert set(payload["connector_metrics"]["b1"]) == {"latest"}


# -- normalisation: properties ------------------------------------------------------------------

no_comma_ids = st.lists(st.text(st.characters(blacklist_characters=","), max_size=8), max_size=20)


@given(no_comma_ids)
def test_normalisation_is_idempotent(items: list[str]) -> None:
    once = normalize_id_list(items)
    assert normalize_id_list(once) == once
    assert normalize_id_list(",".join(once)) == once  # the string form says the same
    assert all(i and i == i.strip() and "," not in i for i in once)
    assert len(set(once)) == len(once)
    firsts = list(dict.fromkeys(i.strip() for i in items if i.strip()))
    assert once == firsts  # first occurrences, in order


@given(st.text(max_size=60))
def test_normalisation_of_strings_is_idempotent(text: str) -> None:
    once = normalize_id_list(text)
    assert normalize_id_list(once) == once
    assert normalize_id_list(text, strict=False) == once


@given(st.lists(st.text(max_size=8), max_size=12))
def test_server_side_splits_what_the_client_rejects(items: list[str]) -> None:
    lenient = normalize_id_list(items, strict=False)
    assert lenient == normalize_id_list(",".join(items))
    assert normalize_id_list(lenient, strict=False) == lenient


@pytest.mark.parametrize(
    "value",
    [
        ["a", "b", "a"],
        ("a", "b"),
        " a , b ,, a",
        iter(["a", " b", "a "]),
        (x for x in ["a", "b"]),
        {"a": None, "b": None}.keys(),
    ],
    ids=["list", "tuple", "string", "iterator", "generator", "dict-keys"],
)
def test_accepted_id_forms(value: object) -> None:
    assert normalize_id_list(value) == ["a", "b"]


def test_sets_and_none() -> None:
    assert sorted(normalize_id_list({"b", "a", " a"})) == ["a", "b"]
    assert normalize_id_list(None) == []
    assert normalize_id_list("") == []
    assert normalize_id_list([" ", ""]) == []


# -- clients over the sandbox: both, one test body ----------------------------------------------


@pytest.fixture(params=["sync", "async"])
async def call(
    request: pytest.FixtureRequest, engine: Engine, credentials: dict[str, str]
) -> AsyncIterator[Call]:
    """`await call(ids, **params)`: pipelines metrics through the sync or the async client."""
    if request.param == "sync":
        with StreamkapClient(**credentials) as sync_client:

            async def sync_call(*args: Any, **kwargs: Any) -> Any:
                return sync_client.pipelines.metrics(*args, **kwargs)

            yield sync_call
    else:
        async with AsyncStreamkapClient(**credentials) as async_client:
            yield async_client.pipelines.metrics


# -- request shape: ids in the body, everything else in the query -------------------------------


async def test_ids_travel_in_the_body_as_arrays(call: Call, engine: Engine) -> None:
    await call(" p1, p2,,p1 ", tenant_ids=("t1", "t2", "t1"), time_type="latest", level="task")
    seen = engine.seen[-1]
    assert seen.body == {"ids": ["p1", "p2"], "tenant_ids": ["t1", "t2"]}
    assert seen.query == {"time_type": "latest", "level": "task"}


async def test_every_named_parameter_goes_in_the_query(call: Call, engine: Engine) -> None:
    await call(
        ["p"],
        time_type="timeseries",
        time_unit="hour",
        time_interval="2",
        timestamp_from=dt.datetime(2025, 1, 15, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        timestamp_to="2025-01-15T10:00:00+00:00",
        level="something-new",
        sort="latency",
        sort_dir="desc",
        size=5,
        page="2",
        snapshot="completed",
        id="p",
        topic_list_from=0,
        topic_list_size=10,
    )
    assert engine.seen[-1].query == {
        "time_type": "timeseries",
        "time_unit": "hour",
        "time_interval": "2",
        "timestamp_from": "2025-01-15T09:00:00Z",
        "timestamp_to": "2025-01-15T10:00:00Z",
        "level": "something-new",  # level passes through
        "sort": "latency",
        "sort_dir": "desc",
        "size": "5",
        "page": "2",
        "snapshot": "completed",
        "id": "p",
        "topic_list_from": "0",
        "topic_list_size": "10",
    }
    assert engine.seen[-1].body == {"ids": ["p"]}


async def test_no_ids_sends_an_empty_body(call: Call, engine: Engine) -> None:
    await call(time_type="latest")
    assert engine.seen[-1].body == {}


def test_page_token_and_cursor_pass_through() -> None:
    """The schema allows a string page (a token); the sandbox only knows numbers, so record."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    with StreamkapClient(access_token="x", transport=httpx.MockTransport(record)) as c:
        c.pipelines.metrics(["p"], page="next:abc", from_="cursor-9")
        c.pipelines.metrics(["p"], page=" 3 ", from_=0)
    assert [dict(r.url.params) for r in sent] == [
        {"page": "next:abc", "from": "cursor-9"},
        {"page": "3", "from": "0"},
    ]


@pytest.mark.parametrize(
    ("start", "end", "wire_start", "wire_end"),
    [
        (dt.datetime(2025, 1, 15, 9, tzinfo=dt.UTC), "2025-01-15T10:00:00Z",
         "2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z"),
        ("2025-01-15T04:00:00-05:00", dt.datetime(2025, 1, 15, 11, 30, tzinfo=dt.timezone(
            dt.timedelta(hours=1, minutes=30))), "2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z"),
        ("2025-01-15T09:00:00.250+00:00", "2025-01-15 10:00Z",
         "2025-01-15T09:00:00.250000Z", "2025-01-15T10:00:00Z"),
    ],
    ids=["datetime+Z-string", "offset-string+offset-datetime", "fractions-and-space"],
)  # fmt: skip
async def test_timestamps_are_sent_as_utc_with_z(
    call: Call, engine: Engine, start: object, end: object, wire_start: str, wire_end: str
) -> None:
    await call(["p"], timestamp_from=start, timestamp_to=end)
    assert engine.seen[-1].query == {"timestamp_from": wire_start, "timestamp_to": wire_end}


async def test_since_is_a_window_ending_now(call: Call, engine: Engine) -> None:
    before = dt.datetime.now(dt.UTC)
    await call(["p"], since=dt.timedelta(minutes=90))
    after = dt.datetime.now(dt.UTC)
    query = engine.seen[-1].query
    start = dt.datetime.fromisoformat(query["timestamp_from"])
    end = dt.datetime.fromisoformat(query["timestamp_to"])
    assert query["timestamp_to"].endswith("Z")
    assert before <= end <= after
    assert end - start == dt.timedelta(minutes=90)


def test_since_with_timestamp_to_ends_there() -> None:
    end = dt.datetime(2025, 1, 15, 10, tzinfo=dt.UTC)
    prepared = prepare(
        PIPELINES, None, {"since": dt.timedelta(hours=1), "timestamp_to": end},
        max_ids_per_request=10,
    )  # fmt: skip
    assert prepared.query == {
        "timestamp_from": "2025-01-15T09:00:00Z",
        "timestamp_to": "2025-01-15T10:00:00Z",
    }
    now = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    prepared = prepare(
        PIPELINES, None, {"since": dt.timedelta(days=1)}, max_ids_per_request=10, now=now
    )
    assert prepared.query["timestamp_from"] == "2025-01-31T00:00:00Z"
    assert prepared.query["timestamp_to"] == "2025-02-01T00:00:00Z"


# -- the escape hatch ---------------------------------------------------------------------------


async def test_extra_query_and_extra_body_are_sent(call: Call, engine: Engine) -> None:
    await call(
        ["p"], time_type="latest",
        extra_query={"new_filter": "x", "flags": ["a", "b"], "dropped": None},
        extra_body={"new_body_param": {"deep": True}},
    )  # fmt: skip
    seen = engine.seen[-1]
    assert seen.query == {"time_type": "latest", "new_filter": "x", "flags": "b"}
    assert seen.body == {"new_body_param": {"deep": True}, "ids": ["p"]}


async def test_body_override_warns_once_and_the_body_wins(call: Call, engine: Engine) -> None:
    with pytest.warns(ParameterOverrideWarning) as record:
        result = await call(
            [f"p{n}" for n in range(5)],
            time_type="latest",
            extra_query={"custom": "q"},
            extra_body={"time_type": "timesummary", "custom": "b"},
        )
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith("custom, time_type:")
    assert "body" in message
    assert record[0].filename == __file__  # points at the caller, not at the SDK
    # what the server used: the body's time_type
    assert result.connector_metrics["p0"].timesummary
    assert not result.connector_metrics["p0"].latest


def test_override_warning_is_once_per_call_even_when_split(
    engine: Engine, credentials: dict[str, str]
) -> None:
    with (
        StreamkapClient(max_ids_per_request=2, **credentials) as c,
        pytest.warns(ParameterOverrideWarning) as record,
    ):
        c.pipelines.metrics(
            ["a", "b", "c", "d", "e"], time_type="latest", extra_body={"time_type": "timesummary"}
        )
    assert len(record) == 1
    assert engine.metrics_requests == 3
    assert all(s.body["time_type"] == "timesummary" for s in engine.seen)


async def test_body_null_does_not_override_or_warn(call: Call, engine: Engine) -> None:
    await call(["p"], time_type="latest", extra_body={"time_type": None})
    assert engine.seen[-1].body == {"time_type": None, "ids": ["p"]}


async def test_extra_query_may_carry_a_value_the_sdk_does_not_know(
    call: Call, engine: Engine
) -> None:
    """A named parameter not given by name passes unchecked through extra_query."""
    with pytest.raises(UnprocessableEntityError, match="time_unit"):  # the sandbox says no
        await call(["p"], extra_query={"time_unit": "quarter"})
    assert engine.seen[-1].query == {"time_unit": "quarter"}


async def test_example_values_are_offered_not_enforced(call: Call, engine: Engine) -> None:
    """time_unit's values are examples in the spec: the SDK sends any string (the API decides)."""
    with pytest.raises(UnprocessableEntityError, match="time_unit"):  # the sandbox says no
        await call(["p"], time_unit="quarter")
    assert engine.seen[-1].query == {"time_unit": "quarter"}


# -- checked before sending: every rejection, nothing sent --------------------------------------

NAIVE = dt.datetime(2025, 1, 15, 10)
AWARE = dt.datetime(2025, 1, 15, 10, tzinfo=dt.UTC)

REJECTED: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, kwargs (ids under "ids"), parameter named, message fragment)
    ("ids empty list", {"ids": []}, "ids", "pass ids=None"),
    ("ids only separators", {"ids": " , ,"}, "ids", "pass ids=None"),
    ("tenant_ids empty", {"tenant_ids": ()}, "tenant_ids", "pass tenant_ids=None"),
    ("time_type", {"time_type": "daily"}, "time_type", "timeseries, latest, timesummary"),
    ("time_type type", {"time_type": 1}, "time_type", "timeseries, latest, timesummary"),
    ("sort_dir", {"sort_dir": "up"}, "sort_dir", "asc, desc"),
    ("sort_dir case", {"sort_dir": "ASC"}, "sort_dir", "asc, desc"),
    ("size 0", {"size": 0}, "size", "positive integer"),
    ("size negative", {"size": -5}, "size", "positive integer"),
    ("size bool", {"size": True}, "size", "positive integer"),
    ("size float", {"size": 2.5}, "size", "positive integer"),
    ("size string", {"size": "10"}, "size", "positive integer"),
    ("page 0", {"page": 0}, "page", "positive integer"),
    ("page numeric string 0", {"page": "0"}, "page", "positive integer"),
    ("page negative string", {"page": "-2"}, "page", "positive integer"),
    ("page fraction", {"page": "1.5"}, "page", "positive integer"),
    ("page blank", {"page": "  "}, "page", "positive integer"),
    ("time_interval 0", {"time_interval": 0}, "time_interval", "positive integer"),
    ("time_interval word", {"time_interval": "five"}, "time_interval", "positive integer"),
    ("time_interval float", {"time_interval": 1.5}, "time_interval", "positive integer"),
    ("topic_list_size", {"topic_list_size": 0}, "topic_list_size", "positive integer"),
    ("topic_list_from", {"topic_list_from": -1}, "topic_list_from", "integer >= 0"),
    ("from_ type", {"from_": 1.5}, "from_", "integer or a string"),
    ("level type", {"level": 3}, "level", "must be a string"),
    ("naive datetime", {"timestamp_from": NAIVE}, "timestamp_from", "naive"),
    ("string without offset", {"timestamp_to": "2025-01-15T10:00:00"}, "timestamp_to",
     "no UTC offset"),
    ("date only string", {"timestamp_to": "2025-01-15"}, "timestamp_to", "no UTC offset"),
    ("not a timestamp", {"timestamp_from": "yesterday"}, "timestamp_from", "ISO 8601"),
    ("timestamp type", {"timestamp_from": 1736935200}, "timestamp_from", "datetime"),
    ("date object", {"timestamp_from": dt.date(2025, 1, 15)}, "timestamp_from", "datetime"),
    ("from after to", {"timestamp_from": "2025-01-15T10:00:01Z", "timestamp_to": AWARE},
     "timestamp_from", "after timestamp_to"),
    ("from after to across offsets",
     {"timestamp_from": "2025-01-15T11:30:00+01:00", "timestamp_to": "2025-01-15T10:00:00Z"},
     "timestamp_from", "after timestamp_to"),
    ("since negative", {"since": dt.timedelta(hours=-1)}, "since", "positive timedelta"),
    ("since number", {"since": 3600}, "since", "positive timedelta"),
    ("since and timestamp_from", {"since": dt.timedelta(hours=1), "timestamp_from": AWARE},
     "since", "not both"),
    ("since with a naive timestamp_to", {"since": dt.timedelta(hours=1), "timestamp_to": NAIVE},
     "timestamp_to", "naive"),
    ("id with a comma", {"ids": ["ok", "a,b"]}, "ids", "'a,b' contains a comma"),
    ("tenant id with a comma", {"tenant_ids": ["t1,t2"]}, "tenant_ids", "'t1,t2'"),
    ("ids not strings", {"ids": [1, 2]}, "ids", "must be strings"),
    ("ids bytes", {"ids": b"a,b"}, "ids", "bytes"),
    ("ids mapping", {"ids": {"a": 1}}, "ids", "dict"),
    ("ids number", {"ids": 5}, "ids", "int"),
    ("unknown keyword", {"timestamp_form": AWARE}, "timestamp_form", "extra_query="),
    ("from spelled as on the wire", {"from": 3}, "from", "from_="),
    ("ids in extra_query", {"extra_query": {"ids": "a"}}, "ids", "pass ids= directly"),
    ("tenant_ids in extra_body", {"extra_body": {"tenant_ids": ["t"]}}, "tenant_ids",
     "pass tenant_ids= directly"),
    ("extra_query not a mapping", {"extra_query": "a=b"}, "extra_query", "mapping"),
    ("extra_query value", {"extra_query": {"x": {"y": 1}}}, "extra_query['x']",
     "expected a string"),
    ("extra_query repeats a named one", {"time_type": "latest",
     "extra_query": {"time_type": "timeseries"}}, "extra_query", "time_type="),
    ("extra_query repeats from_", {"from_": 1, "extra_query": {"from": 2}}, "extra_query",
     "from_="),
    ("extra_body not JSON", {"extra_body": {"x": object()}}, "extra_body", "JSON"),
    ("extra_body NaN", {"extra_body": {"x": float("nan")}}, "extra_body", "JSON"),
    ("page with more ids than one request", {"ids": [f"i{n}" for n in range(1001)], "page": 2},
     "page", "1001 ids"),
    ("size with more ids than one request", {"ids": [f"i{n}" for n in range(1001)], "size": 5},
     "size", "2 requests"),
    ("cursor with more ids than one request",
     {"ids": [f"i{n}" for n in range(2001)], "from_": "k"}, "from_", "3 requests"),
    ("paging in extra_body with more ids than one request",
     {"ids": [f"i{n}" for n in range(1001)], "extra_body": {"page": 2}}, "page", "paging"),
    ("paging in extra_query with more ids than one request",
     {"ids": [f"i{n}" for n in range(1001)], "extra_query": {"size": 3}}, "size", "paging"),
]  # fmt: skip


@pytest.fixture(scope="module")
def clients(sandbox: Sandbox) -> Iterator[tuple[StreamkapClient, AsyncStreamkapClient]]:
    """One pair for the many rejection cases (building a client costs ~0.1 s of TLS setup)."""
    settings = {
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "base_url": sandbox.url,
    }
    sync_client, async_client = StreamkapClient(**settings), AsyncStreamkapClient(**settings)
    yield sync_client, async_client
    sync_client.close()
    asyncio.run(async_client.aclose())  # never sent anything: no connection tied to a loop


@pytest.fixture(params=["sync", "async"])
def reject_call(
    request: pytest.FixtureRequest, clients: tuple[StreamkapClient, AsyncStreamkapClient]
) -> Call:
    sync_client, async_client = clients
    if request.param == "async":
        return async_client.pipelines.metrics

    async def sync_call(*args: Any, **kwargs: Any) -> Any:
        return sync_client.pipelines.metrics(*args, **kwargs)

    return sync_call


@pytest.mark.parametrize(
    ("kwargs", "parameter", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in REJECTED],
)
async def test_rejected_before_sending(
    reject_call: Call, engine: Engine, kwargs: dict[str, Any], parameter: str, fragment: str
) -> None:
    kwargs = dict(kwargs)
    ids = kwargs.pop("ids", ["p1"])
    with pytest.raises(InvalidParameterError) as caught:
        await reject_call(ids, **kwargs)
    error = caught.value
    assert isinstance(error, StreamkapError)
    assert isinstance(error, ValueError)
    assert error.parameter == parameter
    assert str(error).startswith(f"{parameter}: ")
    assert fragment in str(error)
    assert engine.seen == []  # nothing was sent: no metrics request...
    assert engine.metrics_requests == 0
    assert engine.token_requests == 0  # ...and not even a token exchange


def test_rejection_with_a_transport_that_fails_if_called() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"sent {request.method} {request.url}")

    with StreamkapClient(access_token="x", transport=httpx.MockTransport(never)) as c:
        for kwargs in ({"time_type": "x"}, {"size": 0}, {"timestamp_to": NAIVE}):
            with pytest.raises(InvalidParameterError):
                c.destinations.metrics(["d"], **kwargs)


def test_paging_is_fine_within_one_request(engine: Engine, credentials: dict[str, str]) -> None:
    with StreamkapClient(**credentials) as c:
        result = c.pipelines.metrics([f"i{n}" for n in range(1000)], size=10, page=2)
    assert list(result.connector_metrics.additional_properties) == [f"i{n}" for n in range(10, 20)]
    assert engine.metrics_requests == 1


# -- text that has no UTF-8 form (a lone surrogate) ---------------------------------------------

#: What Python makes of the byte 0xff in a command-line argument (surrogateescape).
BAD = "\udcff"

UNENCODABLE: list[tuple[str, dict[str, Any], str]] = [
    # (case, kwargs (ids under "ids"), parameter named)
    ("ids list", {"ids": ["ok", f" abc{BAD} "]}, "ids[1]"),
    ("ids string", {"ids": f"a, b,abc{BAD}"}, "ids[2]"),
    ("ids position as given", {"ids": ["a", "a", f"b{BAD}"]}, "ids[2]"),
    ("ids one-shot iterator", {"ids": lambda: iter(["a", f"b{BAD}"])}, "ids"),
    ("tenant id", {"tenant_ids": ("t1", f"t{BAD}")}, "tenant_ids[1]"),
    ("extra_query value", {"extra_query": {"x": f"v{BAD}"}}, "extra_query['x']"),
    ("extra_query key", {"extra_query": {f"k{BAD}": "v"}}, f"extra_query[{f'k{BAD}'!r}]"),
    ("extra_query list item", {"extra_query": {"x": ["a", BAD]}}, "extra_query['x'][1]"),
    ("extra_body value", {"extra_body": {"x": BAD}}, "extra_body['x']"),
    ("extra_body nested", {"extra_body": {"f": {"g": ["ok", BAD]}}}, "extra_body['f']['g'][1]"),
    ("extra_body key", {"extra_body": {f"k{BAD}": 1}}, f"extra_body[{f'k{BAD}'!r}]"),
    ("an open string parameter", {"level": f"task{BAD}"}, "level"),
    ("a page token", {"page": f"next:{BAD}"}, "page"),
    ("a cursor, a high surrogate", {"from_": "k\ud800"}, "from_"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "parameter"), [pytest.param(*case[1:], id=case[0]) for case in UNENCODABLE]
)
async def test_unencodable_text_is_an_invalid_parameter(
    reject_call: Call, engine: Engine, kwargs: dict[str, Any], parameter: str
) -> None:
    """A lone surrogate cannot be sent as UTF-8: refused naming the entry, nothing sent (it was
    a bare UnicodeEncodeError from deep inside the request, after the token exchange)."""
    kwargs = dict(kwargs)
    ids = kwargs.pop("ids", ["p1"])
    with pytest.raises(InvalidParameterError) as caught:
        await reject_call(ids() if callable(ids) else ids, **kwargs)
    assert caught.value.parameter == parameter
    message = str(caught.value)
    assert message.startswith(f"{parameter}: ") and "not UTF-8 text" in message
    assert "\n" not in message
    if "from_" not in kwargs:  # the byte it was on the command line (not for U+D800)
        assert "the byte 0xff" in message
    assert engine.seen == [] and engine.token_requests == 0


def test_the_cli_refuses_a_non_utf8_argument(sandbox: Sandbox, engine: Engine) -> None:
    """`streamkap-metrics pipelines --ids $'abc\xff'`: one line on stderr, exit 2, nothing sent
    (it was `unreadable response`, exit 4, after the token exchange)."""
    script = Path(sys.executable).with_name("streamkap-metrics")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "streamkap_sdk.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMKAP_")}
    env.update(
        STREAMKAP_HOST=sandbox.url,
        STREAMKAP_CLIENT_ID=DEFAULT_CLIENT_ID,
        STREAMKAP_SECRET=DEFAULT_CLIENT_SECRET,
        LC_ALL="C.UTF-8",
    )
    for flags, flag in (
        ([b"--ids", b"abc\xff"], "--ids"),
        ([b"--ids", b"a", b"--tenant-ids", b"t1,t\xff"], "--tenant-ids"),
        ([b"--ids", b"a", b"--level", b"task\xff"], "--level"),
    ):
        done = subprocess.run(
            [*map(os.fsencode, command), b"pipelines", *flags],
            env=env, capture_output=True, timeout=60,
        )  # fmt: skip
        err = done.stderr.decode("utf-8", "backslashreplace")
        assert done.returncode == 2, err
        assert err.count("\n") == 1 and err.startswith(f"streamkap-metrics: error: {flag}: "), err
        assert "not UTF-8 text" in err and "0xff" in err, err
    assert engine.seen == [] and engine.token_requests == 0


# -- every type the spec can declare, checked from the surface's schema -------------------------


def spec_param(name: str, schema: dict[str, Any], **facts: Any) -> QueryParam:
    """A query parameter as the generated surface describes one the spec declares so."""
    enum = [v for a in schema.get("anyOf", [schema]) for v in a.get("enum", ())]
    return QueryParam(
        name=name, wire=name, types=(), formats=(),
        values=tuple(map(str, enum)) if enum else None, values_from="spec" if enum else "",
        examples=(), title=name, description="", schema=MappingProxyType(schema), **facts,
    )  # fmt: skip


AWARE_NOON = dt.datetime(2025, 1, 15, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
TYPED: list[tuple[str, dict[str, Any], list[tuple[object, object]], list[tuple[object, str]]]] = [
    # (parameter, schema, [(accepted, sent)], [(refused, parameter named + message fragment)])
    ("include_paused", {"type": "boolean"},
     [(True, True), (False, False)],
     [("banana", "include_paused: must be True or False"), ("true", "True or False"),
      (1, "True or False"), (None, "True or False")]),
    ("min_lag", {"type": "number", "minimum": 0},
     [(0, 0), (2.5, 2.5)],
     [(-1, "a number >= 0"), ("2.5", "a number >= 0"), (True, "a number"),
      (float("nan"), "finite"), (float("inf"), "finite")]),
    ("limit", {"type": "integer", "minimum": 1, "maximum": 100},
     [(1, 1), (100, 100)],
     [(0, "an integer >= 1 and <= 100"), (101, "<= 100"), (2.0, "integer"), ("5", "integer"),
      (False, "integer")]),
    ("after", {"type": "string", "format": "date-time"},
     [(AWARE_NOON, "2025-01-15T10:00:00Z"), ("2025-01-15T12:00:00+02:00", "2025-01-15T10:00:00Z")],
     [("yesterday", "ISO 8601"), (dt.datetime(2025, 1, 15), "naive"), (5, "aware datetime")]),
    ("on_day", {"type": "string", "format": "date"},
     [(dt.date(2025, 1, 2), "2025-01-02"), ("2025-01-15", "2025-01-15")],
     [("15/01/2025", "ISO 8601 date"), (dt.datetime(2025, 1, 2), "a date")]),
    ("owner", {"type": "string", "format": "uuid"},
     [(uuid.UUID(int=1), str(uuid.UUID(int=1))), (str(uuid.UUID(int=2)), str(uuid.UUID(int=2)))],
     [("nope", "not a UUID")]),
    ("states", {"type": "array", "items": {"type": "string", "enum": ["errors", "ok"]}},
     [(["errors"], ["errors"]), (("ok", "errors"), ["ok", "errors"])],
     [("errors", "states: must be a list (each item one of errors, ok)"),
      (["nope"], "states[0]: must be one of errors, ok"), ([], "pass states=None")]),
    ("counts", {"anyOf": [{"type": "array", "items": {"type": "integer", "minimum": 0}}]},
     [([0, 3], [0, 3])],
     [(["1"], "counts[0]: must be an integer >= 0"), ([True], "counts[0]: must be")]),
    ("priority", {"type": "integer", "enum": [1, 2, 3]},
     [(1, 1), (3, 3)],
     [("1", "one of 1, 2, 3"), (4, "one of 1, 2, 3"), (True, "one of 1, 2, 3")]),
    ("mode", {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "boolean"}]},
     [("a", "a"), (False, False)],
     [("c", "mode: must be one of a, b or True or False")]),
    ("code", {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
     [("abc", "abc")],
     [("ABC", "must match ^[a-z]+$"), ("abcdef", "0 to 5 characters")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "schema", "accepted", "refused"), [pytest.param(*t, id=t[0]) for t in TYPED]
)
def test_every_declared_type_is_checked(
    name: str,
    schema: dict[str, Any],
    accepted: list[tuple[object, object]],
    refused: list[tuple[object, str]],
) -> None:
    """What the spec declares (not a list of names) decides what passes, and what is sent."""
    param = spec_param(name, schema)
    for value, sent in accepted:
        assert check_param(param, value) == sent
    for value, fragment in refused:
        with pytest.raises(InvalidParameterError) as caught:
            check_param(param, value)
        where, _, _message = fragment.rpartition(": ") if ": " in fragment else ("", "", "")
        assert caught.value.parameter == (where or name), caught.value
        assert fragment in str(caught.value), caught.value


FLAGS: list[tuple[str, dict[str, Any], list[tuple[list[str], object]], list[str]]] = [
    # (parameter, schema, [(flag arguments, value handed to the SDK)], [refused argument])
    ("include_paused", {"type": "boolean"},
     [(["true"], True), (["false"], False), (["No"], False)], ["banana"]),
    ("min_lag", {"type": "number", "minimum": 0}, [(["2.5"], 2.5), (["3"], 3)], ["x", "-1", "nan"]),
    ("limit", {"type": "integer", "minimum": 1}, [(["7"], 7)], ["0", "1.5", "x"]),
    ("priority", {"type": "integer", "enum": [1, 2, 3]}, [(["2"], 2)], ["4", "x"]),
    ("states", {"type": "array", "items": {"type": "string", "enum": ["errors", "ok"]}},
     [(["errors,ok"], ["errors", "ok"]), (["errors", "ok"], ["errors", "ok"])], ["nope"]),
    ("counts", {"type": "array", "items": {"type": "integer"}}, [(["1, 2", "3"], [1, 2, 3])],
     ["1,x"]),
    ("after", {"type": "string", "format": "date-time"},
     [(["2025-01-15T10:00:00Z"], "2025-01-15T10:00:00Z")], []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "schema", "given", "refused"), [pytest.param(*t, id=t[0]) for t in FLAGS]
)
def test_cli_flags_parse_every_declared_type(
    name: str,
    schema: dict[str, Any],
    given: list[tuple[list[str], object]],
    refused: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--include-paused true`, numbers, closed sets as the spec types them, comma-separated
    lists; a wrong one is a usage error naming the flag (one line, exit 2)."""
    param = spec_param(name, schema)
    flag = "--" + name.replace("_", "-")
    parser = cli._Parser(prog="streamkap-metrics")
    parser.add_argument(flag, dest=name, **cli._typed(param))
    for arguments, expected in given:
        values = parser.parse_args([a for v in arguments for a in (flag, v)])
        got = getattr(values, name)
        if cli.text_kind(param) == "array":
            got = [item for chunk in got for item in chunk]
        assert got == expected
        assert check_param(param, got) is not None  # and the SDK takes what the flag made
    for text in refused:
        with pytest.raises(SystemExit) as exited:
            parser.parse_args([flag, text])
        assert exited.value.code == cli.EXIT_USAGE
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"argument {flag}: " in err, err


def test_subclasses_of_the_basic_types_are_checked_as_their_values() -> None:
    """A str or int Enum member is checked, and sent, as the text or number it holds."""

    class State(str, enum.Enum):  # noqa: UP042 (the mixin, not a StrEnum: str() is not its text)
        ERRORS = "errors"

    class Priority(enum.IntEnum):
        TWO = 2

    states = spec_param(
        "states", {"type": "array", "items": {"type": "string", "enum": ["errors"]}}
    )
    assert check_param(states, [State.ERRORS]) == ["errors"]
    assert type(check_param(states, [State.ERRORS])[0]) is str  # type: ignore[index]
    priority = spec_param("priority", {"type": "integer", "enum": [1, 2, 3]})
    assert check_param(priority, Priority.TWO) == 2
    with pytest.raises(InvalidParameterError, match="priority: must be one of 1, 2, 3"):
        check_param(priority, enum.IntEnum("P", {"NINE": 9}).NINE)
