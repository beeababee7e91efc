"""Syntax tree of OData V4 URL expressions ($filter, $orderby, $select, $expand, $search).

The parser produces these nodes without knowing the entity model: a member path is a
list of names, and binding a name to a property happens later (in the SQL translator).
That keeps parsing pure and lets the same tree serve SQL and OData V2 back ends.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral
from typing import Union

LiteralKind = TypingLiteral[
    "null",
    "boolean",
    "string",
    "int",
    "decimal",
    "double",
    "guid",
    "date",
    "datetimeoffset",
    "timeofday",
    "duration",
    "enum",
]


@dataclass(frozen=True)
class Literal:
    """A primitive literal; `value` is the Python value (None for null)."""

    kind: LiteralKind
    value: (
        bool | str | int | decimal.Decimal | float | uuid.UUID | dt.date | dt.datetime | dt.time | dt.timedelta | None
    )


@dataclass(frozen=True)
class Member:
    """A member path such as `verificationStatus/value` or `a/country` (lambda variable first)."""

    segments: tuple[str, ...]


@dataclass(frozen=True)
class Unary:
    op: TypingLiteral["not", "-"]
    operand: Expr


@dataclass(frozen=True)
class Binary:
    # comparison, logical and arithmetic operators, as spelled in the URL
    op: TypingLiteral[
        "eq", "ne", "gt", "ge", "lt", "le", "and", "or", "add", "sub", "mul", "div", "divby", "mod", "has"
    ]
    left: Expr
    right: Expr


@dataclass(frozen=True)
class In:
    operand: Expr
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class Call:
    """A canonical function call: contains, startswith, tolower, year, substring, ..."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Lambda:
    """`path/any(var: predicate)`, `path/all(var: predicate)`; `any()` has no variable."""

    collection: Member
    op: TypingLiteral["any", "all"]
    variable: str | None
    predicate: Expr | None


Expr = Union[Literal, Member, Unary, Binary, In, Call, Lambda]  # noqa: UP007 - a runtime alias with forward references


@dataclass(frozen=True)
class OrderItem:
    expr: Expr
    descending: bool = False


@dataclass(frozen=True)
class SearchTerm:
    word: str  # a bare word or the content of a "quoted phrase"


@dataclass(frozen=True)
class SearchNot:
    operand: SearchExpr


@dataclass(frozen=True)
class SearchBinary:
    op: TypingLiteral["and", "or"]
    left: SearchExpr
    right: SearchExpr


SearchExpr = Union[SearchTerm, SearchNot, SearchBinary]  # noqa: UP007 - a runtime alias with forward references


@dataclass
class ExpandItem:
    """One item of $expand, with its nested query options."""

    path: tuple[str, ...]  # navigation path; ("*",) for $expand=*
    options: QueryOptions = field(default_factory=lambda: QueryOptions())


@dataclass
class QueryOptions:
    """System query options of one request (or one $expand level). None = not given."""

    filter: Expr | None = None
    orderby: tuple[OrderItem, ...] = ()
    select: tuple[tuple[str, ...], ...] | None = None  # paths; ("*",) for *
    expand: tuple[ExpandItem, ...] = ()
    top: int | None = None
    skip: int | None = None
    count: bool = False
    search: SearchExpr | None = None
    levels: int | None = None
    skiptoken: str | None = None
    format: str | None = None
    apply: str | None = None  # kept raw; transformations are parsed by the apply module


def shape(options: QueryOptions) -> tuple[object, ...]:
    """A hashable value equal for options that ask for the same rows (for caching statements).

    `$format` is left out: it changes the answer's encoding, not what is read. Literals keep
    their kind, so `1` and `true` or `1` and `1.0` never share a statement.
    """
    return (
        options.filter,
        options.orderby,
        options.select,
        tuple((item.path, shape(item.options)) for item in options.expand),
        options.top,
        options.skip,
        options.count,
        options.search,
        options.levels,
        options.skiptoken,
        options.apply,
    )
