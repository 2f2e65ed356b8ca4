"""Large bodies read slice by slice (`_slices`, `_decode`): the slices only ever agree with the
whole parse, or step aside.

Slices are made tiny here (a few bytes), so that small documents are cut at every candidate:
strings holding `},"` or escaped quotes, duplicate keys, a BOM, odd whitespace, empty objects,
invalid JSON. Generated documents add the cases nobody thought of.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamkap_api.models import PipelineMetricsRes
from streamkap_sdk import MalformedResponseError, _decode
from streamkap_sdk._decode import decode_model, decode_model_async, loads
from streamkap_sdk._slices import Unsliceable, events

WHOLE = object()  # the slices stepped aside


def assembled(body: bytes, size: int) -> Any:
    """The document the events describe (WHOLE when they step aside)."""
    doc: dict[str, Any] = {}
    try:
        for kind, key, value in events(body.removeprefix(b"\xef\xbb\xbf"), size, json_loads):
            if kind == "member":
                assert key not in doc
                doc[key] = value
            else:
                doc.setdefault(key, {}).update(value)
    except Unsliceable:
        return WHOLE
    return doc


json_loads = _decode._parse_piece  # what the SDK parses slices with (orjson, if installed)


def whole(body: bytes) -> Any:
    try:
        return loads(body)
    except (ValueError, RecursionError):
        return WHOLE  # not JSON: the slices must not accept it either


def agree(body: bytes, *, sliced: bool = False) -> None:
    expected = whole(body)
    for size in (1, 2, 5, 11, 40, 1000):
        got = assembled(body, size)
        if got is WHOLE:
            assert not sliced, f"stepped aside at size {size}"
            continue
        assert expected is not WHOLE, f"accepted invalid JSON at size {size}: {body!r}"
        assert got == expected and list(got) == list(expected), size
        assert json.dumps(got) == json.dumps(expected)  # nested key order too


TRICKY = [
    # strings holding what a candidate looks like
    b'{"m": {"a": {"s": "x},\\"y"}, "b": {"s": "},\\""}, "c": {"t": "}, \\""}}}',
    b'{"m": {"a": {"s": "},\\"b\\": {"},"}, "b": {"v": 1}}}',
    b'{"m": {"a": {"s": "\\\\"}, "b": {"s": "\\\\\\"}, \\""}}}',
    # duplicate keys inside the sliced object (last value wins, first place kept)
    b'{"m": {"a": {"v": 1}, "b": {"v": 2}, "a": {"v": 3}}, "n": {"x": {}}}',
    # whitespace everywhere, CRLF and tabs
    b' \r\n{ "m" :\t{ "a" : { "v" : 1 } ,\n "b" : {"v" : [ 1 , {"w": 2} ] } } ,\r\n "n" : 5 } \n',
    # empty objects, nulls, scalars before and after, arrays
    b'{"e": {}, "m": {"a": {}, "b": {"c": {}}}, "z": null, "n": [1, {"a": {}}], "s": "}"}',
    b'{"z": null, "t": true, "x": -1.5e3, "m": {"a": {"b": {}}, "c": {"d": {}}}}',
    b"{}",
    b'{"only": {}}',
    # deeper candidates between the members of an entity
    b'{"m": {"p1": {"ts": {"l": [1]}, "latest": {"v": 1}, "sum": {"v": 2}}, '
    b'"p2": {"ts": {"l": [2]}, "latest": {"v": 3}}}, "account": {"a": {"v": 1}}}',
    # nested maps (depth 2) and unicode
    b'{"topic_metrics": {"p1": {"t\\u00e9": {"v": 1}, "t2": {"v": 2}}, "p2": {"t3": {}}}}',
    '{"m": {"ünï": {"s": "😀},\\""}, "b": {"v": 1}}}'.encode(),
]
INVALID = [
    b'{"m": {"a": {"v": 1}, }}',  # a trailing comma in the sliced object
    b'{"m": {"a": {"v": 1}}, }',  # ... and at the top
    b'{"m": {"a": {"v": 1}},, "n": 1}',
    b'{"m": {"a": {"v": 1}}}}',  # one brace too many
    b'{"m": {"a": {"v": 1}}',  # one too few
    b'{"m": {"a": {"v": 1}}} trailing',
    b'{"m": {"a": {"v": 1} "b": {"v": 2}}}',  # a missing comma
    b'{"m": {"a": {"v": NaN}}}',
    b'[{"m": {}}]',
    b'{"m": {"a": {"v": 1}}',
    b"",
]


@pytest.mark.parametrize("body", TRICKY + INVALID)
def test_slices_agree_with_the_whole_parse(body: bytes) -> None:
    valid = isinstance(whole(body), dict)
    agree(body, sliced=valid)  # a JSON object: read in slices at every size, never whole
    agree(b"\xef\xbb\xbf" + body, sliced=valid)


def test_a_top_level_key_twice_is_left_to_the_whole_parse() -> None:
    body = b'{"m": {"a": {"v": 1}}, "x": 1, "m": {"b": {"v": 2}}}'
    assert assembled(body, 1) is WHOLE
    assert whole(body) == {"m": {"b": {"v": 2}}, "x": 1}


def test_a_large_body_is_cut_where_members_end() -> None:
    entities = {f"p-{n}": {"ts": {"l": [{"v": n, "t": 'x},"y'}] * 3}} for n in range(200)}
    body = json.dumps({"connector_metrics": entities, "account_metrics": {"a": {}}}).encode()
    slices = [e for e in events(body, 500, json_loads) if e[0] == "slice"]
    assert len(slices) > 30  # cut often, never inside a string
    agree(body, sliced=True)


_KEYS = st.sampled_from(["a", "b", "m", "p", '},"', '"', "\\", "é", "x y", "{"])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet='ab{}[],:" \\\n\u00e9', max_size=6),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=12,
)
_SEPARATORS = st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :\t")])


@st.composite
def _documents(draw: st.DrawFn) -> bytes:
    doc = draw(
        st.dictionaries(_KEYS, st.dictionaries(_KEYS, _VALUES, max_size=5) | _VALUES, max_size=4)
    )
    separators = draw(_SEPARATORS)
    text = json.dumps(doc, separators=separators, ensure_ascii=draw(st.booleans()))
    body = text.encode()
    mutation = draw(st.integers(0, 5))
    if mutation == 1 and body:  # drop a byte
        at = draw(st.integers(0, len(body) - 1))
        body = body[:at] + body[at + 1 :]
    elif mutation == 2 and body:  # insert a structural byte
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from([b",", b"}", b"{", b'"', b"]"])) + body[at:]
    elif mutation == 3:  # a duplicated member
        body = body.replace(b'}, "', b'}, "a": {}, "', 1)
    return body


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_slices_never_disagree_with_the_whole_parse(body: bytes) -> None:
    agree(body)


# -- models -----------------------------------------------------------------------------------


def _response(body: bytes) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"x-request-id": "rid-1"})


def _entities(n: int, bad: str | None = None) -> dict[str, Any]:
    def points() -> list[dict[str, Any]]:
        return [{"timestamp": f"2025-01-15T00:{m:02d}:00Z", "value": m} for m in range(30)]

    out: dict[str, Any] = {
        f"pipeline-{i:03d}": {"timeseries": {"latency": points(), "recordsLag": points()}}
        for i in range(n)
    }
    if bad is not None:
        out[bad]["timeseries"]["latency"][17] = {"timestamp": "t", "value": "12"}
    return out


def _body(entities: dict[str, Any]) -> bytes:
    return json.dumps({"connector_metrics": entities}).encode()


@pytest.fixture
def tiny_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_decode, "SLICE_MIN_BYTES", 0)
    monkeypatch.setattr(_decode, "SLICE_BYTES", 700)


def _whole_decode(body: bytes) -> Any:
    return _decode._decode_whole(_response(body), PipelineMetricsRes, "searchPipelinesMetrics")


@pytest.mark.usefixtures("tiny_slices")
def test_models_built_slice_by_slice_are_the_whole_decode() -> None:
    doc = {
        "connector_metrics": _entities(40),
        "account_metrics": {"account": {"latest": {"latency": 1.5, "recordsLag": 2}}},
        "unknown_field": {"kept": {"as": "is"}, "and": {"merged": 1}},
        "topic_metrics": {"pipeline-000": {"t1": {"latest": {"latency": 1}}}},
    }
    body = json.dumps(doc).encode()
    steps = _decode._sliced(body, PipelineMetricsRes)
    count = 0
    with pytest.raises(StopIteration) as done:
        while True:
            next(steps)
            count += 1
    assert count > 10  # it was sliced
    sliced = done.value.value
    expected = _whole_decode(body)
    assert sliced == expected
    assert sliced.to_dict() == expected.to_dict() == doc
    assert decode_model(_response(body), PipelineMetricsRes, what="x") == expected


@pytest.mark.usefixtures("tiny_slices")
@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"connector_metrics": _entities(30, bad="pipeline-021")}).encode(),
        json.dumps({"connector_metrics": _entities(30), "account_metrics": 5}).encode(),
        json.dumps({"connector_metrics": _entities(30)}).encode()[:-3],  # cut short
        json.dumps({"connector_metrics": _entities(30)})
        .encode()
        .replace(b'"value": 12}', b'"value": 1e999}', 1),
        b"\xef\xbb\xbf"
        + json.dumps({"connector_metrics": _entities(30, bad="pipeline-003")}).encode(),
        json.dumps([_entities(3)]).encode(),
        b"",
    ],
)
async def test_errors_are_those_of_the_whole_decode(body: bytes) -> None:
    with pytest.raises(MalformedResponseError) as expected:
        _whole_decode(body)
    for decode in (
        lambda: decode_model(_response(body), PipelineMetricsRes, what="searchPipelinesMetrics"),
    ):
        with pytest.raises(MalformedResponseError) as got:
            decode()
        assert str(got.value) == str(expected.value)
        assert got.value.path == expected.value.path
    with pytest.raises(MalformedResponseError) as got_async:
        await decode_model_async(_response(body), PipelineMetricsRes, what="searchPipelinesMetrics")
    assert str(got_async.value) == str(expected.value)
    assert got_async.value.path == expected.value.path


@pytest.mark.usefixtures("tiny_slices")
def test_a_bad_item_names_its_path() -> None:
    body = json.dumps({"connector_metrics": _entities(30, bad="pipeline-021")}).encode()
    with pytest.raises(MalformedResponseError) as raised:
        decode_model(_response(body), PipelineMetricsRes, what="searchPipelinesMetrics")
    where = ("connector_metrics", "pipeline-021", "timeseries", "latency", 17, "value")
    assert raised.value.path == where
    assert '$.connector_metrics["pipeline-021"].timeseries.latency[17].value' in str(raised.value)


class _Int(int):
    pass


@pytest.mark.parametrize(
    "items",
    [
        [{"timestamp": "t1", "value": 1}, {"value": 2.5, "timestamp": "t2"}],
        [{"timestamp": "t1", "value": 1}, {"timestamp": "t2", "value": 2, "extra": [1]}],
        [{"timestamp": "t1", "value": 1}, {"timestamp": "t2", "value": _Int(3)}],
        [{"timestamp": "t1", "value": 1}, {"timestamp": "t2", "value": True}],
        [{"timestamp": "t1", "value": 1}, {"timestamp": "t2", "other": 1}],
        [{"timestamp": "t1", "value": 1}, ["not", "an", "object"]],
        [],
    ],
)
def test_a_list_of_flat_models_is_from_dict_item_by_item(items: list[Any]) -> None:
    """`_from_list` (the short path for lists of flat models) is `_from_dict` per item, down to
    the objects it builds and the errors it raises."""
    from streamkap_api.models import TimeseriesEntry
    from streamkap_api.types import DecodeError

    def one_by_one() -> Any:
        return [TimeseriesEntry._from_dict(item) for item in items]

    try:
        expected = one_by_one()
    except DecodeError as exc:
        with pytest.raises(DecodeError) as raised:
            TimeseriesEntry._from_list(items)
        assert (raised.value.path, raised.value.reason) == (exc.path, exc.reason)
        return
    got = TimeseriesEntry._from_list(items)
    assert got == expected
    assert [e.to_dict() for e in got] == [e.to_dict() for e in expected]
    assert [type(e.value) for e in got] == [type(e.value) for e in expected]
