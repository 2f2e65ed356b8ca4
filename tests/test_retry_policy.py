"""The retry policy as tables: Retry-After parsing, backoff, and the attempts() decision loop.

`attempts()` is driven here by hand (next/send), with a fake clock: no test waits.
"""

from __future__ import annotations

import email.utils
import logging
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import httpx
import pytest

from streamkap_sdk import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncStreamkapClient,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    InvalidParameterError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    StreamkapClient,
    UnprocessableEntityError,
)
from streamkap_sdk._client import DEFAULT_TIMEOUT, _clamp
from streamkap_sdk._errors import status_error
from streamkap_sdk._retry import (
    Send,
    Sleep,
    attempts,
    backoff_delay,
    parse_retry_after,
    retry_delay,
)
from streamkap_sdk.sandbox import Engine, Fault

NOW = 1_700_000_000.0
URL = "https://api.streamkap.com/pipelines/metrics"


def http_date(offset: float) -> str:
    return email.utils.formatdate(NOW + offset, usegmt=True)


# -- parse_retry_after ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": " 7 "}, 7.0),
        ({"retry-after": "120"}, 120.0),  # parsed as is; the cap is retry_delay's business
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "0"}, 0.0),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # ms wins
        ({"retry-after-ms": "soon", "retry-after": "4"}, 4.0),  # garbage ms: fall back
        ({"retry-after-ms": "-5", "retry-after": "4"}, 4.0),  # negative ms: fall back
        ({"retry-after-ms": "-5"}, None),
        ({"retry-after": http_date(30)}, 30.0),  # HTTP date in the future
        ({"retry-after": http_date(-30)}, 0.0),  # HTTP date in the past: now
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),  # garbage
        ({"retry-after": ""}, None),
        ({"retry-after": "Someday, 99 Foo 20xx"}, None),
        ({"retry-after": "-3"}, None),  # negative
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "1e400"}, None),  # inf after parsing
    ],
)
def test_parse_retry_after(headers: Mapping[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


def test_parse_retry_after_header_names_are_case_insensitive() -> None:
    assert parse_retry_after(httpx.Headers({"Retry-After": "3"})) == 3.0
    assert parse_retry_after(httpx.Headers({"Retry-After-Ms": "30"})) == pytest.approx(0.03)


# -- backoff and retry_delay -----------------------------------------------------------------

POLICY = RetryPolicy()


@pytest.mark.parametrize(
    ("retry", "rand", "expected"),
    [
        (1, 0.0, 0.5),
        (2, 0.0, 1.0),
        (3, 0.0, 2.0),
        (4, 0.0, 4.0),
        (5, 0.0, 8.0),
        (6, 0.0, 8.0),  # capped at max_delay
        (10_000, 0.0, 8.0),  # no overflow for absurd retry counts
        (1, 1.0, 0.375),  # full jitter takes off 25 %
        (2, 0.5, 0.875),
        (6, 1.0, 6.0),
    ],
)
def test_backoff_delay(retry: int, rand: float, expected: float) -> None:
    assert backoff_delay(retry, POLICY, lambda: rand) == pytest.approx(expected)


def test_backoff_delay_without_jitter_and_custom_bounds() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=3.0, jitter=0.0)
    assert [backoff_delay(n, policy, lambda: 0.9) for n in (1, 2, 3, 4)] == [1.0, 2.0, 3.0, 3.0]


def response(status: int, headers: Mapping[str, str] | None = None, **kw: object) -> httpx.Response:
    return httpx.Response(
        status,
        headers=headers,
        request=httpx.Request("POST", URL),
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 1.0),  # backoff for retry 2, rand 0
        ({"retry-after": "3"}, 3.0),  # the server's wait replaces the backoff
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "60"}, 60.0),  # exactly the cap: honoured
        ({"retry-after": "61"}, None),  # above the cap: give up instead of sleeping
        ({"retry-after-ms": "60001"}, None),
        ({"retry-after": "garbage"}, 1.0),
    ],
)
def test_retry_delay(headers: Mapping[str, str], expected: float | None) -> None:
    assert retry_delay(2, response(503, headers), POLICY, lambda: 0.0) == expected


def test_retry_delay_without_a_response_is_backoff() -> None:
    assert retry_delay(1, None, POLICY, lambda: 0.0) == 0.5


# -- attempts(): the decision loop -------------------------------------------------------------


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Run:
    """What a driven flow did: the Send timeouts, the sleeps, and the result or the error."""

    sends: list[float | None] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    result: httpx.Response | None = None
    error: BaseException | None = None


def drive(
    outcomes: list[httpx.Response | Exception],
    *,
    policy: RetryPolicy = RetryPolicy(jitter=0.0),  # noqa: B008 - frozen, safe to share
    deadline: float | None = None,
    clock: Clock | None = None,
    send_cost: float = 0.0,
    on_error: Callable[[APIStatusError], APIStatusError] = lambda e: e,
) -> Run:
    """Answer each Send with the next outcome; sleeping advances the fake clock."""
    clock = clock or Clock()
    run = Run()
    answers: Iterator[httpx.Response | Exception] = iter(outcomes)
    flow = attempts(
        policy,
        deadline=deadline,
        method="POST",
        path="/pipelines/metrics",
        clock=clock,
        rand=lambda: 0.0,
        on_error=on_error,
    )
    try:
        step = next(flow)
        while True:
            if isinstance(step, Send):
                run.sends.append(step.timeout)
                clock.now += send_cost
                step = flow.send(next(answers))
            else:
                assert isinstance(step, Sleep)
                run.sleeps.append(step.seconds)
                clock.now += step.seconds
                step = flow.send(None)
    except StopIteration as stop:
        run.result = stop.value
    except Exception as exc:
        run.error = exc
    return run


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(status: int) -> None:
    run = drive([response(status), response(status), response(200)])
    assert run.result is not None and run.result.status_code == 200
    assert run.sleeps == [0.5, 1.0]
    assert len(run.sends) == 3


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, APIStatusError),
        (422, UnprocessableEntityError),
        (501, InternalServerError),
    ],
)
def test_other_statuses_are_not_retried(status: int, error: type[Exception]) -> None:
    run = drive([response(status)])
    assert type(run.error) is error
    assert len(run.sends) == 1 and run.sleeps == []


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.RemoteProtocolError("peer closed connection"), APIConnectionError),
        (httpx.ReadError("reset"), APIConnectionError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
        (httpx.PoolTimeout("busy"), APITimeoutError),
    ],
)
def test_transport_errors_are_retried_then_mapped(
    exc: httpx.TransportError, error: type[Exception]
) -> None:
    assert drive([exc, response(200)]).sleeps == [0.5]
    run = drive([exc, exc, exc])
    assert type(run.error) is error
    assert run.error.__cause__ is exc  # the httpx exception stays reachable
    assert "POST /pipelines/metrics" in str(run.error)
    assert run.sleeps == [0.5, 1.0]
    assert run.error.__notes__ == ["gave up after 3 attempts"]


def test_exhausted_retries_raise_the_last_error_with_a_note() -> None:
    last = response(503, {"x-request-id": "req-3"})
    run = drive([response(503), response(502), last])
    assert isinstance(run.error, InternalServerError)
    assert run.error.response is last and run.error.request_id == "req-3"
    assert run.error.__notes__ == ["gave up after 3 attempts"]


@pytest.mark.parametrize("max_retries", [0, 1, 4])
def test_max_retries_bounds_the_attempts(max_retries: int) -> None:
    run = drive([response(503)] * 10, policy=RetryPolicy(max_retries=max_retries, jitter=0))
    assert isinstance(run.error, InternalServerError)
    assert len(run.sends) == max_retries + 1
    assert run.sleeps == [0.5, 1.0, 2.0, 4.0][:max_retries]
    assert getattr(run.error, "__notes__", []) == (
        [f"gave up after {max_retries + 1} attempts"] if max_retries else []
    )


def test_retry_after_is_honoured() -> None:
    run = drive([response(429, {"retry-after": "7"}), response(200)])
    assert run.result is not None and run.sleeps == [7.0]


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_above_the_cap_is_raised_at_once(status: int) -> None:
    run = drive([response(status, {"retry-after": "120"}), response(200)])
    assert isinstance(run.error, RateLimitError if status == 429 else InternalServerError)
    assert run.sleeps == [] and len(run.sends) == 1
    assert str(run.error).endswith(  # in the message: most callers log str(error)
        "; not retried: the server asked to wait 120s, more than the 60s this client waits "
        "(RetryPolicy.max_retry_after)"
    )


def test_a_higher_cap_honours_a_longer_retry_after() -> None:
    policy = RetryPolicy(max_retry_after=300.0, jitter=0.0)
    run = drive([response(429, {"retry-after": "120"}), response(200)], policy=policy)
    assert run.result is not None and run.sleeps == [120.0]


def test_deadline_is_passed_on_as_the_send_timeout() -> None:
    run = drive([response(503), response(200)], deadline=10.0, send_cost=2.0)
    assert run.result is not None
    assert run.sends == [10.0, pytest.approx(10.0 - 2.0 - 0.5)]
    assert drive([response(200)]).sends == [None]


def test_deadline_shorter_than_the_backoff_raises_without_sleeping() -> None:
    run = drive([response(503), response(200)], deadline=0.3)
    assert isinstance(run.error, APITimeoutError)
    assert run.sleeps == [] and len(run.sends) == 1
    assert isinstance(run.error.__cause__, InternalServerError)
    assert "deadline would pass during the 0.50s wait before retry 1" in str(run.error)
    assert "(0.30s left)" in str(run.error)


def test_deadline_shorter_than_retry_after_raises_without_sleeping() -> None:
    run = drive([response(429, {"retry-after": "5"}), response(200)], deadline=4.0)
    assert isinstance(run.error, APITimeoutError) and run.sleeps == []
    assert isinstance(run.error.__cause__, RateLimitError)


def test_deadline_spent_by_a_slow_attempt() -> None:
    # the attempt itself used the whole budget (its timeout was clamped to it)
    run = drive([httpx.ReadTimeout("slow")], deadline=1.0, send_cost=1.0)
    assert isinstance(run.error, APITimeoutError)
    assert run.sleeps == [] and run.sends == [1.0]
    assert isinstance(run.error.__cause__, APITimeoutError)


def test_deadline_exceeded_before_the_next_attempt() -> None:
    # a 1.4 s attempt + a 0.5 s wait leave 0.1 s: the retry is still made, with that timeout
    run = drive([response(503), response(200)], deadline=2.0, send_cost=1.4)
    assert run.result is not None and run.sends == [2.0, pytest.approx(0.1)]
    run = drive([response(503), response(503), response(200)], deadline=2.5, send_cost=1.0)
    # 1.0 + 0.5 + 1.0 = 2.5: the second wait (1.0 s) would pass the deadline
    assert isinstance(run.error, APITimeoutError) and run.sleeps == [0.5]


@pytest.mark.parametrize("exc", [RuntimeError("bug"), KeyError("x"), ValueError("v")])
def test_other_exceptions_propagate_unchanged(exc: Exception) -> None:
    run = drive([exc, response(200)])
    assert run.error is exc and len(run.sends) == 1


def test_token_endpoint_errors_from_the_auth_flow() -> None:
    down = status_error(response(503), context="the token endpoint")
    run = drive([down, response(200)])
    assert run.result is not None and run.sleeps == [0.5]
    refused = status_error(response(401), context="the token endpoint")
    run = drive([refused, response(200)])
    assert run.error is refused and run.sleeps == []


def test_on_error_enriches_status_errors() -> None:
    def explain(error: APIStatusError) -> APIStatusError:
        error.args = (f"{error.args[0]}; explained",)
        return error

    run = drive([response(404)], on_error=explain)
    assert str(run.error).endswith("; explained")


def test_each_retry_is_logged_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    request = httpx.Request("POST", URL, headers={"Authorization": "Bearer sekrit-token"})
    failed = httpx.Response(503, headers={"x-request-id": "req-9"}, request=request)
    with caplog.at_level(logging.INFO, logger="streamkap_sdk"):
        drive([failed, httpx.ConnectError("refused"), response(200)])
    assert [r.levelno for r in caplog.records] == [logging.INFO, logging.INFO]
    assert [r.getMessage() for r in caplog.records] == [
        "retrying POST /pipelines/metrics after HTTP 503 (request id req-9): "
        "attempt 2 of 3 in 0.50s",
        "retrying POST /pipelines/metrics after ConnectError: attempt 3 of 3 in 1.00s",
    ]
    assert "sekrit" not in caplog.text


# -- timeouts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeout", "left", "expected"),
    [
        (DEFAULT_TIMEOUT, None, {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0}),
        (DEFAULT_TIMEOUT, 12.0, {"connect": 10.0, "read": 12.0, "write": 12.0, "pool": 12.0}),
        (DEFAULT_TIMEOUT, 0.5, {"connect": 0.5, "read": 0.5, "write": 0.5, "pool": 0.5}),
        (httpx.Timeout(None), 3.0, {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0}),
        (httpx.Timeout(None), None, {"connect": None, "read": None, "write": None, "pool": None}),
    ],
)
def test_deadline_clamps_per_attempt_timeouts(
    timeout: httpx.Timeout, left: float | None, expected: dict[str, float | None]
) -> None:
    assert _clamp(timeout, left) == expected


# -- the two drivers: options checked before sending, injected sleep, propagation ----------

Handler = Callable[[httpx.Request], httpx.Response]


async def call_with(
    kind: str, handler: Handler, *, policy: RetryPolicy | None = None, **kwargs: object
) -> tuple[object, list[float]]:
    """Call pipelines.metrics on a sync or async client over a mock transport."""
    sleeps: list[float] = []
    common = {"access_token": "t", "base_url": "https://api.example.test"}
    if kind == "sync":
        with StreamkapClient(transport=httpx.MockTransport(handler), **common) as c:
            c._sleep = sleeps.append
            c._policy = policy or c._policy
            return c.pipelines.metrics(["p1"], **kwargs), sleeps  # type: ignore[arg-type]

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with AsyncStreamkapClient(transport=httpx.MockTransport(handler), **common) as ac:
        ac._sleep = sleep
        ac._policy = policy or ac._policy
        return await ac.pipelines.metrics(["p1"], **kwargs), sleeps  # type: ignore[arg-type]


BOTH = pytest.mark.parametrize("kind", ["sync", "async"])


@BOTH
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_retries", -1),
        ("max_retries", 1.5),
        ("max_retries", True),
        ("deadline", 0),
        ("deadline", -2.0),
        ("deadline", "5"),
        ("timeout", 0),
        ("timeout", -1.0),
        ("timeout", "30"),
    ],
)
async def test_bad_call_options_are_refused_before_sending(
    kind: str, option: str, value: object
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    with pytest.raises(InvalidParameterError, match=option):
        await call_with(kind, handler, **{option: value})
    assert sent == []


@pytest.mark.parametrize(
    ("option", "value"),
    [("max_retries", -1), ("deadline", 0), ("timeout", -1), ("max_retries", "2")],
)
def test_bad_client_options_are_refused(option: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=option):
        StreamkapClient(access_token="t", **{option: value})  # type: ignore[arg-type]


@BOTH
async def test_other_exceptions_from_sending_propagate(kind: str) -> None:
    calls = 0

    class Boom(Exception):
        pass

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise Boom

    with pytest.raises(Boom):
        await call_with(kind, handler)
    assert calls == 1


@BOTH
async def test_the_injected_sleep_is_used(kind: str) -> None:
    answers = iter(
        [httpx.Response(503, headers={"retry-after": "3"}), httpx.Response(200, json={})]
    )
    result, sleeps = await call_with(kind, lambda request: next(answers))
    assert sleeps == [3.0]
    assert result is not None


@BOTH
async def test_per_call_max_retries_keeps_the_clients_other_settings(kind: str) -> None:
    answers = iter([httpx.Response(503)] * 3 + [httpx.Response(200, json={})])
    policy = RetryPolicy(initial_delay=0.1, jitter=0.0)
    _, sleeps = await call_with(kind, lambda r: next(answers), policy=policy, max_retries=3)
    assert sleeps == pytest.approx([0.1, 0.2, 0.4])


def test_token_endpoint_retries_name_the_endpoint(caplog: pytest.LogCaptureFixture) -> None:
    token_request = httpx.Request("POST", "https://api.streamkap.com/auth/access-token")
    down = status_error(httpx.Response(503, request=token_request), context="the token endpoint")
    with caplog.at_level(logging.INFO, logger="streamkap_sdk"):
        drive([down, response(200)])
    assert [r.getMessage() for r in caplog.records] == [
        "retrying POST /pipelines/metrics after HTTP 503 from /auth/access-token: "
        "attempt 2 of 3 in 0.50s"
    ]


def test_a_retry_policy_given_to_the_client_is_used(
    engine: Engine, credentials: dict[str, str]
) -> None:
    policy = RetryPolicy(max_retries=1, initial_delay=0.1, jitter=0)
    engine.add_fault(Fault(kind="status", status=503, times=2))
    sleeps: list[float] = []
    with StreamkapClient(retry_policy=policy, **credentials) as client:
        client._sleep = sleeps.append
        with pytest.raises(InternalServerError):
            client.pipelines.metrics(["p"])
    assert (engine.metrics_requests, sleeps) == (2, [0.1])
    with StreamkapClient(retry_policy=policy, max_retries=3, **credentials) as client:
        client._sleep = sleeps.append
        client.pipelines.metrics(["p"])  # max_retries overrides the policy's count only
    assert sleeps == [0.1]


@pytest.mark.parametrize(
    "bad", [{"max_retries": -1}, {"initial_delay": -1.0}, {"jitter": 2.0}, {"max_delay": math.inf}]
)
def test_a_nonsensical_retry_policy_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(InvalidParameterError, match="retry_policy"):
        RetryPolicy(**bad)  # type: ignore[arg-type]
