"""GET on the mock's resources: collections (paged), single entities, navigation, properties, `$count`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from .config import Knobs
from .format import collection, entity_json
from .query import Options, Selection, apply, parse_options
from .resource import Resource
from .schema import ENTITIES, PARTNER, EntityDef
from .store import Row, Store, StoreError, etag_of
from .values import to_json


@dataclass
class Answer:
    status: int
    body: Any = None  # a JSON document, text, or None
    headers: dict[str, str] = field(default_factory=dict)


class Reader:
    def __init__(self, store: Store, knobs: Knobs) -> None:
        self.store = store
        self.knobs = knobs

    def related(self, entity: EntityDef, row: Row, navigation: str) -> list[Row]:
        assert entity is PARTNER and navigation == "to_BusinessPartnerAddress"
        return self.store.addresses_of(row["BusinessPartner"])

    def read(self, resource: Resource, params: Sequence[tuple[str, str]], root: str, url: str) -> Answer:
        options = parse_options(params, resource.target, ENTITIES)
        if resource.is_collection:
            return self._collection(resource, options, params, root, url)
        row = self.row_of(resource.entity, resource.key)
        if resource.prop is not None:
            return self._property(resource, row)
        headers = {"etag": etag_of(row)} if resource.entity.etag else {}
        doc = entity_json(resource.entity, row, root, options.selection, self.related, ENTITIES)
        return Answer(200, {"d": doc}, headers)

    def row_of(self, entity: EntityDef, key: dict[str, str] | None) -> Row:
        row = self.store.find(entity, key or {})
        if row is None:
            raise StoreError(404, f"Resource not found for segment '{entity.type_name}'", code="/IWBEP/CM_MGW_RT/020")
        return row

    def _rows(self, resource: Resource) -> list[Row]:
        if resource.navigation is None:
            return self.store.rows(resource.entity)
        parent = self.row_of(resource.entity, resource.key)
        return self.related(resource.entity, parent, resource.navigation)

    def _collection(
        self, resource: Resource, options: Options, params: Sequence[tuple[str, str]], root: str, url: str
    ) -> Answer:
        rows = self._rows(resource)
        if resource.count:
            return Answer(200, str(len([r for r in rows if options.where is None or options.where(r)])))
        page, total, token = apply(rows, options, self.knobs.page_size)
        items = [entity_json(resource.target, r, root, options.selection, self.related, ENTITIES) for r in page]
        next_url = None
        if token is not None:
            kept = [(k, v) for k, v in params if k != "$skiptoken"]
            query = urlencode([*kept, ("$skiptoken", str(token))], safe="$',()/", quote_via=quote)
            next_url = f"{url}?{query}"
        return Answer(200, collection(items, total if options.inlinecount else None, next_url))

    def _property(self, resource: Resource, row: Row) -> Answer:
        assert resource.prop is not None
        spec = resource.entity.field(resource.prop)
        assert spec is not None
        value = to_json(spec.type, row.get(resource.prop))
        if resource.value:
            return Answer(200, "" if value is None else str(value).lower() if isinstance(value, bool) else str(value))
        return Answer(200, {"d": {resource.prop: value}})


__all__ = ["Answer", "Reader", "Selection"]
