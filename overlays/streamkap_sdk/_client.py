"""StreamkapClient and AsyncStreamkapClient: settings, transport, retries, and the two resources."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, Self, Unpack

import httpx

from streamkap_api.models import DestinationMetricsRes, PipelineMetricsRes

from ._auth import DEFAULT_SKEW, TokenAuth
from ._config import read_project_key, resolve
from ._decode import decode_model
from ._errors import APIStatusError, AuthenticationError, ConfigurationError
from ._merge import merge_responses
from ._operations import DESTINATIONS, PIPELINES, Operation, R
from ._request import IdList, MetricsParams, Prepared, prepare, request_kwargs
from ._retry import DEFAULT_MAX_RETRIES, Flow, RetryPolicy, Send, attempts

__all__ = ["DEFAULT_TIMEOUT", "AsyncStreamkapClient", "StreamkapClient"]

#: Per attempt: 30 s to read, 10 s to connect. `deadline=` bounds a whole call, retries included.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_IDS_PER_REQUEST = 1000
DEFAULT_MAX_CONCURRENCY = 4

Timeout = float | httpx.Timeout | None
Progress = Callable[[int, int], None]


def _as_timeout(value: Timeout) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


def _clamp(timeout: httpx.Timeout, left: float | None) -> dict[str, float | None]:
    """Per-attempt timeouts, none longer than what is left of the call's deadline."""
    values = timeout.as_dict()
    if left is None:
        return values
    return {k: left if v is None else min(v, left) for k, v in values.items()}


class _ClientBase:
    """What both clients share: settings, auth, policies. Only sending and sleeping differ."""

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        access_token: str | None = None,
        base_url: str | None = None,
        token_url: str | None = None,
        admin_tenant_id: str | None = None,
        admin_service_id: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float | None = None,
        token_skew: float = DEFAULT_SKEW,
        max_ids_per_request: int = DEFAULT_MAX_IDS_PER_REQUEST,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    ) -> None:
        if max_retries < 0:
            raise ConfigurationError(f"max_retries must be >= 0, got {max_retries}")
        if max_ids_per_request < 1 or max_concurrency < 1:
            raise ConfigurationError("max_ids_per_request and max_concurrency must be >= 1")
        self._settings = resolve(
            client_id=client_id,
            client_secret=client_secret,
            access_token=access_token,
            base_url=base_url,
            token_url=token_url,
            admin_tenant_id=admin_tenant_id,
            admin_service_id=admin_service_id,
        )
        self._auth = TokenAuth(
            origin=self._settings.base_url,
            token_url=self._settings.token_url,
            refresh_url=self._settings.refresh_url,
            credentials=self._settings.credentials,
            access_token=self._settings.access_token,
            skew=token_skew,
        )
        self._timeout = _as_timeout(timeout)
        self._policy = RetryPolicy(max_retries=max_retries)
        self._deadline = deadline
        self.max_ids_per_request = max_ids_per_request
        self.max_concurrency = max_concurrency

    @classmethod
    def from_project_key(
        cls, source: str | os.PathLike[str] | Mapping[str, Any], **kwargs: Any
    ) -> Self:
        """A client from a Streamkap project key (a JSON file path, or its parsed content)."""
        return cls(**{**read_project_key(source), **kwargs})

    @property
    def base_url(self) -> httpx.URL:
        return self._settings.base_url

    @property
    def token_requests(self) -> int:
        """How many token exchanges and refreshes this client has made."""
        return self._auth.token_requests

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, auth={self._auth!r})"

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self._settings.base_url,
            "auth": self._auth,
            "timeout": self._timeout,
            "headers": {"Accept": "application/json", **self._settings.headers},
            "follow_redirects": True,
        }

    def _flow(self, op: Operation[Any], max_retries: int | None, deadline: float | None) -> Flow:
        policy = self._policy if max_retries is None else RetryPolicy(max_retries=max_retries)
        return attempts(
            policy,
            deadline=self._deadline if deadline is None else deadline,
            what=op.operation_id,
            on_error=self._explain,
        )

    def _explain(self, error: APIStatusError) -> APIStatusError:
        if isinstance(error, AuthenticationError) and not self._auth.can_renew:
            error.args = (
                f"{error.args[0]}; the client has a static access token and no credentials "
                "to renew it with (pass client_id/client_secret to renew automatically)",
            )
        return error


class Metrics(Generic[R]):
    """`client.pipelines` / `client.destinations` on the sync client."""

    def __init__(self, client: StreamkapClient, op: Operation[R]) -> None:
        self._client = client
        self._op: Operation[R] = op

    def metrics(
        self,
        ids: IdList | None = None,
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
        deadline: float | None = None,
        progress: Progress | None = None,
        **params: Unpack[MetricsParams],
    ) -> R:
        """Search metrics for `ids` (any number: large lists are split and merged).

        Raises InvalidParameterError before sending anything when an argument is wrong, and an
        APIError subclass when the API call fails after retries.
        """
        c = self._client
        prepared = prepare(ids, params, max_ids_per_request=c.max_ids_per_request)
        chunks = prepared.chunks(c.max_ids_per_request)

        def one(chunk: list[str]) -> R:
            return c._send(self._op, prepared, chunk, timeout, max_retries, deadline)

        if len(chunks) == 1:
            return one(chunks[0])
        parts: list[R] = []
        workers = min(c.max_concurrency, len(chunks))
        with ThreadPoolExecutor(workers, thread_name_prefix="streamkap-chunk") as pool:
            for done, part in enumerate(pool.map(one, chunks), start=1):
                parts.append(part)
                if progress is not None:
                    progress(done, len(chunks))
        return merge_responses(parts)


class StreamkapClient(_ClientBase):
    """Synchronous client. Use as a context manager, or call close()."""

    pipelines: Metrics[PipelineMetricsRes]
    destinations: Metrics[DestinationMetricsRes]

    def __init__(self, *, transport: httpx.BaseTransport | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._http = httpx.Client(transport=transport, **self._client_kwargs())
        self._sleep: Callable[[float], None] = time.sleep
        self.pipelines = Metrics(self, PIPELINES)
        self.destinations = Metrics(self, DESTINATIONS)

    def _send(
        self,
        op: Operation[R],
        prepared: Prepared,
        ids: list[str],
        timeout: Timeout,
        max_retries: int | None,
        deadline: float | None,
    ) -> R:
        request = self._http.build_request(**request_kwargs(op, prepared, ids))
        per_attempt = self._timeout if timeout is None else _as_timeout(timeout)
        flow = self._flow(op, max_retries, deadline)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    request.extensions["timeout"] = _clamp(per_attempt, step.timeout)
                    try:
                        outcome: httpx.Response | Exception = self._http.send(request)
                    except (httpx.TransportError, APIStatusError) as exc:
                        outcome = exc
                    step = flow.send(outcome)
                else:
                    self._sleep(step.seconds)
                    step = flow.send(None)
        except StopIteration as stop:
            response: httpx.Response = stop.value
        return decode_model(response, op.response_model, what=op.operation_id)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncMetrics(Generic[R]):
    """`client.pipelines` / `client.destinations` on the async client."""

    def __init__(self, client: AsyncStreamkapClient, op: Operation[R]) -> None:
        self._client = client
        self._op: Operation[R] = op

    async def metrics(
        self,
        ids: IdList | None = None,
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
        deadline: float | None = None,
        progress: Progress | None = None,
        **params: Unpack[MetricsParams],
    ) -> R:
        """Search metrics for `ids` (any number: large lists are split and merged)."""
        c = self._client
        prepared = prepare(ids, params, max_ids_per_request=c.max_ids_per_request)
        chunks = prepared.chunks(c.max_ids_per_request)
        if len(chunks) == 1:
            return await c._send(self._op, prepared, chunks[0], timeout, max_retries, deadline)
        gate = asyncio.Semaphore(c.max_concurrency)
        done = 0

        async def one(chunk: list[str]) -> R:
            nonlocal done
            async with gate:
                part = await c._send(self._op, prepared, chunk, timeout, max_retries, deadline)
            done += 1
            if progress is not None:
                progress(done, len(chunks))
            return part

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(chunk)) for chunk in chunks]
        return merge_responses([t.result() for t in tasks])


class AsyncStreamkapClient(_ClientBase):
    """Asynchronous client. Use as an async context manager, or await aclose()."""

    pipelines: AsyncMetrics[PipelineMetricsRes]
    destinations: AsyncMetrics[DestinationMetricsRes]

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._http = httpx.AsyncClient(transport=transport, **self._client_kwargs())
        self._sleep: Callable[[float], Any] = asyncio.sleep
        self.pipelines = AsyncMetrics(self, PIPELINES)
        self.destinations = AsyncMetrics(self, DESTINATIONS)

    async def _send(
        self,
        op: Operation[R],
        prepared: Prepared,
        ids: list[str],
        timeout: Timeout,
        max_retries: int | None,
        deadline: float | None,
    ) -> R:
        request = self._http.build_request(**request_kwargs(op, prepared, ids))
        per_attempt = self._timeout if timeout is None else _as_timeout(timeout)
        flow = self._flow(op, max_retries, deadline)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    request.extensions["timeout"] = _clamp(per_attempt, step.timeout)
                    try:
                        outcome: httpx.Response | Exception = await self._http.send(request)
                    except (httpx.TransportError, APIStatusError) as exc:
                        outcome = exc
                    step = flow.send(outcome)
                else:
                    await self._sleep(step.seconds)
                    step = flow.send(None)
        except StopIteration as stop:
            response: httpx.Response = stop.value
        return decode_model(response, op.response_model, what=op.operation_id)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
