"""Contains all the data models used in inputs/outputs"""

from .destination_base_metrics import DestinationBaseMetrics
from .destination_latest_metrics import DestinationLatestMetrics
from .destination_metrics_req_body import DestinationMetricsReqBody
from .destination_metrics_res import DestinationMetricsRes
from .destination_metrics_res_account_metrics import DestinationMetricsResAccountMetrics
from .destination_metrics_res_connector_metrics import (
    DestinationMetricsResConnectorMetrics,
)
from .destination_metrics_res_inline_metrics import DestinationMetricsResInlineMetrics
from .destination_metrics_res_task_metrics import DestinationMetricsResTaskMetrics
from .destination_metrics_res_task_metrics_entry import (
    DestinationMetricsResTaskMetricsEntry,
)
from .destination_metrics_res_topic_metrics import DestinationMetricsResTopicMetrics
from .destination_metrics_res_topic_metrics_entry import (
    DestinationMetricsResTopicMetricsEntry,
)
from .destination_timeseries_metrics import DestinationTimeseriesMetrics
from .destination_timesummary_metrics import DestinationTimesummaryMetrics
from .http_validation_error import HTTPValidationError
from .pipeline_base_metrics import PipelineBaseMetrics
from .pipeline_latest_metrics import PipelineLatestMetrics
from .pipeline_metrics_req_body import PipelineMetricsReqBody
from .pipeline_metrics_res import PipelineMetricsRes
from .pipeline_metrics_res_account_metrics import PipelineMetricsResAccountMetrics
from .pipeline_metrics_res_connector_metrics import PipelineMetricsResConnectorMetrics
from .pipeline_metrics_res_inline_metrics import PipelineMetricsResInlineMetrics
from .pipeline_metrics_res_task_metrics import PipelineMetricsResTaskMetrics
from .pipeline_metrics_res_task_metrics_entry import PipelineMetricsResTaskMetricsEntry
from .pipeline_metrics_res_topic_metrics import PipelineMetricsResTopicMetrics
from .pipeline_metrics_res_topic_metrics_entry import (
    PipelineMetricsResTopicMetricsEntry,
)
from .pipeline_timeseries_metrics import PipelineTimeseriesMetrics
from .pipeline_timesummary_metrics import PipelineTimesummaryMetrics
from .sort_dir import SortDir
from .timeseries_entry import TimeseriesEntry
from .validation_error import ValidationError
from .validation_error_context import ValidationErrorContext

__all__ = (
    "DestinationBaseMetrics",
    "DestinationLatestMetrics",
    "DestinationMetricsReqBody",
    "DestinationMetricsRes",
    "DestinationMetricsResAccountMetrics",
    "DestinationMetricsResConnectorMetrics",
    "DestinationMetricsResInlineMetrics",
    "DestinationMetricsResTaskMetrics",
    "DestinationMetricsResTaskMetricsEntry",
    "DestinationMetricsResTopicMetrics",
    "DestinationMetricsResTopicMetricsEntry",
    "DestinationTimeseriesMetrics",
    "DestinationTimesummaryMetrics",
    "HTTPValidationError",
    "PipelineBaseMetrics",
    "PipelineLatestMetrics",
    "PipelineMetricsReqBody",
    "PipelineMetricsRes",
    "PipelineMetricsResAccountMetrics",
    "PipelineMetricsResConnectorMetrics",
    "PipelineMetricsResInlineMetrics",
    "PipelineMetricsResTaskMetrics",
    "PipelineMetricsResTaskMetricsEntry",
    "PipelineMetricsResTopicMetrics",
    "PipelineMetricsResTopicMetricsEntry",
    "PipelineTimeseriesMetrics",
    "PipelineTimesummaryMetrics",
    "SortDir",
    "TimeseriesEntry",
    "ValidationError",
    "ValidationErrorContext",
)
