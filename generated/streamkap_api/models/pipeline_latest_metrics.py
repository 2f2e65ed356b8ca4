from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, DecodeError, Unset

T = TypeVar("T", bound="PipelineLatestMetrics")
_new_instance = object.__new__

_PROPERTY_NAMES = frozenset(("latency", "recordsLag", "status"))


@_attrs_define
class PipelineLatestMetrics:
    """Pipeline latest metrics.

    Attributes:
        latency (float | None | str | Unset):
        records_lag (int | None | str | Unset):
        status (None | str | Unset):
    """

    latency: float | None | str | Unset = UNSET
    records_lag: int | None | str | Unset = UNSET
    status: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

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
            empty: dict[str, Any] = {}
            self.additional_properties = empty
            return empty

    def to_dict(self) -> dict[str, Any]:
        latency: float | None | str | Unset
        if isinstance(self.latency, Unset):
            latency = UNSET
        else:
            latency = self.latency

        records_lag: int | None | str | Unset
        if isinstance(self.records_lag, Unset):
            records_lag = UNSET
        else:
            records_lag = self.records_lag

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if latency is not UNSET:
            field_dict["latency"] = latency
        if records_lag is not UNSET:
            field_dict["recordsLag"] = records_lag
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Build from decoded JSON; raise `DecodeError` (with its JSON path) if it does not fit."""
        return cls._from_dict(src_dict)

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Self:
        if type(d) is not dict and not isinstance(d, Mapping):
            raise DecodeError.wrong_type([], "object", d)
        latency = d.get("latency", UNSET)
        if latency is not UNSET and not (
            (
                isinstance(latency, float)
                or (isinstance(latency, int) and not isinstance(latency, bool))
            )
            or isinstance(latency, str)
            or latency is None
        ):
            raise DecodeError.wrong_type(["latency"], "number | string | null", latency)

        records_lag = d.get("recordsLag", UNSET)
        if records_lag is not UNSET and not (
            (isinstance(records_lag, int) and not isinstance(records_lag, bool))
            or isinstance(records_lag, str)
            or records_lag is None
        ):
            raise DecodeError.wrong_type(
                ["recordsLag"], "integer | string | null", records_lag
            )

        status = d.get("status", UNSET)
        if status is not UNSET and not (isinstance(status, str) or status is None):
            raise DecodeError.wrong_type(["status"], "string | null", status)

        pipeline_latest_metrics = _new_instance(cls)
        pipeline_latest_metrics.latency = latency
        pipeline_latest_metrics.records_lag = records_lag
        pipeline_latest_metrics.status = status
        if not _PROPERTY_NAMES.issuperset(d):
            pipeline_latest_metrics.additional_properties = {
                k: v for k, v in d.items() if k not in _PROPERTY_NAMES
            }
        return pipeline_latest_metrics

    @classmethod
    def _from_list(cls, items: list[Any]) -> list[Self]:
        """`[cls._from_dict(item) for item in items]`."""
        _from_dict = cls._from_dict
        return [_from_dict(_item) for _item in items]

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
