"""mypy --strict must reject each line that ends in an error marker, in the mutated copy."""

from __future__ import annotations

from streamkap_sdk import StreamkapClient


def use(client: StreamkapClient) -> None:
    client.pipelines.metrics(["a"], metric_names="bogus")  # E: arg-type
    client.pipelines.metrics(["a"], time_type="hourly")  # E: arg-type
    client.destinations.metrics(["a"], metric_names="latency")  # E: arg-type
    client.pipelines.metrics(["a"], include_paused="banana")  # E: arg-type
    client.pipelines.metrics(["a"], min_lag="2.5")  # E: arg-type
