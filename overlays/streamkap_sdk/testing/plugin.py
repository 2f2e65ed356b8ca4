"""pytest plugin: the `streamkap_fake` fixture.

Registered through the `pytest11` entry point, so installing the SDK is enough. Override the
fixture in your conftest.py to change its settings, e.g. `return FakeStreamkap(seed=7)`.
"""

from __future__ import annotations

import pytest

from ._fake import FakeStreamkap


@pytest.fixture
def streamkap_fake() -> FakeStreamkap:
    """A fresh in-process fake Streamkap API (`streamkap_sdk.testing.FakeStreamkap`)."""
    return FakeStreamkap()
