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
