"""What `client.<resource>.with_raw_response.metrics(...)` returns (`streamkap_api.resources.
RawResponse` is its type): the HTTP facts of a call beside its model, as the Stainless SDKs name
them (`status_code`, `headers`, `request_id`, `elapsed`, `retries_taken`, `parse()`).

Only facts are kept, not the httpx objects: the request of a response carries the bearer token
in its Authorization header, and a raw response is something users log and keep.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import httpx

__all__ = ["RawResponse", "raw_part"]

M = TypeVar("M")


class RawResponse(Generic[M]):
    __slots__ = (
        "_parsed",
        "elapsed",
        "headers",
        "method",
        "request_id",
        "responses",
        "retries_taken",
        "status_code",
        "url",
    )

    status_code: int
    headers: httpx.Headers
    request_id: str | None
    elapsed: datetime.timedelta
    retries_taken: int
    method: str
    url: httpx.URL
    responses: Sequence[RawResponse[M]]

    def __init__(
        self,
        parsed: M,
        *,
        status_code: int,
        headers: httpx.Headers,
        elapsed: datetime.timedelta,
        retries_taken: int,
        method: str,
        url: httpx.URL,
        responses: Sequence[RawResponse[M]] | None = None,
    ) -> None:
        self._parsed = parsed
        self.status_code = status_code
        self.headers = headers
        self.request_id = headers.get("x-request-id")
        self.elapsed = elapsed
        self.retries_taken = retries_taken
        self.method = method
        self.url = url
        self.responses = (self,) if responses is None else tuple(responses)

    def parse(self) -> M:
        """The model, as `metrics()` without `with_raw_response` returns it (already checked)."""
        return self._parsed

    def __repr__(self) -> str:
        rid = f" request_id={self.request_id!r}" if self.request_id else ""
        more = f" (1 of {len(self.responses)} requests)" if len(self.responses) > 1 else ""
        return (
            f"<RawResponse {self.method} {self.url.copy_with(query=None)} "
            f"[{self.status_code}]{rid}{more}>"
        )


def raw_part(parsed: Any, response: httpx.Response, retries: int) -> RawResponse[Any]:
    """The raw view of one request's final response."""
    try:
        elapsed = response.elapsed
    except RuntimeError:  # pragma: no cover - the clients always close the response first
        elapsed = datetime.timedelta(0)
    request = response.request
    return RawResponse(
        parsed,
        status_code=response.status_code,
        headers=httpx.Headers(response.headers),
        elapsed=elapsed,
        retries_taken=retries,
        method=request.method,
        url=request.url,
    )


def merged(parsed: Any, parts: Sequence[RawResponse[Any]]) -> RawResponse[Any]:
    """The raw view of a whole call: its first request's facts, every request in `responses`,
    and the merged model."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    return RawResponse(
        parsed,
        status_code=first.status_code,
        headers=first.headers,
        elapsed=first.elapsed,
        retries_taken=first.retries_taken,
        method=first.method,
        url=first.url,
        responses=parts,
    )
