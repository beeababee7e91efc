"""SQL functions whose spelling differs between SQLite, PostgreSQL and SAP HANA.

Each is a SQLAlchemy function element with one compile rule per dialect, so the
filter translator writes `index_of(a, b)` once and every database gets its own SQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class index_of(GenericFunction[int]):
    """OData `indexof`: zero-based position of the second argument, -1 when absent."""

    type = sa.Integer()
    inherit_cache = True


@compiles(index_of)
def _index_of_default(element: Any, compiler: Any, **kw: Any) -> str:
    a, b = list(element.clauses)
    return f"(INSTR({compiler.process(a, **kw)}, {compiler.process(b, **kw)}) - 1)"


@compiles(index_of, "postgresql")
def _index_of_pg(element: Any, compiler: Any, **kw: Any) -> str:
    a, b = list(element.clauses)
    return f"(STRPOS({compiler.process(a, **kw)}, {compiler.process(b, **kw)}) - 1)"


@compiles(index_of, "hana")
def _index_of_hana(element: Any, compiler: Any, **kw: Any) -> str:
    a, b = list(element.clauses)
    return f"(LOCATE({compiler.process(a, **kw)}, {compiler.process(b, **kw)}) - 1)"


class sub_string(GenericFunction[str]):
    """OData `substring(s, start[, length])` with a zero-based start."""

    type = sa.Unicode()
    inherit_cache = True


def _substring_args(element: Any, compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(c, **kw) for c in element.clauses]


@compiles(sub_string)
def _sub_string_default(element: Any, compiler: Any, **kw: Any) -> str:
    args = _substring_args(element, compiler, **kw)
    rest = f", {args[2]}" if len(args) > 2 else ""
    return f"SUBSTR({args[0]}, ({args[1]}) + 1{rest})"


@compiles(sub_string, "hana")
def _sub_string_hana(element: Any, compiler: Any, **kw: Any) -> str:
    args = _substring_args(element, compiler, **kw)
    rest = f", {args[2]}" if len(args) > 2 else ""
    return f"SUBSTRING({args[0]}, ({args[1]}) + 1{rest})"


class floor_(GenericFunction[float]):
    name = "floor"
    inherit_cache = True


@compiles(floor_, "sqlite")
def _floor_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # SQLite has FLOOR only when built with math functions; CAST truncates toward zero
    (x,) = [compiler.process(c, **kw) for c in element.clauses]
    return f"(CAST({x} AS INTEGER) - (({x}) < CAST({x} AS INTEGER)))"


class ceiling_(GenericFunction[float]):
    name = "ceiling"
    inherit_cache = True


@compiles(ceiling_)
def _ceiling_default(element: Any, compiler: Any, **kw: Any) -> str:
    (x,) = [compiler.process(c, **kw) for c in element.clauses]
    return f"CEIL({x})"


@compiles(ceiling_, "sqlite")
def _ceiling_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    (x,) = [compiler.process(c, **kw) for c in element.clauses]
    return f"(CAST({x} AS INTEGER) + (({x}) > CAST({x} AS INTEGER)))"
