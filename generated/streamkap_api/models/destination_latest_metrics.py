from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DestinationLatestMetrics")


@_attrs_define
class DestinationLatestMetrics:
    """Destination latest metrics.

    Attributes:
        connector_status (None | str | Unset):
        latency (float | int | None | Unset):
        partition_count (float | int | None | Unset):
        put_batch_max_time_ms (float | int | None | Unset):
        records_lag (float | int | None | Unset):
        sink_record_read_total (float | int | None | Unset):
        records_consumed_total (float | int | None | Unset):
        sink_record_send_total (float | int | None | Unset):
        bytes_consumed_total (float | int | None | Unset):
        qa_exact_count_diff (float | int | None | Unset):
    """

    connector_status: None | str | Unset = UNSET
    latency: float | int | None | Unset = UNSET
    partition_count: float | int | None | Unset = UNSET
    put_batch_max_time_ms: float | int | None | Unset = UNSET
    records_lag: float | int | None | Unset = UNSET
    sink_record_read_total: float | int | None | Unset = UNSET
    records_consumed_total: float | int | None | Unset = UNSET
    sink_record_send_total: float | int | None | Unset = UNSET
    bytes_consumed_total: float | int | None | Unset = UNSET
    qa_exact_count_diff: float | int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        connector_status: None | str | Unset
        if isinstance(self.connector_status, Unset):
            connector_status = UNSET
        else:
            connector_status = self.connector_status

        latency: float | int | None | Unset
        if isinstance(self.latency, Unset):
            latency = UNSET
        else:
            latency = self.latency

        partition_count: float | int | None | Unset
        if isinstance(self.partition_count, Unset):
            partition_count = UNSET
        else:
            partition_count = self.partition_count

        put_batch_max_time_ms: float | int | None | Unset
        if isinstance(self.put_batch_max_time_ms, Unset):
            put_batch_max_time_ms = UNSET
        else:
            put_batch_max_time_ms = self.put_batch_max_time_ms

        records_lag: float | int | None | Unset
        if isinstance(self.records_lag, Unset):
            records_lag = UNSET
        else:
            records_lag = self.records_lag

        sink_record_read_total: float | int | None | Unset
        if isinstance(self.sink_record_read_total, Unset):
            sink_record_read_total = UNSET
        else:
            sink_record_read_total = self.sink_record_read_total

        records_consumed_total: float | int | None | Unset
        if isinstance(self.records_consumed_total, Unset):
            records_consumed_total = UNSET
        else:
            records_consumed_total = self.records_consumed_total

        sink_record_send_total: float | int | None | Unset
        if isinstance(self.sink_record_send_total, Unset):
            sink_record_send_total = UNSET
        else:
            sink_record_send_total = self.sink_record_send_total

        bytes_consumed_total: float | int | None | Unset
        if isinstance(self.bytes_consumed_total, Unset):
            bytes_consumed_total = UNSET
        else:
            bytes_consumed_total = self.bytes_consumed_total

        qa_exact_count_diff: float | int | None | Unset
        if isinstance(self.qa_exact_count_diff, Unset):
            qa_exact_count_diff = UNSET
        else:
            qa_exact_count_diff = self.qa_exact_count_diff

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if connector_status is not UNSET:
            field_dict["connector_status"] = connector_status
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
        d = dict(src_dict)

        def _parse_connector_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        connector_status = _parse_connector_status(d.pop("connector_status", UNSET))

        def _parse_latency(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        latency = _parse_latency(d.pop("latency", UNSET))

        def _parse_partition_count(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        partition_count = _parse_partition_count(d.pop("partitionCount", UNSET))

        def _parse_put_batch_max_time_ms(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        put_batch_max_time_ms = _parse_put_batch_max_time_ms(
            d.pop("putBatchMaxTimeMs", UNSET)
        )

        def _parse_records_lag(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        records_lag = _parse_records_lag(d.pop("recordsLag", UNSET))

        def _parse_sink_record_read_total(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        sink_record_read_total = _parse_sink_record_read_total(
            d.pop("sinkRecordReadTotal", UNSET)
        )

        def _parse_records_consumed_total(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        records_consumed_total = _parse_records_consumed_total(
            d.pop("recordsConsumedTotal", UNSET)
        )

        def _parse_sink_record_send_total(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        sink_record_send_total = _parse_sink_record_send_total(
            d.pop("sinkRecordSendTotal", UNSET)
        )

        def _parse_bytes_consumed_total(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        bytes_consumed_total = _parse_bytes_consumed_total(
            d.pop("bytesConsumedTotal", UNSET)
        )

        def _parse_qa_exact_count_diff(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        qa_exact_count_diff = _parse_qa_exact_count_diff(
            d.pop("qa_exact_count_diff", UNSET)
        )

        destination_latest_metrics = cls(
            connector_status=connector_status,
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

        destination_latest_metrics.additional_properties = d
        return destination_latest_metrics

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
