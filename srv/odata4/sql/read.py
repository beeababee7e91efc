"""SELECT statements for collection and entity reads, and the batched reads of $expand.

Statements are built here and executed by the caller's connection, so the same code
serves SQLite, PostgreSQL and SAP HANA. `$expand` is answered with one query per
navigation property and level (never one per row): parents' keys go into an IN list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from odata4.edm.model import EntitySet, NavigationProperty, Property
from odata4.errors import BadRequest
from odata4.sql.filter import compile_filter, compile_value
from odata4.sql.scope import Scope
from odata4.uri import ast

IN_CHUNK = 500


@dataclass
class Selection:
    """What to read of one entity set: the properties to answer with, the columns to fetch
    (those plus the foreign keys that `$expand` follows) and the expanded navigation."""

    properties: list[Property]
    expand: list[tuple[NavigationProperty, ast.QueryOptions]]
    fetch: list[Property]


def resolve_selection(entity_set: EntitySet, options: ast.QueryOptions, nested: bool = False) -> Selection:
    properties = _selected_properties(entity_set, options.select, nested)
    if options.select is not None:
        # as CAP does, answer with the properties the result is ordered by, selected or not
        for item in options.orderby:
            member = entity_set.member(item.expr.segments[0]) if isinstance(item.expr, ast.Member) else None
            if isinstance(member, Property) and len(item.expr.segments) == 1 and member not in properties:  # type: ignore[union-attr]
                properties.append(member)
    expand = _expanded(entity_set, options.expand)
    fetch = list(properties)
    for nav, _ in expand:
        for local, _remote in nav.constraints:
            prop = entity_set.member(local)
            if isinstance(prop, Property) and prop not in fetch:
                fetch.append(prop)
    etag = entity_set.member(entity_set.etag) if entity_set.etag else None
    if isinstance(etag, Property) and etag not in fetch:  # the ETag is answered whatever $select says
        fetch.append(etag)
    return Selection(properties, expand, fetch)


def default_properties(entity_set: EntitySet, nested: bool = False) -> list[Property]:
    # CAP answers expanded draft entities without HasActiveEntity/HasDraftEntity
    return [
        p
        for p in entity_set.properties
        if p.in_metadata and not p.collection and not (nested and p.virtual and not p.key)
    ]


def _selected_properties(
    entity_set: EntitySet, select: tuple[tuple[str, ...], ...] | None, nested: bool
) -> list[Property]:
    if select is None or ("*",) in select:
        return default_properties(entity_set, nested)
    chosen: dict[str, Property] = {p.name: p for p in entity_set.keys}
    for path in select:
        if len(path) != 1:
            raise BadRequest(f"$select path {'/'.join(path)!r} is not supported")
        member = entity_set.member(path[0])
        if member is None or (isinstance(member, Property) and not member.in_metadata):
            raise BadRequest(f'Property "{path[0]}" does not exist in "{entity_set.qualified_name}"')
        if isinstance(member, Property):
            chosen[member.name] = member
        else:  # a to-one navigation selects its foreign keys, as in CAP
            for local, _ in member.constraints:
                fk = entity_set.member(local)
                if isinstance(fk, Property):
                    chosen[fk.name] = fk
    return [p for p in entity_set.properties if p.name in chosen]


def _expanded(
    entity_set: EntitySet, expand: Sequence[ast.ExpandItem]
) -> list[tuple[NavigationProperty, ast.QueryOptions]]:
    result: list[tuple[NavigationProperty, ast.QueryOptions]] = []
    for item in expand:
        if item.path == ("*",):
            result.extend((nav, item.options) for nav in entity_set.navigation if not nav.virtual)
            continue
        if len(item.path) != 1:
            raise BadRequest(f"$expand path {'/'.join(item.path)!r} is not supported")
        nav = entity_set.member(item.path[0])
        if nav is None:
            raise BadRequest(f'Navigation property "{item.path[0]}" is not defined in {entity_set.qualified_name}')
        if not isinstance(nav, NavigationProperty):
            raise BadRequest(f'Navigation property "{item.path[0]}" does not exist in "{entity_set.name}"')
        if not nav.virtual:  # CAP ignores $expand=SiblingEntity
            result.append((nav, item.options))
    return result


def columns(scope: Scope, properties: Iterable[Property]) -> list[Any]:
    return [scope.column(p).label(p.name) for p in properties]


def apply_filter(stmt: sa.Select[Any], scope: Scope, options: ast.QueryOptions, search: Any) -> sa.Select[Any]:
    if options.filter is not None:
        stmt = stmt.where(compile_filter(options.filter, scope))
    if options.search is not None:
        stmt = stmt.where(search(options.search, scope))
    return stmt


def apply_order(stmt: sa.Select[Any], scope: Scope, options: ast.QueryOptions) -> sa.Select[Any]:
    for item in options.orderby:
        if isinstance(item.expr, ast.Literal):
            continue  # a constant orders nothing (and PostgreSQL rejects ORDER BY NULL or 'a')
        value = compile_value(item.expr, scope)
        # OData: nulls sort before values ascending and after them descending (PostgreSQL
        # does the opposite by default, SQLite and HANA agree with OData)
        stmt = stmt.order_by(value.desc().nulls_last() if item.descending else value.asc().nulls_first())
    return stmt


def stable_order(stmt: sa.Select[Any], scope: Scope) -> sa.Select[Any]:
    """Order by the keys last, so pages never overlap (CAP does the same)."""
    return stmt.order_by(*(scope.column(k) for k in scope.entity_set.stored_keys))


def key_tuple(row: dict[str, Any], names: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
