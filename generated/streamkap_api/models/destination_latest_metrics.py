from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, DecodeError, Unset

T = TypeVar("T", bound="DestinationLatestMetrics")
_new_instance = object.__new__

_PROPERTY_NAMES = frozenset(
    (
        "connector_status",
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
        """Build from decoded JSON; raise `DecodeError` (with its JSON path) if it does not fit."""
        return cls._from_dict(src_dict)

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Self:
        if type(d) is not dict and not isinstance(d, Mapping):
            raise DecodeError.wrong_type([], "object", d)
        connector_status = d.get("connector_status", UNSET)
        if connector_status is not UNSET and not (
            isinstance(connector_status, str) or connector_status is None
        ):
            raise DecodeError.wrong_type(
                ["connector_status"], "string | null", connector_status
            )

        latency = d.get("latency", UNSET)
        if latency is not UNSET and not (
            (
                isinstance(latency, float)
                or (isinstance(latency, int) and not isinstance(latency, bool))
            )
            or latency is None
        ):
            raise DecodeError.wrong_type(["latency"], "number | null", latency)

        partition_count = d.get("partitionCount", UNSET)
        if partition_count is not UNSET and not (
            (
                isinstance(partition_count, float)
                or (
                    isinstance(partition_count, int)
                    and not isinstance(partition_count, bool)
                )
            )
            or partition_count is None
        ):
            raise DecodeError.wrong_type(
                ["partitionCount"], "number | null", partition_count
            )

        put_batch_max_time_ms = d.get("putBatchMaxTimeMs", UNSET)
        if put_batch_max_time_ms is not UNSET and not (
            (
                isinstance(put_batch_max_time_ms, float)
                or (
                    isinstance(put_batch_max_time_ms, int)
                    and not isinstance(put_batch_max_time_ms, bool)
                )
            )
            or put_batch_max_time_ms is None
        ):
            raise DecodeError.wrong_type(
                ["putBatchMaxTimeMs"], "number | null", put_batch_max_time_ms
            )

        records_lag = d.get("recordsLag", UNSET)
        if records_lag is not UNSET and not (
            (
                isinstance(records_lag, float)
                or (isinstance(records_lag, int) and not isinstance(records_lag, bool))
            )
            or records_lag is None
        ):
            raise DecodeError.wrong_type(["recordsLag"], "number | null", records_lag)

        sink_record_read_total = d.get("sinkRecordReadTotal", UNSET)
        if sink_record_read_total is not UNSET and not (
            (
                isinstance(sink_record_read_total, float)
                or (
                    isinstance(sink_record_read_total, int)
                    and not isinstance(sink_record_read_total, bool)
                )
            )
            or sink_record_read_total is None
        ):
            raise DecodeError.wrong_type(
                ["sinkRecordReadTotal"], "number | null", sink_record_read_total
            )

        records_consumed_total = d.get("recordsConsumedTotal", UNSET)
        if records_consumed_total is not UNSET and not (
            (
                isinstance(records_consumed_total, float)
                or (
                    isinstance(records_consumed_total, int)
                    and not isinstance(records_consumed_total, bool)
                )
            )
            or records_consumed_total is None
        ):
            raise DecodeError.wrong_type(
                ["recordsConsumedTotal"], "number | null", records_consumed_total
            )

        sink_record_send_total = d.get("sinkRecordSendTotal", UNSET)
        if sink_record_send_total is not UNSET and not (
            (
                isinstance(sink_record_send_total, float)
                or (
                    isinstance(sink_record_send_total, int)
                    and not isinstance(sink_record_send_total, bool)
                )
            )
            or sink_record_send_total is None
        ):
            raise DecodeError.wrong_type(
                ["sinkRecordSendTotal"], "number | null", sink_record_send_total
            )

        bytes_consumed_total = d.get("bytesConsumedTotal", UNSET)
        if bytes_consumed_total is not UNSET and not (
            (
                isinstance(bytes_consumed_total, float)
                or (
                    isinstance(bytes_consumed_total, int)
                    and not isinstance(bytes_consumed_total, bool)
                )
            )
            or bytes_consumed_total is None
        ):
            raise DecodeError.wrong_type(
                ["bytesConsumedTotal"], "number | null", bytes_consumed_total
            )

        qa_exact_count_diff = d.get("qa_exact_count_diff", UNSET)
        if qa_exact_count_diff is not UNSET and not (
            (
                isinstance(qa_exact_count_diff, float)
                or (
                    isinstance(qa_exact_count_diff, int)
                    and not isinstance(qa_exact_count_diff, bool)
                )
            )
            or qa_exact_count_diff is None
        ):
            raise DecodeError.wrong_type(
                ["qa_exact_count_diff"], "number | null", qa_exact_count_diff
            )

        destination_latest_metrics = _new_instance(cls)
        destination_latest_metrics.connector_status = connector_status
        destination_latest_metrics.latency = latency
        destination_latest_metrics.partition_count = partition_count
        destination_latest_metrics.put_batch_max_time_ms = put_batch_max_time_ms
        destination_latest_metrics.records_lag = records_lag
        destination_latest_metrics.sink_record_read_total = sink_record_read_total
        destination_latest_metrics.records_consumed_total = records_consumed_total
        destination_latest_metrics.sink_record_send_total = sink_record_send_total
        destination_latest_metrics.bytes_consumed_total = bytes_consumed_total
        destination_latest_metrics.qa_exact_count_diff = qa_exact_count_diff
        if not _PROPERTY_NAMES.issuperset(d):
            destination_latest_metrics.additional_properties = {
                k: v for k, v in d.items() if k not in _PROPERTY_NAMES
            }
        return destination_latest_metrics

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
