from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.destination_metrics_res_account_metrics_type_0 import (
        DestinationMetricsResAccountMetricsType0,
    )
    from ..models.destination_metrics_res_connector_metrics_type_0 import (
        DestinationMetricsResConnectorMetricsType0,
    )
    from ..models.destination_metrics_res_inline_metrics_type_0 import (
        DestinationMetricsResInlineMetricsType0,
    )
    from ..models.destination_metrics_res_task_metrics_type_0 import (
        DestinationMetricsResTaskMetricsType0,
    )
    from ..models.destination_metrics_res_topic_metrics_type_0 import (
        DestinationMetricsResTopicMetricsType0,
    )


T = TypeVar("T", bound="DestinationMetricsRes")


@_attrs_define
class DestinationMetricsRes:
    """Destination metrics response.

    Attributes:
        account_metrics (DestinationMetricsResAccountMetricsType0 | None | Unset):
        connector_metrics (DestinationMetricsResConnectorMetricsType0 | None | Unset):
        inline_metrics (DestinationMetricsResInlineMetricsType0 | None | Unset):
        task_metrics (DestinationMetricsResTaskMetricsType0 | None | Unset):
        topic_metrics (DestinationMetricsResTopicMetricsType0 | None | Unset):
    """

    account_metrics: DestinationMetricsResAccountMetricsType0 | None | Unset = UNSET
    connector_metrics: DestinationMetricsResConnectorMetricsType0 | None | Unset = UNSET
    inline_metrics: DestinationMetricsResInlineMetricsType0 | None | Unset = UNSET
    task_metrics: DestinationMetricsResTaskMetricsType0 | None | Unset = UNSET
    topic_metrics: DestinationMetricsResTopicMetricsType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.destination_metrics_res_account_metrics_type_0 import (
            DestinationMetricsResAccountMetricsType0,
        )
        from ..models.destination_metrics_res_connector_metrics_type_0 import (
            DestinationMetricsResConnectorMetricsType0,
        )
        from ..models.destination_metrics_res_inline_metrics_type_0 import (
            DestinationMetricsResInlineMetricsType0,
        )
        from ..models.destination_metrics_res_task_metrics_type_0 import (
            DestinationMetricsResTaskMetricsType0,
        )
        from ..models.destination_metrics_res_topic_metrics_type_0 import (
            DestinationMetricsResTopicMetricsType0,
        )

        account_metrics: dict[str, Any] | None | Unset
        if isinstance(self.account_metrics, Unset):
            account_metrics = UNSET
        elif isinstance(self.account_metrics, DestinationMetricsResAccountMetricsType0):
            account_metrics = self.account_metrics.to_dict()
        else:
            account_metrics = self.account_metrics

        connector_metrics: dict[str, Any] | None | Unset
        if isinstance(self.connector_metrics, Unset):
            connector_metrics = UNSET
        elif isinstance(
            self.connector_metrics, DestinationMetricsResConnectorMetricsType0
        ):
            connector_metrics = self.connector_metrics.to_dict()
        else:
            connector_metrics = self.connector_metrics

        inline_metrics: dict[str, Any] | None | Unset
        if isinstance(self.inline_metrics, Unset):
            inline_metrics = UNSET
        elif isinstance(self.inline_metrics, DestinationMetricsResInlineMetricsType0):
            inline_metrics = self.inline_metrics.to_dict()
        else:
            inline_metrics = self.inline_metrics

        task_metrics: dict[str, Any] | None | Unset
        if isinstance(self.task_metrics, Unset):
            task_metrics = UNSET
        elif isinstance(self.task_metrics, DestinationMetricsResTaskMetricsType0):
            task_metrics = self.task_metrics.to_dict()
        else:
            task_metrics = self.task_metrics

        topic_metrics: dict[str, Any] | None | Unset
        if isinstance(self.topic_metrics, Unset):
            topic_metrics = UNSET
        elif isinstance(self.topic_metrics, DestinationMetricsResTopicMetricsType0):
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
        from ..models.destination_metrics_res_account_metrics_type_0 import (
            DestinationMetricsResAccountMetricsType0,
        )
        from ..models.destination_metrics_res_connector_metrics_type_0 import (
            DestinationMetricsResConnectorMetricsType0,
        )
        from ..models.destination_metrics_res_inline_metrics_type_0 import (
            DestinationMetricsResInlineMetricsType0,
        )
        from ..models.destination_metrics_res_task_metrics_type_0 import (
            DestinationMetricsResTaskMetricsType0,
        )
        from ..models.destination_metrics_res_topic_metrics_type_0 import (
            DestinationMetricsResTopicMetricsType0,
        )

        d = dict(src_dict)

        def _parse_account_metrics(
            data: object,
        ) -> DestinationMetricsResAccountMetricsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                account_metrics_type_0 = (
                    DestinationMetricsResAccountMetricsType0.from_dict(data)
                )

                return account_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DestinationMetricsResAccountMetricsType0 | None | Unset, data)

        account_metrics = _parse_account_metrics(d.pop("account_metrics", UNSET))

        def _parse_connector_metrics(
            data: object,
        ) -> DestinationMetricsResConnectorMetricsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                connector_metrics_type_0 = (
                    DestinationMetricsResConnectorMetricsType0.from_dict(data)
                )

                return connector_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DestinationMetricsResConnectorMetricsType0 | None | Unset, data)

        connector_metrics = _parse_connector_metrics(d.pop("connector_metrics", UNSET))

        def _parse_inline_metrics(
            data: object,
        ) -> DestinationMetricsResInlineMetricsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                inline_metrics_type_0 = (
                    DestinationMetricsResInlineMetricsType0.from_dict(data)
                )

                return inline_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DestinationMetricsResInlineMetricsType0 | None | Unset, data)

        inline_metrics = _parse_inline_metrics(d.pop("inline_metrics", UNSET))

        def _parse_task_metrics(
            data: object,
        ) -> DestinationMetricsResTaskMetricsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                task_metrics_type_0 = DestinationMetricsResTaskMetricsType0.from_dict(
                    data
                )

                return task_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DestinationMetricsResTaskMetricsType0 | None | Unset, data)

        task_metrics = _parse_task_metrics(d.pop("task_metrics", UNSET))

        def _parse_topic_metrics(
            data: object,
        ) -> DestinationMetricsResTopicMetricsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                topic_metrics_type_0 = DestinationMetricsResTopicMetricsType0.from_dict(
                    data
                )

                return topic_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DestinationMetricsResTopicMetricsType0 | None | Unset, data)

        topic_metrics = _parse_topic_metrics(d.pop("topic_metrics", UNSET))

        destination_metrics_res = cls(
            account_metrics=account_metrics,
            connector_metrics=connector_metrics,
            inline_metrics=inline_metrics,
            task_metrics=task_metrics,
            topic_metrics=topic_metrics,
        )

        destination_metrics_res.additional_properties = d
        return destination_metrics_res

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
