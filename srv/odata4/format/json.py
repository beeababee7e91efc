"""OData V4 JSON format (odata.metadata=minimal) of entities read from the database."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

from odata4.edm.model import EntitySet, Property
from odata4.sql import read
from odata4.uri import ast


def format_value(value: Any, prop: Property, ieee754: bool = False) -> Any:
    if value is None:
        return None
    edm = prop.type
    if edm == "Edm.DateTimeOffset":
        return format_timestamp(value)
    if edm == "Edm.Boolean":
        return bool(value)
    if edm == "Edm.Decimal":
        number = decimal.Decimal(value)
        return str(number) if ieee754 else number
    if edm == "Edm.Int64":
        return str(value) if ieee754 else int(value)
    if edm in ("Edm.Date", "Edm.TimeOfDay"):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


def format_timestamp(value: Any) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    text: str = value.strftime("%Y-%m-%dT%H:%M:%S.")
    return text + f"{value.microsecond // 1000:03d}Z"


def entity_tag(entity_set: EntitySet, row: dict[str, Any]) -> str | None:
    """The weak ETag of a row from its `@odata.etag` property; None when it has none."""
    if entity_set.etag is None:
        return None
    value = row.get(entity_set.etag)
    if value is None:
        return None
    # ISO 8601 for timestamps: str() would put a space into the entity-tag, which RFC 9110
    # does not allow; microseconds are kept, so two changes in one millisecond differ
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f'W/"{text}"'


class EntityWriter:
    """Turns rows into JSON objects following the request's $select/$expand."""

    def __init__(self, service_sets: Any, ieee754: bool = False) -> None:
        self._sets = service_sets
        self.ieee754 = ieee754

    def entity(self, entity_set: EntitySet, row: dict[str, Any], options: ast.QueryOptions) -> dict[str, Any]:
        selection = read.resolve_selection(entity_set, options)
        return self._entity(entity_set, row, selection)

    def _entity(self, entity_set: EntitySet, row: dict[str, Any], selection: read.Selection) -> dict[str, Any]:
        out: dict[str, Any] = {}
        tag = entity_tag(entity_set, row)
        if tag is not None:  # clients (Fiori) take the If-Match value of collection members from here
            out["@odata.etag"] = tag
        for prop in selection.properties:
            if prop.name == "DraftMessages" and entity_set.is_draft and row.get("IsActiveEntity") in (True, 1):
                continue  # CAP leaves DraftMessages out of active rows, even when $select asks for it
            out[prop.name] = format_value(row.get(prop.name), prop, self.ieee754)
        for nav, nested in selection.expand:
            target = self._sets(nav.target)
            child_selection = read.resolve_selection(target, nested, nested=True)
            value = row.get(nav.name)
            count_key = f"{nav.name}@odata.count"
            if count_key in row:
                out[count_key] = row[count_key]
            if nav.collection:
                out[nav.name] = [self._entity(target, child, child_selection) for child in value or []]
            else:
                out[nav.name] = None if value is None else self._entity(target, value, child_selection)
        return out


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=_default).encode()
