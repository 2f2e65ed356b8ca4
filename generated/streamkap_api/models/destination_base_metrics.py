from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, DecodeError, Unset

if TYPE_CHECKING:
    from ..models.destination_latest_metrics import DestinationLatestMetrics
    from ..models.destination_timeseries_metrics import DestinationTimeseriesMetrics
    from ..models.destination_timesummary_metrics import DestinationTimesummaryMetrics


T = TypeVar("T", bound="DestinationBaseMetrics")
_new_instance = object.__new__

_PROPERTY_NAMES = frozenset(("timeseries", "latest", "timesummary"))


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
        """Build from decoded JSON; raise `DecodeError` (with its JSON path) if it does not fit."""
        return cls._from_dict(src_dict)

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Self:
        if type(d) is not dict and not isinstance(d, Mapping):
            raise DecodeError.wrong_type([], "object", d)
        _timeseries = d.get("timeseries", UNSET)
        timeseries: DestinationTimeseriesMetrics | None | Unset = UNSET
        if _timeseries is not UNSET:
            if _timeseries is None:
                timeseries = _timeseries
            elif type(_timeseries) is dict or isinstance(_timeseries, Mapping):
                try:
                    timeseries = DestinationTimeseriesMetrics._from_dict(_timeseries)
                except DecodeError as e:
                    e.path.insert(0, "timeseries")
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["timeseries"], "object | null", _timeseries
                )

        _latest = d.get("latest", UNSET)
        latest: DestinationLatestMetrics | None | Unset = UNSET
        if _latest is not UNSET:
            if _latest is None:
                latest = _latest
            elif type(_latest) is dict or isinstance(_latest, Mapping):
                try:
                    latest = DestinationLatestMetrics._from_dict(_latest)
                except DecodeError as e:
                    e.path.insert(0, "latest")
                    raise
            else:
                raise DecodeError.wrong_type(["latest"], "object | null", _latest)

        _timesummary = d.get("timesummary", UNSET)
        timesummary: DestinationTimesummaryMetrics | None | Unset = UNSET
        if _timesummary is not UNSET:
            if _timesummary is None:
                timesummary = _timesummary
            elif type(_timesummary) is dict or isinstance(_timesummary, Mapping):
                try:
                    timesummary = DestinationTimesummaryMetrics._from_dict(_timesummary)
                except DecodeError as e:
                    e.path.insert(0, "timesummary")
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["timesummary"], "object | null", _timesummary
                )

        destination_base_metrics = _new_instance(cls)
        destination_base_metrics.timeseries = timeseries
        destination_base_metrics.latest = latest
        destination_base_metrics.timesummary = timesummary
        if not _PROPERTY_NAMES.issuperset(d):
            destination_base_metrics.additional_properties = {
                k: v for k, v in d.items() if k not in _PROPERTY_NAMES
            }
        return destination_base_metrics

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
from ..models.destination_latest_metrics import DestinationLatestMetrics
from ..models.destination_timeseries_metrics import DestinationTimeseriesMetrics
from ..models.destination_timesummary_metrics import DestinationTimesummaryMetrics
