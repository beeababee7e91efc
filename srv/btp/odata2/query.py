"""OData V2 URLs: literals, key predicates, resource paths and system query options. Pure.

Literal forms (OData V2 URI conventions, 2.2.2): `'O''Neil'`, `12`, `1.5M` (Decimal), `1.5d` (Double),
`true`, `null`, `datetime'2023-01-01T00:00:00'`, `datetimeoffset'2023-01-01T00:00:00Z'`, `time'PT10H30M00S'`,
`guid'…'`, `X'0aff'`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

_PATH_SAFE = "(),='*$:@!"


def string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _datetime_literal(value: dt.datetime) -> str:
    if value.tzinfo is None:
        return f"datetime'{value.isoformat(timespec='seconds' if not value.microsecond else 'auto')}'"
    utc = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return f"datetimeoffset'{utc}Z'"


def literal(value: Any) -> str:
    """A Python value as a V2 literal in `$filter` or a key predicate."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return f"{value}M"
    if isinstance(value, float):
        return f"{value!r}d"
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, dt.datetime):
        return _datetime_literal(value)
    if isinstance(value, dt.date):
        return f"datetime'{value.isoformat()}T00:00:00'"
    if isinstance(value, dt.time):
        return f"time'PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S'"
    if isinstance(value, uuid.UUID):
        return f"guid'{value}'"
    if isinstance(value, bytes):
        return f"X'{value.hex()}'"
    raise TypeError(f"no OData V2 literal for {type(value).__name__}")


def key_predicate(key: Any) -> str:
    """`('1000')` for a single key value, `(BusinessPartner='1000',AddressID='1')` for a mapping."""
    if isinstance(key, Mapping):
        return "(" + ",".join(f"{name}={literal(value)}" for name, value in key.items()) + ")"
    return f"({literal(key)})"


def resource_path(entity_set: str, key: Any = None, *segments: str) -> str:
    """`A_BusinessPartner('1000')/to_BusinessPartnerAddress`, percent-encoded for a URL path."""
    path = entity_set if key is None else entity_set + key_predicate(key)
    return "/".join(quote(part, safe=_PATH_SAFE) for part in (path, *segments))


@dataclass(frozen=True)
class Query:
    """System query options of one V2 request; `custom` holds others (e.g. `search`)."""

    filter: str | None = None
    select: tuple[str, ...] = ()
    expand: tuple[str, ...] = ()
    orderby: tuple[str, ...] = ()  # items like "BusinessPartner desc"
    top: int | None = None
    skip: int | None = None
    inlinecount: bool = False
    custom: tuple[tuple[str, str], ...] = ()

    def params(self) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        if self.filter:
            params.append(("$filter", self.filter))
        for name, items in (("$select", self.select), ("$expand", self.expand), ("$orderby", self.orderby)):
            if items:
                params.append((name, ",".join(items)))
        if self.top is not None:
            params.append(("$top", str(self.top)))
        if self.skip:
            params.append(("$skip", str(self.skip)))
        if self.inlinecount:
            params.append(("$inlinecount", "allpages"))
        params.extend(self.custom)
        return params
