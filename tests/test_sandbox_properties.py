"""Property: no request makes the sandbox or the kit fail, or accept what the spec forbids.

Schemathesis (tests/test_sandbox_schemathesis.py) generates requests from the spec's schemas;
this generates the raw ones a schema does not describe: bodies of any bytes (whitespace only,
form feeds, deep nesting, NaN, JSON of the wrong shape), any content type, any method, query
strings with repeated, unknown and declared keys whose values are any text, numbers, and
timestamps at the ends of what a datetime holds (year 1 with a positive offset, year 9999 with
a negative one). Each request goes to the sandbox server on 127.0.0.1 and, the same, to the kit;
both must answer alike, with no 5xx, and a 200 only for what the spec allows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamkap_api.surface import OPERATIONS
from streamkap_sdk.sandbox import Engine, Sandbox
from streamkap_sdk.testing import FakeStreamkap

TOKEN_PATHS = ["/auth/access-token", "/auth/access-token/refresh"]
PATHS = [op.path for op in OPERATIONS]
SINGLE_VALUED = {p.wire for op in OPERATIONS for p in op.query}
ID_LISTS = {key for op in OPERATIONS for key in op.id_lists}

OFFSETS = [dt.timedelta(0), dt.timedelta(hours=1), -dt.timedelta(hours=1)]
OFFSETS += [dt.timedelta(hours=23, minutes=59), -dt.timedelta(hours=23, minutes=59)]
DAY = dt.timedelta(hours=23, minutes=59)
EDGES = [dt.datetime.min, dt.datetime.min + DAY, dt.datetime.max, dt.datetime.max - DAY]
TIMESTAMPS = st.builds(
    lambda moment, offset, z: (
        moment.replace(tzinfo=dt.timezone(offset))
        .isoformat()
        .replace("+00:00", "Z" if z else "+00:00")
    ),
    st.one_of(
        st.datetimes(min_value=dt.datetime.min, max_value=dt.datetime.max),
        st.sampled_from(EDGES),
    ),
    st.sampled_from(OFFSETS),
    st.booleans(),
)
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=10)
VALUES = st.one_of(
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(str),
    TIMESTAMPS,
    st.sampled_from(
        ["", " ", "abc", "0", "1", "-1", "true", "nan", "inf", "1e999", "5.0", " 5 ", "1_0"]
        + [v for op in OPERATIONS for p in op.query for v in (p.values or p.examples)]
    ),
)
KEYS = st.one_of(st.sampled_from(sorted(SINGLE_VALUED)), TEXT)
WINDOWS = [
    p.wire for op in OPERATIONS for p in op.query if p.role in ("window_start", "window_end")
]
QUERY = st.one_of(
    st.lists(st.tuples(KEYS, VALUES), max_size=6),
    st.lists(st.tuples(st.sampled_from(sorted(set(WINDOWS))), TIMESTAMPS), max_size=2).flatmap(
        lambda window: st.sampled_from(["latest", "timeseries", "timesummary"]).map(
            lambda block: [*window, ("time_type", block)]
        )
    ),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT | VALUES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
BODIES = st.one_of(
    st.just(b""),
    st.dictionaries(KEYS, JSON, max_size=5).map(lambda d: json.dumps(d).encode()),
    JSON.map(lambda v: json.dumps(v).encode()),
    st.text(" \t\r\n\x0b\x0c", min_size=1, max_size=6).map(str.encode),
    st.binary(max_size=24),
    st.sampled_from([b"NaN", b'{"ids": NaN}', b"[" * 5000, b'{"a":' * 5000, b"\xff\xfe{}"]),
)
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/vnd.api+json",
        "application/x-www-form-urlencoded",
    ]
)
METHODS = st.sampled_from(["POST"] * 6 + ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])


def _authorized(http: httpx.Client, engine: Engine) -> httpx.Client:
    token = http.post(
        "/auth/access-token", json={"client_id": engine.client_id, "secret": engine.client_secret}
    ).json()["accessToken"]
    http.headers["Authorization"] = f"Bearer {token}"
    return http


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[httpx.Client, httpx.Client]]:
    fake = FakeStreamkap()
    with (
        Sandbox() as server,
        httpx.Client(base_url=server.url, timeout=30) as over_http,
        httpx.Client(base_url=fake.base_url, transport=fake.transport()) as in_process,
    ):
        yield _authorized(over_http, server.engine), _authorized(in_process, fake.engine)


def _strict_json(body: bytes) -> Any:
    """The body as JSON as the spec has it (RFC 8259: no NaN), or a ValueError."""

    def refuse(name: str) -> Any:
        raise ValueError(name)

    return json.loads(body, parse_constant=refuse)


def _allowed(
    method: str, path: str, query: list[tuple[str, str]], body: bytes, kind: str | None
) -> bool:
    """Whether the spec allows this request to a metrics operation (a 200 may answer it)."""
    if method != "POST" or path not in PATHS:
        return False
    keys = [k for k, _v in query if k in SINGLE_VALUED]
    if len(keys) != len(set(keys)):
        return False  # a repeated key: an array where the spec declares one value
    if not body:
        return True
    media = (kind or "application/json").split(";")[0].strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        return False
    try:
        data = _strict_json(body)
    except (ValueError, RecursionError):
        return False
    if data is None:
        return True
    if not isinstance(data, dict):
        return False
    return all(
        data.get(k) is None
        or isinstance(data[k], str)
        or (isinstance(data[k], list) and all(isinstance(v, str) for v in data[k]))
        for k in ID_LISTS
    )


def _comparable(response: httpx.Response) -> tuple[Any, ...]:
    try:
        payload = response.json()
    except ValueError:
        payload = response.content
    if isinstance(payload, dict):  # series end at each engine's "now": compared by name
        payload = json.loads(json.dumps(payload), object_hook=_series_names)
    return response.status_code, response.headers.get("allow"), payload


def _series_names(block: dict[str, Any]) -> dict[str, Any]:
    if "timeseries" in block and isinstance(block["timeseries"], dict):
        return {**block, "timeseries": sorted(block["timeseries"])}
    return block


@given(
    method=METHODS,
    path=st.sampled_from(PATHS * 4 + TOKEN_PATHS + ["/nope"]),
    query=QUERY,
    body=BODIES,
    kind=CONTENT_TYPES,
)
@settings(
    max_examples=400,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_fails_or_passes_what_the_spec_forbids(
    clients: tuple[httpx.Client, httpx.Client],
    method: str,
    path: str,
    query: list[tuple[str, str]],
    body: bytes,
    kind: str | None,
) -> None:
    headers = {"content-type": kind} if kind else {}
    answers = [
        http.request(method, path, params=query, content=body, headers=headers) for http in clients
    ]
    sandbox, kit = answers
    assert _comparable(sandbox) == _comparable(kit)
    assert sandbox.status_code in (200, 401, 404, 405, 422), sandbox.text
    if sandbox.status_code == 405:
        assert sandbox.headers["allow"] == "POST"
    if sandbox.status_code == 200 and path not in TOKEN_PATHS:
        assert _allowed(method, path, query, body, kind), (method, path, query, body, kind)
