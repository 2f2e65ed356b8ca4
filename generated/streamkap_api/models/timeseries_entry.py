from __future__ import annotations

from collections.abc import Mapping
from itertools import repeat as _repeat
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import DecodeError

T = TypeVar("T", bound="TimeseriesEntry")
_new_instance = object.__new__

_PROPERTY_NAMES = frozenset(("value", "timestamp"))


@_attrs_define
class TimeseriesEntry:
    """A single data point in a time series.

    Attributes:
        value (float | int): The metric value at this timestamp
        timestamp (str): ISO 8601 timestamp for this data point
    """

    value: float | int
    timestamp: str
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
        value: float | int
        value = self.value

        timestamp = self.timestamp

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "value": value,
                "timestamp": timestamp,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Build from decoded JSON; raise `DecodeError` (with its JSON path) if it does not fit."""
        return cls._from_dict(src_dict)

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Self:
        if type(d) is not dict and not isinstance(d, Mapping):
            raise DecodeError.wrong_type([], "object", d)
        try:
            value = d["value"]
            timestamp = d["timestamp"]
        except KeyError:
            raise DecodeError.missing(d, ("value", "timestamp")) from None
        if not (
            isinstance(value, float)
            or (isinstance(value, int) and not isinstance(value, bool))
        ):
            raise DecodeError.wrong_type(["value"], "number", value)

        if not isinstance(timestamp, str):
            raise DecodeError.wrong_type(["timestamp"], "string", timestamp)

        timeseries_entry = _new_instance(cls)
        timeseries_entry.value = value
        timeseries_entry.timestamp = timestamp
        if len(d) > 2 and not _PROPERTY_NAMES.issuperset(d):
            timeseries_entry.additional_properties = {
                k: v for k, v in d.items() if k not in _PROPERTY_NAMES
            }
        return timeseries_entry

    @classmethod
    def _from_list(cls, items: list[Any]) -> list[Self]:
        """`[cls._from_dict(item) for item in items]`, for lists of thousands: the objects are
        made all at once, then each filled in inline, as long as every item is an object
        holding exactly the properties, each of the exact type a JSON parser returns for it.
        At the first other item, the list goes through `_from_dict` item by item instead,
        which decides (and raises) as ever."""
        _out: list[Self] = list(map(_new_instance, _repeat(cls, len(items))))
        for _obj, _item in zip(_out, items):
            if type(_item) is dict and len(_item) == 2:
                try:
                    value = _item["value"]
                    timestamp = _item["timestamp"]
                except KeyError:
                    break
                if (type(value) is int or type(value) is float) and (
                    type(timestamp) is str
                ):
                    _obj.value = value
                    _obj.timestamp = timestamp
                    continue
            break
        else:
            return _out
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
