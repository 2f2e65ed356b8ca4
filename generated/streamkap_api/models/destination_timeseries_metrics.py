from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.timeseries_entry import TimeseriesEntry


T = TypeVar("T", bound="DestinationTimeseriesMetrics")


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
        from ..models.timeseries_entry import TimeseriesEntry

        d = dict(src_dict)

        def _parse_latency(data: object) -> list[TimeseriesEntry] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                latency_type_0 = []
                _latency_type_0 = data
                for latency_type_0_item_data in _latency_type_0:
                    latency_type_0_item = TimeseriesEntry.from_dict(
                        latency_type_0_item_data
                    )

                    latency_type_0.append(latency_type_0_item)

                return latency_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TimeseriesEntry] | None | Unset, data)

        latency = _parse_latency(d.pop("latency", UNSET))

        _partition_count = d.pop("partitionCount", UNSET)
        partition_count: list[TimeseriesEntry] | Unset = UNSET
        if _partition_count is not UNSET:
            partition_count = []
            for partition_count_item_data in _partition_count:
                partition_count_item = TimeseriesEntry.from_dict(
                    partition_count_item_data
                )

                partition_count.append(partition_count_item)

        _put_batch_max_time_ms = d.pop("putBatchMaxTimeMs", UNSET)
        put_batch_max_time_ms: list[TimeseriesEntry] | Unset = UNSET
        if _put_batch_max_time_ms is not UNSET:
            put_batch_max_time_ms = []
            for put_batch_max_time_ms_item_data in _put_batch_max_time_ms:
                put_batch_max_time_ms_item = TimeseriesEntry.from_dict(
                    put_batch_max_time_ms_item_data
                )

                put_batch_max_time_ms.append(put_batch_max_time_ms_item)

        def _parse_records_lag(data: object) -> list[TimeseriesEntry] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                records_lag_type_0 = []
                _records_lag_type_0 = data
                for records_lag_type_0_item_data in _records_lag_type_0:
                    records_lag_type_0_item = TimeseriesEntry.from_dict(
                        records_lag_type_0_item_data
                    )

                    records_lag_type_0.append(records_lag_type_0_item)

                return records_lag_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TimeseriesEntry] | None | Unset, data)

        records_lag = _parse_records_lag(d.pop("recordsLag", UNSET))

        _sink_record_read_total = d.pop("sinkRecordReadTotal", UNSET)
        sink_record_read_total: list[TimeseriesEntry] | Unset = UNSET
        if _sink_record_read_total is not UNSET:
            sink_record_read_total = []
            for sink_record_read_total_item_data in _sink_record_read_total:
                sink_record_read_total_item = TimeseriesEntry.from_dict(
                    sink_record_read_total_item_data
                )

                sink_record_read_total.append(sink_record_read_total_item)

        _records_consumed_total = d.pop("recordsConsumedTotal", UNSET)
        records_consumed_total: list[TimeseriesEntry] | Unset = UNSET
        if _records_consumed_total is not UNSET:
            records_consumed_total = []
            for records_consumed_total_item_data in _records_consumed_total:
                records_consumed_total_item = TimeseriesEntry.from_dict(
                    records_consumed_total_item_data
                )

                records_consumed_total.append(records_consumed_total_item)

        def _parse_sink_record_send_total(
            data: object,
        ) -> list[TimeseriesEntry] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                sink_record_send_total_type_0 = []
                _sink_record_send_total_type_0 = data
                for (
                    sink_record_send_total_type_0_item_data
                ) in _sink_record_send_total_type_0:
                    sink_record_send_total_type_0_item = TimeseriesEntry.from_dict(
                        sink_record_send_total_type_0_item_data
                    )

                    sink_record_send_total_type_0.append(
                        sink_record_send_total_type_0_item
                    )

                return sink_record_send_total_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TimeseriesEntry] | None | Unset, data)

        sink_record_send_total = _parse_sink_record_send_total(
            d.pop("sinkRecordSendTotal", UNSET)
        )

        _bytes_consumed_total = d.pop("bytesConsumedTotal", UNSET)
        bytes_consumed_total: list[TimeseriesEntry] | Unset = UNSET
        if _bytes_consumed_total is not UNSET:
            bytes_consumed_total = []
            for bytes_consumed_total_item_data in _bytes_consumed_total:
                bytes_consumed_total_item = TimeseriesEntry.from_dict(
                    bytes_consumed_total_item_data
                )

                bytes_consumed_total.append(bytes_consumed_total_item)

        _qa_exact_count_diff = d.pop("qa_exact_count_diff", UNSET)
        qa_exact_count_diff: list[TimeseriesEntry] | Unset = UNSET
        if _qa_exact_count_diff is not UNSET:
            qa_exact_count_diff = []
            for qa_exact_count_diff_item_data in _qa_exact_count_diff:
                qa_exact_count_diff_item = TimeseriesEntry.from_dict(
                    qa_exact_count_diff_item_data
                )

                qa_exact_count_diff.append(qa_exact_count_diff_item)

        destination_timeseries_metrics = cls(
            latency=latency,
            partition_count=partition_count,
            put_batch_max_time_ms=put_batch_max_time_ms,
            records_lag=records_lag,
            sink_record_read_total=sink_record_read_total,
            records_consumed_total=records_consumed_total,
            sink_record_send_total=sink_record_send_total,
            bytes_consumed_total=bytes_consumed_total,
            qa_exact_count_diff=qa_exact_count_diff,
        )

        destination_timeseries_metrics.additional_properties = d
        return destination_timeseries_metrics

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
