"""The two generated operations, described once so both resources share one code path.

`PIPELINES` and `DESTINATIONS` are built on first access (module `__getattr__`), and with them
the generated package is imported: that and attrs were two thirds of `import streamkap_sdk`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from streamkap_api.models import (
        DestinationMetricsReqBody,
        DestinationMetricsRes,
        PipelineMetricsReqBody,
        PipelineMetricsRes,
    )

R = TypeVar("R", "PipelineMetricsRes", "DestinationMetricsRes")


@dataclass(frozen=True, slots=True)
class Operation(Generic[R]):
    operation_id: str
    # The generated request builder: the overlay sends and decodes itself, because the generated
    # `sync_detailed` parses the body before we can see the status, headers or malformed JSON.
    build_kwargs: Callable[..., dict[str, Any]]
    body_model: type[PipelineMetricsReqBody] | type[DestinationMetricsReqBody]
    response_model: type[R]


if TYPE_CHECKING:
    PIPELINES: Operation[PipelineMetricsRes]
    DESTINATIONS: Operation[DestinationMetricsRes]


def __getattr__(name: str) -> Operation[Any]:
    if name not in ("PIPELINES", "DESTINATIONS"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from streamkap_api.api.destinations import search_destinations_metrics as _destinations
    from streamkap_api.api.pipelines import search_pipelines_metrics as _pipelines
    from streamkap_api.models import (
        DestinationMetricsReqBody,
        DestinationMetricsRes,
        PipelineMetricsReqBody,
        PipelineMetricsRes,
    )

    operations: dict[str, Operation[Any]] = {
        "PIPELINES": Operation(
            "searchPipelinesMetrics",
            _pipelines._get_kwargs,
            PipelineMetricsReqBody,
            PipelineMetricsRes,
        ),
        "DESTINATIONS": Operation(
            "searchDestinationsMetrics",
            _destinations._get_kwargs,
            DestinationMetricsReqBody,
            DestinationMetricsRes,
        ),
    }
    globals().update(operations)  # later accesses find them without __getattr__
    return operations[name]
