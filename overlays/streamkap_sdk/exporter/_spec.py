"""What the exporter knows about the API, all of it read off the spec: the one adapter.

`resources()` says, per metrics operation, the client resource, the singular entity, the entity
maps keyed by one entity id, how to ask for the current values, and the metrics of that block,
from `streamkap_api.surface` (generated from the spec and its knowledge table). Nothing else in
the exporter names a resource, an entity map, a parameter or a metric, so a metric or an
operation the spec adds is exported after `make generate`, with no code change.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = ["MetricField", "Resource", "resources"]


@dataclass(frozen=True, slots=True)
class MetricField:
    """One metric of the block exported (what the exporter uses of the surface's)."""

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
    block: str  # the metrics block exported, e.g. "latest" (also its key in the answer)
    block_param: str  # the keyword asking for it, e.g. "time_type"
    fields: tuple[MetricField, ...]  # the block's metrics, spec order


@functools.cache
def resources() -> tuple[Resource, ...]:
    """Every metrics operation, in registry order, exporting the block the API answers with
    when none is asked for (its current values; `latest` per the knowledge table)."""
    from streamkap_api import surface

    found: list[Resource] = []
    for op in surface.OPERATIONS:
        param = op.with_role("block")
        if param is None or param.default is None or param.default not in op.metrics:
            continue
        found.append(
            Resource(
                resource=op.resource,
                entity=op.entity,
                maps=tuple(m.wire for m in op.entity_maps if m.per_entity and m.depth == 1),
                block=param.default,
                block_param=param.name,
                fields=tuple(
                    MetricField(f.name, f.wire, f.types, f.title, f.description)
                    for f in op.metrics[param.default]
                    if not f.series
                ),
            )
        )
    return tuple(found)
