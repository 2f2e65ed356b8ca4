"""TokenAuth's policy, driven like httpx's own auth tests: `next(flow)` / `flow.send(response)`.

No network: every response is built by hand, and the clock is a number the test moves.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from streamkap_sdk import (
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    Credentials,
    InternalServerError,
    MalformedResponseError,
    NotFoundError,
    RateLimitError,
)
from streamkap_sdk._auth import _LOCK, _UNLOCK, TokenAuth, _lifetime
from streamkap_sdk._config import resolve

ORIGIN = httpx.URL("https://api.example.test")
TOKEN_URL = httpx.URL("https://auth.example.test/auth/access-token")
REFRESH_URL = httpx.URL("https://auth.example.test/auth/access-token/refresh")
METRICS_URL = ORIGIN.join("/pipelines/metrics")
CLIENT_ID = "client-id-1"
SECRET = "client-secret-0123456789"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_auth(
    clock: Clock | None = None,
    *,
    credentials: bool = True,
    access_token: str | None = None,
    skew: float = 60.0,
) -> TokenAuth:
    return TokenAuth(
        origin=ORIGIN,
        token_url=TOKEN_URL,
        refresh_url=REFRESH_URL,
        credentials=Credentials(CLIENT_ID, SECRET) if credentials else None,
        access_token=access_token,
        skew=skew,
        clock=clock or Clock(),
    )


def api_request(url: httpx.URL | str = METRICS_URL) -> httpx.Request:
    return httpx.Request("POST", url, json={"ids": ["p1"]})


def token_reply(
    request: httpx.Request,
    access: str = "access-1",
    refresh: str | None = "refresh-1",
    expires_in: object = 3600,
) -> httpx.Response:
    body: dict[str, object] = {"accessToken": access, "expires": "2025-01-15T10:00:00Z"}
    if refresh is not None:
        body["refreshToken"] = refresh
    if expires_in is not None:
        body["expiresIn"] = expires_in
    return httpx.Response(200, json=body, request=request)


def reply(request: httpx.Request, status: int, detail: str = "nope") -> httpx.Response:
    return httpx.Response(status, json={"detail": detail}, request=request)


def bearer(step: object) -> str | None:
    assert isinstance(step, httpx.Request)
    value = step.headers.get("Authorization")
    return value if isinstance(value, str) else None


def body(request: httpx.Request) -> object:
    return json.loads(request.content)


def drive(
    auth: TokenAuth, request: httpx.Request, answer: Callable[[httpx.Request], httpx.Response]
) -> list[httpx.Request]:
    """Run one flow to the end; return every request it sent, in order (bounded)."""
    flow = auth.auth_flow(request)
    sent = [next(flow)]
    for _ in range(10):
        try:
            sent.append(flow.send(answer(sent[-1])))
        except StopIteration:
            return sent
    raise AssertionError("the flow did not finish")


def server(**token: Any) -> Callable[[httpx.Request], httpx.Response]:
    """Token endpoints hand out numbered tokens (access-1, refresh-1, ...); the API says 200."""
    issued = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal issued
        if request.url in (TOKEN_URL, REFRESH_URL):
            issued += 1
            fields = {"access": f"access-{issued}", "refresh": f"refresh-{issued}", **token}
            return token_reply(request, **fields)
        return httpx.Response(200, json={}, request=request)

    return answer


def warm(auth: TokenAuth) -> Callable[[httpx.Request], httpx.Response]:
    """Obtain the first token (access-1 / refresh-1) through a normal call."""
    answer = server()
    sent = drive(auth, api_request(), answer)
    assert [r.url.host for r in sent] == [TOKEN_URL.host, ORIGIN.host]
    return answer


# -- exchange, cache, proactive renewal -------------------------------------------------------


def test_first_call_exchanges_the_credentials_then_sends_the_bearer() -> None:
    auth = make_auth()
    request = api_request()
    flow = auth.auth_flow(request)

    exchange = next(flow)
    assert (exchange.method, exchange.url) == ("POST", TOKEN_URL)
    assert body(exchange) == {"client_id": CLIENT_ID, "secret": SECRET}
    assert bearer(exchange) is None

    sent = flow.send(token_reply(exchange))
    assert sent is request
    assert bearer(sent) == "Bearer access-1"
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(200, json={}, request=sent))
    assert auth.token_requests == 1


def test_the_token_is_cached() -> None:
    auth = make_auth()
    warm(auth)
    flow = auth.auth_flow(api_request())
    assert bearer(next(flow)) == "Bearer access-1"
    assert auth.token_requests == 1


def test_renews_with_the_refresh_token_when_within_the_skew() -> None:
    clock = Clock()
    auth = make_auth(clock)
    answer = warm(auth)
    clock.now += 3600 - 60 - 0.001  # just outside the 60 s skew
    assert [bearer(r) for r in drive(auth, api_request(), answer)] == ["Bearer access-1"]
    clock.now += 0.002  # now inside it
    sent = drive(auth, api_request(), answer)
    assert sent[0].url == REFRESH_URL
    assert body(sent[0]) == {"refresh_token": "refresh-1"}
    assert bearer(sent[0]) is None
    assert bearer(sent[1]) == "Bearer access-2"
    assert auth.token_requests == 2


@pytest.mark.parametrize(
    ("lifetime", "skew", "elapsed", "renews"),
    [
        (3600, 60, 3539.9, False),  # the default skew applies to a long-lived token
        (3600, 60, 3540.0, True),
        (10, 60, 4.9, False),  # skew capped at half the lifetime: not renewed on every call
        (10, 60, 5.0, True),
        (1, 60, 0.4, False),
        (1, 60, 0.5, True),
        (3600, 5, 3594.9, False),  # a configured skew
        (3600, 5, 3595.0, True),
        (3600, 0, 3599.9, False),  # skew 0: renew only once expired
        (3600, 0, 3600.0, True),
    ],
)
def test_skew_table(lifetime: float, skew: float, elapsed: float, renews: bool) -> None:
    clock = Clock()
    auth = make_auth(clock, skew=skew)
    drive(auth, api_request(), server(expires_in=lifetime))
    clock.now += elapsed
    first = next(auth.auth_flow(api_request()))
    assert (first.url == REFRESH_URL) is renews


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (3600, 3600.0),
        (1.5, 1.5),
        ("120", 120.0),
        (0, None),  # would mean "renew on every call": treated as unknown instead
        (-5, None),
        (True, None),
        ("soon", None),
        (float("inf"), None),
        (None, None),
        ([60], None),
    ],
)
def test_expires_in_parsing(value: object, seconds: float | None) -> None:
    assert _lifetime(value) == seconds


def test_without_expires_in_the_token_is_renewed_only_after_a_401() -> None:
    clock = Clock()
    auth = make_auth(clock)
    sent = drive(auth, api_request(), server(expires_in=None))
    assert len(sent) == 2
    clock.now += 10**7
    flow = auth.auth_flow(api_request())
    assert bearer(next(flow)) == "Bearer access-1"  # no proactive renewal
    renewal = flow.send(httpx.Response(401, request=api_request()))
    assert renewal.url == REFRESH_URL


def test_without_a_refresh_token_renewal_exchanges_the_credentials() -> None:
    clock = Clock()
    auth = make_auth(clock)
    drive(auth, api_request(), server(refresh=None))
    clock.now += 3600
    renewal = next(auth.auth_flow(api_request()))
    assert renewal.url == TOKEN_URL
    assert body(renewal) == {"client_id": CLIENT_ID, "secret": SECRET}


@pytest.mark.parametrize("status", [400, 401, 404, 500, 503])
def test_a_failed_refresh_falls_back_to_the_exchange(status: int) -> None:
    clock = Clock()
    auth = make_auth(clock)
    warm(auth)
    clock.now += 3600
    flow = auth.auth_flow(api_request())
    refresh = next(flow)
    assert refresh.url == REFRESH_URL
    exchange = flow.send(reply(refresh, status, "Invalid refresh token"))
    assert exchange.url == TOKEN_URL
    sent = flow.send(token_reply(exchange, "access-9", "refresh-9"))
    assert bearer(sent) == "Bearer access-9"
    assert auth.token_requests == 3


def test_a_failed_refresh_token_is_not_presented_again() -> None:
    clock = Clock()
    auth = make_auth(clock)
    warm(auth)
    clock.now += 3600
    flow = auth.auth_flow(api_request())
    refresh = next(flow)
    exchange = flow.send(reply(refresh, 503))
    with pytest.raises(InternalServerError):  # the exchange fails too: the call is retried...
        flow.send(reply(exchange, 503))
    retry = next(auth.auth_flow(api_request()))
    assert retry.url == TOKEN_URL  # ...and the retry goes straight to the exchange


# -- 401: renew once, replay once -----------------------------------------------------------


def test_a_401_renews_once_and_replays_once() -> None:
    auth = make_auth()
    warm(auth)
    request = api_request()
    body = request.content  # (its spacing is httpx's: 0.28 writes compact JSON, 0.27 does not)
    flow = auth.auth_flow(request)
    first = next(flow)
    assert bearer(first) == "Bearer access-1"
    renewal = flow.send(reply(first, 401))
    assert renewal.url == REFRESH_URL
    replay = flow.send(token_reply(renewal, "access-2", "refresh-2"))
    assert replay is request
    assert bearer(replay) == "Bearer access-2"
    assert replay.content == body and json.loads(body) == {"ids": ["p1"]}  # the body goes again
    with pytest.raises(StopIteration):  # a second 401 is returned, not renewed again
        flow.send(reply(replay, 401))
    assert auth.token_requests == 2


def test_other_errors_are_returned_untouched() -> None:
    auth = make_auth()
    warm(auth)
    for status in (403, 404, 422, 500):
        flow = auth.auth_flow(api_request())
        sent = next(flow)
        with pytest.raises(StopIteration):
            flow.send(reply(sent, status))
    assert auth.token_requests == 1


def test_static_token_without_credentials_never_renews() -> None:
    clock = Clock()
    auth = make_auth(clock, credentials=False, access_token="static-token-abcdef")
    assert not auth.can_renew
    clock.now += 10**7
    flow = auth.auth_flow(api_request())
    sent = next(flow)
    assert bearer(sent) == "Bearer static-token-abcdef"
    with pytest.raises(StopIteration):
        flow.send(reply(sent, 401))
    assert auth.token_requests == 0


def test_static_token_is_used_first_then_renewed_with_the_credentials() -> None:
    auth = make_auth(access_token="static-token-abcdef")
    flow = auth.auth_flow(api_request())
    sent = next(flow)
    assert bearer(sent) == "Bearer static-token-abcdef"
    exchange = flow.send(reply(sent, 401))
    assert exchange.url == TOKEN_URL  # a static token has no refresh token
    replay = flow.send(token_reply(exchange))
    assert bearer(replay) == "Bearer access-1"


# -- single flight: the re-check after taking the lock ---------------------------------------


def test_a_flow_that_waited_for_the_lock_uses_the_token_renewed_meanwhile() -> None:
    clock = Clock()
    auth = make_auth(clock)
    answer = warm(auth)
    clock.now += 3600
    waiting = auth._flow(api_request())
    assert next(waiting) is _LOCK  # B found the token stale and queues for the lock
    assert drive(auth, api_request(), answer)[0].url == REFRESH_URL  # A renews meanwhile
    assert waiting.send(None) is _UNLOCK  # B re-checks under the lock: nothing to do
    assert bearer(waiting.send(None)) == "Bearer access-2"
    assert auth.token_requests == 2


def test_a_401_after_someone_else_renewed_replays_without_renewing() -> None:
    auth = make_auth()
    answer = warm(auth)
    b = auth._flow(api_request())
    b_sent = next(b)
    assert isinstance(b_sent, httpx.Request) and bearer(b_sent) == "Bearer access-1"

    def revoked(request: httpx.Request) -> httpx.Response:
        return reply(request, 401) if bearer(request) == "Bearer access-1" else answer(request)

    assert len(drive(auth, api_request(), revoked)) == 3  # A: 401, renewal, replay
    assert b.send(reply(b_sent, 401)) is _LOCK
    assert b.send(None) is _UNLOCK
    assert bearer(b.send(None)) == "Bearer access-2"
    assert auth.token_requests == 2


def test_the_flow_marks_the_renewal_for_the_drivers_to_lock() -> None:
    auth = make_auth()
    flow = auth._flow(api_request())
    steps = [next(flow)]
    steps.append(flow.send(None))
    steps.append(flow.send(token_reply(steps[-1])))  # type: ignore[arg-type]
    steps.append(flow.send(None))
    assert steps[0] is _LOCK
    assert isinstance(steps[1], httpx.Request) and steps[1].url == TOKEN_URL
    assert steps[2] is _UNLOCK
    assert isinstance(steps[3], httpx.Request) and bearer(steps[3]) == "Bearer access-1"


def _sync_call(auth: TokenAuth, token: Callable[[httpx.Request], httpx.Response]) -> Any:
    from streamkap_sdk._http import CALL, SyncCall

    request = api_request()
    request.extensions[CALL] = SyncCall(None, auth.thread_lock, token)
    return request


def test_the_sync_driver_releases_the_lock_when_the_token_request_fails() -> None:
    auth = make_auth()
    seen_locked: list[bool] = []

    def broken(request: httpx.Request) -> httpx.Response:
        seen_locked.append(auth.thread_lock.locked())
        raise httpx.ConnectError("down", request=request)

    with pytest.raises(httpx.ConnectError):
        auth.send(_sync_call(auth, broken), lambda r: reply(r, 200))
    assert seen_locked == [True]
    assert not auth.thread_lock.locked()


def test_the_sync_driver_releases_the_lock_when_the_token_endpoint_refuses() -> None:
    auth = make_auth()
    with pytest.raises(AuthenticationError):
        auth.send(_sync_call(auth, lambda r: reply(r, 401)), lambda r: reply(r, 200))
    assert not auth.thread_lock.locked()
    sent = auth.send(_sync_call(auth, token_reply), lambda r: reply(r, 200))  # not deadlocked
    assert sent.status_code == 200 and bearer(sent.request) == "Bearer access-1"


async def test_the_async_driver_releases_the_lock_and_single_flights() -> None:
    from streamkap_sdk._http import CALL, AsyncCall

    auth = make_auth()
    lock = asyncio.Lock()
    gate = asyncio.Event()
    tokens: list[httpx.Request] = []

    async def token(request: httpx.Request) -> httpx.Response:
        tokens.append(request)
        await gate.wait()  # B arrives while A holds the lock
        return token_reply(request)

    async def send(request: httpx.Request) -> httpx.Response:
        return reply(request, 200)

    def call() -> httpx.Request:
        request = api_request()
        request.extensions[CALL] = AsyncCall(None, lock, token)
        return request

    a = asyncio.ensure_future(auth.async_send(call(), send))
    b = asyncio.ensure_future(auth.async_send(call(), send))
    for _ in range(5):
        await asyncio.sleep(0)
    assert lock.locked() and len(tokens) == 1 and not b.done()
    gate.set()
    first, second = await a, await b
    assert bearer(first.request) == bearer(second.request) == "Bearer access-1"
    assert auth.token_requests == 1 and not lock.locked()

    async def refused(request: httpx.Request) -> httpx.Response:
        return reply(request, 403)

    auth = make_auth()
    request = api_request()
    request.extensions[CALL] = AsyncCall(None, lock, refused)
    with pytest.raises(AuthenticationError):
        await auth.async_send(request, send)
    assert not lock.locked()


# -- the token endpoint's errors ------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 422])
def test_a_refusal_raises_authentication_error(status: int) -> None:
    auth = make_auth()
    flow = auth.auth_flow(api_request())
    exchange = next(flow)
    with pytest.raises(AuthenticationError) as caught:
        flow.send(reply(exchange, status, "Invalid client credentials"))
    message = str(caught.value)
    assert f"HTTP {status}" in message
    assert "token endpoint" in message
    assert "Invalid client credentials" in message
    assert SECRET not in message
    assert caught.value.status_code == status


def test_a_token_endpoint_that_is_not_there_says_to_check_the_url() -> None:
    auth = make_auth()
    flow = auth.auth_flow(api_request())
    exchange = next(flow)
    with pytest.raises(
        NotFoundError, match=r"token endpoint \(.*/auth/access-token\).*check base_url"
    ):
        flow.send(reply(exchange, 404, "Not Found"))


def test_token_errors_do_not_carry_the_secret_in_their_request() -> None:
    auth = make_auth()
    flow = auth.auth_flow(api_request())
    exchange = next(flow)
    assert SECRET.encode() in exchange.content
    with pytest.raises(AuthenticationError) as caught:
        flow.send(reply(exchange, 401, "Invalid client credentials"))
    assert SECRET.encode() not in caught.value.response.request.content


@pytest.mark.parametrize(
    ("status", "error"),
    [(408, APIStatusError), (429, RateLimitError), (500, InternalServerError),
     (503, InternalServerError)],
)  # fmt: skip
def test_transient_token_endpoint_errors_stay_retryable(
    status: int, error: type[APIStatusError]
) -> None:
    flow = make_auth().auth_flow(api_request())
    exchange = next(flow)
    with pytest.raises(error) as caught:
        flow.send(reply(exchange, status))
    assert not isinstance(caught.value, AuthenticationError)
    assert caught.value.status_code == status


def test_a_secret_echoed_by_the_token_endpoint_is_masked() -> None:
    flow = make_auth().auth_flow(api_request())
    exchange = next(flow)
    with pytest.raises(AuthenticationError) as caught:
        flow.send(reply(exchange, 401, f"bad secret {SECRET} for {CLIENT_ID}"))
    assert SECRET not in str(caught.value)
    assert CLIENT_ID in str(caught.value)  # the id is not a secret, and helps


@pytest.mark.parametrize(
    "payload", [b"not json", b"{}", b'{"accessToken": ""}', b'{"accessToken": 42}', b"[]"]
)
def test_a_token_response_without_a_token_is_malformed(payload: bytes) -> None:
    flow = make_auth().auth_flow(api_request())
    exchange = next(flow)
    with pytest.raises(MalformedResponseError, match="accessToken"):
        flow.send(httpx.Response(200, content=payload, request=exchange))


def test_token_requests_inherit_the_calls_timeouts() -> None:
    request = api_request()
    timeouts = {"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0}
    request.extensions["timeout"] = timeouts
    exchange = next(make_auth().auth_flow(request))
    assert exchange.extensions["timeout"] == timeouts


# -- where the token goes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.test/pipelines/metrics",
        "https://api.example.test:8443/pipelines/metrics",
        "http://api.example.test/pipelines/metrics",
        "https://api.example.test.evil.test/pipelines/metrics",
    ],
)
def test_no_token_for_another_origin(url: str) -> None:
    auth = make_auth()
    warm(auth)
    request = api_request(url)
    request.headers["Authorization"] = "Bearer access-1"
    flow = auth.auth_flow(request)
    sent = next(flow)
    assert sent is request and bearer(sent) is None
    with pytest.raises(StopIteration):
        flow.send(reply(sent, 401))  # and no renewal on a foreign 401
    assert auth.token_requests == 1


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize("skew", [-1.0, float("nan"), float("inf")])
def test_a_bad_skew_is_a_configuration_error(skew: float) -> None:
    with pytest.raises(ConfigurationError, match="token_skew"):
        make_auth(skew=skew)


def test_repr_hides_every_secret() -> None:
    auth, static = make_auth(), make_auth(access_token="static-token-abcdef")
    warm(auth)
    text = " ".join(
        f(obj)
        for obj in (auth, auth._token, static, static._token, Credentials(CLIENT_ID, SECRET))
        for f in (repr, str)
    )
    for secret in (SECRET, "static-token-abcdef", "access-1", "refresh-1"):
        assert secret not in text
    assert CLIENT_ID in text


def test_redact_masks_known_secrets_only() -> None:
    auth = make_auth(access_token="static-token-abcdef")
    assert auth.redact(f"a {SECRET} b static-token-abcdef c") == "a *** b *** c"
    short = make_auth(credentials=False, access_token="t")
    assert short.redact("HTTP 401 Unauthorized") == "HTTP 401 Unauthorized"


@pytest.mark.parametrize(
    ("token_url", "refresh_url"),
    [
        (None, "https://api.example.test/auth/access-token/refresh"),
        ("https://auth.example.test/oauth/token", "https://auth.example.test/oauth/token/refresh"),
        ("https://auth.example.test/oauth/token/", "https://auth.example.test/oauth/token/refresh"),
    ],
)
def test_the_refresh_endpoint_is_the_token_endpoint_plus_refresh(
    token_url: str | None, refresh_url: str
) -> None:
    settings = resolve(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        base_url=str(ORIGIN),
        token_url=token_url,
        env={},
    )
    assert str(settings.refresh_url) == refresh_url
