"""Small helpers shared by several test modules (pytest puts tests/ on sys.path)."""

from __future__ import annotations


class FakeClock:
    """Monotonic seconds that only move when a test says so (for the sandbox and the client)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def metric_names(resource: str, block: str = "latest") -> tuple[str, ...]:
    """The wire names of a resource's metrics in one block, from the generated surface."""
    from streamkap_api.surface import operation

    return tuple(field.wire for field in operation(resource).metrics[block])


PIPELINE_SERIES = metric_names("pipelines")
DESTINATION_SERIES = metric_names("destinations", "timeseries")


def served_aggregations(resource: str, level: str | None = None) -> list[str]:
    """The per-entity aggregations the sandbox answers with for `level` (its default when None):
    the map the level selects plus any map no level selects (a map the spec added), in the
    order `to_records` walks them. Derived from the surface, so tests follow spec updates."""
    from streamkap_api.surface import operation

    op = operation(resource)
    selector = next(p for p in op.query if p.selects)
    chosen = selector.selects.get(level or selector.default or "")
    claimed = set(selector.selects.values())
    return [
        m.wire.removesuffix("_metrics")
        for m in op.entity_maps
        if m.per_entity and (m.wire == chosen or m.wire not in claimed)
    ]


def failing_call(url: str) -> None:
    """For a ProcessPoolExecutor worker: a call that the sandbox at `url` fails with a 503."""
    import httpx

    from streamkap_sdk import StreamkapClient
    from streamkap_sdk.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    httpx.post(f"{url}/_sandbox/faults", json={"status": 503, "detail": "down"}, timeout=5)
    with StreamkapClient(
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        base_url=url,
        max_retries=0,
    ) as client:
        client.pipelines.metrics(["p1"])


def square(n: int) -> int:
    return n * n
