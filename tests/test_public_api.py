"""The public surface: each package's `__all__` (kept sorted by ruff's RUF022) is importable."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = [
    "streamkap_sdk",
    "streamkap_sdk.testing",
    "streamkap_sdk.sandbox",
    "streamkap_sdk.exporter",
]


@pytest.mark.parametrize("module_name", PUBLIC)
def test_all_is_importable(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = list(module.__all__)
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(module, name) is not None, f"{module_name}.{name} missing"


def test_every_exported_error_is_a_streamkap_error() -> None:
    import streamkap_sdk

    errors = [
        getattr(streamkap_sdk, n)
        for n in streamkap_sdk.__all__
        if isinstance(getattr(streamkap_sdk, n), type)
        and issubclass(getattr(streamkap_sdk, n), Exception)
        and not issubclass(getattr(streamkap_sdk, n), Warning)
    ]
    assert len(errors) >= 15
    for error in errors:
        assert issubclass(error, streamkap_sdk.StreamkapError), error


def test_public_classes_live_behind_the_package() -> None:
    import streamkap_sdk

    for name in streamkap_sdk.__all__:
        value = getattr(streamkap_sdk, name)
        module = getattr(value, "__module__", "")
        if isinstance(value, type):
            assert module.startswith(("streamkap_sdk", "streamkap_api")), (name, module)


def test_api_version_is_the_one_the_sdk_was_generated_from() -> None:
    """`__api_version__` is the vendored spec's `info.version`, through the generated surface."""
    from pathlib import Path

    import yaml

    import streamkap_sdk
    from streamkap_api.surface import API_VERSION

    spec = Path(__file__).resolve().parents[1] / "openapi" / "streamkap.yaml"
    version = yaml.safe_load(spec.read_text(encoding="utf-8"))["info"]["version"]
    assert streamkap_sdk.__api_version__ == API_VERSION == version
    assert "__api_version__" in streamkap_sdk.__all__
    assert isinstance(streamkap_sdk.__version__, str) and "__version__" in streamkap_sdk.__all__
