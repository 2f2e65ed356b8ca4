"""pytest plugin: the `streamkap_fake` fixture.

Registered through the `pytest11` entry point, so installing the SDK is enough. Override the
fixture in your conftest.py to change its settings, e.g. `return FakeStreamkap(seed=7)`.

pytest loads this module into every test run of every project with the SDK installed, most of
which never ask for the fixture: it imports nothing but pytest (already loaded) until a test
does (`tests/test_plugin_cost.py` checks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._fake import FakeStreamkap


@pytest.fixture
def streamkap_fake() -> FakeStreamkap:
    """A fresh in-process fake Streamkap API (`streamkap_sdk.testing.FakeStreamkap`)."""
    from ._fake import FakeStreamkap  # the SDK, httpx and the engine: on first use only

    return FakeStreamkap()
