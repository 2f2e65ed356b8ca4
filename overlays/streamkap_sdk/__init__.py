"""streamkap-sdk: typed access to Streamkap pipeline and destination metrics.

Public API: everything in `__all__` (the names below and the response models re-exported from
the generated package). Anything under a leading underscore is private and may change.

Each name is imported on first use (PEP 562): `import streamkap_sdk` alone loads only this
file, the version and the STREAMKAP_LOG set-up (the standard library's logging), so the pytest
plugin below it (`streamkap_sdk.testing.plugin`, which pytest loads into every test run of
every project that has the SDK installed) costs those projects nothing until a test uses it.
`from streamkap_sdk import StreamkapClient` imports what the client needs, as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from ._logs import setup_from_env as _setup_logging_from_env  # light: the standard library
from ._version import __version__ as __version__

if TYPE_CHECKING:  # what the lazy imports below give, for type checkers
    from streamkap_api.resources import *  # noqa: F403  (the response models)
    from streamkap_api.resources import RawResponse as RawResponse

    from ._access import MissingFieldError as MissingFieldError
    from ._access import entities as entities
    from ._access import present as present
    from ._auth import Credentials as Credentials
    from ._client import DEFAULT_MAX_CONCURRENCY as DEFAULT_MAX_CONCURRENCY
    from ._client import DEFAULT_MAX_IDS_PER_REQUEST as DEFAULT_MAX_IDS_PER_REQUEST
    from ._client import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
    from ._client import AsyncStreamkapClient as AsyncStreamkapClient
    from ._client import ClientOptions as ClientOptions
    from ._client import StreamkapClient as StreamkapClient
    from ._client import WithOptions as WithOptions
    from ._errors import APIConnectionError as APIConnectionError
    from ._errors import APIError as APIError
    from ._errors import APIStatusError as APIStatusError
    from ._errors import APITimeoutError as APITimeoutError
    from ._errors import AuthenticationError as AuthenticationError
    from ._errors import BadRequestError as BadRequestError
    from ._errors import ClientClosedError as ClientClosedError
    from ._errors import ConfigurationError as ConfigurationError
    from ._errors import InternalServerError as InternalServerError
    from ._errors import InvalidParameterError as InvalidParameterError
    from ._errors import MalformedResponseError as MalformedResponseError
    from ._errors import NotFoundError as NotFoundError
    from ._errors import PermissionDeniedError as PermissionDeniedError
    from ._errors import RateLimitError as RateLimitError
    from ._errors import RedirectError as RedirectError
    from ._errors import ResponseTooLargeError as ResponseTooLargeError
    from ._errors import StreamkapError as StreamkapError
    from ._errors import UnprocessableEntityError as UnprocessableEntityError
    from ._errors import ValidationErrorItem as ValidationErrorItem
    from ._export import MetricRecord as MetricRecord
    from ._export import MissingDependencyError as MissingDependencyError
    from ._export import to_dataframe as to_dataframe
    from ._export import to_records as to_records
    from ._merge import ChunkConflictError as ChunkConflictError
    from ._merge import DroppedAggregateWarning as DroppedAggregateWarning
    from ._params import ParameterOverrideWarning as ParameterOverrideWarning
    from ._params import effective_parameters as effective_parameters
    from ._params import normalize_id_list as normalize_id_list
    from ._retry import DEFAULT_MAX_RETRIES as DEFAULT_MAX_RETRIES
    from ._retry import RetryPolicy as RetryPolicy

    #: The version of the Streamkap API this SDK was generated from (the spec's info.version).
    __api_version__: str

#: The module of each public name (the response models and __api_version__ aside), relative
#: to this package.
_EXPORTS: Final = {
    "._access": ("MissingFieldError", "entities", "present"),
    "._auth": ("Credentials",),
    "._client": (
        "DEFAULT_MAX_CONCURRENCY",
        "DEFAULT_MAX_IDS_PER_REQUEST",
        "DEFAULT_TIMEOUT",
        "AsyncStreamkapClient",
        "ClientOptions",
        "StreamkapClient",
        "WithOptions",
    ),
    "._errors": (
        "APIConnectionError",
        "APIError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ClientClosedError",
        "ConfigurationError",
        "InternalServerError",
        "InvalidParameterError",
        "MalformedResponseError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "RedirectError",
        "ResponseTooLargeError",
        "StreamkapError",
        "UnprocessableEntityError",
        "ValidationErrorItem",
    ),
    "._export": ("MetricRecord", "MissingDependencyError", "to_dataframe", "to_records"),
    "._merge": ("ChunkConflictError", "DroppedAggregateWarning"),
    "._params": ("ParameterOverrideWarning", "effective_parameters", "normalize_id_list"),
    "._retry": ("DEFAULT_MAX_RETRIES", "RetryPolicy"),
    "streamkap_api.resources": ("RawResponse",),
}
_MODULE_OF: Final = {name: module for module, names in _EXPORTS.items() for name in names}


def _response_models() -> tuple[str, ...]:
    from streamkap_api.resources import RESPONSE_MODELS

    return RESPONSE_MODELS


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module, __name__), name)
    elif name == "__all__":  # in the order of ruff's RUF022 (constants, classes, the rest)
        names = [*_MODULE_OF, "__api_version__", "__version__", *_response_models()]
        value = sorted(names, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
    elif name == "__api_version__":
        from streamkap_api.surface import API_VERSION as value
    elif not name.startswith("_") and name in _response_models():
        value = getattr(importlib.import_module("streamkap_api.models"), name)
    else:  # probes such as __wrapped__ or __path__ stay cheap: nothing is imported for them
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # the next lookup finds it without calling this
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__getattr__("__all__")})


_setup_logging_from_env()  # STREAMKAP_LOG=info|debug (README: logging)
