"""What the exporter knows about the API, all of it read off the spec: the one adapter.

`resources()` says, per metrics operation, the client resource, the singular entity, the entity
maps keyed by one entity id, and the fields of its latest-metrics schema. Nothing else in the
exporter names a resource, an entity map or a metric, so a metric the spec adds is exported
after `make generate`, with no code change.

Until `streamkap_api.surface` (the spec-derived surface) is generated, this reads the same facts
off the generated models: field names and JSON keys from the attrs classes and their `to_dict`,
JSON types from the annotations, and titles by the rule the spec's generator (FastAPI/pydantic)
gives untitled properties. Switching to the surface changes this module only.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["LATEST", "MetricField", "Resource", "resources"]

#: The time type the exporter asks for, and the block of each entity's metrics holding it.
LATEST: Final = "latest"


@dataclass(frozen=True, slots=True)
class MetricField:
    """One property of a latest-metrics schema (the surface's `MetricField`)."""

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
    return tuple(_from_models(*operation) for operation in _STAND_IN)


# -- stand-in until `streamkap_api.surface` is generated -----------------------------------

# (resource, entity, response model) of each operation, and the response maps that aggregate
# rather than answer per id: the surface's `Operation.resource` / `.entity` /
# `.response_model` and `EntityMap.per_entity`, which the generated models do not carry.
_STAND_IN: Final = (
    ("pipelines", "pipeline", "PipelineMetricsRes"),
    ("destinations", "destination", "DestinationMetricsRes"),
)
_AGGREGATES: Final = frozenset({"account_metrics"})

_JSON_TYPES: Final[dict[type, str]] = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def _from_models(resource: str, entity: str, response_model: str) -> Resource:
    from streamkap_api import models

    response = getattr(models, response_model)
    maps: list[str] = []
    latest_model: type | None = None
    for name, wire in _wire_names(response).items():
        if name in _AGGREGATES:
            continue
        map_class = _model_in(_hints(response)[name])
        value = _model_in(typing.get_args(_hints(map_class)["additional_properties"])[1])
        if LATEST in _wire_names(value).values():  # depth 1: id -> the metrics blocks
            maps.append(wire)
            latest_model = _model_in(_hints(value)[_attribute(value, LATEST)])
    if latest_model is None:
        raise RuntimeError(f"{response_model}: no entity map of latest metrics")
    hints = _hints(latest_model)
    fields = tuple(
        MetricField(
            name=name,
            wire=wire,
            types=tuple(_JSON_TYPES[t] for t in _members(hints[name]) if t in _JSON_TYPES),
            title=_pydantic_title(wire),
            description="",
        )
        for name, wire in _wire_names(latest_model).items()
    )
    return Resource(resource, entity, tuple(maps), fields)


def _hints(model: type) -> dict[str, Any]:
    from streamkap_api import models

    return typing.get_type_hints(model, localns=vars(models))


def _members(annotation: Any) -> tuple[Any, ...]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return typing.get_args(annotation)
    return (annotation,)


def _model_in(annotation: Any) -> type:
    """The generated model class in `X | None | Unset`."""
    import attrs

    found = [t for t in _members(annotation) if isinstance(t, type) and attrs.has(t)]
    if len(found) != 1:
        raise RuntimeError(f"expected one generated model in {annotation!r}")
    return found[0]


def _wire_names(model: type) -> dict[str, str]:
    """attribute -> JSON key, in declaration order, from what `to_dict` writes for each."""
    import attrs

    names = [f.name for f in attrs.fields(model) if f.init]
    marked = model(**{name: index for index, name in enumerate(names)}).to_dict()
    return {names[index]: wire for wire, index in marked.items()}


def _attribute(model: type, wire: str) -> str:
    return next(name for name, key in _wire_names(model).items() if key == wire)


def _pydantic_title(wire: str) -> str:
    """The title pydantic gives a property without one: `recordsLag` -> `Recordslag`."""
    return wire.title().replace("_", " ")
