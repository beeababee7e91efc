"""V4 `$filter` and `$search` syntax trees (odata4.uri.ast) → V2 `$filter` text for S/4HANA. Pure, table-driven.

Rules:
1. Properties are renamed by the mapping table (mapping.py); a path into `addresses` needs any/all in V4, and
   V2 has neither: 400 without a lambda (as locally), 501 with one.
2. Functions with a V2 twin keep their meaning: contains(a,b) → substringof(b,a); startswith, endswith, length,
   indexof, substring, tolower, toupper, trim, concat, year…second, round, floor, ceiling keep their names.
   Every other function → 501 (no V2 twin: matchesPattern, now, date, time, fractionalseconds, cast, …).
3. `in` becomes an `or` of `eq`; `has`, `divby`, durations and enumerations → 501.
4. Operands are type-checked as our SQL translation checks them, and literals adapted to the property they
   face (a number compared with a string property becomes a string), so S/4HANA gets the query our database
   would have run, or the request fails with the same 400.
5. A boolean that is no comparison (a property, contains(…)) becomes `X eq true` where V2 needs a condition;
   every operation is parenthesised, so precedence cannot change the meaning.
6. `$search` is what the local layer does: each term, lower-cased, in one of the searchable string
   properties (`substringof('term',tolower(P))`), combined by AND/OR/NOT.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from btp.odata2 import literal as v2_literal
from odata4.errors import BadRequest, NotImplementedFeature
from odata4.uri import ast

from .mapping import RemoteSet

_NUMERIC = {"Edm.Int32", "Edm.Int64", "Edm.Decimal", "Edm.Double"}
_LITERAL_TYPES = {
    "string": "Edm.String",
    "boolean": "Edm.Boolean",
    "int": "Edm.Int32",
    "decimal": "Edm.Decimal",
    "double": "Edm.Double",
    "guid": "Edm.Guid",
    "date": "Edm.Date",
    "datetimeoffset": "Edm.DateTimeOffset",
    "timeofday": "Edm.TimeOfDay",
}
_DATES = {"Edm.Date", "Edm.DateTimeOffset"}


@dataclass(frozen=True)
class V2:
    """A translated expression: its V2 text, EDM type (None for null) and what it came from."""

    text: str
    edm: str | None
    literal: ast.Literal | None = None
    condition: bool = False  # a comparison or logical operation: usable as a V2 condition as it is


def untranslatable(what: str) -> NotImplementedFeature:
    return NotImplementedFeature(
        f"{what} cannot be translated to OData V2 for S/4HANA (BusinessPartners are read live from S/4HANA)"
    )


# --- literals ---------------------------------------------------------------------------------------------


def _literal_text(value: Any, kind: str) -> str:
    if kind == "int" and isinstance(value, int) and not -(2**31) <= value < 2**31:
        return f"{value}L"
    if kind == "date" and isinstance(value, dt.date):
        return f"datetime'{value.isoformat()}T00:00:00'"
    return v2_literal(value)


def _literal(lit: ast.Literal) -> V2:
    if lit.kind == "null":
        return V2("null", None, lit)
    edm = _LITERAL_TYPES.get(lit.kind)
    if edm is None:
        raise untranslatable(f"a {lit.kind} literal")
    return V2(_literal_text(lit.value, lit.kind), edm, lit)


def _coerced(lit: ast.Literal, edm: str) -> str:
    """A literal adapted to the property it faces (as odata4.sql.filter._coerce does), as V2 text."""
    value = lit.value
    if edm == "Edm.String" and not isinstance(value, bool):
        return v2_literal(str(value))
    if edm == "Edm.Boolean" and isinstance(value, bool):
        return v2_literal(value)
    if edm in _NUMERIC and isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return _literal_text(value, lit.kind)
    if edm == "Edm.Guid" and isinstance(value, uuid.UUID | str):
        return f"guid'{value}'"
    raise BadRequest(f"a {lit.kind} literal cannot be compared with a value of type {edm}")


def _adapt(side: V2, other: V2) -> str:
    if side.literal is not None and side.literal.kind != "null" and other.edm and other.literal is None:
        return _coerced(side.literal, other.edm)
    return side.text


# --- operators --------------------------------------------------------------------------------------------


def _require(node: V2, allowed: set[str], op: str) -> None:
    if node.edm is not None and node.edm not in allowed:
        raise BadRequest(f"operator '{op}' cannot be applied to a value of type {node.edm}")


def condition(node: V2) -> str:
    """Rule 5: the node as a V2 condition."""
    if node.condition or node.literal is not None:
        return node.text
    return f"({node.text} eq true)"


def _comparable(a: str | None, b: str | None) -> None:
    if a is None or b is None or a == b or (a in _NUMERIC and b in _NUMERIC) or {a, b} <= _DATES:
        return
    raise BadRequest(f"values of type {a} and {b} cannot be compared")


def _comparison(op: str, left: V2, right: V2) -> V2:
    if (left.literal is None) == (right.literal is None):
        _comparable(left.edm, right.edm)
    return V2(f"({_adapt(left, right)} {op} {_adapt(right, left)})", "Edm.Boolean", condition=True)


def _binary(expr: ast.Binary, remote_set: RemoteSet) -> V2:
    left, right = translate(expr.left, remote_set), translate(expr.right, remote_set)
    if expr.op in ("and", "or"):
        _require(left, {"Edm.Boolean"}, expr.op)
        _require(right, {"Edm.Boolean"}, expr.op)
        return V2(f"({condition(left)} {expr.op} {condition(right)})", "Edm.Boolean", condition=True)
    if expr.op in ("eq", "ne", "gt", "ge", "lt", "le"):
        return _comparison(expr.op, left, right)
    if expr.op in ("has", "divby"):
        raise untranslatable(f"the operator '{expr.op}'")
    for side in (left, right):
        _require(side, _NUMERIC, expr.op)
    edm = left.edm if left.literal is None else right.edm
    return V2(f"({left.text} {expr.op} {right.text})", edm or "Edm.Decimal")


def _unary(expr: ast.Unary, remote_set: RemoteSet) -> V2:
    operand = translate(expr.operand, remote_set)
    if expr.op == "not":
        _require(operand, {"Edm.Boolean"}, "not")
        return V2(f"(not {condition(operand)})", "Edm.Boolean", condition=True)
    if operand.edm is None:
        return operand
    _require(operand, _NUMERIC, "-")
    return V2(f"(-{operand.text})", operand.edm)


def _in(expr: ast.In, remote_set: RemoteSet) -> V2:
    operand = translate(expr.operand, remote_set)
    values = [translate(v, remote_set) for v in expr.values]
    if not values:
        raise BadRequest("'in' needs at least one value")
    parts = [_comparison("eq", operand, v).text for v in values]
    return V2("(" + " or ".join(parts) + ")", "Edm.Boolean", condition=True)


# --- functions (rule 2) -----------------------------------------------------------------------------------

_STRING = {"Edm.String", "Edm.Guid"}
_INTEGER = {"Edm.Int32", "Edm.Int64"}
_Signature = tuple[tuple[set[str], ...], str | None, Callable[[list[str]], str]]


def _same(name: str) -> Callable[[list[str]], str]:
    return lambda args: f"{name}({','.join(args)})"


_FUNCTIONS: dict[str, _Signature] = {
    "contains": ((_STRING, _STRING), "Edm.Boolean", lambda a: f"substringof({a[1]},{a[0]})"),
    "startswith": ((_STRING, _STRING), "Edm.Boolean", _same("startswith")),
    "endswith": ((_STRING, _STRING), "Edm.Boolean", _same("endswith")),
    "length": ((_STRING,), "Edm.Int32", _same("length")),
    "indexof": ((_STRING, _STRING), "Edm.Int32", _same("indexof")),
    "substring": ((_STRING, _INTEGER, _INTEGER), "Edm.String", _same("substring")),
    "tolower": ((_STRING,), "Edm.String", _same("tolower")),
    "toupper": ((_STRING,), "Edm.String", _same("toupper")),
    "trim": ((_STRING,), "Edm.String", _same("trim")),
    "concat": ((_STRING, _STRING), "Edm.String", _same("concat")),
    **{part: (({"Edm.DateTimeOffset", "Edm.Date"},), "Edm.Int32", _same(part)) for part in ("year", "month", "day")},
    **{part: (({"Edm.DateTimeOffset"},), "Edm.Int32", _same(part)) for part in ("hour", "minute", "second")},
    **{name: ((_NUMERIC,), None, _same(name)) for name in ("round", "floor", "ceiling")},
}


def _call(expr: ast.Call, remote_set: RemoteSet) -> V2:
    signature = _FUNCTIONS.get(expr.name)
    if signature is None:
        raise untranslatable(f"the function '{expr.name}'")
    kinds, result, render = signature
    if len(expr.args) > len(kinds) or (expr.name != "substring" and len(expr.args) != len(kinds)):
        raise BadRequest(f"function '{expr.name}' takes {len(kinds)} arguments")
    args = [translate(a, remote_set) for a in expr.args]
    for arg, allowed in zip(args, kinds, strict=False):
        _require(arg, allowed, expr.name)
    texts = [
        v2_literal(str(a.literal.value)) if a.literal is not None and a.edm == "Edm.Guid" else a.text for a in args
    ]
    return V2(render(texts), result or args[0].edm)


# --- members ----------------------------------------------------------------------------------------------


def _member(expr: ast.Member, remote_set: RemoteSet) -> V2:
    head = expr.segments[0]
    prop = remote_set.prop(head)
    if prop is not None and len(expr.segments) == 1:
        return V2(prop.remote, prop.type)
    if remote_set.nav(head) is not None:
        raise BadRequest(f"collection navigation '{head}' needs any() or all()")
    if prop is not None:
        raise BadRequest(f"'{head}' is not a navigation property")
    raise BadRequest(f'Property "{head}" does not exist in "BusinessPartnerVerification.{remote_set.name}"')


def translate(expr: ast.Expr, remote_set: RemoteSet) -> V2:
    if isinstance(expr, ast.Literal):
        return _literal(expr)
    if isinstance(expr, ast.Member):
        return _member(expr, remote_set)
    if isinstance(expr, ast.Binary):
        return _binary(expr, remote_set)
    if isinstance(expr, ast.Unary):
        return _unary(expr, remote_set)
    if isinstance(expr, ast.In):
        return _in(expr, remote_set)
    if isinstance(expr, ast.Call):
        return _call(expr, remote_set)
    raise untranslatable("any() and all()")


def translate_filter(expr: ast.Expr, remote_set: RemoteSet) -> str:
    node = translate(expr, remote_set)
    if node.edm != "Edm.Boolean":
        raise BadRequest("$filter expression must be a boolean expression")
    return condition(node)


# --- $search (rule 6) -------------------------------------------------------------------------------------


def translate_search(expr: ast.SearchExpr, fields: list[str]) -> str:
    if isinstance(expr, ast.SearchTerm):
        if not fields:
            return "false"
        word = v2_literal(expr.word.lower())
        return "(" + " or ".join(f"substringof({word},tolower({f}))" for f in fields) + ")"
    if isinstance(expr, ast.SearchNot):
        return f"(not {translate_search(expr.operand, fields)})"
    return f"({translate_search(expr.left, fields)} {expr.op} {translate_search(expr.right, fields)})"
