"""Retry policy: which outcomes are retried, how long to wait, and when to give up.

Pure functions plus `attempts()`, a generator that runs the whole decision loop. It yields
`Send(timeout)` and `Sleep(seconds)` steps and receives each send's outcome, so the sync and the
async client share every decision and differ only in how they send and sleep.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Final

import httpx

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    status_error,
)

__all__ = ["DEFAULT_MAX_RETRIES", "RETRYABLE_STATUS", "RetryPolicy"]

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


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms`, or `Retry-After` (seconds or date)."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000
        except ValueError:
            value = -1.0
        if value >= 0:
            return value
    header = headers.get("retry-after")
    if header is None:
        return None
    try:
        seconds = float(header)
    except ValueError:
        parsed = email.utils.parsedate_tz(header)
        if parsed is None:
            return None
        seconds = float(email.utils.mktime_tz(parsed)) - (time.time() if now is None else now)
    return max(seconds, 0.0) if seconds == seconds else None  # NaN check


def backoff_delay(retry_number: int, policy: RetryPolicy, rand: Callable[[], float]) -> float:
    """Exponential backoff with jitter for the `retry_number`-th retry (1-based)."""
    base = min(policy.initial_delay * 2.0 ** (retry_number - 1), policy.max_delay)
    return base * (1 - policy.jitter * rand())


def retry_delay(
    retry_number: int,
    response: httpx.Response | None,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """How long to wait before retry `retry_number`, or None when the server's wait is too long."""
    if response is not None:
        asked = parse_retry_after(response.headers)
        if asked is not None:
            return asked if asked <= policy.max_retry_after else None
    return backoff_delay(retry_number, policy, rand)


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS


def map_transport_error(exc: httpx.TransportError) -> APIConnectionError:
    request = exc.request if exc._request is not None else None
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out ({type(exc).__name__})", request=request)
    return APIConnectionError(f"Connection error ({type(exc).__name__}: {exc})", request=request)


@dataclass(frozen=True, slots=True)
class Send:
    timeout: float | None  # seconds left before the deadline, None = no deadline


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


Outcome = httpx.Response | Exception
Flow = Generator[Send | Sleep, Outcome | None, httpx.Response]


def attempts(
    policy: RetryPolicy,
    *,
    deadline: float | None = None,
    what: str = "request",
    clock: Callable[[], float] = time.monotonic,
    rand: Callable[[], float] = random.random,
    on_error: Callable[[APIStatusError], APIStatusError] = lambda e: e,
) -> Flow:
    """Run one call: send, decide, sleep, repeat; return the successful response or raise.

    `deadline` (seconds, monotonic) bounds everything, sleeps included: running out raises
    APITimeoutError. `on_error` lets the caller enrich a status error before it is raised.
    """
    start = clock()
    end = None if deadline is None else start + deadline
    retry = 0
    while True:
        left = None if end is None else end - clock()
        if left is not None and left <= 0:
            raise APITimeoutError(f"deadline of {deadline:g}s exceeded for {what}")
        outcome = yield Send(left)
        assert outcome is not None
        error: Exception
        if isinstance(outcome, httpx.Response):
            if outcome.is_success:
                return outcome
            error = on_error(status_error(outcome))
            retryable = is_retryable_status(outcome.status_code)
            response: httpx.Response | None = outcome
        elif isinstance(outcome, httpx.TransportError):
            error = map_transport_error(outcome)
            retryable, response = True, None
        elif isinstance(outcome, APIStatusError):  # raised by the auth flow (token endpoint)
            error = outcome
            retryable, response = is_retryable_status(outcome.status_code), outcome.response
        else:
            raise outcome
        if not retryable or retry >= policy.max_retries:
            raise error
        retry += 1
        delay = retry_delay(retry, response, policy, rand)
        if delay is None:
            raise error  # the server asked for a longer wait than we are willing to sleep
        if end is not None and clock() + delay >= end:
            raise APITimeoutError(
                f"deadline of {deadline:g}s would pass during the {delay:.2f}s wait before "
                f"retry {retry} of {what}; last error: {error}"
            ) from error
        logger.info(
            "retrying %s after %s (retry %d of %d, waiting %.2fs)",
            what,
            _short(outcome),
            retry,
            policy.max_retries,
            delay,
        )
        yield Sleep(delay)


def _short(outcome: Outcome) -> str:
    if isinstance(outcome, httpx.Response):
        return f"HTTP {outcome.status_code}"
    if isinstance(outcome, APIStatusError):
        return f"HTTP {outcome.status_code}"
    return type(outcome).__name__
