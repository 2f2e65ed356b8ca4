"""One JSON behaviour with and without orjson (issue 11, item 12): every case is decoded on
both paths, in-process and over real HTTP, and gives the same value or the same refusal."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from _faultserver import FaultServer, fault_server

from streamkap_sdk import MalformedResponseError, StreamkapClient, _decode, entities, present
from streamkap_sdk.testing import FakeStreamkap

BIG = 2**64 + 1

#: (body of an unknown metric's value, what it decodes to; None = refused)
CASES: list[tuple[str, bytes, Any]] = [
    ("int above 2**64", str(BIG).encode(), float(BIG)),
    ("int at 2**64 - 1", str(2**64 - 1).encode(), 2**64 - 1),
    ("int below -2**63", str(-(2**63) - 1).encode(), float(-(2**63) - 1)),
    ("int of 400 digits", b"1" + b"0" * 400, None),
    ("NaN", b"NaN", None),
    ("Infinity", b"Infinity", None),
    ("-Infinity", b"-Infinity", None),
    ("1e400", b"1e400", None),
    ("-1e400", b"-1e400", None),
    ("1e-400", b"1e-400", 0.0),
    ("nested 100", b"[" * 100 + b"]" * 100, "nested"),
    ("nested 5000", b"[" * 5000 + b"]" * 5000, None),
]


@pytest.fixture(params=["orjson", "stdlib"])
def json_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "stdlib":
        monkeypatch.setattr(_decode, "_fast", None)
    else:
        assert _decode._fast is not None, "the dev install has orjson"
    return str(request.param)


def expected(value: Any, got: Any) -> None:
    if value == "nested":
        depth = 0
        while isinstance(got, list) and got:
            got, depth = got[0], depth + 1
        assert depth == 99
    else:
        assert got == value and type(got) is type(value)


@pytest.mark.parametrize(("name", "raw", "value"), CASES, ids=[c[0] for c in CASES])
def test_loads_on_both_paths(json_path: str, name: str, raw: bytes, value: Any) -> None:
    body = b'{"a": ' + raw + b"}"
    if value is None:
        with pytest.raises((ValueError, RecursionError)):
            _decode.loads(body)
    else:
        expected(value, _decode.loads(body)["a"])


def test_a_byte_order_mark_is_ignored_on_both_paths(json_path: str) -> None:
    assert _decode.loads(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_refusals_read_the_same_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    def message(body: bytes) -> str:
        try:
            _decode.loads(body)
        except ValueError as exc:
            return str(exc)
        raise AssertionError("not refused")

    bodies = [b'{"a": NaN}', b'{"a": 1e400}', b'{"a": ', b"\xff"]
    fast = [message(b) for b in bodies]
    monkeypatch.setattr(_decode, "_fast", None)
    assert [message(b) for b in bodies] == fast


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as running:
        yield running


@pytest.mark.parametrize(("name", "raw", "value"), CASES, ids=[c[0] for c in CASES])
def test_over_http_on_both_paths(
    json_path: str, server: FaultServer, name: str, raw: bytes, value: Any
) -> None:
    body = b'{"connector_metrics": {"p1": {"latest": {"odd": ' + raw + b"}}}}"
    server.on("/pipelines/metrics", lambda r, c: c.respond(200, body))
    with StreamkapClient(**server.credentials()) as client:
        if value is None:
            with pytest.raises(MalformedResponseError, match="searchPipelinesMetrics: HTTP 200"):
                client.pipelines.metrics(["p1"])
        else:
            result = client.pipelines.metrics(["p1"])
            latest = present(entities(result.connector_metrics)["p1"].latest)
            expected(value, latest["odd"])


NO_ORJSON = """
import sys
sys.modules["orjson"] = None
from streamkap_sdk import _decode
assert _decode._fast is None
print(_decode.loads(b'\\xef\\xbb\\xbf{"a": 18446744073709551617}'))
try:
    _decode.loads(b'{"a": NaN}')
except ValueError as exc:
    print("refused:", exc)
"""


def test_without_orjson_installed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", NO_ORJSON], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == repr({"a": float(2**64 + 1)})
    assert lines[1] == "refused: NaN is not a JSON value"
    assert math.isfinite(float(2**64 + 1))


def test_the_depth_check_refuses_past_1024_levels_only() -> None:
    """What Python 3.13+ runs before the standard library decodes (its decoder reads far deeper
    than the recursion limit): the same line orjson draws, on every Python."""
    nested = lambda depth: b"[" * depth + b"1" + b"]" * depth  # noqa: E731
    _decode.refuse_deep(nested(_decode.MAX_DEPTH))
    with pytest.raises(RecursionError, match="nested deeper than 1024 levels"):
        _decode.refuse_deep(nested(_decode.MAX_DEPTH + 1))
    objects = b'{"a": ' * 1025 + b"1" + b"}" * 1025
    with pytest.raises(RecursionError):
        _decode.refuse_deep(objects)
    in_strings = b'["' + b"[" * 5000 + b'\\"{", "}]"]'  # brackets inside strings do not count
    _decode.refuse_deep(in_strings)
    wide = b"[" + b",".join([b'{"t": [1, 2], "v": {"x": 3}}'] * 5000) + b"]"  # many, shallow
    _decode.refuse_deep(wide)
    _decode.refuse_deep(b"[" * 3000)  # unbalanced: left to the decoder, which refuses it


def test_entities_of_something_other_than_an_entity_map_is_a_type_error(
    streamkap_fake: FakeStreamkap,
) -> None:
    """`entities(result)` used to return {} (as if no entity had metrics)."""
    from streamkap_sdk import entities

    streamkap_fake.set_metrics("orders", latest={"recordsLag": 5})
    with streamkap_fake.client() as client:
        result = client.pipelines.metrics(["orders"])
    assert list(entities(result.connector_metrics)) == ["orders"]
    assert entities(None) == {}
    for wrong in (result, entities(result.connector_metrics)["orders"], {"orders": 1}):
        with pytest.raises(TypeError, match=r"result\.connector_metrics"):
            entities(wrong)  # type: ignore[arg-type]


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    """`"RUN\\ud83d"` (a UTF-16 pair cut in two) is valid JSON grammar but not text: it used to
    reach the caller as is and break whatever encoded it next (a Prometheus scrape, a CSV)."""
    body = (
        b'{"connector_metrics": {"p1": {"latest": {"recordsLag": 1, "state": "RUN\\ud83d",'
        b' "ok": "\\ud83d\\ude00"}}}}'
    )

    def answer(request: Any, conn: Any) -> None:
        conn.respond(200, body, {"content-type": "application/json"})

    with fault_server() as server:
        server.on("/pipelines/metrics", answer)
        with StreamkapClient(**server.credentials()) as client:
            result = client.pipelines.metrics(["p1"])
    latest = present(entities(result.connector_metrics)["p1"].latest)
    assert latest.additional_properties["state"] == "RUN\ufffd"
    assert latest.additional_properties["ok"] == "\U0001f600"  # a whole pair stays itself
    latest.additional_properties["state"].encode("utf-8")  # encodable now


def test_cancelling_a_large_decode_restores_the_gc() -> None:
    """Cancelled between slices of a body over 4 MiB, the call used to leave the collector off
    process-wide for as long as the exception (and its suspended decode) was kept."""
    import asyncio
    import gc

    from streamkap_sdk import AsyncStreamkapClient

    ids = [f"p{n}" for n in range(2000)]
    body = json.dumps(
        {"connector_metrics": {i: {"latest": {"recordsLag": 1, "pad": "x" * 2500}} for i in ids}}
    ).encode()
    assert len(body) > _decode.SLICE_MIN_BYTES

    def answer(request: Any, conn: Any) -> None:
        conn.respond(200, body, {"content-type": "application/json"})

    async def main(server: FaultServer) -> BaseException:
        async with AsyncStreamkapClient(**server.credentials()) as client:
            task = asyncio.ensure_future(client.pipelines.metrics(ids))
            for _ in range(100_000):  # until the decode has paused the collector
                await asyncio.sleep(0)
                if not gc.isenabled() or task.done():
                    break
            assert not gc.isenabled(), "the decode never paused the GC"
            task.cancel()
            try:
                await task
            except asyncio.CancelledError as exc:
                return exc  # kept, as an application keeping the exception would
            raise AssertionError("not cancelled")

    assert gc.isenabled()
    with fault_server() as server:
        server.on("/pipelines/metrics", answer)
        kept = asyncio.run(main(server))
    assert gc.isenabled(), "the collector stayed off after the cancelled decode"
    del kept
