"""`$search` as CAP answers it: each term must occur, case-insensitively, in one of the
searchable string properties (all stored string properties unless the model names them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odata4.edm.model import Property
from odata4.sql.scope import Scope
from odata4.uri import ast


def searchable(scope: Scope) -> list[Property]:
    entity_set = scope.entity_set
    if entity_set.search is not None:
        chosen = set(entity_set.search)
        return [p for p in entity_set.properties if p.name in chosen]
    return [p for p in entity_set.properties if p.type == "Edm.String" and not p.virtual and not p.collection]


def compile_search(expr: ast.SearchExpr, scope: Scope) -> Any:
    fields = [sa.func.lower(scope.column(p)) for p in searchable(scope)]
    return _compile(expr, fields)


def _compile(expr: ast.SearchExpr, fields: list[Any]) -> Any:
    if isinstance(expr, ast.SearchTerm):
        if not fields:
            return sa.false()
        word = expr.word.lower()
        return sa.or_(*(f.contains(word, autoescape=True) for f in fields))
    if isinstance(expr, ast.SearchNot):
        return sa.not_(_compile(expr.operand, fields))
    combine = sa.and_ if expr.op == "and" else sa.or_
    return combine(_compile(expr.left, fields), _compile(expr.right, fields))
