from typing import Literal

SearchDestinationsMetricsSortDirType0 = Literal["asc", "desc"]

SEARCH_DESTINATIONS_METRICS_SORT_DIR_TYPE_0_VALUES: set[
    SearchDestinationsMetricsSortDirType0
] = {
    "asc",
    "desc",
}


def check_search_destinations_metrics_sort_dir_type_0(
    value: str,
) -> SearchDestinationsMetricsSortDirType0:
    if value in SEARCH_DESTINATIONS_METRICS_SORT_DIR_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SEARCH_DESTINATIONS_METRICS_SORT_DIR_TYPE_0_VALUES!r}"
    )
