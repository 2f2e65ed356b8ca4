"""The SDK's exception hierarchy.

StreamkapError
├── ConfigurationError          bad or missing settings; nothing was sent
├── ClientClosedError           the client was closed; nothing was sent
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
    ├── MalformedResponseError  a 2xx whose body is not what the spec promises
    ├── ResponseTooLargeError   a body larger than the client reads (max_response_bytes)
    └── RedirectError           a redirect the client does not follow (another origin, a loop)

Messages never contain credentials or tokens: they are built from the status, a short snippet of
the server's detail (HTML reduced to its text, anything that looks like a token or a secret
masked) and the request id. Before an error leaves a client call, `scrub()` also removes every
secret the client knows from the error's whole object graph (see there). Every error pickles
with its attributes (`StreamkapError.__reduce__`).
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
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
    "ClientClosedError",
    "ConfigurationError",
    "InternalServerError",
    "InvalidParameterError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ResponseTooLargeError",
    "StreamkapError",
    "UnprocessableEntityError",
    "ValidationErrorItem",
]

_SNIPPET_CHARS = 200
_HTML_CHARS = 16 * 1024  # how much of an error page is searched for text


def _restore(cls: type[BaseException], args: tuple[object, ...]) -> BaseException:
    error = cls.__new__(cls)
    error.args = args
    return error


class StreamkapError(Exception):
    """Root of every error the SDK raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds with cls(*args), which fails for keyword-only constructors
        # (response=, path=): rebuild without __init__, then restore the attributes.
        return (_restore, (type(self), self.args), dict(vars(self)))


class ConfigurationError(StreamkapError):
    """The client cannot be built from the given arguments and environment."""


class InvalidParameterError(StreamkapError, ValueError):
    """A call argument is invalid; the request was not sent."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class ClientClosedError(StreamkapError, RuntimeError):
    """The client was closed (its `with` block ended, or close() was called); nothing was sent."""


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
    """401 from the API (after one renewal and replay), or the token endpoint refused the
    credentials. With a static access token and no credentials the message says so."""


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
    """The request did not get a response (DNS, refused, reset, ...). `request` is a copy of
    the request without its credentials (no Authorization header, no token-request body)."""

    def __init__(self, message: str = "Connection error", *, request: httpx.Request | None = None):
        super().__init__(message)
        self.request = None if request is None else sanitized_request(request)


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


class ResponseTooLargeError(APIError):
    """A response body larger than the client reads: `max_response_bytes` for a success, a
    fixed 1 MiB for token-endpoint and error bodies. `limit` is the cap that was hit; the
    `response` carries the status and headers, not the body."""

    def __init__(self, message: str, *, response: httpx.Response, limit: int) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.limit = limit
        self.request_id = response.headers.get("x-request-id")


class RedirectError(APIError):
    """A redirect the client refused to follow: to another origin (`target`), from https to
    http, a loop, a bad Location, or one that would turn the POST into a GET. Nothing was sent
    to the redirect's target."""

    def __init__(self, message: str, response: httpx.Response, *, target: str | None = None):
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.target = target
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


_HTML = re.compile(r"^\s*(<!doctype|<html|<head|<body|<\?xml)", re.IGNORECASE)
_BLOCKS = (("<!--", "-->"), ("<script", "</script"), ("<style", "</style"))
_TAG = re.compile(r"<[^<>]*>")
_SECRET_NAME = r"[\w-]*(?:secret|token|password|authorization|api[_-]?key)[\w-]*"
_SECRETS = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]+"), r"\1 ***"),
    (re.compile(rf"""(?i)(["']{_SECRET_NAME}["']\s*:\s*)("[^"]*"|'[^']*'|[^\s,;}}]+)"""), r"\1***"),
    (re.compile(rf"(?i)\b({_SECRET_NAME}=)[^\s,;&]+"), r"\1***"),
)


def _redact(text: str) -> str:
    """Mask what looks like a credential: a server or proxy may echo the request back."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _snippet(text: str) -> str:
    """One line, printable, at most _SNIPPET_CHARS characters, secrets masked."""
    text = text[: _SNIPPET_CHARS * 20]  # bounded work, whatever the body's size
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    flat = _redact(flat)
    return flat if len(flat) <= _SNIPPET_CHARS else flat[:_SNIPPET_CHARS] + "…"


def _drop_blocks(markup: str) -> str:
    """Remove comments, scripts and styles, in one pass (no regex backtracking on junk)."""
    lower = markup.lower()
    nexts = {opener: lower.find(opener) for opener, _ in _BLOCKS}
    kept, pos = [], 0
    while True:
        found = [(at, opener, closer) for opener, closer in _BLOCKS if (at := nexts[opener]) >= 0]
        if not found:
            break
        start, _, closer = min(found)
        kept.append(markup[pos:start])
        end = lower.find(closer, start)
        pos = len(markup) if end < 0 else lower.find(">", end) + 1 or len(markup)
        for opener in nexts:
            if 0 <= nexts[opener] < pos:
                nexts[opener] = lower.find(opener, pos)
    kept.append(markup[pos:])
    return " ".join(kept)


def _body_text(response: httpx.Response) -> str:
    try:
        text = response.text[:_HTML_CHARS]
    except httpx.ResponseNotRead:
        return ""
    if _HTML.match(text) or "html" in response.headers.get("content-type", ""):
        text = html.unescape(_TAG.sub(" ", _drop_blocks(text)))
    return text


def _describe(detail: object, response: httpx.Response) -> str:
    """A short, safe description of an error body in any of the shapes the API uses."""
    if isinstance(detail, str) and detail.strip():
        return _snippet(detail)
    items = _validation_items(detail)
    if items:
        text = "; ".join(str(i) for i in items[:5])
        return _snippet(text) + (f" (and {len(items) - 5} more)" if len(items) > 5 else "")
    if detail is not None and detail not in ("", [], {}):
        return _snippet(json.dumps(detail, default=str))
    text = _body_text(response)
    return _snippet(text) if text.strip() else "empty response body"


def error_detail(response: httpx.Response) -> object:
    """The `detail` of a JSON error body (string or FastAPI list), else None."""
    try:
        payload: Any = response.json()
    except (ValueError, httpx.ResponseNotRead):
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
    message += ": " + _describe(detail, response)
    request_id = response.headers.get("x-request-id")
    if request_id:
        message += f" (request id {request_id})"
    return cls(message, response=response, detail=detail)


# -- secrets out of errors --------------------------------------------------------------------

#: request.extensions marker of a request whose body holds a secret (the token requests).
SECRET_BODY = "streamkap_sdk.secret_body"
_DROPPED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_MAX_DEPTH = 32


def _plain_url(url: httpx.URL) -> httpx.URL:
    return url.copy_with(username=None, password=None) if url.userinfo else url


def sanitized_request(
    request: httpx.Request, redact: Callable[[str], str] = lambda s: s
) -> httpx.Request:
    """A copy of `request` that is safe to keep in an error: no Authorization or cookie header,
    no body when it is a token request, no userinfo in the URL, known secrets masked."""
    headers = [
        (k, redact(v))
        for k, v in request.headers.multi_items()
        if k.lower() not in _DROPPED_HEADERS
    ]
    content = b""
    if not request.extensions.get(SECRET_BODY):
        with contextlib.suppress(httpx.RequestNotRead):
            content = _redact_bytes(request.content, redact)
    return httpx.Request(request.method, _plain_url(request.url), headers=headers, content=content)


def sanitized_response(
    response: httpx.Response, redact: Callable[[str], str] = lambda s: s
) -> httpx.Response:
    """A copy of `response` safe to keep in an error: body and header values with known secrets
    masked, no Set-Cookie, and its request sanitized too."""
    try:
        content = _redact_bytes(response.content, redact)
    except httpx.ResponseNotRead:
        content = b""
    skip = _DROPPED_HEADERS | {"content-encoding", "content-length", "transfer-encoding"}
    headers = [(k, redact(v)) for k, v in response.headers.multi_items() if k.lower() not in skip]
    extensions = {
        k: v for k, v in response.extensions.items() if k in ("reason_phrase", "http_version")
    }
    try:
        request: httpx.Request | None = sanitized_request(response.request, redact)
    except RuntimeError:  # a response built without a request
        request = None
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=request,
        extensions=extensions,
    )


def _redact_bytes(data: bytes, redact: Callable[[str], str]) -> bytes:
    text = data.decode("utf-8", "surrogateescape")
    cleaned = redact(text)
    return data if cleaned == text else cleaned.encode("utf-8", "surrogateescape")


def _clean(value: object, redact: Callable[[str], str], depth: int = 0) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        return _redact_bytes(value, redact)
    if isinstance(value, httpx.Request):
        return sanitized_request(value, redact)
    if isinstance(value, httpx.Response):
        return sanitized_response(value, redact)
    if isinstance(value, ValidationErrorItem):
        loc = tuple(_clean(p, redact) if isinstance(p, str) else p for p in value.loc)
        return ValidationErrorItem(loc, redact(value.msg), redact(value.type))  # type: ignore[arg-type]
    if depth >= _MAX_DEPTH and isinstance(value, list | tuple | dict):
        return "<nested too deeply to keep>"
    if isinstance(value, list | tuple):
        items = [_clean(v, redact, depth + 1) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {
            _clean(k, redact, depth + 1): _clean(v, redact, depth + 1) for k, v in value.items()
        }
    return value


def scrub(error: BaseException, redact: Callable[[str], str]) -> None:
    """Mask every secret `redact` knows throughout `error`'s object graph, in place: its args and
    notes, its attributes (request, response, detail, errors, request_id, ...), and the same
    for each exception in its __cause__ / __context__ chain (httpx's included, whose `request`
    would otherwise hold the token request with its body). Servers echo what they were sent,
    in bodies and headers alike, so nothing an error carries is trusted to be clean."""
    seen: set[int] = set()
    todo: list[BaseException] = [error]
    while todo and len(seen) < 64:
        exc = todo.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        with contextlib.suppress(TypeError, AttributeError):  # a type with fixed args
            exc.args = tuple(_clean(a, redact) for a in exc.args)
        state = getattr(exc, "__dict__", None)
        if isinstance(state, dict):
            for name, value in list(state.items()):
                state[name] = _clean(value, redact)
        for nxt in (exc.__cause__, exc.__context__):
            if nxt is not None:
                todo.append(nxt)
