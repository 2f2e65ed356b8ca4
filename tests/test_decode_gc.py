"""The overlay pauses the cyclic GC while a large body is decoded, and always restores it."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import httpx
import pytest

from streamkap_sdk import MalformedResponseError, _decode


class Spy:
    """A model whose from_dict records whether the GC was running."""

    seen: ClassVar[list[bool]] = []

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        cls.seen.append(gc.isenabled())
        if "bad" in src_dict:
            raise ValueError("does not fit")
        return cls()


@pytest.fixture(autouse=True)
def _reset() -> None:
    Spy.seen = []
    assert gc.isenabled()


def test_large_bodies_decode_with_gc_paused_then_restored() -> None:
    big = httpx.Response(200, content=b'{"pad": "' + b"x" * _decode.GC_PAUSE_MIN_BYTES + b'"}')
    _decode.decode_model(big, Spy, what="op")
    with pytest.raises(MalformedResponseError):
        _decode.decode_model(
            httpx.Response(200, content=b'{"bad": "' + b"x" * _decode.GC_PAUSE_MIN_BYTES + b'"}'),
            Spy,
            what="op",
        )
    assert Spy.seen == [False, False]
    assert gc.isenabled()


def test_small_bodies_leave_the_gc_alone() -> None:
    _decode.decode_model(httpx.Response(200, json={"a": 1}), Spy, what="op")
    assert Spy.seen == [True]


def test_a_caller_who_paused_the_gc_keeps_it_paused() -> None:
    big = httpx.Response(200, content=b'{"pad": "' + b"x" * _decode.GC_PAUSE_MIN_BYTES + b'"}')
    gc.disable()
    try:
        _decode.decode_model(big, Spy, what="op")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_resume_only_when_the_last_one_ends() -> None:
    big = _decode.GC_PAUSE_MIN_BYTES
    first = _decode._gc_paused(big)
    second = _decode._gc_paused(big)
    first.__enter__()
    second.__enter__()  # as a second chunk thread would, while the first still decodes
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second decode is still running
    second.__exit__(None, None, None)
    assert gc.isenabled()


# -- calls split into many requests -------------------------------------------------------------


def _collections() -> list[int]:
    generations: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(record)
    return generations


@pytest.mark.parametrize("chunks", [2, _decode.GC_DEFER_MIN_CHUNKS * 3])
def test_a_call_of_many_chunks_defers_full_collections(chunks: int) -> None:
    """What the chunks decode lives until the merge: full collections would walk it again and
    again. From GC_DEFER_MIN_CHUNKS chunks on, only the young generations are collected (every
    few chunks) until the call ends; the collector is on again after it, error or not."""
    from streamkap_sdk._merge import gather_threads

    seen: list[bool] = []
    generations = _collections()
    try:

        def chunk(n: int) -> int:
            seen.append(gc.isenabled())
            return n

        assert gather_threads(chunk, list(range(chunks)), max_workers=2) == list(range(chunks))
        many = chunks >= _decode.GC_DEFER_MIN_CHUNKS
        assert seen == [not many] * chunks
        assert gc.isenabled()
        if many:
            assert generations and set(generations) == {1}  # young passes only

        def failing(n: int) -> int:
            if n == 1:
                raise ValueError("chunk 1")
            return n

        with pytest.raises(ValueError, match="chunk 1"):
            gather_threads(failing, list(range(chunks)), max_workers=2)
        assert gc.isenabled()
    finally:
        gc.callbacks.pop()


async def test_a_call_of_many_chunks_defers_full_collections_async() -> None:
    from streamkap_sdk._merge import gather_tasks

    seen: list[bool] = []

    async def chunk(n: int) -> int:
        seen.append(gc.isenabled())
        return n

    chunks = _decode.GC_DEFER_MIN_CHUNKS
    assert await gather_tasks(chunk, list(range(chunks)), max_concurrency=4) == list(range(chunks))
    assert seen == [False] * chunks and gc.isenabled()
    await gather_tasks(chunk, [1, 2], max_concurrency=4)
    assert seen[-2:] == [True, True]
