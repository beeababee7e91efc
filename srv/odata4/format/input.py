"""Values from a JSON request body, checked against the property's type (CAP's ASSERT_DATA_TYPE)."""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from typing import Any

from odata4.edm.model import Property
from odata4.errors import BadRequest

_INT64_TEXT = re.compile(r"-?[0-9]{1,19}")  # not str.isdigit(): it accepts "²" and "٣"
_INT_RANGES = {
    "Edm.Byte": (0, 255),
    "Edm.SByte": (-128, 127),
    "Edm.Int16": (-(2**15), 2**15 - 1),
    "Edm.Int32": (-(2**31), 2**31 - 1),
    "Edm.Int64": (-(2**63), 2**63 - 1),
}


def type_label(prop: Property) -> str:
    names = {
        "Edm.String": "String",
        "Edm.Guid": "UUID",
        "Edm.Boolean": "Boolean",
        "Edm.Int32": "Integer",
        "Edm.Int64": "Integer64",
        "Edm.Decimal": "Decimal",
        "Edm.DateTimeOffset": "Timestamp",
        "Edm.Date": "Date",
    }
    label = names.get(prop.type, prop.type.removeprefix("Edm."))
    return f"{label}({prop.max_length})" if prop.max_length and prop.type == "Edm.String" else label


def _invalid(value: Any, prop: Property) -> BadRequest:
    return BadRequest(
        f"Value {_show(value)} is not a valid {type_label(prop)}", code="ASSERT_DATA_TYPE", target=prop.name
    )


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_value(prop: Property, value: Any) -> Any:
    """The column value for a JSON value sent for `prop`; BadRequest with a target if invalid."""
    if value is None:
        if not prop.nullable:
            raise BadRequest(f"Value is required for {prop.name}", code="ASSERT_NOT_NULL", target=prop.name)
        return None
    edm = prop.type
    if edm == "Edm.String":
        if not isinstance(value, str) or (prop.max_length is not None and len(value) > prop.max_length):
            raise _invalid(value, prop)
        return value
    if edm == "Edm.Guid":
        try:
            return str(uuid.UUID(value)) if isinstance(value, str) and len(value) == 36 else _raise(value, prop)
        except ValueError:
            raise _invalid(value, prop) from None
    if edm == "Edm.Boolean":
        if not isinstance(value, bool):
            raise _invalid(value, prop)
        return value
    if edm in _INT_RANGES:
        return _integer(prop, value)
    if edm in ("Edm.Decimal", "Edm.Double", "Edm.Single"):
        return _number(prop, value)
    if edm == "Edm.DateTimeOffset":
        return _timestamp(prop, value)
    if edm == "Edm.Date":
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else _raise(value, prop)
        except ValueError:
            raise _invalid(value, prop) from None
    raise _invalid(value, prop)


def _raise(value: Any, prop: Property) -> Any:
    raise _invalid(value, prop)


def _integer(prop: Property, value: Any) -> int:
    if isinstance(value, str) and prop.type == "Edm.Int64" and _INT64_TEXT.fullmatch(value):
        value = int(value)  # IEEE754Compatible clients send Int64 as strings
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(value, prop)
    low, high = _INT_RANGES[prop.type]
    if not low <= value <= high:
        raise _invalid(value, prop)
    return value


def _number(prop: Property, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _invalid(value, prop)
    try:
        number = decimal.Decimal(value if isinstance(value, str) else str(value))
    except decimal.InvalidOperation:
        raise _invalid(value, prop) from None
    if not number.is_finite():  # NaN, Infinity, or 1e400 that JSON decoding made infinite
        raise _invalid(value, prop)
    if prop.type != "Edm.Decimal":
        result = float(number)
        if result in (float("inf"), float("-inf")):
            raise _invalid(value, prop)
        return result
    return _decimal(prop, value, number)


def _decimal(prop: Property, value: Any, number: decimal.Decimal) -> decimal.Decimal:
    """Rounded to the scale, as PostgreSQL and HANA store it (SQLite would keep every digit),
    and rejected when it has more integral digits than `precision - scale` allows."""
    if prop.scale is not None:
        context = decimal.Context(prec=max(28, (prop.precision or 0) + 1))
        try:
            number = number.quantize(decimal.Decimal(1).scaleb(-prop.scale), decimal.ROUND_HALF_UP, context)
        except decimal.InvalidOperation:  # more digits than the context holds: far too large anyway
            raise _invalid(value, prop) from None
    if prop.precision is not None and number != 0 and number.adjusted() + 1 > prop.precision - (prop.scale or 0):
        raise _invalid(value, prop)
    return number


def _timestamp(prop: Property, value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise _invalid(value, prop)
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(value, prop) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed
