"""mypy --strict must accept this in the additively mutated copy (new parameters, value, metric,
entity map and resource, all typed)."""

from __future__ import annotations

from streamkap_sdk import StreamkapClient, entities, present


def use(client: StreamkapClient) -> int:
    client.pipelines.metrics(["a"], metric_names="latency", time_type="realtime")
    client.pipelines.metrics(["a"], metric_names="errors", include_paused=True, min_lag=2.5)
    client.pipelines.metrics(["a"], min_lag=3)
    result = client.topics.metrics(["t"])
    latest = present(entities(client.pipelines.metrics(["a"]).connector_metrics)["a"].latest)
    backlog: int = present(latest.backlog_bytes)
    partitions = entities(client.pipelines.metrics(["a"]).partition_metrics)
    return backlog + len(partitions) + len(entities(result.connector_metrics))
