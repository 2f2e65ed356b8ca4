from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PipelineMetricsReqBody")


@_attrs_define
class PipelineMetricsReqBody:
    """Body model for POST /pipelines/metrics requests.

    Supports large lists of IDs that would exceed URL length limits when using GET.
    Body parameters take precedence over query parameters when both are provided.

        Attributes:
            ids (list[str] | None | str | Unset): List of pipeline IDs (as array) or comma-separated string. Body takes
                precedence over query params.
            tenant_ids (list[str] | None | str | Unset): List of tenant IDs (as array) or comma-separated string. Body takes
                precedence over query params.
    """

    ids: list[str] | None | str | Unset = UNSET
    tenant_ids: list[str] | None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ids: list[str] | None | str | Unset
        if isinstance(self.ids, Unset):
            ids = UNSET
        elif isinstance(self.ids, list):
            ids = self.ids

        else:
            ids = self.ids

        tenant_ids: list[str] | None | str | Unset
        if isinstance(self.tenant_ids, Unset):
            tenant_ids = UNSET
        elif isinstance(self.tenant_ids, list):
            tenant_ids = self.tenant_ids

        else:
            tenant_ids = self.tenant_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if ids is not UNSET:
            field_dict["ids"] = ids
        if tenant_ids is not UNSET:
            field_dict["tenant_ids"] = tenant_ids

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_ids(data: object) -> list[str] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                ids_type_0 = cast(list[str], data)

                return ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | str | Unset, data)

        ids = _parse_ids(d.pop("ids", UNSET))

        def _parse_tenant_ids(data: object) -> list[str] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tenant_ids_type_0 = cast(list[str], data)

                return tenant_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | str | Unset, data)

        tenant_ids = _parse_tenant_ids(d.pop("tenant_ids", UNSET))

        pipeline_metrics_req_body = cls(
            ids=ids,
            tenant_ids=tenant_ids,
        )

        pipeline_metrics_req_body.additional_properties = d
        return pipeline_metrics_req_body

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
