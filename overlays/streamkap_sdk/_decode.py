"""Turn a 2xx response into the promised model, or raise MalformedResponseError saying why.

The generated models' `from_dict` is strict (custom templates in `templates/`): anything that
does not fit the schema raises `streamkap_api.types.DecodeError` carrying the JSON path.

JSON is read the same way with or without orjson (`loads`, the README's errors section):
strict RFC 8259 plus two leniencies. Integers outside the 64-bit range (below -2**63 or above
2**64 - 1) become the nearest float, as orjson reads them; `NaN`, `Infinity`, `-Infinity` and
numbers beyond the float range (`1e400`) are refused; a lone UTF-16 surrogate in a string
(`"RUN\\ud83d"`: valid JSON grammar, but not Unicode text) becomes U+FFFD; a leading UTF-8 byte
order mark is ignored; nesting deeper than 1024 levels is refused (without orjson, the standard
library's stack limit may refuse from about 990 levels; from Python 3.13 on, whose decoder no
longer stops there, the depth is checked before the standard library decodes). Every refusal
is a MalformedResponseError.
"""

from __future__ import annotations

import functools
import gc
import json
import math
import re
import sys
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Final, Protocol, Self, TypeVar

import httpx

from ._errors import MalformedResponseError, _body_text, _snippet

_fast: Callable[[bytes | bytearray], Any] | None
try:  # optional speed-up: the `speedups` extra
    import orjson

    _fast = orjson.loads
except ImportError:  # pragma: no cover - exercised when orjson is absent
    _fast = None

__all__ = [
    "check_entity_ids",
    "decode_model",
    "decode_model_async",
    "deferred_full_collections",
    "loads",
    "per_entity_maps",
]

_BOM = b"\xef\xbb\xbf"
_INT64 = (-(2**63), 2**64 - 1)


def _number(text: str) -> int | float:
    """A JSON integer as orjson reads it: exact within 64 bits, else the nearest float."""
    value = int(text)
    if _INT64[0] <= value <= _INT64[1]:
        return value
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"number out of range: {text[:20]}…") from None


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON value")


_json_decoder = json.JSONDecoder(parse_int=_number, parse_float=_finite, parse_constant=_constant)
#: A \\uD800-\\uDFFF escape: where the standard library can produce a lone surrogate.
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")


def _mended(value: Any) -> Any:
    """`value` with every lone UTF-16 surrogate in its strings and keys replaced by U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_mended(key): _mended(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mended(item) for item in value]
    return value


def _strict_decode(text: str) -> Any:
    """The standard library's decode. A lone surrogate (`"\\ud83d"` without its pair, what a
    backend makes when it cuts a UTF-16 pair) becomes U+FFFD, as orjson's refusal of it is
    answered here too: such a string is not Unicode text, and it breaks whatever encodes it
    later (a Prometheus exposition, a CSV file). Only a body holding such an escape is walked."""
    value = _json_decoder.decode(text)
    if _SURROGATE_ESCAPE.search(text):
        value = _mended(value)
    return value


#: Deeper than this is refused, as orjson refuses it.
MAX_DEPTH: Final = 1024
# Up to 3.12 the standard library's decoder stops at about the recursion limit by itself; 3.13's
# guards only the C stack, and reads 5,000 levels and more.
_CHECK_DEPTH: Final = sys.version_info >= (3, 13)
_STRING: Final = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_INNERMOST: Final = re.compile(rb"[\[{][^\[\]{}]*[\]}]")


def refuse_deep(body: bytes) -> None:
    """RecursionError if `body` nests arrays and objects deeper than MAX_DEPTH (strings aside).

    Each pass removes the innermost arrays and objects (at C speed), so a document takes as many
    passes as it is deep, MAX_DEPTH at most; one with few brackets takes none.
    """
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return
    skeleton = _STRING.sub(b"", body)
    for _ in range(MAX_DEPTH):
        skeleton, removed = _INNERMOST.subn(b"", skeleton)
        if not removed:
            return  # balanced, shallow enough; or unbalanced, which the decoder refuses
    if b"[" in skeleton or b"{" in skeleton:
        raise RecursionError(f"JSON nested deeper than {MAX_DEPTH} levels")


def loads(body: bytes) -> Any:
    """JSON text as Python values, one behaviour with or without orjson (module docstring).

    orjson reads what it accepts exactly as `_strict_decode` does; whatever orjson refuses is handed
    to `_strict_decode`, which has the last word, so refusals (and their messages) are the same on
    both paths. Raises ValueError or RecursionError.
    """
    if body.startswith(_BOM):
        body = body[len(_BOM) :]
    if _fast is not None:
        try:
            return _fast(body)
        except ValueError:
            pass
    if _CHECK_DEPTH:
        refuse_deep(bytes(body) if isinstance(body, bytes | bytearray) else body.encode())
    text = body.decode("utf-8") if isinstance(body, bytes | bytearray) else body
    return _strict_decode(text)


class _Model(Protocol):
    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...


M = TypeVar("M", bound=_Model)


_JSON_TYPES = {"dict": "object", "list": "array", "str": "string", "int": "number",
               "float": "number", "bool": "boolean", "NoneType": "null"}  # fmt: skip


def _path_text(path: tuple[str | int, ...]) -> str:
    """JSONPath-style: `$.a.b[0]`, with keys that are not plain names quoted: `$.t["x.topic"]`."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}"
        else:
            text += f"[{json.dumps(part)}]"
    return text


#: Bodies at least this large are decoded with the cyclic GC paused (see `_GCPause`).
GC_PAUSE_MIN_BYTES = 1 << 20


class _GCPause:
    """Pause the cyclic garbage collector while large bodies become models.

    Decoding builds only new, acyclic objects, so collections during it free nothing; yet on a
    50 MB response they were most of the run time (each full collection walks every object
    decoded so far). Paused, each object is looked at once when collection resumes. Pauses nest
    across threads (chunked calls decode in parallel): the collector resumes when the last
    decode ends, and only if it was running when the first began. Small bodies leave it alone.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._resume = False

    def __call__(self, size: int) -> AbstractContextManager[None]:
        # A small body (nearly every call) gets a shared no-op: a generator-based context
        # manager per call cost a small call's decode 5%.
        return _NO_PAUSE if size < GC_PAUSE_MIN_BYTES else self._paused()

    @contextmanager
    def _paused(self) -> Iterator[None]:
        with self._lock:
            if self._active == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0 and self._resume:
                    gc.enable()


_NO_PAUSE: Final = nullcontext()
_gc_paused = _GCPause()

#: Calls split into at least this many requests keep the GC's full collections for the end.
GC_DEFER_MIN_CHUNKS = 8
_CHUNKS_PER_COLLECTION = 8


@contextmanager
def deferred_full_collections(chunks: int) -> Iterator[Callable[[], None]]:
    """For a call split into `chunks` requests: what each chunk decodes stays alive until the
    merge, so every full collection during the call walked all the chunks so far again (the
    time per id grew with the number of ids: 15 us at 300,000 ids against 11 at 1,000). The
    collector is paused for the call, as for a large body, and yields `young()`, called as
    chunks finish: every few chunks it gives the young generations their pass (cyclic garbage
    of other threads is still collected while young); full collections wait for the end."""
    if chunks < GC_DEFER_MIN_CHUNKS:
        yield lambda: None
        return
    pause = _gc_paused
    finished = 0

    def young() -> None:
        nonlocal finished
        finished += 1
        if pause._resume and finished % _CHUNKS_PER_COLLECTION == 0:
            gc.collect(1)

    with pause(GC_PAUSE_MIN_BYTES):
        yield young


#: Bodies at least this large are read slice by slice (`_slices`), about this much at a time.
SLICE_MIN_BYTES = 4 << 20
SLICE_BYTES = 1 << 19
#: Every this many slices, the objects built so far get their one young-generation GC pass.
_SLICES_PER_COLLECTION = 2


def decode_model(response: httpx.Response, model: type[M], *, what: str) -> M:
    """Parse `response` as JSON and build `model` from it.

    Raises MalformedResponseError (never retried: the server did answer, and asking again is
    unlikely to help) when the body is not JSON, or when it does not fit the schema; then the
    message and `.path` name where, e.g. `$.connector_metrics.p1.latest.latency`.
    """
    steps = _decoding(response, model, what)
    try:
        while True:
            try:
                next(steps)
            except StopIteration as done:
                result: M = done.value
                return result
    finally:
        steps.close()  # interrupted between slices (Ctrl+C): the GC pause ends here, not at GC


async def decode_model_async(response: httpx.Response, model: type[M], *, what: str) -> M:
    """`decode_model`, letting the event loop run between the slices of a large body (a 1 ms
    timer keeps firing every few ms while 48 MB become models)."""
    if len(response.content) < SLICE_MIN_BYTES:  # read whole anyway: nothing to yield between
        return _decode_whole(response, model, what)
    import asyncio  # deferred: import time (see _operations)

    steps = _decoding(response, model, what)
    try:
        while True:
            try:
                next(steps)
            except StopIteration as done:
                result: M = done.value
                return result
            await asyncio.sleep(0)
    finally:
        # Cancelled between slices: close the decode now, so its GC pause ends with the call
        # (left suspended, it would end only when the generator is collected, and an
        # application keeping the exception kept the collector off process-wide).
        steps.close()


def _decoding(response: httpx.Response, model: type[M], what: str) -> Generator[None, None, M]:
    """The decode, yielding between slices. A large body is read slice by slice (`_slices`)
    and each slice becomes models at once (less memory, and the loop may run in between);
    whatever the slices cannot settle is decoded whole, which also gives every error its
    message: the sliced path never raises, it steps aside."""
    body = response.content
    if len(body) >= SLICE_MIN_BYTES:
        with _gc_paused(len(body)):
            try:
                return (yield from _sliced(body, model))
            except Exception:  # noqa: S110 - the whole decode says what is wrong, if anything
                pass
    return _decode_whole(response, model, what)


@dataclass(frozen=True, slots=True)
class _MapField:
    attr: str  # the model's attribute
    build: Callable[[Mapping[str, Any]], Any]  # the map model's _from_dict


@functools.cache
def _map_fields(model: type) -> Mapping[str, _MapField]:
    """JSON key -> the top-level fields of `model` whose model is a plain map (entries only,
    each decoded on its own): those can be built slice by slice and their entries merged."""
    import attrs

    from ._operations import OPERATIONS

    fields: dict[str, _MapField] = {}
    for op in OPERATIONS:
        if op.response_model != model.__name__:
            continue
        for entity_map in op.entity_maps:
            try:
                probe = model.from_dict({entity_map.wire: {}})  # type: ignore[attr-defined]
            except Exception:  # noqa: S112 - not a map this can build in parts
                continue
            value = getattr(probe, entity_map.name, None)
            cls = type(value)
            if attrs.has(cls) and [f.name for f in attrs.fields(cls)] == ["additional_properties"]:
                build = cls.from_dict  # type: ignore[attr-defined]
                fields[entity_map.wire] = _MapField(entity_map.name, build)
    return fields


def _parse_piece(text: bytes | bytearray) -> Any:
    """One slice: orjson only when it is there (whatever it refuses, the whole decode reads)."""
    if _fast is not None:
        return _fast(text)
    return _strict_decode(bytes(text).decode("utf-8"))


def _sliced(body: bytes, model: type[M]) -> Generator[None, None, M]:
    from ._slices import events

    if body.startswith(_BOM):
        body = body[len(_BOM) :]
    maps = _map_fields(model)
    skeleton: dict[str, Any] = {}  # the document, in key order, with sliced objects as {}
    entries: dict[str, dict[str, Any]] = {}  # map field -> its merged entries (models)
    plain: dict[str, dict[str, Any]] = {}  # other sliced objects -> their merged members
    collect = _gc_paused._resume  # the GC was on: give the young objects their pass now
    slices = 0
    for kind, key, value in events(body, SLICE_BYTES, _parse_piece):
        if kind == "member":
            skeleton[key] = value
            continue
        skeleton[key] = {}
        field = maps.get(key)
        if field is not None:
            entries.setdefault(key, {}).update(field.build(value).additional_properties)
        else:
            plain.setdefault(key, {}).update(value)
        slices += 1
        yield
        if collect and slices % _SLICES_PER_COLLECTION == 0:
            gc.collect(1)  # a step of its own: the loop runs between it and the slices
            yield
    skeleton.update(plain)
    result = model.from_dict(skeleton)
    for key, merged in entries.items():
        getattr(result, maps[key].attr).additional_properties = merged
    if collect:
        gc.collect(1)
    return result


def _decode_whole(response: httpx.Response, model: type[M], what: str) -> M:
    """The body parsed whole, then the model built from it: every error is raised here."""
    try:
        data = loads(response.content)
    except RecursionError as exc:
        raise MalformedResponseError(
            f"{what}: HTTP {response.status_code} with JSON nested too deeply to read"
            f"{_rid(response)}",
            response=response,
        ) from exc
    except ValueError as exc:
        if not response.content:
            kind = "an empty body"
        else:
            kind = f"a body that is not valid JSON ({exc}; starts with: {_start(response)})"
        raise MalformedResponseError(
            f"{what}: HTTP {response.status_code} with {kind}{_rid(response)}",
            response=response,
        ) from exc
    if not isinstance(data, dict):
        raise MalformedResponseError(
            f"{what}: expected a JSON object at $, got "
            f"{_JSON_TYPES.get(type(data).__name__, type(data).__name__)}{_rid(response)}",
            response=response,
        )
    try:
        with _gc_paused(len(response.content)):
            return model.from_dict(data)
    except RecursionError as exc:
        raise MalformedResponseError(
            f"{what}: response nested too deeply to fit {model.__name__}{_rid(response)}",
            response=response,
        ) from exc
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        path = tuple(getattr(exc, "path", ()) or ())
        reason = getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc}"
        raise MalformedResponseError(
            f"{what}: response does not fit {model.__name__} at {_path_text(path)}: "
            f"{reason}{_rid(response)}",
            response=response,
            path=path,
        ) from exc


def _start(response: httpx.Response) -> str:
    return repr(_snippet(_body_text(response))[:80])


def _rid(response: httpx.Response) -> str:
    rid = response.headers.get("x-request-id")
    return f" (request id {rid})" if rid else ""


def reset_after_fork() -> None:
    """In a forked child: a decode running in a parent thread at the fork held the GC paused;
    that thread is gone, so its pause is undone here."""
    global _gc_paused
    resume = _gc_paused._resume and _gc_paused._active > 0
    _gc_paused = _GCPause()
    if resume:
        gc.enable()


# -- does the response answer the request? -----------------------------------------------------


@functools.cache
def per_entity_maps(operation_id: str) -> tuple[str, ...]:
    """Attribute names of the operation's entity maps keyed by the ids asked for (from the
    generated surface; not the aggregates such as `account_metrics`)."""
    from ._operations import operation

    return tuple(m.name for m in operation(operation_id).entity_maps if m.per_entity)


def check_entity_ids(
    result: object, operation_id: str, asked: list[str], response: httpx.Response
) -> None:
    """MalformedResponseError when an entity map holds ids that were not asked for: a success
    must answer the request (a response meant for another request, e.g. one left on a reused
    connection, must never pass as this one's). Subsets are fine (paging, unknown ids)."""
    wanted: set[str] | None = None
    for name in per_entity_maps(operation_id):
        entries = getattr(getattr(result, name, None), "additional_properties", None)
        if not entries:
            continue
        if wanted is None:
            wanted = set(asked)
        extra = [key for key in entries if key not in wanted]
        if extra:
            shown = ", ".join(repr(k) for k in extra[:5])
            more = f" (and {len(extra) - 5} more)" if len(extra) > 5 else ""
            raise MalformedResponseError(
                f"{operation_id}: {name} holds ids that were not asked for: {shown}{more}; "
                f"the response does not answer this request{_rid(response)} (if the API now "
                "keys it otherwise, pass check_response_ids=False)",
                response=response,
                path=(name, extra[0]),
            )
