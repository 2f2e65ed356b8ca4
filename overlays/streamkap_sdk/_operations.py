"""The two generated operations, described once so both resources share one code path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from streamkap_api.api.destinations import search_destinations_metrics as _destinations
from streamkap_api.api.pipelines import search_pipelines_metrics as _pipelines
from streamkap_api.models import (
    DestinationMetricsReqBody,
    DestinationMetricsRes,
    PipelineMetricsReqBody,
    PipelineMetricsRes,
)

R = TypeVar("R", PipelineMetricsRes, DestinationMetricsRes)


@dataclass(frozen=True, slots=True)
class Operation(Generic[R]):
    operation_id: str
    # The generated request builder: the overlay sends and decodes itself, because the generated
    # `sync_detailed` parses the body before we can see the status, headers or malformed JSON.
    build_kwargs: Callable[..., dict[str, Any]]
    body_model: type[PipelineMetricsReqBody] | type[DestinationMetricsReqBody]
    response_model: type[R]


PIPELINES: Operation[PipelineMetricsRes] = Operation(
    "searchPipelinesMetrics", _pipelines._get_kwargs, PipelineMetricsReqBody, PipelineMetricsRes
)
DESTINATIONS: Operation[DestinationMetricsRes] = Operation(
    "searchDestinationsMetrics",
    _destinations._get_kwargs,
    DestinationMetricsReqBody,
    DestinationMetricsRes,
)
