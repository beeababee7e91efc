"""OData V4 JSON format (odata.metadata=minimal) of entities read from the database."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from odata4.edm.model import EntitySet, Property
from odata4.sql import read
from odata4.sql.plans import PlanCache
from odata4.uri import ast

Convert = Callable[[Any], Any]


def converter(prop: Property, ieee754: bool = False) -> Convert | None:
    """How a non-null value of `prop` becomes JSON (None: as it is)."""
    edm = prop.type
    if edm == "Edm.DateTimeOffset":
        return format_timestamp
    if edm == "Edm.Boolean":
        return bool
    if edm == "Edm.Decimal":
        return _decimal_text if ieee754 else decimal.Decimal
    if edm == "Edm.Int64":
        return str if ieee754 else int
    if edm in ("Edm.Date", "Edm.TimeOfDay"):
        return _iso
    return None


def format_value(value: Any, prop: Property, ieee754: bool = False) -> Any:
    if value is None:
        return None
    convert = converter(prop, ieee754)
    return value if convert is None else convert(value)


def _decimal_text(value: Any) -> str:
    return str(decimal.Decimal(value))


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def format_timestamp(value: Any) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    # milliseconds, cut (not rounded) as CAP does; isoformat pads years to four digits
    text: str = value.isoformat(timespec="milliseconds")
    return text + "Z"


def entity_tag(entity_set: EntitySet, row: dict[str, Any]) -> str | None:
    """The weak ETag of a row from its `@odata.etag` property; None when it has none."""
    if entity_set.etag is None:
        return None
    value = row.get(entity_set.etag)
    if value is None:
        return None
    return weak_tag(value)


def weak_tag(value: Any) -> str:
    # ISO 8601 for timestamps: str() would put a space into the entity-tag, which RFC 9110
    # does not allow; microseconds are kept, so two changes in one millisecond differ
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f'W/"{text}"'


@dataclass(frozen=True)
class EntityFormat:
    """What the JSON object of one row holds, worked out once from the entity set and the
    request's $select/$expand: then it is a loop over prepared fields for every row."""

    etag: str | None
    fields: tuple[tuple[str, Convert | None], ...]
    hide_draft_messages: bool
    expand: tuple[tuple[str, str, bool, EntityFormat], ...]  # name, its count key, collection?, format

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.etag is not None:  # clients (Fiori) take the If-Match value of collection members from here
            value = row.get(self.etag)
            if value is not None:
                out["@odata.etag"] = weak_tag(value)
        for name, convert in self.fields:
            value = row.get(name)
            out[name] = value if value is None or convert is None else convert(value)
        if self.hide_draft_messages and row.get("IsActiveEntity") in (True, 1):
            del out["DraftMessages"]  # CAP leaves it out of active rows, even when $select asks for it
        for name, count_key, collection, nested in self.expand:
            if count_key in row:
                out[count_key] = row[count_key]
            value = row.get(name)
            if collection:
                out[name] = [nested(child) for child in value or ()]
            else:
                out[name] = None if value is None else nested(value)
        return out


def entity_format(
    sets: Callable[[str], EntitySet], entity_set: EntitySet, selection: read.Selection, ieee754: bool
) -> EntityFormat:
    fields = tuple((p.name, converter(p, ieee754)) for p in selection.properties)
    expand = []
    for nav, nested in selection.expand:
        target = sets(nav.target)
        child = entity_format(sets, target, read.resolve_selection(target, nested, nested=True), ieee754)
        expand.append((nav.name, f"{nav.name}@odata.count", nav.collection, child))
    hide = entity_set.is_draft and any(name == "DraftMessages" for name, _ in fields)
    return EntityFormat(entity_set.etag, fields, hide, tuple(expand))


class EntityWriter:
    """Turns rows into JSON objects following the request's $select/$expand.

    `formats`, if given, keeps the worked-out formats across requests (one per entity set,
    query shape and number format)."""

    def __init__(
        self, service_sets: Callable[[str], EntitySet], ieee754: bool = False, formats: PlanCache[Any] | None = None
    ) -> None:
        self._sets = service_sets
        self.ieee754 = ieee754
        self._formats = formats

    def format(self, entity_set: EntitySet, options: ast.QueryOptions) -> EntityFormat:
        def build() -> EntityFormat:
            return entity_format(self._sets, entity_set, read.resolve_selection(entity_set, options), self.ieee754)

        if self._formats is None:
            return build()
        return self._formats.get((entity_set.name, self.ieee754, ast.shape(options)), build)  # type: ignore[no-any-return]

    def entity(self, entity_set: EntitySet, row: dict[str, Any], options: ast.QueryOptions) -> dict[str, Any]:
        return self.format(entity_set, options)(row)


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=_default).encode()
