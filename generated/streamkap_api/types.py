"""Contains some shared types for properties"""

import json
from collections.abc import Callable, Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, Any, BinaryIO, Generic, Literal, TypeVar

from attrs import define


class Unset:
    """The type of UNSET: a field the response did not contain (null is None)."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"  # pickles as the module's singleton


UNSET: Unset = Unset()


class DecodeError(ValueError):
    """Raised by a model's `from_dict` when the data does not fit the API schema.

    `path` leads from the document root to the offending value (object keys and array indexes);
    `reason` says what is wrong there. `str()` shows both, e.g.
    `$.connector_metrics["pipe-1"].timeseries.latency[17].value: expected number, got str`.
    """

    def __init__(self, path: list[str | int], reason: str) -> None:
        super().__init__(path, reason)
        # Nested decoders prepend their key or index while the error propagates outwards.
        self.path = path
        self.reason = reason

    @classmethod
    def wrong_type(
        cls, path: list[str | int], expected: str, value: object
    ) -> "DecodeError":
        return cls(path, f"expected {expected}, got {type(value).__name__}")

    @classmethod
    def missing(
        cls, data: Mapping[str, Any], required: tuple[str, ...]
    ) -> "DecodeError":
        key = next((key for key in required if key not in data), required[0])
        return cls([key], "missing required property")

    def __str__(self) -> str:
        text = "$"
        for part in self.path:
            if isinstance(part, int):
                text += f"[{part}]"
            elif part.isidentifier():
                text += f".{part}"
            else:
                text += f"[{json.dumps(part, ensure_ascii=False)}]"
        return f"{text}: {self.reason}"


def failing_index(decode: Callable[[Any], object], items: list[Any]) -> int:
    """The index of the first item `decode` rejects; called only after a list failed to decode."""
    for index, item in enumerate(items):
        try:
            decode(item)
        except DecodeError:
            return index
    return len(items)


# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


__all__ = [
    "UNSET",
    "DecodeError",
    "File",
    "FileTypes",
    "RequestFiles",
    "Response",
    "Unset",
]
