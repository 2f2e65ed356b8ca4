"""Reading responses without fighting the generated `X | None | Unset` unions.

The generated models mirror the spec faithfully: every field may be absent (`UNSET`) or null.
These two helpers give type checkers (and readers) the narrow types most code wants.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol, TypeVar, overload

from ._errors import StreamkapError

if TYPE_CHECKING:  # the generated package loads on first use (import time)
    from streamkap_api.types import Unset

__all__ = ["MissingFieldError", "entities", "present"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class MissingFieldError(StreamkapError, LookupError):
    """A field that the caller required was absent (UNSET) or null in the response."""


class EntityMap(Protocol[T_co]):
    """A generated entity map (`result.connector_metrics`, ...): entity id -> metrics. The
    generated map models mark themselves `IS_ENTRY_MAP`, so a type checker refuses a whole
    response (`entities(result)`) or a metrics block here."""

    IS_ENTRY_MAP: ClassVar[Literal[True]]

    @property
    def additional_properties(self) -> Mapping[str, T_co]: ...


def entities(value: EntityMap[T] | Unset | None) -> dict[str, T]:
    """The entries of an entity map such as `result.connector_metrics`; {} when the API left it
    out or sent null. Anything else is a TypeError (`entities(result)` instead of
    `entities(result.connector_metrics)` would otherwise read as "no entities").

        for pipeline_id, metrics in entities(result.connector_metrics).items(): ...
    """
    from streamkap_api.types import Unset  # loaded by now: a response was decoded

    if value is None or isinstance(value, Unset):
        return {}
    if getattr(type(value), "IS_ENTRY_MAP", False) is not True:
        raise TypeError(
            f"entities() takes an entity map of a response, such as result.connector_metrics; "
            f"got {type(value).__name__}"
        )
    return dict(value.additional_properties)


# mypy infers T from a union argument by joining its items (`int | str` -> `object`), so the
# scalar unions the models use get their own overloads; pyright needs only the generic one.
@overload
def present(value: int | Unset | None, what: str = ...) -> int: ...  # type: ignore[overload-overlap]
@overload
def present(value: str | Unset | None, what: str = ...) -> str: ...  # type: ignore[overload-overlap]
@overload
def present(value: float | Unset | None, what: str = ...) -> float: ...  # type: ignore[overload-overlap]
@overload
def present(value: int | str | Unset | None, what: str = ...) -> int | str: ...  # type: ignore[overload-overlap]
@overload
def present(value: float | str | Unset | None, what: str = ...) -> float | str: ...
@overload
def present(value: T | Unset | None, what: str = ...) -> T: ...
def present(value: object, what: str = "field") -> object:
    """`value` itself, or MissingFieldError when the API left it out (UNSET) or sent null.

    latest = present(metrics.latest, "latest")   # typed PipelineLatestMetrics
    """
    if not is_given(value):
        raise MissingFieldError(f"{what} is missing from the response")
    return value


def is_given(value: object) -> bool:
    """False for a field the API left out (UNSET) or sent as null."""
    from streamkap_api.types import Unset  # loaded by now: a response was decoded

    return value is not None and not isinstance(value, Unset)
