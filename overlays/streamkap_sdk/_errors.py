"""The SDK's exception hierarchy.

StreamkapError
├── ConfigurationError          bad or missing settings; nothing was sent
├── InvalidParameterError       a call argument is wrong; nothing was sent (also a ValueError)
└── APIError                    something went wrong talking to the API
    ├── APIStatusError          the API answered with an error status
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401 (and refused token exchanges)
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── UnprocessableEntityError    422, with parsed `errors`
    │   ├── RateLimitError              429
    │   └── InternalServerError         >= 500
    ├── APIConnectionError      the API could not be reached or the connection broke
    │   └── APITimeoutError     a timeout or the call's deadline ran out
    └── MalformedResponseError  a 2xx whose body is not what the spec promises

Messages never contain credentials or tokens: they are built from status codes, server details and
request ids only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "InternalServerError",
    "InvalidParameterError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "StreamkapError",
    "UnprocessableEntityError",
    "ValidationErrorItem",
]

_SNIPPET_CHARS = 200


class StreamkapError(Exception):
    """Root of every error the SDK raises on purpose."""


class ConfigurationError(StreamkapError):
    """The client cannot be built from the given arguments and environment."""


class InvalidParameterError(StreamkapError, ValueError):
    """A call argument is invalid; the request was not sent."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class APIError(StreamkapError):
    """Something went wrong talking to the API."""

    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class ValidationErrorItem:
    """One entry of a 422 response's `detail` list (FastAPI's shape)."""

    loc: tuple[str | int, ...]
    msg: str
    type: str

    def __str__(self) -> str:
        where = ".".join(str(part) for part in self.loc) or "(request)"
        return f"{where}: {self.msg}"


class APIStatusError(APIError):
    """The API answered with a non-success status."""

    def __init__(self, message: str, *, response: httpx.Response, detail: object = None) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.detail = detail
        self.request_id = response.headers.get("x-request-id")


class BadRequestError(APIStatusError):
    """400 Bad Request."""


class AuthenticationError(APIStatusError):
    """401, or the token endpoint refused the credentials.

    `response` is None when the SDK decided on its own (for example a 401 with a static token
    and no credentials to renew with is still built from that response).
    """


class PermissionDeniedError(APIStatusError):
    """403 Forbidden."""


class NotFoundError(APIStatusError):
    """404 Not Found."""


class UnprocessableEntityError(APIStatusError):
    """422: the API rejected the parameters; `errors` lists what and where."""

    def __init__(self, message: str, *, response: httpx.Response, detail: object = None) -> None:
        super().__init__(message, response=response, detail=detail)
        self.errors: list[ValidationErrorItem] = _validation_items(detail)


class RateLimitError(APIStatusError):
    """429 Too Many Requests."""


class InternalServerError(APIStatusError):
    """5xx: the API or a proxy in front of it failed."""


class APIConnectionError(APIError):
    """The request did not get a response (DNS, refused, reset, ...)."""

    def __init__(self, message: str = "Connection error", *, request: httpx.Request | None = None):
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """A timeout expired, or the call's total deadline ran out."""


class MalformedResponseError(APIError):
    """A 2xx response whose body is not valid JSON or does not fit the response schema."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        path: Sequence[str | int] = (),
    ) -> None:
        super().__init__(message)
        self.response = response
        self.path = tuple(path)
        self.request_id = response.headers.get("x-request-id")


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _validation_items(detail: object) -> list[ValidationErrorItem]:
    if not isinstance(detail, list):
        return []
    items = []
    for entry in detail:
        if isinstance(entry, Mapping):
            loc = entry.get("loc")
            items.append(
                ValidationErrorItem(
                    loc=tuple(p for p in loc if isinstance(p, str | int))
                    if isinstance(loc, list)
                    else (),
                    msg=str(entry.get("msg", "")),
                    type=str(entry.get("type", "")),
                )
            )
    return items


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SNIPPET_CHARS else flat[:_SNIPPET_CHARS] + "…"


def _describe(detail: object, body_text: str) -> str:
    """A short, safe description of an error body in any of the shapes the API uses."""
    if isinstance(detail, str) and detail:
        return _snippet(detail)
    items = _validation_items(detail)
    if items:
        return "; ".join(str(i) for i in items[:5]) + (" …" if len(items) > 5 else "")
    if detail is not None:
        return _snippet(json.dumps(detail, default=str))
    if body_text.strip():
        return _snippet(body_text)
    return "empty response body"


def error_detail(response: httpx.Response) -> object:
    """The `detail` of a JSON error body (string or FastAPI list), else None."""
    try:
        payload: Any = response.json()
    except ValueError:
        return None
    if isinstance(payload, Mapping):
        return payload.get("detail")
    return None


def status_error(response: httpx.Response, *, context: str = "") -> APIStatusError:
    """Map an error response to its typed exception."""
    status = response.status_code
    cls = _STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIStatusError)
    detail = error_detail(response)
    message = f"HTTP {status} {response.reason_phrase}".rstrip()
    if context:
        message += f" from {context}"
    message += ": " + _describe(detail, "" if detail is not None else response.text)
    request_id = response.headers.get("x-request-id")
    if request_id:
        message += f" (request id {request_id})"
    return cls(message, response=response, detail=detail)
