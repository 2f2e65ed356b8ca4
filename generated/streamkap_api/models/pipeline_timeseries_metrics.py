from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, DecodeError, Unset, failing_index

if TYPE_CHECKING:
    from ..models.timeseries_entry import TimeseriesEntry


T = TypeVar("T", bound="PipelineTimeseriesMetrics")
_new_instance = object.__new__

_PROPERTY_NAMES = frozenset(("latency", "recordsLag", "status"))


@_attrs_define
class PipelineTimeseriesMetrics:
    """Pipeline timeseries metrics.

    Attributes:
        latency (list[TimeseriesEntry] | Unset):
        records_lag (list[TimeseriesEntry] | Unset):
        status (list[TimeseriesEntry] | Unset):
    """

    latency: list[TimeseriesEntry] | Unset = UNSET
    records_lag: list[TimeseriesEntry] | Unset = UNSET
    status: list[TimeseriesEntry] | Unset = UNSET
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
        latency: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.latency, Unset):
            latency = []
            for latency_item_data in self.latency:
                latency_item = latency_item_data.to_dict()
                latency.append(latency_item)

        records_lag: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.records_lag, Unset):
            records_lag = []
            for records_lag_item_data in self.records_lag:
                records_lag_item = records_lag_item_data.to_dict()
                records_lag.append(records_lag_item)

        status: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = []
            for status_item_data in self.status:
                status_item = status_item_data.to_dict()
                status.append(status_item)

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
        _latency = d.get("latency", UNSET)
        latency: list[TimeseriesEntry] | Unset = UNSET
        if _latency is not UNSET:
            if not isinstance(_latency, list):
                raise DecodeError.wrong_type(["latency"], "array", _latency)
            try:
                latency = TimeseriesEntry._from_list(_latency)
            except DecodeError as e:
                e.path[:0] = (
                    "latency",
                    failing_index(TimeseriesEntry._from_dict, _latency),
                )
                raise

        _records_lag = d.get("recordsLag", UNSET)
        records_lag: list[TimeseriesEntry] | Unset = UNSET
        if _records_lag is not UNSET:
            if not isinstance(_records_lag, list):
                raise DecodeError.wrong_type(["recordsLag"], "array", _records_lag)
            try:
                records_lag = TimeseriesEntry._from_list(_records_lag)
            except DecodeError as e:
                e.path[:0] = (
                    "recordsLag",
                    failing_index(TimeseriesEntry._from_dict, _records_lag),
                )
                raise

        _status = d.get("status", UNSET)
        status: list[TimeseriesEntry] | Unset = UNSET
        if _status is not UNSET:
            if not isinstance(_status, list):
                raise DecodeError.wrong_type(["status"], "array", _status)
            try:
                status = TimeseriesEntry._from_list(_status)
            except DecodeError as e:
                e.path[:0] = (
                    "status",
                    failing_index(TimeseriesEntry._from_dict, _status),
                )
                raise

        pipeline_timeseries_metrics = _new_instance(cls)
        pipeline_timeseries_metrics.latency = latency
        pipeline_timeseries_metrics.records_lag = records_lag
        pipeline_timeseries_metrics.status = status
        if not _PROPERTY_NAMES.issuperset(d):
            pipeline_timeseries_metrics.additional_properties = {
                k: v for k, v in d.items() if k not in _PROPERTY_NAMES
            }
        return pipeline_timeseries_metrics

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


# Bound at import time, not inside `_from_dict` (a hot path); at the bottom so that models
# that refer to each other still import cleanly.
from ..models.timeseries_entry import TimeseriesEntry
