from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, DecodeError, Unset

if TYPE_CHECKING:
    from ..models.validation_error_context import ValidationErrorContext


T = TypeVar("T", bound="ValidationError")
_new_instance = object.__new__

_PROPERTY_NAMES = frozenset(("loc", "msg", "type", "input", "ctx"))


@_attrs_define
class ValidationError:
    """
    Attributes:
        loc (list[int | str]):
        msg (str):
        type_ (str):
        input_ (Any | Unset):
        ctx (ValidationErrorContext | Unset):
    """

    loc: list[int | str]
    msg: str
    type_: str
    input_: Any | Unset = UNSET
    ctx: ValidationErrorContext | Unset = UNSET
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
        loc = []
        for loc_item_data in self.loc:
            loc_item: int | str
            loc_item = loc_item_data
            loc.append(loc_item)

        msg = self.msg

        type_ = self.type_

        input_ = self.input_

        ctx: dict[str, Any] | Unset = UNSET
        if not isinstance(self.ctx, Unset):
            ctx = self.ctx.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "loc": loc,
                "msg": msg,
                "type": type_,
            }
        )
        if input_ is not UNSET:
            field_dict["input"] = input_
        if ctx is not UNSET:
            field_dict["ctx"] = ctx

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
            _loc = d["loc"]
            msg = d["msg"]
            type_ = d["type"]
        except KeyError:
            raise DecodeError.missing(d, ("loc", "msg", "type")) from None
        if not isinstance(_loc, list):
            raise DecodeError.wrong_type(["loc"], "array", _loc)
        loc = []
        try:
            for loc_data in _loc:
                if not (
                    isinstance(loc_data, str)
                    or (isinstance(loc_data, int) and not isinstance(loc_data, bool))
                ):
                    raise DecodeError.wrong_type([], "string | integer", loc_data)
                loc.append(loc_data)
        except DecodeError as e:
            e.path[:0] = ("loc", len(loc))
            raise

        if not isinstance(msg, str):
            raise DecodeError.wrong_type(["msg"], "string", msg)

        if not isinstance(type_, str):
            raise DecodeError.wrong_type(["type"], "string", type_)

        input_ = d.get("input", UNSET)

        _ctx = d.get("ctx", UNSET)
        ctx: ValidationErrorContext | Unset = UNSET
        if _ctx is not UNSET:
            try:
                ctx = ValidationErrorContext._from_dict(_ctx)
            except DecodeError as e:
                e.path.insert(0, "ctx")
                raise

        validation_error = _new_instance(cls)
        validation_error.loc = loc
        validation_error.msg = msg
        validation_error.type_ = type_
        validation_error.input_ = input_
        validation_error.ctx = ctx
        if len(d) > 3 and not _PROPERTY_NAMES.issuperset(d):
            validation_error.additional_properties = {
                k: v for k, v in d.items() if k not in _PROPERTY_NAMES
            }
        return validation_error

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
from ..models.validation_error_context import ValidationErrorContext
