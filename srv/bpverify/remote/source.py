"""`S4Source`: the `RemoteSource` of BusinessPartners and BusinessPartnerAddresses, read live from S/4HANA.

The dispatcher has resolved and authorized the request; this module finds what it addresses (path.py),
plans the V2 request (query.py), sends it with the OData V2 client and maps the answer back (rows.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from btp import BTPError
from btp.odata2 import Entity, ODataV2Client, Query
from odata4.edm.model import Service
from odata4.http import Request
from odata4.resolve import Resolved
from odata4.sql.store import Page
from odata4.uri import ast

from .errors import odata_error
from .mapping import remote_type
from .path import Location, locate
from .query import count_filter, plan_collection, plan_entity, plan_filtered_entity
from .rows import to_row

ClientFactory = Callable[[], Awaitable[ODataV2Client]]


class S4Source:
    def __init__(self, service: Service, client: ClientFactory, *, destination: str, max_page_size: int = 1000):
        self.service = service
        self._client = client
        self.destination = destination
        self.max_page_size = max_page_size

    async def read(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Page:
        location = locate(self.service, request, resolved)
        try:
            if location.single:
                return await self._entity(location, options if resolved.kind == "entity" else ast.QueryOptions())
            return await self._collection(location, options)
        except BTPError as exc:
            raise odata_error(exc, self.destination) from exc

    async def count(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> int:
        location = locate(self.service, request, resolved)
        try:
            client = await self._client()
            where = count_filter(self.service, location.remote_set, options)
            return await client.count(location.remote_entity_set, where, **location.collection_path())
        except BTPError as exc:
            raise odata_error(exc, self.destination) from exc

    async def _entity(self, location: Location, options: ast.QueryOptions) -> Page:
        if not location.consistent():
            return Page([])  # the key names another partner than the path it was reached through
        client = await self._client()
        if options.filter is not None or options.search is not None:
            return await self._filtered_entity(client, location, options)
        query = plan_entity(self.service, location.remote_set, options)
        try:
            entity = await client.get(
                location.remote_set.remote,
                location.remote_key(),
                select=query.select,
                expand=query.expand,
                entity_type=remote_type(location.remote_set),
            )
        except BTPError as exc:
            if getattr(exc, "status", None) == 404:
                return Page([])
            raise
        return Page([to_row(location.remote_set, entity)])

    async def _filtered_entity(self, client: ODataV2Client, location: Location, options: ast.QueryOptions) -> Page:
        assert location.key is not None
        query = plan_filtered_entity(self.service, location.remote_set, options, location.key)
        page = await client.read(location.remote_set.remote, query, entity_type=remote_type(location.remote_set))
        return Page([to_row(location.remote_set, e) for e in page.entities[:1]])

    async def _collection(self, location: Location, options: ast.QueryOptions) -> Page:
        client = await self._client()
        plan = plan_collection(self.service, location.remote_set, options, self.max_page_size)
        wanted = plan.limit + 1 if plan.more else plan.limit
        entities, count = await _first(client, location, plan.query, wanted)
        rows = [to_row(location.remote_set, e) for e in entities[: plan.limit]]
        next_skip = plan.token + plan.limit if len(entities) > plan.limit else None
        return Page(rows, count if options.count else None, next_skip)


async def _first(client: ODataV2Client, location: Location, query: Query, wanted: int) -> tuple[list[Entity], Any]:
    """Up to `wanted` entities, following S/4HANA's own `__next` paging; and `__count`."""
    entities: list[Entity] = []
    count = None
    pages = client.pages(
        location.remote_entity_set, query, entity_type=remote_type(location.remote_set), **location.collection_path()
    )
    async with contextlib.aclosing(pages):
        async for page in pages:
            count = page.count if count is None else count
            entities += page.entities
            if len(entities) >= wanted:
                break
    return entities, count
