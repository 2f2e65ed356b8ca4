"""The operations the SDK serves, as the generated surface describes them.

Everything spec-shaped (operation ids, paths, parameters, models, entity maps, metrics) comes from
`streamkap_api.surface`, generated from the spec and openapi/knowledge.yaml; this module only
resolves the generated names it holds (request builder, body and response models) on first use,
because importing the models (and attrs) is two thirds of `import streamkap_sdk`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from streamkap_api.surface import (
    OPERATIONS,
    EntityMap,
    MetricField,
    Operation,
    QueryParam,
    operation,
)

__all__ = [
    "OPERATIONS",
    "EntityMap",
    "MetricField",
    "Operation",
    "QueryParam",
    "R",
    "body_model",
    "build_kwargs",
    "operation",
    "operation_for",
    "response_model",
]

R = TypeVar("R")


def build_kwargs(op: Operation) -> Callable[..., dict[str, Any]]:
    """The generated public request builder of `op` (`build_request_kwargs`)."""
    return _builder(op.builder)


@functools.cache
def _builder(where: str) -> Callable[..., dict[str, Any]]:
    module, name = where.split(":")
    builder: Callable[..., dict[str, Any]] = getattr(importlib.import_module(module), name)
    return builder


def body_model(op: Operation) -> Any:
    return _model(op.body_model)


def response_model(op: Operation) -> Any:
    return _model(op.response_model)


@functools.cache
def _model(name: str) -> Any:
    from streamkap_api import models

    return getattr(models, name)


def operation_for(result: object) -> Operation | None:
    """The operation whose response model `result` is an instance of (None for anything else)."""
    name = type(result).__name__
    return next((op for op in OPERATIONS if op.response_model == name), None)
