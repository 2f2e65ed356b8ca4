from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.timeseries_entry import TimeseriesEntry


T = TypeVar("T", bound="PipelineTimeseriesMetrics")


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
        from ..models.timeseries_entry import TimeseriesEntry

        d = dict(src_dict)
        _latency = d.pop("latency", UNSET)
        latency: list[TimeseriesEntry] | Unset = UNSET
        if _latency is not UNSET:
            latency = []
            for latency_item_data in _latency:
                latency_item = TimeseriesEntry.from_dict(latency_item_data)

                latency.append(latency_item)

        _records_lag = d.pop("recordsLag", UNSET)
        records_lag: list[TimeseriesEntry] | Unset = UNSET
        if _records_lag is not UNSET:
            records_lag = []
            for records_lag_item_data in _records_lag:
                records_lag_item = TimeseriesEntry.from_dict(records_lag_item_data)

                records_lag.append(records_lag_item)

        _status = d.pop("status", UNSET)
        status: list[TimeseriesEntry] | Unset = UNSET
        if _status is not UNSET:
            status = []
            for status_item_data in _status:
                status_item = TimeseriesEntry.from_dict(status_item_data)

                status.append(status_item)

        pipeline_timeseries_metrics = cls(
            latency=latency,
            records_lag=records_lag,
            status=status,
        )

        pipeline_timeseries_metrics.additional_properties = d
        return pipeline_timeseries_metrics

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
