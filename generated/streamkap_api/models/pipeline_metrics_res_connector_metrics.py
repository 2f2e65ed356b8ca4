from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Literal,
    Self,
    TypeVar,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import DecodeError

if TYPE_CHECKING:
    from ..models.pipeline_base_metrics import PipelineBaseMetrics


T = TypeVar("T", bound="PipelineMetricsResConnectorMetrics")
_new_instance = object.__new__


@_attrs_define
class PipelineMetricsResConnectorMetrics:
    #: Only entries keyed by id (an entity map): what `streamkap_sdk.entities()` takes.
    IS_ENTRY_MAP: ClassVar[Literal[True]] = True
    additional_properties: dict[str, PipelineBaseMetrics] = _attrs_field(
        init=False, factory=dict
    )

    if (
        not TYPE_CHECKING
    ):  # hidden from type checkers: `model.misspelt_name` stays an error

        def __getattr__(self, name: str) -> Any:
            # `_from_dict` leaves `additional_properties` unset when there are none: an empty
            # dict per object was a fifth of decoding a large response. The first read creates it.
            if name != "additional_properties":
                raise AttributeError(
                    f"{type(self).__name__!r} object has no attribute {name!r}"
                )
            empty: dict[str, PipelineBaseMetrics] = {}
            self.additional_properties = empty
            return empty

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Build from decoded JSON; raise `DecodeError` (with its JSON path) if it does not fit."""
        return cls._from_dict(src_dict)

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Self:
        if type(d) is not dict and not isinstance(d, Mapping):
            raise DecodeError.wrong_type([], "object", d)
        pipeline_metrics_res_connector_metrics = _new_instance(cls)
        additional_properties: dict[str, PipelineBaseMetrics] = {}
        try:
            for _key, _value in d.items():
                additional_properties[_key] = PipelineBaseMetrics._from_dict(_value)

        except DecodeError as e:
            e.path.insert(0, _key)
            raise
        pipeline_metrics_res_connector_metrics.additional_properties = (
            additional_properties
        )
        return pipeline_metrics_res_connector_metrics

    @classmethod
    def _from_list(cls, items: list[Any]) -> list[Self]:
        """`[cls._from_dict(item) for item in items]`."""
        _from_dict = cls._from_dict
        return [_from_dict(_item) for _item in items]

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> PipelineBaseMetrics:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: PipelineBaseMetrics) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Bound at import time, not inside `_from_dict` (a hot path); at the bottom so that models
# that refer to each other still import cleanly.
from ..models.pipeline_base_metrics import PipelineBaseMetrics
