"""Turn a 2xx response into the promised model, or raise MalformedResponseError saying why.

The generated models' `from_dict` is strict (custom templates in `templates/`): anything that
does not fit the schema raises `streamkap_api.types.DecodeError` carrying the JSON path.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol, Self, TypeVar

import httpx

from ._errors import MalformedResponseError, _body_text, _snippet

try:  # optional speed-up: the `speedups` extra
    import orjson

    loads: Callable[[bytes], Any] = orjson.loads
except ImportError:  # pragma: no cover - exercised when orjson is absent
    loads = json.loads

__all__ = ["decode_model", "loads"]


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

    @contextmanager
    def __call__(self, size: int) -> Iterator[None]:
        if size < GC_PAUSE_MIN_BYTES:
            yield
            return
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


_gc_paused = _GCPause()


def decode_model(response: httpx.Response, model: type[M], *, what: str) -> M:
    """Parse `response` as JSON and build `model` from it.

    Raises MalformedResponseError (never retried: the server did answer, and asking again is
    unlikely to help) when the body is not JSON, or when it does not fit the schema; then the
    message and `.path` name where, e.g. `$.connector_metrics.p1.latest.latency`.
    """
    try:
        data = loads(response.content)
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
