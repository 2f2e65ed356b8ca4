from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pipeline_metrics_res_account_metrics_type_0 import (
        PipelineMetricsResAccountMetricsType0,
    )
    from ..models.pipeline_metrics_res_connector_metrics_type_0 import (
        PipelineMetricsResConnectorMetricsType0,
    )
    from ..models.pipeline_metrics_res_inline_metrics_type_0 import (
        PipelineMetricsResInlineMetricsType0,
    )
    from ..models.pipeline_metrics_res_task_metrics_type_0 import (
        PipelineMetricsResTaskMetricsType0,
    )
    from ..models.pipeline_metrics_res_topic_metrics_type_0 import (
        PipelineMetricsResTopicMetricsType0,
    )


T = TypeVar("T", bound="PipelineMetricsRes")


@_attrs_define
class PipelineMetricsRes:
    """Pipeline metrics response.

    Attributes:
        account_metrics (None | PipelineMetricsResAccountMetricsType0 | Unset):
        connector_metrics (None | PipelineMetricsResConnectorMetricsType0 | Unset):
        inline_metrics (None | PipelineMetricsResInlineMetricsType0 | Unset):
        task_metrics (None | PipelineMetricsResTaskMetricsType0 | Unset):
        topic_metrics (None | PipelineMetricsResTopicMetricsType0 | Unset):
    """

    account_metrics: None | PipelineMetricsResAccountMetricsType0 | Unset = UNSET
    connector_metrics: None | PipelineMetricsResConnectorMetricsType0 | Unset = UNSET
    inline_metrics: None | PipelineMetricsResInlineMetricsType0 | Unset = UNSET
    task_metrics: None | PipelineMetricsResTaskMetricsType0 | Unset = UNSET
    topic_metrics: None | PipelineMetricsResTopicMetricsType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.pipeline_metrics_res_account_metrics_type_0 import (
            PipelineMetricsResAccountMetricsType0,
        )
        from ..models.pipeline_metrics_res_connector_metrics_type_0 import (
            PipelineMetricsResConnectorMetricsType0,
        )
        from ..models.pipeline_metrics_res_inline_metrics_type_0 import (
            PipelineMetricsResInlineMetricsType0,
        )
        from ..models.pipeline_metrics_res_task_metrics_type_0 import (
            PipelineMetricsResTaskMetricsType0,
        )
        from ..models.pipeline_metrics_res_topic_metrics_type_0 import (
            PipelineMetricsResTopicMetricsType0,
        )

        account_metrics: dict[str, Any] | None | Unset
        if isinstance(self.account_metrics, Unset):
            account_metrics = UNSET
        elif isinstance(self.account_metrics, PipelineMetricsResAccountMetricsType0):
            account_metrics = self.account_metrics.to_dict()
        else:
            account_metrics = self.account_metrics

        connector_metrics: dict[str, Any] | None | Unset
        if isinstance(self.connector_metrics, Unset):
            connector_metrics = UNSET
        elif isinstance(
            self.connector_metrics, PipelineMetricsResConnectorMetricsType0
        ):
            connector_metrics = self.connector_metrics.to_dict()
        else:
            connector_metrics = self.connector_metrics

        inline_metrics: dict[str, Any] | None | Unset
        if isinstance(self.inline_metrics, Unset):
            inline_metrics = UNSET
        elif isinstance(self.inline_metrics, PipelineMetricsResInlineMetricsType0):
            inline_metrics = self.inline_metrics.to_dict()
        else:
            inline_metrics = self.inline_metrics

        task_metrics: dict[str, Any] | None | Unset
        if isinstance(self.task_metrics, Unset):
            task_metrics = UNSET
        elif isinstance(self.task_metrics, PipelineMetricsResTaskMetricsType0):
            task_metrics = self.task_metrics.to_dict()
        else:
            task_metrics = self.task_metrics

        topic_metrics: dict[str, Any] | None | Unset
        if isinstance(self.topic_metrics, Unset):
            topic_metrics = UNSET
        elif isinstance(self.topic_metrics, PipelineMetricsResTopicMetricsType0):
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
        from ..models.pipeline_metrics_res_account_metrics_type_0 import (
            PipelineMetricsResAccountMetricsType0,
        )
        from ..models.pipeline_metrics_res_connector_metrics_type_0 import (
            PipelineMetricsResConnectorMetricsType0,
        )
        from ..models.pipeline_metrics_res_inline_metrics_type_0 import (
            PipelineMetricsResInlineMetricsType0,
        )
        from ..models.pipeline_metrics_res_task_metrics_type_0 import (
            PipelineMetricsResTaskMetricsType0,
        )
        from ..models.pipeline_metrics_res_topic_metrics_type_0 import (
            PipelineMetricsResTopicMetricsType0,
        )

        d = dict(src_dict)

        def _parse_account_metrics(
            data: object,
        ) -> None | PipelineMetricsResAccountMetricsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                account_metrics_type_0 = (
                    PipelineMetricsResAccountMetricsType0.from_dict(data)
                )

                return account_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PipelineMetricsResAccountMetricsType0 | Unset, data)

        account_metrics = _parse_account_metrics(d.pop("account_metrics", UNSET))

        def _parse_connector_metrics(
            data: object,
        ) -> None | PipelineMetricsResConnectorMetricsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                connector_metrics_type_0 = (
                    PipelineMetricsResConnectorMetricsType0.from_dict(data)
                )

                return connector_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PipelineMetricsResConnectorMetricsType0 | Unset, data)

        connector_metrics = _parse_connector_metrics(d.pop("connector_metrics", UNSET))

        def _parse_inline_metrics(
            data: object,
        ) -> None | PipelineMetricsResInlineMetricsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                inline_metrics_type_0 = PipelineMetricsResInlineMetricsType0.from_dict(
                    data
                )

                return inline_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PipelineMetricsResInlineMetricsType0 | Unset, data)

        inline_metrics = _parse_inline_metrics(d.pop("inline_metrics", UNSET))

        def _parse_task_metrics(
            data: object,
        ) -> None | PipelineMetricsResTaskMetricsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                task_metrics_type_0 = PipelineMetricsResTaskMetricsType0.from_dict(data)

                return task_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PipelineMetricsResTaskMetricsType0 | Unset, data)

        task_metrics = _parse_task_metrics(d.pop("task_metrics", UNSET))

        def _parse_topic_metrics(
            data: object,
        ) -> None | PipelineMetricsResTopicMetricsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                topic_metrics_type_0 = PipelineMetricsResTopicMetricsType0.from_dict(
                    data
                )

                return topic_metrics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PipelineMetricsResTopicMetricsType0 | Unset, data)

        topic_metrics = _parse_topic_metrics(d.pop("topic_metrics", UNSET))

        pipeline_metrics_res = cls(
            account_metrics=account_metrics,
            connector_metrics=connector_metrics,
            inline_metrics=inline_metrics,
            task_metrics=task_metrics,
            topic_metrics=topic_metrics,
        )

        pipeline_metrics_res.additional_properties = d
        return pipeline_metrics_res

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
