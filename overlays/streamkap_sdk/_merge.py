"""Calls split into several requests: running the chunks, and merging their responses.

A call with more ids than `max_ids_per_request` is sent as one request per chunk of ids, at
most `max_concurrency` at a time (threads for the sync client, tasks for the async one); every
chunk carries the whole `tenant_ids` list and the same other parameters. The responses are
merged into one model (see README: large id lists):

- every entity map the response schema declares (from the generated surface: maps keyed by
  the ids asked, at their nesting depth) is unioned; the same key returned by two chunks with
  different values raises ChunkConflictError, never a silent overwrite (equal values are kept
  once);
- everything else (aggregates the knowledge table names, other declared top-level fields, and
  fields the spec does not name) is not additive: it is kept only when every chunk returned
  the same value, otherwise dropped, with one DroppedAggregateWarning naming each field;
- merged maps keep chunk order (the first chunk's entries, then the second's, ...), so a
  `sort=` orders entities within each request, not across the whole call.

The first chunk to fail (after its own retries) fails the call with its own error: chunks not
started yet are never sent, and async chunks in flight are cancelled. A thread cannot be
interrupted mid-request, so sync chunks already in flight finish before the error is raised
(their results discarded); nothing is left running once the call returns.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from ._access import is_given
from ._decode import deferred_full_collections
from ._errors import APIError
from ._operations import Operation

__all__ = ["ChunkConflictError", "DroppedAggregateWarning", "gather_tasks", "gather_threads"]

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int], None]


class DroppedAggregateWarning(UserWarning):
    """An account-level aggregate differed between chunks and was dropped from the merge."""


class ChunkConflictError(APIError):
    """Two requests of one split call returned different values for the same entity."""

    def __init__(self, message: str, *, path: tuple[str, ...]) -> None:
        super().__init__(message)
        self.path = path


# -- merging ------------------------------------------------------------------------------------


def _union(maps: Sequence[Any], path: tuple[str, ...], depth: int) -> Any:
    """One map of the same generated type holding every key of `maps` (depth 2: nested maps)."""
    union: dict[str, Any] = {}
    for part in maps:
        for key, value in part.additional_properties.items():
            if key not in union:
                union[key] = value
            elif depth > 1 and is_given(value) and is_given(union[key]):
                union[key] = _union([union[key], value], (*path, key), depth - 1)
            elif _differ(union[key], value):
                where = "".join(f"[{p!r}]" for p in (*path[1:], key))
                raise ChunkConflictError(
                    f"two requests of this split call returned different values for "
                    f"{path[0]}{where}; refusing to pick one",
                    path=(*path, key),
                )
    merged = type(maps[0])()
    merged.additional_properties = union
    return merged


def _differ(a: Any, b: Any) -> bool:
    """`a != b`, where values nested too deeply to compare count as different (a conflict)."""
    try:
        return bool(a != b)
    except RecursionError:
        return True


def merge_responses(op: Operation, parts: Sequence[R], *, stacklevel: int = 3) -> R:
    """One response from the responses of a split call's requests (rules: module docstring).

    `stacklevel` points the warning at the user's call.
    """
    if len(parts) == 1:
        return parts[0]
    first: Any = parts[0]
    merged: Any = type(first)()
    dropped: list[str] = []
    maps = {m.name: m for m in op.entity_maps if m.per_entity}
    for name, entity_map in maps.items():
        present = [m for m in (getattr(p, name) for p in parts) if is_given(m)]
        if present:
            setattr(merged, name, _union(present, (name,), entity_map.depth))
        else:
            setattr(merged, name, getattr(first, name))
    declared = [m.name for m in op.entity_maps if not m.per_entity] + list(op.other_fields)
    for name in declared:
        values = [getattr(p, name) for p in parts]
        if not any(_differ(v, values[0]) for v in values):
            setattr(merged, name, values[0])
        else:
            dropped.append(name)  # left unset on the merged model
    extra: dict[str, Any] = {}
    for key in dict.fromkeys(k for p in parts for k in p.additional_properties):  # type: ignore[attr-defined]
        values = [p.additional_properties.get(key) for p in parts]  # type: ignore[attr-defined]
        if all(key in p.additional_properties for p in parts) and not any(  # type: ignore[attr-defined]
            _differ(v, values[0]) for v in values
        ):
            extra[key] = values[0]
        else:
            dropped.append(key)
    merged.additional_properties = extra
    if dropped:
        warnings.warn(
            f"{', '.join(dropped)} differed between the {len(parts)} requests this call was "
            "split into and was dropped: aggregates cannot be added up across chunks of ids; "
            "ask for them in one request (for example without ids)",
            DroppedAggregateWarning,
            stacklevel=stacklevel,
        )
    result: R = merged
    return result


# -- running the chunks -------------------------------------------------------------------------


class _NotStarted(Exception):
    """A chunk skipped because another one already failed."""


def gather_threads(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    max_workers: int,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> list[R]:
    """`[fn(item) for item in items]` on at most `max_workers` threads; the first error wins.

    `stop` is set as soon as one item fails or the caller is interrupted (KeyboardInterrupt):
    `fn` is expected to check it before each request and wait it starts (raising _NotStarted),
    so that nothing new starts once the call is over; what is in flight may finish.
    """
    if len(items) == 1:  # no pool for the common case: the caller's own thread sends it
        result = fn(items[0])
        if progress is not None:
            progress(1, 1)
        return [result]
    stop = stop or threading.Event()

    def run(item: T) -> R:
        if stop.is_set():  # a worker picked it up just as another chunk failed
            raise _NotStarted
        try:
            return fn(item)
        except BaseException:
            stop.set()  # before this worker can take the next chunk
            raise

    results: list[R] = []
    pool = ThreadPoolExecutor(min(max_workers, len(items)), thread_name_prefix="streamkap-chunk")
    collecting = deferred_full_collections(len(items))
    young = collecting.__enter__()
    try:
        futures = [pool.submit(run, item) for item in items]
        pending: set[Future[R]] = set(futures)
        done_count = 0
        while pending:
            # A timeout, so that this (main) thread runs Python code often enough to notice a
            # Ctrl+C: a process-directed SIGINT may land on a worker thread, and a wait
            # without timeout is then never interrupted.
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_EXCEPTION)
            for future in done:
                error = future.exception()
                if isinstance(error, _NotStarted):
                    continue  # the error that stopped it is raised from its own future
                if error is not None:
                    raise error
                done_count += 1
                young()
                if progress is not None:
                    progress(done_count, len(items))
        results = [f.result() for f in futures]
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        collecting.__exit__(None, None, None)
    return results


async def gather_tasks(
    fn: Callable[[T], Awaitable[R]],
    items: Sequence[T],
    *,
    max_concurrency: int,
    progress: Progress | None = None,
) -> list[R]:
    """`[await fn(item) for item in items]`, at most `max_concurrency` at a time, in one task
    group: the first error cancels the other tasks and is raised as itself (no ExceptionGroup)."""
    if len(items) == 1:
        result = await fn(items[0])
        if progress is not None:
            progress(1, 1)
        return [result]
    import asyncio  # deferred: import time (see _operations)

    gate = asyncio.Semaphore(max_concurrency)
    done_count = 0
    failed = False

    async def run(item: T) -> R:
        nonlocal done_count, failed
        async with gate:
            if failed:  # woken by a failed chunk's slot before the group cancelled this task
                raise _NotStarted
            try:
                result = await fn(item)
            except BaseException:
                failed = True
                raise
        done_count += 1
        young()
        if progress is not None:
            progress(done_count, len(items))
        return result

    with deferred_full_collections(len(items)) as young:
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(run(item)) for item in items]
        except BaseExceptionGroup as failure:
            errors = [e for e in failure.exceptions if not isinstance(e, _NotStarted)]
            raise (errors or list(failure.exceptions))[0] from None
    return [task.result() for task in tasks]
