"""Translate the `$filter`/`$orderby` syntax tree to SQLAlchemy expressions.

Names are bound here, against the entity model: a to-one navigation path becomes a
correlated scalar subquery, `any`/`all` become EXISTS. Subqueries rather than joins keep
row counts unchanged, so `$top`, `$skip` and `$count` stay correct whatever is filtered.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from odata4.edm.model import NavigationProperty, Property
from odata4.errors import BadRequest, NotImplementedFeature
from odata4.sql import functions as fn
from odata4.sql.scope import Scope
from odata4.uri import ast

_NUMERIC = {"Edm.Byte", "Edm.SByte", "Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Decimal", "Edm.Double", "Edm.Single"}
_INTEGER = {"Edm.Byte", "Edm.SByte", "Edm.Int16", "Edm.Int32", "Edm.Int64"}
_LITERAL_TYPES = {
    "boolean": "Edm.Boolean",
    "string": "Edm.String",
    "int": "Edm.Int64",
    "decimal": "Edm.Decimal",
    "double": "Edm.Double",
    "guid": "Edm.Guid",
    "date": "Edm.Date",
    "datetimeoffset": "Edm.DateTimeOffset",
    "timeofday": "Edm.TimeOfDay",
}
_COMPARISON = {"eq", "ne", "gt", "ge", "lt", "le"}


@dataclass(frozen=True)
class Typed:
    """A SQL expression with its EDM type; `literal` is kept so it can adapt to its partner,
    `element` names the property it reads (for CAP's error messages)."""

    sql: Any
    edm: str | None
    literal: ast.Literal | None = None
    element: str | None = None


def compile_filter(expr: ast.Expr, scope: Scope) -> sa.ColumnElement[bool]:
    typed = _compile(expr, scope)
    if typed.edm not in ("Edm.Boolean", None):
        raise BadRequest("$filter expression must be a boolean expression")
    sql = typed.sql
    if typed.literal is not None:
        sql = sa.true() if typed.literal.value else sa.false()
    return sql  # type: ignore[no-any-return]


def compile_value(expr: ast.Expr, scope: Scope) -> Any:
    """An expression used as a value, e.g. an `$orderby` key."""
    return _compile(expr, scope).sql


def _compile(expr: ast.Expr, scope: Scope) -> Typed:
    if isinstance(expr, ast.Literal):
        return _literal(expr)
    if isinstance(expr, ast.Member):
        return _member(expr.segments, scope)
    if isinstance(expr, ast.Unary):
        return _unary(expr, scope)
    if isinstance(expr, ast.Binary):
        return _binary(expr, scope)
    if isinstance(expr, ast.In):
        return _in(expr, scope)
    if isinstance(expr, ast.Call):
        return _call(expr, scope)
    if isinstance(expr, ast.Lambda):
        return _lambda(expr, scope)
    raise NotImplementedFeature(f"unsupported expression {type(expr).__name__}")


# --- literals -------------------------------------------------------------------------


def _literal(lit: ast.Literal) -> Typed:
    if lit.kind == "null":
        return Typed(sa.null(), None, lit)
    edm = _LITERAL_TYPES.get(lit.kind)
    if edm is None:
        raise NotImplementedFeature(f"{lit.kind} literals are not supported")
    return Typed(sa.literal(_python_value(lit.value, edm)), edm, lit)


def _python_value(value: Any, edm: str) -> Any:
    """The value as stored in a column of type `edm` (see `odata4.sql.tables`)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _coerce(lit: ast.Literal, edm: str) -> Any:
    """Adapt a literal to the type of the property it is compared with, as CAP does."""
    value = lit.value
    if value is None:
        return None
    if edm == "Edm.String":
        if isinstance(value, bool):
            raise BadRequest(f"cannot compare a string with {lit.kind} literal")
        return str(value) if not isinstance(value, str) else value
    if edm == "Edm.Guid":
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, str):
            try:
                return str(uuid.UUID(value))
            except ValueError:
                raise BadRequest(f"{value!r} is not a valid Edm.Guid") from None
    if edm == "Edm.Boolean":
        if isinstance(value, bool):
            return value
    elif edm in _NUMERIC:
        if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
            return value
    elif edm == "Edm.DateTimeOffset":
        if isinstance(value, dt.datetime):
            return _python_value(value, edm)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
    elif edm == "Edm.Date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
    elif isinstance(value, (dt.time, dt.timedelta)):
        return value
    raise BadRequest(f"a {lit.kind} literal cannot be compared with a value of type {edm}")


_TYPE_NAMES = {
    "Edm.Guid": "UUID",
    "Edm.Int32": "Integer",
    "Edm.Int64": "Integer64",
    "Edm.Int16": "Integer",
    "Edm.Boolean": "Boolean",
    "Edm.Decimal": "Decimal",
    "Edm.Double": "Double",
    "Edm.DateTimeOffset": "Timestamp",
    "Edm.Date": "Date",
    "Edm.String": "String",
}


def _adapt(side: Typed, other: Typed) -> Any:
    if side.literal is not None and other.edm is not None and other.literal is None:
        if side.literal.kind == "null":
            return sa.null()
        try:
            return sa.literal(_coerce(side.literal, other.edm))
        except BadRequest:
            if other.element is None:
                raise
            kind = _TYPE_NAMES.get(other.edm, other.edm)
            raise BadRequest(f'Element "{other.element}" does not contain a valid {kind}') from None
    return side.sql


# --- member paths -----------------------------------------------------------------------


def _member(segments: tuple[str, ...], scope: Scope) -> Typed:
    head, *rest = segments
    if head in scope.variables:
        return _member(tuple(rest), scope.variables[head]) if rest else _whole(scope)
    if head == "$it":
        return _member(tuple(rest), scope) if rest else _whole(scope)
    member = scope.entity_set.member(head)
    if member is None or (isinstance(member, Property) and not member.in_metadata):
        raise BadRequest(f'Property "{head}" does not exist in "{scope.entity_set.qualified_name}"')
    if isinstance(member, Property):
        if rest:
            raise BadRequest(f"'{head}' is not a navigation property")
        if member.collection:
            raise NotImplementedFeature(f"collection-valued property '{head}' in an expression")
        return Typed(scope.column(member), member.type, element=member.name)
    return _navigate(member, tuple(rest), scope)


def _whole(scope: Scope) -> Typed:
    raise BadRequest("$it or a lambda variable must be followed by a property path")


def _navigate(nav: NavigationProperty, rest: tuple[str, ...], scope: Scope) -> Typed:
    if nav.collection:
        raise BadRequest(f"collection navigation '{nav.name}' needs any() or all()")
    if not rest:
        raise BadRequest(f"navigation property '{nav.name}' must be followed by a property")
    sources = scope.model.sources
    shortcut = sources.follow(scope, nav, rest) if sources is not None else None
    if shortcut is not None:
        target_set = scope.model.entity_set(nav.target)
        prop = target_set.member(rest[0])
        return Typed(shortcut, prop.type if isinstance(prop, Property) else None)
    target = scope.child(scope.model.entity_set(nav.target), across=nav.virtual)
    inner = _member(rest, target)
    subquery = (
        sa.select(inner.sql)
        .select_from(target.table)
        .where(scope.join_condition(nav, target))
        .limit(1)
        .scalar_subquery()
    )
    return Typed(subquery, inner.edm)


def _lambda(expr: ast.Lambda, scope: Scope) -> Typed:
    *path, name = expr.collection.segments
    owner = _owner_scope(tuple(path), scope) if path else scope
    nav = owner.entity_set.member(name)
    if not isinstance(nav, NavigationProperty) or not nav.collection or nav.virtual:
        raise BadRequest(f"'{name}' is not a collection navigation property")
    target = owner.child(owner.model.entity_set(nav.target), expr.variable)
    # `$it` in the predicate still means the entity being filtered, not the lambda's row
    target.variables.setdefault("$it", scope.variables.get("$it", scope))
    condition = owner.join_condition(nav, target)
    if expr.predicate is None:
        if expr.op == "all":
            raise BadRequest("all() needs a lambda expression")
        return Typed(sa.exists().where(condition), "Edm.Boolean")
    predicate = compile_filter(expr.predicate, target)
    if expr.op == "any":
        return Typed(sa.exists().select_from(target.table).where(condition, predicate), "Edm.Boolean")
    violated = sa.not_(sa.func.coalesce(predicate, sa.false()))
    return Typed(~sa.exists().select_from(target.table).where(condition, violated), "Edm.Boolean")


def _owner_scope(path: tuple[str, ...], scope: Scope) -> Scope:
    head, *rest = path
    if head in scope.variables:
        return _owner_scope(tuple(rest), scope.variables[head]) if rest else scope.variables[head]
    raise NotImplementedFeature("lambda operators on navigation paths")


# --- operators ----------------------------------------------------------------------------


def _unary(expr: ast.Unary, scope: Scope) -> Typed:
    operand = _compile(expr.operand, scope)
    if expr.op == "not":
        _require(operand, {"Edm.Boolean"}, "not")
        return Typed(sa.not_(operand.sql), "Edm.Boolean")
    if _is_null(operand):  # -null is null; PostgreSQL cannot even type `-NULL`
        return operand
    _require(operand, _NUMERIC, "-")
    return Typed(-operand.sql, operand.edm)


def _require(typed: Typed, allowed: set[str] | frozenset[str], op: str) -> None:
    if typed.edm is not None and typed.edm not in allowed:
        raise BadRequest(f"operator '{op}' cannot be applied to a value of type {typed.edm}")


def _binary(expr: ast.Binary, scope: Scope) -> Typed:
    left, right = _compile(expr.left, scope), _compile(expr.right, scope)
    if expr.op in ("and", "or"):
        _require(left, {"Edm.Boolean"}, expr.op)
        _require(right, {"Edm.Boolean"}, expr.op)
        combine = sa.and_ if expr.op == "and" else sa.or_
        return Typed(combine(_as_bool(left), _as_bool(right)), "Edm.Boolean")
    if expr.op in _COMPARISON:
        return _comparison(expr.op, left, right)
    if expr.op == "has":
        raise NotImplementedFeature("the 'has' operator (enumerations)")
    return _arithmetic(expr.op, left, right)


def _as_bool(typed: Typed) -> Any:
    if typed.literal is not None and typed.literal.kind == "boolean":
        return sa.true() if typed.literal.value else sa.false()
    return typed.sql


def _comparison(op: str, left: Typed, right: Typed) -> Typed:
    a, b = _adapt(left, right), _adapt(right, left)
    if op in ("eq", "ne") and (_is_null(left) or _is_null(right)):
        value = a if _is_null(right) else b
        return Typed(value.is_(None) if op == "eq" else value.is_not(None), "Edm.Boolean")
    if _is_null(left) or _is_null(right):
        # OData: gt/lt with one null operand is false; ge/le with two is true (null eq null)
        both = _is_null(left) and _is_null(right) and op in ("ge", "le")
        return Typed(sa.true() if both else sa.false(), "Edm.Boolean")
    if left.edm and right.edm and (left.literal is None) == (right.literal is None):
        # a literal facing a property was adapted to its type above; two literals were not
        _check_comparable(left.edm, right.edm)
    sql = {"eq": a == b, "ne": a != b, "gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op]
    if op == "ne":
        # OData: null ne 'x' is true; SQL would say unknown
        sql = sa.or_(a != b, a.is_(None)) if left.literal is None and right.literal is not None else sql
    return Typed(sql, "Edm.Boolean")


def _is_null(typed: Typed) -> bool:
    return typed.literal is not None and typed.literal.kind == "null"


def _check_comparable(a: str, b: str) -> None:
    if a == b or (a in _NUMERIC and b in _NUMERIC):
        return
    if {a, b} <= {"Edm.Date", "Edm.DateTimeOffset"}:
        return
    raise BadRequest(f"values of type {a} and {b} cannot be compared")


def _arithmetic(op: str, left: Typed, right: Typed) -> Typed:
    for side in (left, right):
        _require(side, _NUMERIC, op)
    a, b = _adapt(left, right), _adapt(right, left)
    if op == "add":
        sql = a + b
    elif op == "sub":
        sql = a - b
    elif op == "mul":
        sql = a * b
    elif op == "div" and left.edm in _INTEGER and right.edm in _INTEGER:
        # OData's div of two integers is integer division; SQLAlchemy's `/` divides truly
        sql = a // sa.func.nullif(b, 0, type_=sa.BigInteger())
    elif op in ("div", "divby"):
        sql = a / sa.func.nullif(b, 0)
    else:
        sql = a % sa.func.nullif(b, 0)
    edm = left.edm if left.literal is None else right.edm
    return Typed(sql, edm or "Edm.Decimal")


def _in(expr: ast.In, scope: Scope) -> Typed:
    operand = _compile(expr.operand, scope)
    values = [_compile(v, scope) for v in expr.values]
    if not values:
        return Typed(sa.false(), "Edm.Boolean")
    if operand.literal is not None:  # `'a' in (title, name)`: adapt the literal to each value
        return Typed(sa.or_(*(_comparison("eq", operand, v).sql for v in values)), "Edm.Boolean")
    for value in values:
        _comparison("eq", operand, value)  # raises BadRequest for values of an incomparable type
    sql = [_adapt(v, operand) for v in values]
    return Typed(operand.sql.in_(sql), "Edm.Boolean")


# --- canonical functions ------------------------------------------------------------------

_STRING = {"Edm.String", "Edm.Guid"}
# the types each date part applies to (OData URL conventions 5.1.1.8): no hour of a Date
_DATE_PARTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("year", "month", "day"), frozenset({"Edm.DateTimeOffset", "Edm.Date"})),
    **dict.fromkeys(("hour", "minute", "second"), frozenset({"Edm.DateTimeOffset", "Edm.TimeOfDay"})),
}


def _call(expr: ast.Call, scope: Scope) -> Typed:
    args = [_compile(a, scope) for a in expr.args]
    name = expr.name
    if name in ("contains", "startswith", "endswith"):
        return _like(name, args)
    if name in ("tolower", "toupper", "trim"):
        _require(args[0], _STRING, name)
        sql_fn = {"tolower": sa.func.lower, "toupper": sa.func.upper, "trim": sa.func.trim}[name]
        return Typed(sql_fn(_text(args[0])), "Edm.String")
    if name == "length":
        _require(args[0], _STRING, name)
        return Typed(sa.func.length(_text(args[0])), "Edm.Int32")
    if name == "indexof":
        _strings(name, args)
        return Typed(fn.index_of(_text(args[0]), _text(args[1])), "Edm.Int32")
    if name == "substring":
        return _substring(args)
    if name == "concat":
        _strings(name, args)
        return Typed(sa.func.coalesce(_text(args[0]), "").concat(sa.func.coalesce(_text(args[1]), "")), "Edm.String")
    if name in _DATE_PARTS:
        _require(args[0], _DATE_PARTS[name], name)
        part: Any = sa.extract(name, args[0].sql)
        if name == "second":  # PostgreSQL and HANA extract fractional seconds, which CAST would round
            part = fn.floor_(part)
        return Typed(sa.cast(part, sa.Integer), "Edm.Int32")
    if name in ("round", "floor", "ceiling"):
        _require(args[0], _NUMERIC, name)
        rounding: dict[str, Any] = {"round": sa.func.round, "floor": fn.floor_, "ceiling": fn.ceiling_}
        return Typed(rounding[name](args[0].sql), args[0].edm)
    raise NotImplementedFeature(f"function '{name}' is not supported")


def _text(typed: Typed) -> Any:
    if typed.literal is not None:
        return sa.literal(str(typed.literal.value) if typed.literal.value is not None else None, sa.Unicode())
    return typed.sql


def _strings(name: str, args: list[Typed]) -> None:
    for arg in args:
        _require(arg, _STRING, name)


def _substring(args: list[Typed]) -> Typed:
    _require(args[0], _STRING, "substring")
    for arg in args[1:]:
        _require(arg, _INTEGER, "substring")
    # PostgreSQL's substr takes integer only, not bigint (the type of every integer literal)
    positions = (sa.cast(a.sql, sa.Integer) for a in args[1:])
    return Typed(fn.sub_string(_text(args[0]), *positions), "Edm.String")


def _like(name: str, args: list[Typed]) -> Typed:
    _strings(name, args)
    subject, pattern = _text(args[0]), args[1]
    if pattern.literal is not None and isinstance(pattern.literal.value, str):
        method = {"contains": subject.contains, "startswith": subject.startswith, "endswith": subject.endswith}[name]
        return Typed(method(pattern.literal.value, autoescape=True), "Edm.Boolean")
    # a pattern computed from another column: no escaping is possible, LIKE wildcards apply
    method = {"contains": subject.contains, "startswith": subject.startswith, "endswith": subject.endswith}[name]
    return Typed(method(pattern.sql), "Edm.Boolean")
