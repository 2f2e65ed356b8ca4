"""Bearer-token handling: one auth flow serving the sync and the async client.

`TokenAuth._flow` is the whole policy as a generator (httpx's own pattern): it yields the
requests to send and receives their responses. It also yields two kinds of markers that the
thin drivers interpret, because that is the only place sync and async differ:
`_LOCK` / `_UNLOCK` (renewal is single-flighted with a threading or an asyncio lock).
`auth_flow` runs the flow without locks, which is what the unit tests drive with `next`/`send`.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import httpx

from ._errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    MalformedResponseError,
    status_error,
)

if TYPE_CHECKING:
    import asyncio

__all__ = ["DEFAULT_SKEW", "Credentials", "TokenAuth"]

logger = logging.getLogger("streamkap_sdk")

#: Renew this many seconds before `expiresIn` runs out (capped at half the token's lifetime).
DEFAULT_SKEW: Final = 60.0
#: Token-endpoint statuses that mean "try again later", not "wrong credentials".
_TRANSIENT: Final = frozenset({408, 429})
#: Shorter strings are not masked in messages: masking "t" would garble every word.
_MIN_SECRET_CHARS: Final = 8


@dataclass(frozen=True, slots=True)
class Credentials:
    """API client credentials. The secret never appears in repr() or str()."""

    client_id: str
    client_secret: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(client_id={self.client_id!r}, client_secret='***')"

    __str__ = __repr__


@dataclass(slots=True)
class _Token:
    access: str = field(repr=False)
    refresh: str | None = field(default=None, repr=False)
    expires_at: float | None = None  # on the auth's clock; None = unknown, renew only after a 401
    lifetime: float | None = None

    def __repr__(self) -> str:
        return f"_Token(access='***', expires_at={self.expires_at!r})"


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_LOCK: Final = _Marker("lock")
_UNLOCK: Final = _Marker("unlock")
_Step = httpx.Request | _Marker
_Flow = Generator[_Step, httpx.Response | None, None]


def _lifetime(value: object) -> float | None:
    """`expiresIn` as positive seconds, or None when missing or unusable."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


#: Marks requests whose body holds a secret, with the only origin it may be sent to.
SECRET_ORIGIN: Final = "streamkap_sdk.secret_origin"


def refuse_secret_redirects(request: httpx.Request) -> None:
    """httpx request hook: a token request redirected to another host is stopped, unsent.

    httpx strips `Authorization` on such redirects, but a token request carries its secret in
    the body, which a redirect would replay as is.
    """
    origin = request.extensions.get(SECRET_ORIGIN)
    if origin is not None and (request.url.scheme, request.url.host, request.url.port) != origin:
        raise APIConnectionError(
            f"refused to follow a redirect of a token request to another host "
            f"({request.url.host}): it would carry the credentials",
            request=request,
        )


async def refuse_secret_redirects_async(request: httpx.Request) -> None:
    refuse_secret_redirects(request)


def _forget_body(response: httpx.Response) -> None:
    """Swap in a copy of the token request without its body (the credentials), so an error
    that carries `response` does not carry the secret within `response.request.content`."""
    sent = response.request
    response.request = httpx.Request(sent.method, sent.url, extensions=sent.extensions)


class TokenAuth(httpx.Auth):
    """Adds `Authorization: Bearer …` and keeps the token fresh.

    - exchanges credentials at the token endpoint, renewing `skew` seconds before `expiresIn`
      runs out (never more than half the token's lifetime early);
    - renews with the refresh token when there is one, falling back to a full exchange;
    - single-flights renewal across threads (sync) or tasks (async);
    - on a 401 renews once and replays the request once; a second 401 is the caller's to raise;
    - a static `access_token` is used first; it is renewed only when `credentials` are given;
    - only ever sends the token to `origin` (the client's base URL).

    Token-endpoint failures raise: AuthenticationError for a refusal (4xx), the matching
    APIStatusError for 408/429/5xx (which the client's retry policy retries).
    """

    requires_response_body = True

    def __init__(
        self,
        *,
        origin: httpx.URL,
        token_url: httpx.URL,
        refresh_url: httpx.URL,
        credentials: Credentials | None = None,
        access_token: str | None = None,
        skew: float = DEFAULT_SKEW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (isinstance(skew, int | float) and math.isfinite(skew) and skew >= 0):
            raise ConfigurationError(f"token_skew must be a number of seconds >= 0, got {skew!r}")
        self._origin = (origin.scheme, origin.host, origin.port)
        self._token_url = token_url
        self._refresh_url = refresh_url
        self._credentials = credentials
        self._skew = float(skew)
        self._clock = clock
        self._token = _Token(access_token) if access_token else None
        self._secrets: deque[str] = deque(maxlen=8)  # recent tokens, masked in messages
        if access_token:
            self._secrets.append(access_token)
        self._thread_lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None
        self.token_requests = 0  # exchanges + refreshes made; handy for tests and benchmarks

    def __repr__(self) -> str:
        return f"TokenAuth(credentials={self._credentials!r}, token={self._token!r})"

    @property
    def can_renew(self) -> bool:
        return self._credentials is not None

    def redact(self, text: str) -> str:
        """`text` with the client secret and any recent token replaced by '***'."""
        known = list(self._secrets)
        if self._credentials is not None:
            known.append(self._credentials.client_secret)
        for secret in sorted(known, key=len, reverse=True):
            if len(secret) >= _MIN_SECRET_CHARS:
                text = text.replace(secret, "***")
        return text

    # -- the policy --------------------------------------------------------------------------

    def _fresh(self, token: _Token | None) -> bool:
        if token is None:
            return False
        if token.expires_at is None:
            return True
        skew = self._skew if token.lifetime is None else min(self._skew, token.lifetime / 2)
        return self._clock() < token.expires_at - skew

    def _same_origin(self, url: httpx.URL) -> bool:
        return (url.scheme, url.host, url.port) == self._origin

    def _flow(self, request: httpx.Request) -> _Flow:
        if not self._same_origin(request.url):
            request.headers.pop("Authorization", None)
            yield request
            return
        token = self._token
        if not self._fresh(token) and self.can_renew:
            yield from self._renew(request, stale=token)
            token = self._token
        if token is None:  # the client refuses to start without a token or credentials
            raise ConfigurationError("no access token and no credentials to obtain one")
        request.headers["Authorization"] = f"Bearer {token.access}"
        response = yield request
        if response is None or response.status_code != 401 or not self.can_renew:
            return
        logger.info(
            "401 from %s %s: renewing the token and replaying once",
            request.method,
            request.url.path,
        )
        yield from self._renew(request, stale=token, force=True)
        assert self._token is not None
        request.headers["Authorization"] = f"Bearer {self._token.access}"
        yield request

    def _renew(self, request: httpx.Request, *, stale: _Token | None, force: bool = False) -> _Flow:
        # The drivers release the lock themselves if the flow raises or is closed.
        yield _LOCK
        yield from self._renew_locked(request, stale=stale, force=force)
        yield _UNLOCK

    def _renew_locked(self, request: httpx.Request, *, stale: _Token | None, force: bool) -> _Flow:
        current = self._token
        if current is not None and current is not stale and (force or self._fresh(current)):
            return  # another thread or task renewed while we waited for the lock
        if current is not None and current.refresh:
            logger.debug("renewing the access token with the refresh token")
            response = yield self._token_request(
                request, self._refresh_url, {"refresh_token": current.refresh}
            )
            assert response is not None
            if response.is_success:
                self._set(self._parse_token(response))
                return
            current.refresh = None  # spent or refused: do not present it again
            logger.info(
                "token refresh failed (HTTP %s); exchanging the credentials instead",
                response.status_code,
            )
        assert self._credentials is not None
        logger.debug("exchanging the client credentials for an access token")
        response = yield self._token_request(
            request,
            self._token_url,
            {"client_id": self._credentials.client_id, "secret": self._credentials.client_secret},
        )
        assert response is not None
        if not response.is_success:
            raise self._token_error(response)
        self._set(self._parse_token(response))

    def _set(self, token: _Token) -> None:
        self._secrets.append(token.access)
        if token.refresh:
            self._secrets.append(token.refresh)
        self._token = token
        logger.debug(
            "access token renewed (expires in %s)",
            "an unknown time" if token.lifetime is None else f"{token.lifetime:g}s",
        )

    def _token_error(self, response: httpx.Response) -> APIStatusError:
        _forget_body(response)
        error = status_error(response, context=f"the token endpoint ({response.request.url})")
        message = self.redact(str(error))
        status = response.status_code
        if status in (404, 405):  # a wrong URL, not wrong credentials
            error.args = (f"{message}; check base_url / token_url",)
            return error
        if 400 <= status < 500 and status not in _TRANSIENT:
            return AuthenticationError(
                f"{message}; check client_id and client_secret",
                response=response,
                detail=error.detail,
            )
        error.args = (message,)
        return error

    def _token_request(
        self, origin: httpx.Request, url: httpx.URL, payload: dict[str, str]
    ) -> httpx.Request:
        self.token_requests += 1
        # The same per-attempt timeouts as the call that needed the token: a bare Request has
        # none, and a hung token endpoint would otherwise hang the call (and the lock) forever.
        timeout = origin.extensions.get("timeout")
        extensions: dict[str, Any] = {SECRET_ORIGIN: (url.scheme, url.host, url.port)}
        if timeout is not None:
            extensions["timeout"] = timeout
        return httpx.Request(
            "POST",
            url,
            content=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            extensions=extensions,
        )

    def _parse_token(self, response: httpx.Response) -> _Token:
        try:
            data = response.json()
        except ValueError:
            data = None
        access = data.get("accessToken") if isinstance(data, dict) else None
        if not isinstance(access, str) or not access:
            _forget_body(response)
            raise MalformedResponseError(
                "the token endpoint answered without an accessToken",
                response=response,
                path=("accessToken",),
            )
        assert isinstance(data, dict)
        refresh = data.get("refreshToken")
        lifetime = _lifetime(data.get("expiresIn"))
        return _Token(
            access=access,
            refresh=refresh if isinstance(refresh, str) and refresh else None,
            expires_at=None if lifetime is None else self._clock() + lifetime,
            lifetime=lifetime,
        )

    # -- drivers -----------------------------------------------------------------------------

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """The flow without locks (httpx's interface; what the unit tests drive)."""
        flow = self._flow(request)
        try:
            step = next(flow)
            while True:
                if isinstance(step, _Marker):
                    step = flow.send(None)
                    continue
                response = yield step
                step = flow.send(response)
        except StopIteration:
            return

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self._flow(request)
        held = False
        try:
            step = next(flow)
            while True:
                if step is _LOCK:
                    self._thread_lock.acquire()
                    held = True
                    step = flow.send(None)
                elif step is _UNLOCK:
                    self._thread_lock.release()
                    held = False
                    step = flow.send(None)
                else:
                    assert isinstance(step, httpx.Request)
                    response = yield step
                    response.read()
                    step = flow.send(response)
        except StopIteration:
            return
        finally:
            if held:
                self._thread_lock.release()

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._async_lock is None:
            import asyncio  # deferred: import time (see _operations)

            self._async_lock = asyncio.Lock()
        lock = self._async_lock
        flow = self._flow(request)
        held = False
        try:
            step = next(flow)
            while True:
                if step is _LOCK:
                    await lock.acquire()
                    held = True
                    step = flow.send(None)
                elif step is _UNLOCK:
                    lock.release()
                    held = False
                    step = flow.send(None)
                else:
                    assert isinstance(step, httpx.Request)
                    response = yield step
                    await response.aread()
                    step = flow.send(response)
        except StopIteration:
            return
        finally:
            if held:
                lock.release()
