from typing import Literal

SearchPipelinesMetricsSortDirType0 = Literal["asc", "desc"]

SEARCH_PIPELINES_METRICS_SORT_DIR_TYPE_0_VALUES: set[
    SearchPipelinesMetricsSortDirType0
] = {
    "asc",
    "desc",
}


def check_search_pipelines_metrics_sort_dir_type_0(
    value: str,
) -> SearchPipelinesMetricsSortDirType0:
    if value in SEARCH_PIPELINES_METRICS_SORT_DIR_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SEARCH_PIPELINES_METRICS_SORT_DIR_TYPE_0_VALUES!r}"
    )
