"""A Prometheus exporter for Streamkap metrics: `streamkap-metrics serve`.

    streamkap-metrics serve --pipelines p1,p2 --destinations d1
    python -m streamkap_sdk.exporter --pipelines p1,p2 --destinations d1   # the same

Serves `/metrics` (the Prometheus text format) and `/healthz` on 127.0.0.1:9464 by default, from
a snapshot a background refresh replaces every `--interval` seconds. `Exporter` is the same
service as a class, for embedding. Needs the `exporter` extra (prometheus-client); without it,
`main` says so in one line and importing `Exporter` raises MissingDependencyError.
"""

from typing import TYPE_CHECKING

from ._cli import main

if TYPE_CHECKING:
    from ._service import DEFAULT_INTERVAL, DEFAULT_PORT, Exporter

__all__ = ["DEFAULT_INTERVAL", "DEFAULT_PORT", "Exporter", "main"]


def __getattr__(name: str) -> object:
    # prometheus-client comes with the optional extra: import it only when asked for.
    if name in ("DEFAULT_INTERVAL", "DEFAULT_PORT", "Exporter"):
        from .._export import MissingDependencyError
        from ._cli import EXPORTER_HINT

        try:
            from . import _service
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] != "prometheus_client":
                raise
            raise MissingDependencyError(EXPORTER_HINT) from exc
        return getattr(_service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
