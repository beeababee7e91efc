"""Expression trees back to OData URL syntax (not percent-encoded).

`parse_filter(to_odata(e)) == e` for every tree the parser can produce (and `and`/`or`
trees of any shape, since compound operands are always parenthesised). Useful for
next links, OData V2 back ends and error messages.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math

from odata4.uri.ast import (
    Binary,
    Call,
    Expr,
    In,
    Literal,
    Member,
    OrderItem,
    SearchBinary,
    SearchExpr,
    SearchTerm,
    Unary,
)


def to_odata(expr: Expr) -> str:
    if isinstance(expr, Literal):
        return literal_to_odata(expr)
    if isinstance(expr, Member):
        return "/".join(expr.segments)
    if isinstance(expr, Unary):
        return f"{'not ' if expr.op == 'not' else '-'}({to_odata(expr.operand)})"
    if isinstance(expr, Binary):
        return f"{_operand(expr.left)} {expr.op} {_operand(expr.right)}"
    if isinstance(expr, In):
        return f"{_operand(expr.operand)} in ({','.join(to_odata(v) for v in expr.values)})"
    if isinstance(expr, Call):
        return f"{expr.name}({','.join(to_odata(a) for a in expr.args)})"
    path = to_odata(expr.collection)
    if expr.variable is None or expr.predicate is None:
        return f"{path}/{expr.op}()"
    return f"{path}/{expr.op}({expr.variable}:{to_odata(expr.predicate)})"


def orderby_to_odata(items: tuple[OrderItem, ...]) -> str:
    return ",".join(to_odata(i.expr) + (" desc" if i.descending else "") for i in items)


def search_to_odata(expr: SearchExpr) -> str:
    if isinstance(expr, SearchTerm):
        return '"' + expr.word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(expr, SearchBinary):
        return f"({search_to_odata(expr.left)} {expr.op.upper()} {search_to_odata(expr.right)})"
    return f"NOT {search_to_odata(expr.operand)}"


def literal_to_odata(lit: Literal) -> str:
    value = lit.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, float):
        return _double(value)
    if isinstance(value, decimal.Decimal):
        text = format(value, "f")
        return text if "." in text else text + ".0"
    if isinstance(value, dt.timedelta):
        return f"duration'{_duration(value)}'"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)  # int, uuid


def _operand(expr: Expr) -> str:
    text = to_odata(expr)
    return f"({text})" if isinstance(expr, Binary | Unary | In) else text


def _double(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    text = repr(value)
    return text if "e" in text else text + "e0"


def _duration(value: dt.timedelta) -> str:
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = f".{value.microseconds:06d}" if value.microseconds else ""
    return f"{sign}P{value.days}DT{hours}H{minutes}M{seconds}{fraction}S"
