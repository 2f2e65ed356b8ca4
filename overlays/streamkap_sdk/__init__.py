"""streamkap-sdk: typed access to Streamkap pipeline and destination metrics.

Public API: everything in `__all__` below (and the response models re-exported from the
generated package). Anything under a leading underscore is private and may change.
"""

from typing import TYPE_CHECKING

from streamkap_api.resources import RESPONSE_MODELS, RawResponse

from ._access import MissingFieldError, entities, present
from ._auth import Credentials
from ._client import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_IDS_PER_REQUEST,
    DEFAULT_TIMEOUT,
    AsyncStreamkapClient,
    ClientOptions,
    StreamkapClient,
    WithOptions,
)
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    InternalServerError,
    InvalidParameterError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    ResponseTooLargeError,
    StreamkapError,
    UnprocessableEntityError,
    ValidationErrorItem,
)
from ._export import MetricRecord, MissingDependencyError, to_dataframe, to_records
from ._logs import setup_from_env as _setup_logging_from_env
from ._merge import ChunkConflictError, DroppedAggregateWarning
from ._params import ParameterOverrideWarning, effective_parameters, normalize_id_list
from ._retry import DEFAULT_MAX_RETRIES, RetryPolicy
from ._version import __version__

if TYPE_CHECKING:  # the response models, by the names the generated resources export
    from streamkap_api.resources import *  # noqa: F403

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_IDS_PER_REQUEST",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncStreamkapClient",
    "AuthenticationError",
    "BadRequestError",
    "ClientOptions",
    "ChunkConflictError",
    "ClientClosedError",
    "ConfigurationError",
    "Credentials",
    "DroppedAggregateWarning",
    "InternalServerError",
    "InvalidParameterError",
    "MalformedResponseError",
    "MetricRecord",
    "MissingDependencyError",
    "MissingFieldError",
    "NotFoundError",
    "ParameterOverrideWarning",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "RedirectError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "StreamkapClient",
    "StreamkapError",
    "UnprocessableEntityError",
    "ValidationErrorItem",
    "WithOptions",
    "__version__",
    "effective_parameters",
    "entities",
    "normalize_id_list",
    "present",
    "to_dataframe",
    "to_records",
    *RESPONSE_MODELS,
]


def __getattr__(name: str) -> object:
    # The response models are imported on first use: see `_operations` on import time.
    if name in RESPONSE_MODELS:
        from streamkap_api import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_setup_logging_from_env()  # STREAMKAP_LOG=info|debug (README: logging)
