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
