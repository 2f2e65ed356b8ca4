"""What the exporter knows about the API, all of it read off the spec: the one adapter.

`resources()` says, per metrics operation, the client resource, the singular entity, the entity
maps keyed by one entity id, and the fields of its latest-metrics schema, from
`streamkap_api.surface` (generated from the spec). Nothing else in the exporter names a
resource, an entity map or a metric, so a metric the spec adds is exported after
`make generate`, with no code change.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

__all__ = ["LATEST", "MetricField", "Resource", "resources"]

#: The time type the exporter asks for, and the block of each entity's metrics holding it.
LATEST: Final = "latest"


@dataclass(frozen=True, slots=True)
class MetricField:
    """One property of a latest-metrics schema (what the exporter uses of the surface's)."""

    name: str  # snake_case attribute, e.g. "records_lag"
    wire: str  # JSON key, e.g. "recordsLag"
    types: tuple[str, ...]  # JSON types besides null, e.g. ("integer", "string")
    title: str  # the spec's title, e.g. "Recordslag"
    description: str


@dataclass(frozen=True, slots=True)
class Resource:
    """One metrics operation as the exporter uses it."""

    resource: str  # the client attribute, e.g. "pipelines"
    entity: str  # singular, for metric and label names, e.g. "pipeline"
    maps: tuple[str, ...]  # JSON keys of the entity maps keyed by one entity id, spec order
    fields: tuple[MetricField, ...]  # the latest-metrics schema's properties, spec order


@functools.cache
def resources() -> tuple[Resource, ...]:
    """Every metrics operation, in registry order."""
    from streamkap_api import surface

    return tuple(
        Resource(
            resource=op.resource,
            entity=op.entity,
            maps=tuple(m.wire for m in op.entity_maps if m.per_entity and m.depth == 1),
            fields=tuple(
                MetricField(f.name, f.wire, f.types, f.title, f.description)
                for f in op.metrics[LATEST]
                if not f.series
            ),
        )
        for op in surface.OPERATIONS
        if LATEST in op.metrics
    )
