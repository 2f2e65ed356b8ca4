from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, DecodeError, Unset, failing_index

if TYPE_CHECKING:
    from ..models.timeseries_entry import TimeseriesEntry


T = TypeVar("T", bound="DestinationTimeseriesMetrics")
_new_instance = object.__new__

_PROPERTY_NAMES = frozenset(
    (
        "latency",
        "partitionCount",
        "putBatchMaxTimeMs",
        "recordsLag",
        "sinkRecordReadTotal",
        "recordsConsumedTotal",
        "sinkRecordSendTotal",
        "bytesConsumedTotal",
        "qa_exact_count_diff",
    )
)


@_attrs_define
class DestinationTimeseriesMetrics:
    """Destination timeseries metrics.

    Attributes:
        latency (list[TimeseriesEntry] | None | Unset):
        partition_count (list[TimeseriesEntry] | Unset):
        put_batch_max_time_ms (list[TimeseriesEntry] | Unset):
        records_lag (list[TimeseriesEntry] | None | Unset):
        sink_record_read_total (list[TimeseriesEntry] | Unset):
        records_consumed_total (list[TimeseriesEntry] | Unset):
        sink_record_send_total (list[TimeseriesEntry] | None | Unset):
        bytes_consumed_total (list[TimeseriesEntry] | Unset):
        qa_exact_count_diff (list[TimeseriesEntry] | Unset):
    """

    latency: list[TimeseriesEntry] | None | Unset = UNSET
    partition_count: list[TimeseriesEntry] | Unset = UNSET
    put_batch_max_time_ms: list[TimeseriesEntry] | Unset = UNSET
    records_lag: list[TimeseriesEntry] | None | Unset = UNSET
    sink_record_read_total: list[TimeseriesEntry] | Unset = UNSET
    records_consumed_total: list[TimeseriesEntry] | Unset = UNSET
    sink_record_send_total: list[TimeseriesEntry] | None | Unset = UNSET
    bytes_consumed_total: list[TimeseriesEntry] | Unset = UNSET
    qa_exact_count_diff: list[TimeseriesEntry] | Unset = UNSET
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
        latency: list[dict[str, Any]] | None | Unset
        if isinstance(self.latency, Unset):
            latency = UNSET
        elif isinstance(self.latency, list):
            latency = []
            for latency_type_0_item_data in self.latency:
                latency_type_0_item = latency_type_0_item_data.to_dict()
                latency.append(latency_type_0_item)

        else:
            latency = self.latency

        partition_count: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.partition_count, Unset):
            partition_count = []
            for partition_count_item_data in self.partition_count:
                partition_count_item = partition_count_item_data.to_dict()
                partition_count.append(partition_count_item)

        put_batch_max_time_ms: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.put_batch_max_time_ms, Unset):
            put_batch_max_time_ms = []
            for put_batch_max_time_ms_item_data in self.put_batch_max_time_ms:
                put_batch_max_time_ms_item = put_batch_max_time_ms_item_data.to_dict()
                put_batch_max_time_ms.append(put_batch_max_time_ms_item)

        records_lag: list[dict[str, Any]] | None | Unset
        if isinstance(self.records_lag, Unset):
            records_lag = UNSET
        elif isinstance(self.records_lag, list):
            records_lag = []
            for records_lag_type_0_item_data in self.records_lag:
                records_lag_type_0_item = records_lag_type_0_item_data.to_dict()
                records_lag.append(records_lag_type_0_item)

        else:
            records_lag = self.records_lag

        sink_record_read_total: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sink_record_read_total, Unset):
            sink_record_read_total = []
            for sink_record_read_total_item_data in self.sink_record_read_total:
                sink_record_read_total_item = sink_record_read_total_item_data.to_dict()
                sink_record_read_total.append(sink_record_read_total_item)

        records_consumed_total: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.records_consumed_total, Unset):
            records_consumed_total = []
            for records_consumed_total_item_data in self.records_consumed_total:
                records_consumed_total_item = records_consumed_total_item_data.to_dict()
                records_consumed_total.append(records_consumed_total_item)

        sink_record_send_total: list[dict[str, Any]] | None | Unset
        if isinstance(self.sink_record_send_total, Unset):
            sink_record_send_total = UNSET
        elif isinstance(self.sink_record_send_total, list):
            sink_record_send_total = []
            for sink_record_send_total_type_0_item_data in self.sink_record_send_total:
                sink_record_send_total_type_0_item = (
                    sink_record_send_total_type_0_item_data.to_dict()
                )
                sink_record_send_total.append(sink_record_send_total_type_0_item)

        else:
            sink_record_send_total = self.sink_record_send_total

        bytes_consumed_total: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.bytes_consumed_total, Unset):
            bytes_consumed_total = []
            for bytes_consumed_total_item_data in self.bytes_consumed_total:
                bytes_consumed_total_item = bytes_consumed_total_item_data.to_dict()
                bytes_consumed_total.append(bytes_consumed_total_item)

        qa_exact_count_diff: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.qa_exact_count_diff, Unset):
            qa_exact_count_diff = []
            for qa_exact_count_diff_item_data in self.qa_exact_count_diff:
                qa_exact_count_diff_item = qa_exact_count_diff_item_data.to_dict()
                qa_exact_count_diff.append(qa_exact_count_diff_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if latency is not UNSET:
            field_dict["latency"] = latency
        if partition_count is not UNSET:
            field_dict["partitionCount"] = partition_count
        if put_batch_max_time_ms is not UNSET:
            field_dict["putBatchMaxTimeMs"] = put_batch_max_time_ms
        if records_lag is not UNSET:
            field_dict["recordsLag"] = records_lag
        if sink_record_read_total is not UNSET:
            field_dict["sinkRecordReadTotal"] = sink_record_read_total
        if records_consumed_total is not UNSET:
            field_dict["recordsConsumedTotal"] = records_consumed_total
        if sink_record_send_total is not UNSET:
            field_dict["sinkRecordSendTotal"] = sink_record_send_total
        if bytes_consumed_total is not UNSET:
            field_dict["bytesConsumedTotal"] = bytes_consumed_total
        if qa_exact_count_diff is not UNSET:
            field_dict["qa_exact_count_diff"] = qa_exact_count_diff

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
        latency: list[TimeseriesEntry] | None | Unset = UNSET
        if _latency is not UNSET:
            if _latency is None:
                latency = _latency
            elif isinstance(_latency, list):
                try:
                    latency = TimeseriesEntry._from_list(_latency)
                except DecodeError as e:
                    e.path[:0] = (
                        "latency",
                        failing_index(TimeseriesEntry._from_dict, _latency),
                    )
                    raise
            else:
                raise DecodeError.wrong_type(["latency"], "array | null", _latency)

        _partition_count = d.get("partitionCount", UNSET)
        partition_count: list[TimeseriesEntry] | Unset = UNSET
        if _partition_count is not UNSET:
            if not isinstance(_partition_count, list):
                raise DecodeError.wrong_type(
                    ["partitionCount"], "array", _partition_count
                )
            try:
                partition_count = TimeseriesEntry._from_list(_partition_count)
            except DecodeError as e:
                e.path[:0] = (
                    "partitionCount",
                    failing_index(TimeseriesEntry._from_dict, _partition_count),
                )
                raise

        _put_batch_max_time_ms = d.get("putBatchMaxTimeMs", UNSET)
        put_batch_max_time_ms: list[TimeseriesEntry] | Unset = UNSET
        if _put_batch_max_time_ms is not UNSET:
            if not isinstance(_put_batch_max_time_ms, list):
                raise DecodeError.wrong_type(
                    ["putBatchMaxTimeMs"], "array", _put_batch_max_time_ms
                )
            try:
                put_batch_max_time_ms = TimeseriesEntry._from_list(
                    _put_batch_max_time_ms
                )
            except DecodeError as e:
                e.path[:0] = (
                    "putBatchMaxTimeMs",
                    failing_index(TimeseriesEntry._from_dict, _put_batch_max_time_ms),
                )
                raise

        _records_lag = d.get("recordsLag", UNSET)
        records_lag: list[TimeseriesEntry] | None | Unset = UNSET
        if _records_lag is not UNSET:
            if _records_lag is None:
                records_lag = _records_lag
            elif isinstance(_records_lag, list):
                try:
                    records_lag = TimeseriesEntry._from_list(_records_lag)
                except DecodeError as e:
                    e.path[:0] = (
                        "recordsLag",
                        failing_index(TimeseriesEntry._from_dict, _records_lag),
                    )
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["recordsLag"], "array | null", _records_lag
                )

        _sink_record_read_total = d.get("sinkRecordReadTotal", UNSET)
        sink_record_read_total: list[TimeseriesEntry] | Unset = UNSET
        if _sink_record_read_total is not UNSET:
            if not isinstance(_sink_record_read_total, list):
                raise DecodeError.wrong_type(
                    ["sinkRecordReadTotal"], "array", _sink_record_read_total
                )
            try:
                sink_record_read_total = TimeseriesEntry._from_list(
                    _sink_record_read_total
                )
            except DecodeError as e:
                e.path[:0] = (
                    "sinkRecordReadTotal",
                    failing_index(TimeseriesEntry._from_dict, _sink_record_read_total),
                )
                raise

        _records_consumed_total = d.get("recordsConsumedTotal", UNSET)
        records_consumed_total: list[TimeseriesEntry] | Unset = UNSET
        if _records_consumed_total is not UNSET:
            if not isinstance(_records_consumed_total, list):
                raise DecodeError.wrong_type(
                    ["recordsConsumedTotal"], "array", _records_consumed_total
                )
            try:
                records_consumed_total = TimeseriesEntry._from_list(
                    _records_consumed_total
                )
            except DecodeError as e:
                e.path[:0] = (
                    "recordsConsumedTotal",
                    failing_index(TimeseriesEntry._from_dict, _records_consumed_total),
                )
                raise

        _sink_record_send_total = d.get("sinkRecordSendTotal", UNSET)
        sink_record_send_total: list[TimeseriesEntry] | None | Unset = UNSET
        if _sink_record_send_total is not UNSET:
            if _sink_record_send_total is None:
                sink_record_send_total = _sink_record_send_total
            elif isinstance(_sink_record_send_total, list):
                try:
                    sink_record_send_total = TimeseriesEntry._from_list(
                        _sink_record_send_total
                    )
                except DecodeError as e:
                    e.path[:0] = (
                        "sinkRecordSendTotal",
                        failing_index(
                            TimeseriesEntry._from_dict, _sink_record_send_total
                        ),
                    )
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["sinkRecordSendTotal"], "array | null", _sink_record_send_total
                )

        _bytes_consumed_total = d.get("bytesConsumedTotal", UNSET)
        bytes_consumed_total: list[TimeseriesEntry] | Unset = UNSET
        if _bytes_consumed_total is not UNSET:
            if not isinstance(_bytes_consumed_total, list):
                raise DecodeError.wrong_type(
                    ["bytesConsumedTotal"], "array", _bytes_consumed_total
                )
            try:
                bytes_consumed_total = TimeseriesEntry._from_list(_bytes_consumed_total)
            except DecodeError as e:
                e.path[:0] = (
                    "bytesConsumedTotal",
                    failing_index(TimeseriesEntry._from_dict, _bytes_consumed_total),
                )
                raise

        _qa_exact_count_diff = d.get("qa_exact_count_diff", UNSET)
        qa_exact_count_diff: list[TimeseriesEntry] | Unset = UNSET
        if _qa_exact_count_diff is not UNSET:
            if not isinstance(_qa_exact_count_diff, list):
                raise DecodeError.wrong_type(
                    ["qa_exact_count_diff"], "array", _qa_exact_count_diff
                )
            try:
                qa_exact_count_diff = TimeseriesEntry._from_list(_qa_exact_count_diff)
            except DecodeError as e:
                e.path[:0] = (
                    "qa_exact_count_diff",
                    failing_index(TimeseriesEntry._from_dict, _qa_exact_count_diff),
                )
                raise

        destination_timeseries_metrics = _new_instance(cls)
        destination_timeseries_metrics.latency = latency
        destination_timeseries_metrics.partition_count = partition_count
        destination_timeseries_metrics.put_batch_max_time_ms = put_batch_max_time_ms
        destination_timeseries_metrics.records_lag = records_lag
        destination_timeseries_metrics.sink_record_read_total = sink_record_read_total
        destination_timeseries_metrics.records_consumed_total = records_consumed_total
        destination_timeseries_metrics.sink_record_send_total = sink_record_send_total
        destination_timeseries_metrics.bytes_consumed_total = bytes_consumed_total
        destination_timeseries_metrics.qa_exact_count_diff = qa_exact_count_diff
        if not _PROPERTY_NAMES.issuperset(d):
            destination_timeseries_metrics.additional_properties = {
                k: v for k, v in d.items() if k not in _PROPERTY_NAMES
            }
        return destination_timeseries_metrics

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
