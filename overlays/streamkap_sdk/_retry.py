"""Retry policy: which outcomes are retried, how long to wait, and when to give up.

Pure functions plus `attempts()`, a generator that runs the whole decision loop. It yields
`Send(timeout)` and `Sleep(seconds)` steps and receives each send's outcome, so the sync and the
async client share every decision and differ only in how they send and sleep.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Final

import httpx

from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InvalidParameterError,
    status_error,
)

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "RETRYABLE_STATUS",
    "RetryPolicy",
    "attempts",
    "backoff_delay",
    "parse_retry_after",
    "retry_delay",
]

logger = logging.getLogger("streamkap_sdk")

DEFAULT_MAX_RETRIES: Final = 2
RETRYABLE_STATUS: Final = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the client retries. The metrics operations are read-only, so retrying is safe."""

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0  # a longer Retry-After is raised at once instead of slept
    jitter: float = 0.25  # delays are scaled by a random factor in [1 - jitter, 1]

    def __post_init__(self) -> None:
        numbers = (self.initial_delay, self.max_delay, self.max_retry_after)
        if (
            isinstance(self.max_retries, bool)
            or not isinstance(self.max_retries, int)
            or self.max_retries < 0
            or any(not math.isfinite(n) or n < 0 for n in numbers)
            or not 0 <= self.jitter <= 1
        ):
            raise InvalidParameterError(
                "retry_policy", f"{self!r}: counts and delays must be >= 0, jitter in [0, 1]"
            )


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait, or None when it does not say (or says nonsense).

    `retry-after-ms` (milliseconds) wins over `Retry-After`, which is delay-seconds or an HTTP
    date (a date in the past means "now": 0). Negative, non-finite or unparsable values are
    ignored, so the caller falls back to its own backoff.
    """
    ms = _seconds(headers.get("retry-after-ms"))
    if ms is not None:
        return ms / 1000
    header = headers.get("retry-after")
    if header is None:
        return None
    seconds = _seconds(header)
    if seconds is not None:
        return seconds
    parsed = email.utils.parsedate_tz(header)
    if parsed is None:
        return None
    try:
        when = float(email.utils.mktime_tz(parsed))
    except (OverflowError, ValueError):
        return None
    return max(when - (time.time() if now is None else now), 0.0)


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def backoff_delay(retry_number: int, policy: RetryPolicy, rand: Callable[[], float]) -> float:
    """Exponential backoff with jitter for the `retry_number`-th retry (1-based).

    `initial_delay * 2**(n-1)`, capped at `max_delay`, then scaled by a factor in
    `[1 - jitter, 1]` so that many clients failing together do not retry in lockstep.
    """
    exponent = min(max(retry_number - 1, 0), 32)  # 2**32 * anything sane is past any cap
    base = min(policy.initial_delay * 2.0**exponent, policy.max_delay)
    return base * (1 - policy.jitter * rand())


def retry_delay(
    retry_number: int,
    response: httpx.Response | None,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """How long to wait before retry `retry_number`, or None when the server's wait is too long.

    A server-given wait (Retry-After, retry-after-ms) is honoured as is up to
    `policy.max_retry_after`; without one, exponential backoff with jitter.
    """
    if response is not None:
        asked = parse_retry_after(response.headers)
        if asked is not None:
            return asked if asked <= policy.max_retry_after else None
    return backoff_delay(retry_number, policy, rand)


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS


def request_of(source: httpx.RequestError | httpx.Response) -> httpx.Request | None:
    """`source.request`, or None where httpx has none to give (its property raises then)."""
    try:
        return source.request
    except RuntimeError:
        return None


def map_transport_error(exc: httpx.TransportError, what: str = "request") -> APIConnectionError:
    request = request_of(exc)
    if request is not None:
        failed = _where(request)  # with the host: a mistyped STREAMKAP_HOST shows
        if f"{request.method} {request.url.path}" != what:
            # Another request the call needed failed (the token exchange, a redirect).
            what = f"{failed} (needed by {what})"
        else:
            what = failed
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{what} timed out ({type(exc).__name__})", request=request)
    return APIConnectionError(
        f"connection error on {what} ({type(exc).__name__}: {exc})", request=request
    )


@dataclass(slots=True)  # not frozen: one per request, and a frozen init costs 3x
class Send:
    timeout: float | None  # seconds left before the deadline, None = no deadline


@dataclass(slots=True)  # not frozen: one per request, and a frozen init costs 3x
class Sleep:
    seconds: float


Outcome = httpx.Response | Exception
Flow = Generator[Send | Sleep, Outcome | None, httpx.Response]


def attempts(
    policy: RetryPolicy,
    *,
    deadline: float | None = None,
    method: str = "",
    path: str = "",
    clock: Callable[[], float] = time.monotonic,
    rand: Callable[[], float] = random.random,
    on_error: Callable[[APIStatusError], APIStatusError] = lambda e: e,
    redact: Callable[[str], str] = lambda text: text,
) -> Flow:
    """Run one call: send, decide, sleep, repeat; return the successful response or raise.

    The driver answers each `Send` with the response, or with the `httpx.TransportError` /
    `APIStatusError` (from the auth flow's token endpoint) that sending raised; it answers
    `Sleep` with None. Anything else the driver must let propagate: it is not ours to retry.

    `deadline` (seconds) bounds everything, sleeps included: `Send.timeout` says how much is
    left, a wait that would end past it is not started, and running out raises APITimeoutError.
    `on_error` lets the caller enrich a status error before it is raised; `redact` masks the
    secrets the caller knows in what is logged (a server may echo a token as its request id).
    """
    what = f"{method} {path}".strip() or "request"
    start = clock()
    end = None if deadline is None else start + deadline
    retry = 0
    last: Exception | None = None
    while True:
        left = None if end is None else end - clock()
        if left is not None and left <= 0:
            raise APITimeoutError(
                f"the call's deadline passed during {what} after {retry} retries"
                + (f"; last error: {last}" if last else "")
            ) from last
        outcome = yield Send(left)
        assert outcome is not None, "answer Send with the response or the exception"
        error: APIError
        response: httpx.Response | None = None
        if isinstance(outcome, httpx.Response):
            if outcome.is_success:
                return outcome
            error = on_error(status_error(outcome, context=_where(outcome.request)))
            retryable, response = is_retryable_status(outcome.status_code), outcome
        elif isinstance(outcome, httpx.TransportError):
            error = map_transport_error(outcome, what)
            error.__cause__ = outcome
            retryable = True
        elif isinstance(outcome, APIStatusError):  # raised by the auth flow (token endpoint)
            error = outcome
            retryable, response = is_retryable_status(outcome.status_code), outcome.response
        else:
            raise outcome
        last = error
        if not retryable:
            raise error
        if retry >= policy.max_retries:
            if policy.max_retries:
                error.add_note(f"gave up after {retry + 1} attempts")
            raise error
        retry += 1
        delay = retry_delay(retry, response, policy, rand)
        if delay is None:
            asked = parse_retry_after(response.headers) if response is not None else None
            _append(
                error,
                f"not retried: the server asked to wait {asked:g}s, more than the "
                f"{policy.max_retry_after:g}s this client waits (RetryPolicy.max_retry_after)",
            )
            raise error
        if end is not None and clock() + delay >= end:
            raise APITimeoutError(
                f"the call's deadline would pass during the {delay:.2f}s wait before retry "
                f"{retry} of {what} ({max(end - clock(), 0):.2f}s left); last error: {error}"
            ) from error
        logger.info(
            "retrying %s after %s: attempt %d of %d in %.2fs",
            what,
            redact(_short(outcome)),
            retry + 1,
            policy.max_retries + 1,
            delay,
        )
        yield Sleep(delay)


def _where(request: httpx.Request) -> str:
    """`POST https://host/path` of a request: where an error came from (the query is left out)."""
    return f"{request.method} {request.url.copy_with(query=None)}"


def _append(error: APIError, text: str) -> None:
    """Extend the message itself: a note would not show in str(error), which most callers log."""
    error.args = (f"{error.args[0]}; {text}", *error.args[1:]) if error.args else (text,)


def _short(outcome: Outcome) -> str:
    if isinstance(outcome, httpx.TransportError):
        failed = request_of(outcome)
        if failed is not None:  # the endpoint that failed: maybe the token endpoint
            return f"{type(outcome).__name__} on {_where(failed)}"
        return type(outcome).__name__
    response = (
        outcome if isinstance(outcome, httpx.Response) else getattr(outcome, "response", None)
    )
    if not isinstance(response, httpx.Response):
        return type(outcome).__name__
    text = f"HTTP {response.status_code}"
    sent = request_of(response)
    if isinstance(outcome, APIStatusError) and sent is not None:
        text += f" from {sent.url.path}"  # the token endpoint, via the auth flow
    rid = response.headers.get("x-request-id")
    return text + (f" (request id {rid})" if rid else "")
