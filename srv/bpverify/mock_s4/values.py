"""Property values of the mock: Python ↔ V2 JSON as SAP Gateway writes and reads them. Pure.

`Edm.DateTime` → `/Date(ms)/` (UTC), `Edm.DateTimeOffset` → `/Date(ms+0000)/`, `Edm.Time` → `PT09H00M00S`,
`Edm.Guid` → text; requests may send dates as `/Date(…)/` or ISO 8601.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from .schema import Field

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
_TIME = re.compile(r"^PT(\d{1,2})H(\d{1,2})M(\d{1,2})S$")


class InvalidValue(Exception):
    pass


def _ms(value: dt.datetime) -> int:
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return (aware - _EPOCH) // dt.timedelta(milliseconds=1)


def to_json(edm_type: str, value: Any) -> Any:
    if value is None:
        return None
    if edm_type == "Edm.DateTime":
        return f"/Date({_ms(value)})/"
    if edm_type == "Edm.DateTimeOffset":
        return f"/Date({_ms(value)}+0000)/"
    if edm_type == "Edm.Time":
        return f"PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S"
    if edm_type == "Edm.Guid":
        return str(value)
    return value


def _datetime(text: Any) -> dt.datetime:
    match = _DATE.match(str(text))
    if match:
        return _EPOCH + dt.timedelta(milliseconds=int(match.group(1)))
    try:
        parsed = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(f"Invalid date value '{text}'") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _time(text: Any) -> dt.time:
    match = _TIME.match(str(text))
    if match is None:
        raise InvalidValue(f"Invalid time value '{text}'")
    hours, minutes, seconds = (int(g) for g in match.groups())
    return dt.time(hours, minutes, seconds)


def coerce(field: Field, value: Any) -> Any:
    """A request body value for `field`, checked like Gateway does (type, length)."""
    if value is None:
        if field.type == "Edm.String":
            return ""
        return None
    if field.type == "Edm.String":
        if not isinstance(value, str):
            raise InvalidValue(f"Property '{field.name}' expects a string")
        if field.max_length and len(value) > field.max_length:
            raise InvalidValue(f"Value '{value}' of property '{field.name}' exceeds {field.max_length} characters")
        return value
    if field.type == "Edm.Boolean":
        if not isinstance(value, bool):
            raise InvalidValue(f"Property '{field.name}' expects true or false")
        return value
    if field.type in ("Edm.DateTime", "Edm.DateTimeOffset"):
        return _datetime(value)
    if field.type == "Edm.Time":
        return _time(value)
    if field.type == "Edm.Guid":
        try:
            return uuid.UUID(str(value))
        except ValueError:
            raise InvalidValue(f"Invalid GUID value '{value}'") from None
    return value
