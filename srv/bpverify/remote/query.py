"""V4 system query options → the V2 query options of one S/4HANA request. Pure, table-tested.

Rules:
1. `$select` is always sent, with mapped properties only (S/4HANA's A_BusinessPartner has about 80): those the
   V4 request selects (keys and ordered-by properties included, as the local layer answers), or all mapped.
2. `$expand=addresses` → `$expand=to_BusinessPartnerAddress` and `to_BusinessPartnerAddress/<P>` selected;
   V2 has no options inside an expand, so any but `$select` there → 501.
3. `$orderby` on properties only, the keys appended so that pages never overlap (as locally and in CAP).
4. `$top`/`$skip`/`$skiptoken` page as the local layer does (max page size, `$top` counted from the first page);
   one row more than the page is asked for when a next link may be needed.
5. `$count=true` → `$inlinecount=allpages`; `/$count` → `/$count` with the filter alone.
6. `$search` → a filter (filter.py rule 6), and-ed with `$filter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from btp.odata2 import Query
from btp.odata2 import literal as v2_literal
from odata4.edm.model import EntitySet, Service
from odata4.errors import BadRequest
from odata4.sql import read
from odata4.uri import ast

from .filter import translate_filter, translate_search, untranslatable
from .mapping import REMOTE_SETS, RemoteSet

MAX_SKIP = 2**31 - 1  # S/4HANA (ABAP INT4) refuses larger $skip/$top


@dataclass(frozen=True)
class Plan:
    query: Query
    limit: int  # rows on this V4 page
    token: int  # rows earlier pages delivered after $skip
    more: bool  # one row more is asked for: a next page may follow


def searchable(entity_set: EntitySet) -> list[str]:
    """The properties `$search` looks into (odata4.sql.search.searchable, by name)."""
    if entity_set.search is not None:
        return list(entity_set.search)
    return [p.name for p in entity_set.properties if p.type == "Edm.String" and not p.virtual and not p.collection]


def _filter(service: Service, remote_set: RemoteSet, options: ast.QueryOptions) -> str | None:
    parts = []
    if options.filter is not None:
        parts.append(translate_filter(options.filter, remote_set))
    if options.search is not None:
        names = searchable(_entity_set(service, remote_set.name))
        fields = [p.remote for name in names if (p := remote_set.prop(name)) is not None]
        parts.append(translate_search(options.search, fields))
    return " and ".join(parts) if parts else None


def _nested(options: ast.QueryOptions, name: str) -> None:
    given = [
        n
        for n, v in (
            ("$filter", options.filter),
            ("$orderby", options.orderby),
            ("$top", options.top),
            ("$skip", options.skip),
            ("$count", options.count),
            ("$search", options.search),
            ("$expand", options.expand),
            ("$levels", options.levels),
        )
        if v
    ]
    if given:
        raise untranslatable(f"{given[0]} inside $expand={name}")


def _entity_set(service: Service, name: str) -> EntitySet:
    entity_set = service.entity_set(name)
    assert entity_set is not None, name
    return entity_set


def _select(service: Service, remote_set: RemoteSet, options: ast.QueryOptions) -> tuple[list[str], list[str]]:
    """Rules 1 and 2: the V2 `$select` and `$expand` lists."""
    selection = read.resolve_selection(_entity_set(service, remote_set.name), options)
    select = [p.remote for prop in selection.properties if (p := remote_set.prop(prop.name)) is not None]
    select += [k for k in remote_set.remote_keys if k not in select]
    expand = []
    for nav, nested in selection.expand:
        mapped = remote_set.nav(nav.name)
        if mapped is None:
            raise untranslatable(f"$expand={nav.name}")
        _nested(nested, nav.name)
        target = REMOTE_SETS[mapped.target]
        child = read.resolve_selection(_entity_set(service, nav.target), nested, nested=True)
        expand.append(mapped.remote)
        select += [f"{mapped.remote}/{p.remote}" for prop in child.properties if (p := target.prop(prop.name))]
    return select, expand


def _orderby(remote_set: RemoteSet, options: ast.QueryOptions) -> list[str]:
    items = []
    for item in options.orderby:
        expr = item.expr
        if not isinstance(expr, ast.Member) or len(expr.segments) != 1:
            raise untranslatable("$orderby on an expression or a path")
        prop = remote_set.prop(expr.segments[0])
        if prop is None:
            raise BadRequest(f'Property "{expr.segments[0]}" does not exist in "{remote_set.name}"')
        items.append(f"{prop.remote} desc" if item.descending else prop.remote)
    named = {i.split()[0] for i in items}
    return items + [k for k in remote_set.remote_keys if k not in named]


def _skiptoken(token: str | None) -> int:
    if token is None:
        return 0
    if not (token.isascii() and token.isdigit()):
        raise BadRequest(f"invalid $skiptoken {token!r}")
    return int(token)


def plan_collection(service: Service, remote_set: RemoteSet, options: ast.QueryOptions, max_page_size: int) -> Plan:
    token = _skiptoken(options.skiptoken)
    skip = (options.skip or 0) + token
    if skip > MAX_SKIP:
        raise BadRequest("$skip and $skiptoken skip more rows than S/4HANA can")
    wanted = None if options.top is None else max(options.top - token, 0)
    limit = max_page_size if wanted is None else min(wanted, max_page_size)
    more = wanted is None or wanted > limit
    select, expand = _select(service, remote_set, options)
    query = Query(
        filter=_filter(service, remote_set, options),
        select=tuple(select),
        expand=tuple(expand),
        orderby=tuple(_orderby(remote_set, options)),
        top=limit + 1 if more else limit,
        skip=skip,
        inlinecount=options.count,
    )
    return Plan(query, limit, token, more)


def plan_entity(service: Service, remote_set: RemoteSet, options: ast.QueryOptions) -> Query:
    select, expand = _select(service, remote_set, options)
    return Query(select=tuple(select), expand=tuple(expand))


def plan_filtered_entity(
    service: Service, remote_set: RemoteSet, options: ast.QueryOptions, key: dict[str, Any]
) -> Query:
    """A single entity with `$filter`/`$search` (which V2 ignores there): the collection narrowed to its key."""
    select, expand = _select(service, remote_set, options)
    names = {p.name: p.remote for p in remote_set.properties}
    parts = [f"({names[k]} eq {v2_literal(v)})" for k, v in key.items()]
    where = _filter(service, remote_set, options)
    return Query(
        filter=" and ".join([*parts, where] if where else parts), select=tuple(select), expand=tuple(expand), top=1
    )


def count_filter(service: Service, remote_set: RemoteSet, options: ast.QueryOptions) -> str | None:
    return _filter(service, remote_set, options)
