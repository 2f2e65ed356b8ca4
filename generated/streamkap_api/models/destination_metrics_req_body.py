from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, DecodeError, Unset

T = TypeVar("T", bound="DestinationMetricsReqBody")
_new_instance = object.__new__

_PROPERTY_NAMES = frozenset(("ids", "tenant_ids"))


@_attrs_define
class DestinationMetricsReqBody:
    """Body model for POST /destinations/metrics requests.

    Supports large lists of IDs that would exceed URL length limits when using GET.
    Body parameters take precedence over query parameters when both are provided.

        Attributes:
            ids (list[str] | None | str | Unset): List of destination IDs (as array) or comma-separated string. Body takes
                precedence over query params.
            tenant_ids (list[str] | None | str | Unset): List of tenant IDs (as array) or comma-separated string. Body takes
                precedence over query params.
    """

    ids: list[str] | None | str | Unset = UNSET
    tenant_ids: list[str] | None | str | Unset = UNSET
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
        """Build from decoded JSON; raise `DecodeError` (with its JSON path) if it does not fit."""
        return cls._from_dict(src_dict)

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Self:
        if type(d) is not dict and not isinstance(d, Mapping):
            raise DecodeError.wrong_type([], "object", d)
        _ids = d.get("ids", UNSET)
        ids: list[str] | None | str | Unset = UNSET
        if _ids is not UNSET:
            if isinstance(_ids, str) or _ids is None:
                ids = _ids
            elif isinstance(_ids, list):
                ids = []
                try:
                    for ids_data in _ids:
                        if not isinstance(ids_data, str):
                            raise DecodeError.wrong_type([], "string", ids_data)
                        ids.append(ids_data)
                except DecodeError as e:
                    e.path[:0] = ("ids", len(ids))
                    raise
            else:
                raise DecodeError.wrong_type(["ids"], "array | string | null", _ids)

        _tenant_ids = d.get("tenant_ids", UNSET)
        tenant_ids: list[str] | None | str | Unset = UNSET
        if _tenant_ids is not UNSET:
            if isinstance(_tenant_ids, str) or _tenant_ids is None:
                tenant_ids = _tenant_ids
            elif isinstance(_tenant_ids, list):
                tenant_ids = []
                try:
                    for tenant_ids_data in _tenant_ids:
                        if not isinstance(tenant_ids_data, str):
                            raise DecodeError.wrong_type([], "string", tenant_ids_data)
                        tenant_ids.append(tenant_ids_data)
                except DecodeError as e:
                    e.path[:0] = ("tenant_ids", len(tenant_ids))
                    raise
            else:
                raise DecodeError.wrong_type(
                    ["tenant_ids"], "array | string | null", _tenant_ids
                )

        destination_metrics_req_body = _new_instance(cls)
        destination_metrics_req_body.ids = ids
        destination_metrics_req_body.tenant_ids = tenant_ids
        if not _PROPERTY_NAMES.issuperset(d):
            destination_metrics_req_body.additional_properties = {
                k: v for k, v in d.items() if k not in _PROPERTY_NAMES
            }
        return destination_metrics_req_body

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
