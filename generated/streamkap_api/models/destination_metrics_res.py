from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, DecodeError, Unset

if TYPE_CHECKING:
    from ..models.destination_metrics_res_account_metrics import (
        DestinationMetricsResAccountMetrics,
    )
    from ..models.destination_metrics_res_connector_metrics import (
        DestinationMetricsResConnectorMetrics,
    )
    from ..models.destination_metrics_res_inline_metrics import (
        DestinationMetricsResInlineMetrics,
    )
    from ..models.destination_metrics_res_task_metrics import (
        DestinationMetricsResTaskMetrics,
    )
    from ..models.destination_metrics_res_topic_metrics import (
        DestinationMetricsResTopicMetrics,
    )


T = TypeVar("T", bound="DestinationMetricsRes")
_new_instance = object.__new__

_PROPERTY_NAMES = frozenset(
    (
        "account_metrics",
        "connector_metrics",
        "inline_metrics",
        "task_metrics",
        "topic_metrics",
    )
)


@_attrs_define
class DestinationMetricsRes:
    """Destination metrics response.

    Attributes:
        account_metrics (DestinationMetricsResAccountMetrics | None | Unset):
        connector_metrics (DestinationMetricsResConnectorMetrics | None | Unset):
        inline_metrics (DestinationMetricsResInlineMetrics | None | Unset):
        task_metrics (DestinationMetricsResTaskMetrics | None | Unset):
        topic_metrics (DestinationMetricsResTopicMetrics | None | Unset):
    """

    account_metrics: DestinationMetricsResAccountMetrics | None | Unset = UNSET
    connector_metrics: DestinationMetricsResConnectorMetrics | None | Unset = UNSET
    inline_metrics: DestinationMetricsResInlineMetrics | None | Unset = UNSET
    task_metrics: DestinationMetricsResTaskMetrics | None | Unset = UNSET
    topic_metrics: DestinationMetricsResTopicMetrics | None | Unset = UNSET
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
        from ..models.destination_metrics_res_account_metrics import (
            DestinationMetricsResAccountMetrics,
        )
        from ..models.destination_metrics_res_connector_metrics import (
            DestinationMetricsResConnectorMetrics,
        )
        from ..models.destination_metrics_res_inline_metrics import (
            DestinationMetricsResInlineMetrics,
        )
        from ..models.destination_metrics_res_task_metrics import (
            DestinationMetricsResTaskMetrics,
        )
        from ..models.destination_metrics_res_topic_metrics import (
            DestinationMetricsResTopicMetrics,
        )

        account_metrics: dict[str, Any] | None | Unset
        if isinstance(self.account_metrics, Unset):
            account_metrics = UNSET
        elif isinstance(self.account_metrics, DestinationMetricsResAccountMetrics):
            account_metrics = self.account_metrics.to_dict()
        else:
            account_metrics = self.account_metrics

        connector_metrics: dict[str, Any] | None | Unset
        if isinstance(self.connector_metrics, Unset):
            connector_metrics = UNSET
        elif isinstance(self.connector_metrics, DestinationMetricsResConnectorMetrics):
            connector_metrics = self.connector_metrics.to_dict()
        else:
            connector_metrics = self.connector_metrics

        inline_metrics: dict[str, Any] | None | Unset
        if isinstance(self.inline_metrics, Unset):
            inline_metrics = UNSET
        elif isinstance(self.inline_metrics, DestinationMetricsResInlineMetrics):
            inline_metrics = self.inline_metrics.to_dict()
        else:
            inline_metrics = self.inline_metrics

        task_metrics: dict[str, Any] | None | Unset
        if isinstance(self.task_metrics, Unset):
            task_metrics = UNSET
        elif isinstance(self.task_metrics, DestinationMetricsResTaskMetrics):
            task_metrics = self.task_metrics.to_dict()
        else:
            task_metrics = self.task_metrics

        topic_metrics: dict[str, Any] | None | Unset
        if isinstance(self.topic_metrics, Unset):
            topic_metrics = UNSET
        elif isinstance(self.topic_metrics, DestinationMetricsResTopicMetrics):
            topic_metrics = self.topic_metrics.to_dict()
        else:
            topic_metrics = self.topic_metrics

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if account_metrics is not UNSET:
            field_dict["account_metrics"] = account_metrics
        if connector_metrics is not UNSET:
            field_dict["connector_metrics"] = connector_metrics
        if inline_metrics is not UNSET:
            field_dict["inline_metrics"] = inline_metrics
        if task_metrics is not UNSET:
            field_dict["task_metrics"] = task_metrics
        if topic_metrics is not UNSET:
            field_dict["topic_metrics"] = topic_metrics

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Build from decoded JSON; raise `DecodeError` (with its JSON path) if it does not fit."""
        return cls._from_dict(src_dict)

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Self:
        if type(d) is not dict and not isinstance(d, Mapping):
            raise DecodeError.wrong_type([], "object", d)
        _account_metrics = d.get("account_metrics", UNSET)
        account_metrics: DestinationMetricsResAccountMetrics | None | Unset = UNSET
        if _account_metrics is not UNSET:
            if _account_metrics is None:
                account_metrics = _account_metrics
            elif type(_account_metrics) is dict or isinstance(
                _account_metrics, Mapping
            ):
                try:
                    account_metrics = DestinationMetricsResAccountMetrics._from_dict(
                        _account_metrics
                    )
                except DecodeError as e:
                    e.path.insert(0, "account_metrics")
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["account_metrics"], "object | null", _account_metrics
                )

        _connector_metrics = d.get("connector_metrics", UNSET)
        connector_metrics: DestinationMetricsResConnectorMetrics | None | Unset = UNSET
        if _connector_metrics is not UNSET:
            if _connector_metrics is None:
                connector_metrics = _connector_metrics
            elif type(_connector_metrics) is dict or isinstance(
                _connector_metrics, Mapping
            ):
                try:
                    connector_metrics = (
                        DestinationMetricsResConnectorMetrics._from_dict(
                            _connector_metrics
                        )
                    )
                except DecodeError as e:
                    e.path.insert(0, "connector_metrics")
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["connector_metrics"], "object | null", _connector_metrics
                )

        _inline_metrics = d.get("inline_metrics", UNSET)
        inline_metrics: DestinationMetricsResInlineMetrics | None | Unset = UNSET
        if _inline_metrics is not UNSET:
            if _inline_metrics is None:
                inline_metrics = _inline_metrics
            elif type(_inline_metrics) is dict or isinstance(_inline_metrics, Mapping):
                try:
                    inline_metrics = DestinationMetricsResInlineMetrics._from_dict(
                        _inline_metrics
                    )
                except DecodeError as e:
                    e.path.insert(0, "inline_metrics")
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["inline_metrics"], "object | null", _inline_metrics
                )

        _task_metrics = d.get("task_metrics", UNSET)
        task_metrics: DestinationMetricsResTaskMetrics | None | Unset = UNSET
        if _task_metrics is not UNSET:
            if _task_metrics is None:
                task_metrics = _task_metrics
            elif type(_task_metrics) is dict or isinstance(_task_metrics, Mapping):
                try:
                    task_metrics = DestinationMetricsResTaskMetrics._from_dict(
                        _task_metrics
                    )
                except DecodeError as e:
                    e.path.insert(0, "task_metrics")
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["task_metrics"], "object | null", _task_metrics
                )

        _topic_metrics = d.get("topic_metrics", UNSET)
        topic_metrics: DestinationMetricsResTopicMetrics | None | Unset = UNSET
        if _topic_metrics is not UNSET:
            if _topic_metrics is None:
                topic_metrics = _topic_metrics
            elif type(_topic_metrics) is dict or isinstance(_topic_metrics, Mapping):
                try:
                    topic_metrics = DestinationMetricsResTopicMetrics._from_dict(
                        _topic_metrics
                    )
                except DecodeError as e:
                    e.path.insert(0, "topic_metrics")
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["topic_metrics"], "object | null", _topic_metrics
                )

        destination_metrics_res = _new_instance(cls)
        destination_metrics_res.account_metrics = account_metrics
        destination_metrics_res.connector_metrics = connector_metrics
        destination_metrics_res.inline_metrics = inline_metrics
        destination_metrics_res.task_metrics = task_metrics
        destination_metrics_res.topic_metrics = topic_metrics
        if not _PROPERTY_NAMES.issuperset(d):
            destination_metrics_res.additional_properties = {
                k: v for k, v in d.items() if k not in _PROPERTY_NAMES
            }
        return destination_metrics_res

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
from ..models.destination_metrics_res_account_metrics import (
    DestinationMetricsResAccountMetrics,
)
from ..models.destination_metrics_res_connector_metrics import (
    DestinationMetricsResConnectorMetrics,
)
from ..models.destination_metrics_res_inline_metrics import (
    DestinationMetricsResInlineMetrics,
)
from ..models.destination_metrics_res_task_metrics import (
    DestinationMetricsResTaskMetrics,
)
from ..models.destination_metrics_res_topic_metrics import (
    DestinationMetricsResTopicMetrics,
)
