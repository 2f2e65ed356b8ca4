"""Contains all the data models used in inputs/outputs"""

from .destination_base_metrics import DestinationBaseMetrics
from .destination_latest_metrics import DestinationLatestMetrics
from .destination_metrics_req_body import DestinationMetricsReqBody
from .destination_metrics_res import DestinationMetricsRes
from .destination_metrics_res_account_metrics_type_0 import (
    DestinationMetricsResAccountMetricsType0,
)
from .destination_metrics_res_connector_metrics_type_0 import (
    DestinationMetricsResConnectorMetricsType0,
)
from .destination_metrics_res_inline_metrics_type_0 import (
    DestinationMetricsResInlineMetricsType0,
)
from .destination_metrics_res_task_metrics_type_0 import (
    DestinationMetricsResTaskMetricsType0,
)
from .destination_metrics_res_task_metrics_type_0_additional_property import (
    DestinationMetricsResTaskMetricsType0AdditionalProperty,
)
from .destination_metrics_res_topic_metrics_type_0 import (
    DestinationMetricsResTopicMetricsType0,
)
from .destination_metrics_res_topic_metrics_type_0_additional_property import (
    DestinationMetricsResTopicMetricsType0AdditionalProperty,
)
from .destination_timeseries_metrics import DestinationTimeseriesMetrics
from .destination_timesummary_metrics import DestinationTimesummaryMetrics
from .http_validation_error import HTTPValidationError
from .pipeline_base_metrics import PipelineBaseMetrics
from .pipeline_latest_metrics import PipelineLatestMetrics
from .pipeline_metrics_req_body import PipelineMetricsReqBody
from .pipeline_metrics_res import PipelineMetricsRes
from .pipeline_metrics_res_account_metrics_type_0 import (
    PipelineMetricsResAccountMetricsType0,
)
from .pipeline_metrics_res_connector_metrics_type_0 import (
    PipelineMetricsResConnectorMetricsType0,
)
from .pipeline_metrics_res_inline_metrics_type_0 import (
    PipelineMetricsResInlineMetricsType0,
)
from .pipeline_metrics_res_task_metrics_type_0 import PipelineMetricsResTaskMetricsType0
from .pipeline_metrics_res_task_metrics_type_0_additional_property import (
    PipelineMetricsResTaskMetricsType0AdditionalProperty,
)
from .pipeline_metrics_res_topic_metrics_type_0 import (
    PipelineMetricsResTopicMetricsType0,
)
from .pipeline_metrics_res_topic_metrics_type_0_additional_property import (
    PipelineMetricsResTopicMetricsType0AdditionalProperty,
)
from .pipeline_timeseries_metrics import PipelineTimeseriesMetrics
from .pipeline_timesummary_metrics import PipelineTimesummaryMetrics
from .search_destinations_metrics_sort_dir_type_0 import (
    SearchDestinationsMetricsSortDirType0,
)
from .search_pipelines_metrics_sort_dir_type_0 import SearchPipelinesMetricsSortDirType0
from .timeseries_entry import TimeseriesEntry
from .validation_error import ValidationError
from .validation_error_context import ValidationErrorContext

__all__ = (
    "DestinationBaseMetrics",
    "DestinationLatestMetrics",
    "DestinationMetricsReqBody",
    "DestinationMetricsRes",
    "DestinationMetricsResAccountMetricsType0",
    "DestinationMetricsResConnectorMetricsType0",
    "DestinationMetricsResInlineMetricsType0",
    "DestinationMetricsResTaskMetricsType0",
    "DestinationMetricsResTaskMetricsType0AdditionalProperty",
    "DestinationMetricsResTopicMetricsType0",
    "DestinationMetricsResTopicMetricsType0AdditionalProperty",
    "DestinationTimeseriesMetrics",
    "DestinationTimesummaryMetrics",
    "HTTPValidationError",
    "PipelineBaseMetrics",
    "PipelineLatestMetrics",
    "PipelineMetricsReqBody",
    "PipelineMetricsRes",
    "PipelineMetricsResAccountMetricsType0",
    "PipelineMetricsResConnectorMetricsType0",
    "PipelineMetricsResInlineMetricsType0",
    "PipelineMetricsResTaskMetricsType0",
    "PipelineMetricsResTaskMetricsType0AdditionalProperty",
    "PipelineMetricsResTopicMetricsType0",
    "PipelineMetricsResTopicMetricsType0AdditionalProperty",
    "PipelineTimeseriesMetrics",
    "PipelineTimesummaryMetrics",
    "SearchDestinationsMetricsSortDirType0",
    "SearchPipelinesMetricsSortDirType0",
    "TimeseriesEntry",
    "ValidationError",
    "ValidationErrorContext",
)
