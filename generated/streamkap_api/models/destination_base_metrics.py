from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.destination_latest_metrics import DestinationLatestMetrics
    from ..models.destination_timeseries_metrics import DestinationTimeseriesMetrics
    from ..models.destination_timesummary_metrics import DestinationTimesummaryMetrics


T = TypeVar("T", bound="DestinationBaseMetrics")


@_attrs_define
class DestinationBaseMetrics:
    """Destination base metrics.

    Attributes:
        timeseries (DestinationTimeseriesMetrics | None | Unset):
        latest (DestinationLatestMetrics | None | Unset):
        timesummary (DestinationTimesummaryMetrics | None | Unset):
    """

    timeseries: DestinationTimeseriesMetrics | None | Unset = UNSET
    latest: DestinationLatestMetrics | None | Unset = UNSET
    timesummary: DestinationTimesummaryMetrics | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.destination_latest_metrics import DestinationLatestMetrics
        from ..models.destination_timeseries_metrics import DestinationTimeseriesMetrics
        from ..models.destination_timesummary_metrics import (
            DestinationTimesummaryMetrics,
        )

        timeseries: dict[str, Any] | None | Unset
        if isinstance(self.timeseries, Unset):
            timeseries = UNSET
        elif isinstance(self.timeseries, DestinationTimeseriesMetrics):
            timeseries = self.timeseries.to_dict()
        else:
            timeseries = self.timeseries

        latest: dict[str, Any] | None | Unset
        if isinstance(self.latest, Unset):
            latest = UNSET
        elif isinstance(self.latest, DestinationLatestMetrics):
            latest = self.latest.to_dict()
        else:
            latest = self.latest

        timesummary: dict[str, Any] | None | Unset
        if isinstance(self.timesummary, Unset):
            timesummary = UNSET
        elif isinstance(self.timesummary, DestinationTimesummaryMetrics):
            timesummary = self.timesummary.to_dict()
        else:
            timesummary = self.timesummary

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if timeseries is not UNSET:
            field_dict["timeseries"] = timeseries
        if latest is not UNSET:
            field_dict["latest"] = latest
        if timesummary is not UNSET:
            field_dict["timesummary"] = timesummary

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.destination_latest_metrics import DestinationLatestMetrics
        from ..models.destination_timeseries_metrics import DestinationTimeseriesMetrics
        from ..models.destination_timesummary_metrics import (
            DestinationTimesummaryMetrics,
        )

        d = dict(src_dict)

        def _parse_timeseries(
            data: object,
        ) -> DestinationTimeseriesMetrics | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                timeseries_type_0 = DestinationTimeseriesMetrics.from_dict(data)

                return timeseries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DestinationTimeseriesMetrics | None | Unset, data)

        timeseries = _parse_timeseries(d.pop("timeseries", UNSET))

        def _parse_latest(data: object) -> DestinationLatestMetrics | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                latest_type_0 = DestinationLatestMetrics.from_dict(data)

                return latest_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DestinationLatestMetrics | None | Unset, data)

        latest = _parse_latest(d.pop("latest", UNSET))

        def _parse_timesummary(
            data: object,
        ) -> DestinationTimesummaryMetrics | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                timesummary_type_0 = DestinationTimesummaryMetrics.from_dict(data)

                return timesummary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DestinationTimesummaryMetrics | None | Unset, data)

        timesummary = _parse_timesummary(d.pop("timesummary", UNSET))

        destination_base_metrics = cls(
            timeseries=timeseries,
            latest=latest,
            timesummary=timesummary,
        )

        destination_base_metrics.additional_properties = d
        return destination_base_metrics

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
