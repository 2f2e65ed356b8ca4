"""Bearer-token handling: one auth flow serving the sync and the async client.

`TokenAuth._flow` is the whole policy as a generator (httpx's own pattern): it yields the
requests to send and receives their responses. It also yields two kinds of markers that the
thin drivers interpret, because that is the only place sync and async differ:
`_LOCK` / `_UNLOCK` (renewal is single-flighted with a threading or an asyncio lock).
`auth_flow` runs the flow without locks, which is what the unit tests drive with `next`/`send`.

The clients drive it with `send` (sync) and `async_send`, giving the request of a call
(`request.extensions[CALL]`) and how to send it (`httpx.Client.send` / `AsyncClient.send`, with
same-origin redirects and a bounded body). Token requests go to the call's own sender: it bounds
their bodies and the deadline, and its failures are thrown back into the policy, which is how a
broken refresh falls back to a credential exchange within the same call. The lock comes from the
call too (the sync client's, or the running event loop's), bounded by the call's deadline.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from ._errors import (
    SECRET_BODY,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    MalformedResponseError,
    status_error,
)
from ._http import ACCEPT_ENCODING, CALL, AsyncCall, SyncCall

__all__ = ["DEFAULT_SKEW", "Credentials", "TokenAuth"]

logger = logging.getLogger("streamkap_sdk")

#: Renew this many seconds before `expiresIn` runs out (capped at half the token's lifetime).
DEFAULT_SKEW: Final = 60.0
#: Token-endpoint statuses that mean "try again later", not "wrong credentials".
_TRANSIENT: Final = frozenset({408, 429})
#: Secrets this long or longer are masked wherever they appear; shorter ones (a 1-3 character
#: secret is a configuration smell, but it is the user's) only as whole words, so that masking
#: them does not garble every other word of a message.
_MIN_SUBSTRING_CHARS: Final = 4
#: What an access token may hold to be sent in a header: visible ASCII, no spaces or CR/LF.
_HEADER_SAFE: Final = re.compile(r"[\x21-\x7e]+")


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


def _forget_body(response: httpx.Response) -> None:
    """Swap in a copy of the token request without its body (the credentials), so an error
    that carries `response` does not carry the secret within `response.request.content`."""
    sent = response.request
    response.request = httpx.Request(sent.method, sent.url, extensions=sent.extensions)


_LIVE: weakref.WeakSet[TokenAuth] = weakref.WeakSet()


class _Redact(logging.Filter):
    """On the SDK's logger and httpx's and httpcore's: every live client's secrets are masked
    in what they log (httpcore logs, at DEBUG, the response headers a server echoed a token in).
    Runs only for records those loggers emit, i.e. when their level is enabled."""

    def filter(self, record: logging.LogRecord) -> bool:
        auths = list(_LIVE)
        if not auths:
            return True
        try:
            message = clean = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        for auth in auths:
            clean = auth.redact(clean)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_REDACT: Final = _Redact()
#: httpcore's loggers, by the name of the module that is imported as httpcore (httpx2's own).
_HTTPCORE: Final = "httpcore2" if httpx.__name__ == "httpx2" else "httpcore"
for _name in (
    "streamkap_sdk",
    httpx.__name__,  # "httpx", or "httpx2" under httpx2.alias_httpx()
    *(f"{_HTTPCORE}.{part}" for part in ("connection", "http11", "http2", "proxy")),
):
    logging.getLogger(_name).addFilter(_REDACT)


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
        secrets: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if not (isinstance(skew, int | float) and math.isfinite(skew) and skew >= 0):
            raise ConfigurationError(f"token_skew must be a number of seconds >= 0, got {skew!r}")
        self._origin = (origin.scheme, origin.host, origin.port)
        self._token_url = token_url
        #: On every token request too: User-Agent and the client's default_headers.
        self._headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,  # only what BodyReader decodes, on every backend
            **(headers or {}),
        }
        self._refresh_url = refresh_url
        self._credentials = credentials
        self._skew = float(skew)
        self._clock = clock
        self._token = _Token(access_token) if access_token else None
        self._secrets: deque[str] = deque(maxlen=8)  # recent tokens, masked in messages
        self._fixed_secrets = tuple(s for s in secrets if s)  # e.g. a password in base_url
        if access_token:
            self._secrets.append(access_token)
        #: Single-flights renewal across the sync client's threads (async: the loop's lock).
        self.thread_lock = threading.Lock()
        self._use_refresh = True  # False once the refresh endpoint misbehaved (see _renew_locked)
        self.token_requests = 0  # exchanges + refreshes made; handy for tests and benchmarks
        _LIVE.add(self)

    def after_fork(self) -> None:
        """In a forked child: a lock held by a parent thread (mid-renewal) would never be
        released, since that thread does not exist here. The token itself is kept."""
        self.thread_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenAuth(credentials={self._credentials!r}, token={self._token!r})"

    @property
    def can_renew(self) -> bool:
        return self._credentials is not None

    def redact(self, text: str) -> str:
        """`text` with the client secret, any recent token and any URL password replaced by
        '***' (secrets shorter than 4 characters only where they stand as a whole word)."""
        known = [*self._secrets, *self._fixed_secrets]
        if self._credentials is not None:
            known.append(self._credentials.client_secret)
        # as a JSON body shows them too, when they hold characters JSON escapes
        known += [escaped for k in known if (escaped := json.dumps(k)[1:-1]) != k]
        for secret in sorted(set(known), key=len, reverse=True):
            if len(secret) >= _MIN_SUBSTRING_CHARS:
                text = text.replace(secret, "***")
            elif secret in text:
                text = re.sub(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", "***", text)
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
        if current is not None and current.refresh and self._use_refresh:
            refresh, current.refresh = current.refresh, None  # spent, whatever happens next
            logger.debug("renewing the access token with the refresh token")
            # Any failure falls back to the exchange in this same call: a refusal (4xx) is the
            # usual end of a refresh token; anything else (a hang, a dropped connection, a 5xx,
            # a 200 without a usable token, an oversized body) means the refresh endpoint is
            # broken, and later renewals go straight to the exchange.
            why: str | None = None
            try:
                response = yield self._token_request(
                    request, self._refresh_url, {"refresh_token": refresh}
                )
                assert response is not None
                if response.is_success:
                    self._set(self._parse_token(response))
                    return
                why = f"HTTP {response.status_code}"
                self._use_refresh = 400 <= response.status_code < 500
            except (httpx.TransportError, APIError) as exc:
                why = type(exc).__name__
                self._use_refresh = False
            logger.info("token refresh failed (%s); exchanging the credentials instead", why)
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
        extensions: dict[str, Any] = {SECRET_BODY: True}
        if timeout is not None:
            extensions["timeout"] = timeout
        return httpx.Request(
            "POST",
            url,
            content=json.dumps(payload).encode(),
            headers=self._headers,
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
                f"the token endpoint ({response.request.url.copy_with(query=None)}) answered "
                f"HTTP {response.status_code} without an accessToken",
                response=response,
                path=("accessToken",),
            )
        assert isinstance(data, dict)
        if not _HEADER_SAFE.fullmatch(access):
            self._secrets.append(access)  # masked wherever the body shows up
            _forget_body(response)
            raise MalformedResponseError(
                "the token endpoint answered with an accessToken that cannot be sent in an "
                "HTTP header (spaces, control or non-ASCII characters); not used",
                response=response,
                path=("accessToken",),
            )
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

    def send(
        self, request: httpx.Request, send: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        """The sync driver: run the flow for `request`, sending each request it gives with
        `send` (the call's: `httpx.Client.send`, redirects, bounded body); token requests go
        to the call's own sender, their failures back into the policy. Returns the last
        response (after a 401 replay, the replay's)."""
        call = request.extensions[CALL]
        assert isinstance(call, SyncCall)
        flow = self._flow(request)
        held = False
        try:
            step = next(flow)
            while True:
                if step is _LOCK:
                    if not _acquire(call.lock, call.end):
                        raise APITimeoutError(_WAITED)
                    held = True
                    step = flow.send(None)
                elif step is _UNLOCK:
                    held = False
                    call.lock.release()
                    step = flow.send(None)
                elif isinstance(step, httpx.Request) and step.extensions.get(SECRET_BODY):
                    try:
                        answer = call.send(step)
                    except (httpx.TransportError, APIError) as exc:
                        step = flow.throw(exc)  # the policy decides (a refresh falls back)
                    else:
                        step = flow.send(answer)
                else:
                    assert isinstance(step, httpx.Request)
                    response = send(step)
                    try:
                        step = flow.send(response)
                    except StopIteration:
                        return response
        except StopIteration:  # pragma: no cover - the flow always sends the request
            raise ConfigurationError("the auth flow sent nothing") from None
        finally:
            if held:
                call.lock.release()

    async def async_send(
        self,
        request: httpx.Request,
        send: Callable[[httpx.Request], Awaitable[httpx.Response]],
    ) -> httpx.Response:
        """The async driver: `send`, for `httpx.AsyncClient`; the renewal lock is the running
        loop's (the call's deadline bounds waiting for it, `asyncio.timeout`)."""
        call = request.extensions[CALL]
        assert isinstance(call, AsyncCall)
        flow = self._flow(request)
        held = False
        try:
            step = next(flow)
            while True:
                if step is _LOCK:
                    await call.lock.acquire()
                    held = True
                    step = flow.send(None)
                elif step is _UNLOCK:
                    held = False
                    call.lock.release()
                    step = flow.send(None)
                elif isinstance(step, httpx.Request) and step.extensions.get(SECRET_BODY):
                    try:
                        answer = await call.send(step)
                    except (httpx.TransportError, APIError) as exc:
                        step = flow.throw(exc)
                    else:
                        step = flow.send(answer)
                else:
                    assert isinstance(step, httpx.Request)
                    response = await send(step)
                    try:
                        step = flow.send(response)
                    except StopIteration:
                        return response
        except StopIteration:  # pragma: no cover - the flow always sends the request
            raise ConfigurationError("the auth flow sent nothing") from None
        finally:
            if held:
                call.lock.release()


_WAITED: Final = "the call's deadline passed while waiting for another call's token renewal"


def _acquire(lock: threading.Lock, end: float | None) -> bool:
    if end is None:
        return lock.acquire()
    return lock.acquire(timeout=max(end - time.monotonic(), 0.0))
