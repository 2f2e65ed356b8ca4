"""Shared fixtures: a real sandbox server on 127.0.0.1, and clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

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
