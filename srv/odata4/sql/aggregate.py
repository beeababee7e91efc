"""`$apply` groupby/aggregate as SQL GROUP BY, producing rows of group values and aliases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odata4.edm.model import Property
from odata4.errors import BadRequest
from odata4.sql.filter import compile_filter, compile_value
from odata4.sql.scope import Scope
from odata4.uri import ast
from odata4.uri.apply import Apply

_FUNCTIONS: dict[str, Any] = {"sum": sa.func.sum, "min": sa.func.min, "max": sa.func.max, "average": sa.func.avg}


def grouped_properties(scope: Scope, apply: Apply) -> list[Property]:
    props: list[Property] = []
    for path in apply.groupby or []:
        member = scope.entity_set.member(path[0]) if len(path) == 1 else None
        if not isinstance(member, Property):
            raise BadRequest(f'Property "{"/".join(path)}" does not exist in "{scope.entity_set.qualified_name}"')
        props.append(member)
    return props


def aggregate_statement(scope: Scope, conditions: list[Any], apply: Apply, options: ast.QueryOptions) -> sa.Select[Any]:
    groups = grouped_properties(scope, apply)
    columns: list[Any] = [scope.column(p).label(p.name) for p in groups]
    for item in apply.aggregates:
        if item.method == "count":
            columns.append(sa.func.count().label(item.alias))
        elif item.method == "countdistinct":
            columns.append(sa.func.count(sa.distinct(compile_value(ast.Member(item.path), scope))).label(item.alias))
        else:
            columns.append(_FUNCTIONS[item.method](compile_value(ast.Member(item.path), scope)).label(item.alias))
    stmt = sa.select(*columns).select_from(scope.table).where(*conditions)
    for expr in apply.filters:
        stmt = stmt.where(compile_filter(expr, scope))
    if groups:
        stmt = stmt.group_by(*(scope.column(p) for p in groups))
    aliases = {c.name: c for c in columns}
    for order in options.orderby:
        if isinstance(order.expr, ast.Member) and len(order.expr.segments) == 1 and order.expr.segments[0] in aliases:
            column = aliases[order.expr.segments[0]]
            stmt = stmt.order_by(column.desc() if order.descending else column.asc())
        else:
            raise BadRequest("$orderby after $apply may only name grouped properties or aliases")
    if not options.orderby and groups:
        stmt = stmt.order_by(*(scope.column(p) for p in groups))
    if options.skip:
        stmt = stmt.offset(options.skip)
    if options.top is not None:
        stmt = stmt.limit(options.top)
    return stmt
