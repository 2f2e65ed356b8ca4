"""Shared fixtures: a real sandbox server on 127.0.0.1, and clients pointed at it.

The async client's tests run on both HTTP backends: in the modules of `BACKEND_MODULES`, every
test that runs an AsyncStreamkapClient runs once with httpx and once with aiohttp (`[httpx-...]`,
`[aiohttp-...]`), the second with `http_backend="aiohttp"` the default of every
AsyncStreamkapClient the test (or its fixtures) builds. A test runs an async client when it is
parametrized "async" (the sync/async fixtures and `mode` parameters), or, when not parametrized
either way, when it is a coroutine or its code names AsyncStreamkapClient or `async_client`.
Only tests that hand the client an httpx transport (`transport=`) skip on aiohttp, saying so.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from streamkap_sdk import AsyncStreamkapClient, StreamkapClient
from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Engine, Sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One uvicorn sandbox for the session; `engine` resets it before each test."""
    with Sandbox() as server:
        yield server


@pytest.fixture
def engine(sandbox: Sandbox) -> Engine:
    sandbox.engine.reset()
    sandbox.engine.token_lifetime = 3600.0
    return sandbox.engine


@pytest.fixture(autouse=True)
def _no_streamkap_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real credentials from the environment."""
    for name in (
        "STREAMKAP_CLIENT_ID", "STREAMKAP_SECRET", "STREAMKAP_HOST", "STREAMKAP_ACCESS_TOKEN",
        "STREAMKAP_ADMIN_TENANT_ID", "STREAMKAP_ADMIN_SERVICE_ID",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def credentials(sandbox: Sandbox) -> dict[str, str]:
    return {
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "base_url": sandbox.url,
    }


@pytest.fixture
def client(engine: Engine, credentials: dict[str, str]) -> Iterator[StreamkapClient]:
    with StreamkapClient(**credentials) as c:
        yield c


@pytest.fixture
async def async_client(
    engine: Engine, credentials: dict[str, str]
) -> AsyncIterator[AsyncStreamkapClient]:
    async with AsyncStreamkapClient(**credentials) as c:
        yield c


# -- both backends ------------------------------------------------------------------------------

BACKEND_MODULES = frozenset(
    {
        "test_auth_sandbox",
        "test_chunking",
        "test_clients",
        "test_error_graphs",
        "test_fault_matrix",
        "test_faults",
        "test_params",
        "test_retry_policy",
        "test_secrets",
        "test_service_fit",
    }
)
BACKENDS = ("httpx", "aiohttp")
_TRANSPORT_SKIP = (
    "injects an httpx transport (transport=), which http_backend='aiohttp' refuses: it does not "
    "send through httpx; this test runs on the httpx backend"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.module.__name__ in BACKEND_MODULES and "http_backend" in metafunc.fixturenames:
        # module scope: module-scoped fixtures building clients are built once per backend
        metafunc.parametrize("http_backend", BACKENDS, indirect=True, scope="module")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the aiohttp variant of every test that runs no async client."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("http_backend") == "aiohttp" and not _runs_async_client(item, params):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _runs_async_client(item: pytest.Item, params: dict[str, Any]) -> bool:
    modes = {v for k, v in params.items() if k != "http_backend" and v in ("sync", "async")}
    if modes:
        return "async" in modes
    function = getattr(item, "function", None)
    if function is None:
        return False
    if inspect.iscoroutinefunction(function) or "async_client" in getattr(item, "fixturenames", ()):
        return True
    try:
        return "AsyncStreamkapClient" in inspect.getsource(function)
    except (OSError, TypeError):
        return False


@pytest.fixture(scope="module", autouse=True)
def http_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """The backend AsyncStreamkapClient uses by default here (see the module docstring)."""
    backend: str = getattr(request, "param", "httpx")
    if backend == "httpx":
        yield backend
        return
    original = AsyncStreamkapClient.__init__

    def init(
        self: AsyncStreamkapClient,
        *,
        transport: Any = None,
        http_backend: Any = backend,
        **options: Any,
    ) -> None:
        if transport is not None:
            pytest.skip(_TRANSPORT_SKIP)
        if options.get("http_client") is not None:
            pytest.skip("passes an own httpx.AsyncClient, which http_backend='aiohttp' refuses")
        original(self, http_backend=http_backend, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncStreamkapClient, "__init__", init)
        yield backend
