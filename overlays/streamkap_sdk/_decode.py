"""Turn a 2xx response into the promised model, or raise MalformedResponseError saying why.

The generated models' `from_dict` is strict (custom templates in `templates/`): anything that
does not fit the schema raises `streamkap_api.types.DecodeError` carrying the JSON path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol, Self, TypeVar

import httpx

from ._errors import MalformedResponseError

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


def _path_text(path: tuple[str | int, ...]) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def decode_model(response: httpx.Response, model: type[M], *, what: str) -> M:
    try:
        data = loads(response.content)
    except ValueError as exc:
        kind = "an empty body" if not response.content else "a body that is not valid JSON"
        raise MalformedResponseError(
            f"{what}: HTTP {response.status_code} with {kind} ({exc}){_rid(response)}",
            response=response,
        ) from exc
    if not isinstance(data, dict):
        raise MalformedResponseError(
            f"{what}: expected a JSON object at $, got {type(data).__name__}{_rid(response)}",
            response=response,
        )
    try:
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


def _rid(response: httpx.Response) -> str:
    rid = response.headers.get("x-request-id")
    return f" (request id {rid})" if rid else ""
