"""`$apply` basics (OData Data Aggregation Extension 4.0): `filter`, `groupby`, `aggregate`.

    applyExpr      = applyTrafo *( "/" applyTrafo )
    applyTrafo     = filterTrafo / groupbyTrafo / aggregateTrafo
    filterTrafo    = "filter" OPEN boolCommonExpr CLOSE
    groupbyTrafo   = "groupby" OPEN groupbyList [ COMMA applyExpr ] CLOSE
    groupbyList    = OPEN groupbyElement *( COMMA groupbyElement ) CLOSE
    aggregateTrafo = "aggregate" OPEN aggregateExpr *( COMMA aggregateExpr ) CLOSE
    aggregateExpr  = "$count" asAlias / path "with" method asAlias

Only what CAP serves is supported; other transformations are a 501.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from odata4.errors import NotImplementedFeature, ParseError
from odata4.uri.ast import Expr
from odata4.uri.expand import split_top_level
from odata4.uri.filter import parse_filter

METHODS = ("sum", "min", "max", "average", "countdistinct")
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = re.compile(rf"{_IDENT}(/{_IDENT})*")
_AGGREGATE = re.compile(rf"^\s*(?:(\$count)|({_PATH.pattern})\s+with\s+({_IDENT}))\s+as\s+({_IDENT})\s*$")
_TRAFO = re.compile(r"^\s*([a-z]+)\s*\((.*)\)\s*$", re.S)


@dataclass(frozen=True)
class Aggregate:
    alias: str
    method: str  # "count" for $count
    path: tuple[str, ...] = ()


@dataclass
class Apply:
    """The transformations, normalized: filters first, then one grouping/aggregation step."""

    filters: list[Expr] = field(default_factory=list)
    groupby: list[tuple[str, ...]] | None = None
    aggregates: list[Aggregate] = field(default_factory=list)


def parse_apply(text: str) -> Apply:
    result = Apply()
    for part, pos in split_top_level(text, "/", 0):
        _trafo(part, pos, result)
    return result


def _trafo(text: str, pos: int, result: Apply) -> None:
    match = _TRAFO.match(text)
    if match is None:
        raise ParseError(
            f'Expected a transformation such as "filter(", "groupby(" or "aggregate(" at "{text[:40]}"', position=pos
        )
    name, inner = match.group(1), match.group(2)
    if result.groupby is not None or result.aggregates:
        raise NotImplementedFeature(f"$apply: '{name}' after groupby/aggregate is not supported")
    if name == "filter":
        result.filters.append(parse_filter(inner))
    elif name == "groupby":
        _groupby(inner, pos + match.start(2), result)
    elif name == "aggregate":
        result.aggregates.extend(_aggregates(inner, pos + match.start(2)))
    else:
        raise NotImplementedFeature(f"$apply transformation '{name}' is not supported")


def _groupby(text: str, pos: int, result: Apply) -> None:
    parts = split_top_level(text, ",", pos)
    first, first_pos = parts[0]
    first = first.strip()
    if not (first.startswith("(") and first.endswith(")")):
        raise ParseError('Expected "(" with the grouping properties', position=first_pos)
    paths: list[tuple[str, ...]] = []
    for item, item_pos in split_top_level(first[1:-1], ",", first_pos + 1):
        item = item.strip()
        if not _PATH.fullmatch(item):
            raise ParseError(f"Expected a property path but found {item[:40]!r}", position=item_pos)
        paths.append(tuple(item.split("/")))
    result.groupby = paths
    rest = ",".join(p for p, _ in parts[1:]).strip()
    if rest:
        match = _TRAFO.match(rest)
        if match is None or match.group(1) != "aggregate":
            raise NotImplementedFeature("groupby supports only a nested aggregate()")
        result.aggregates.extend(_aggregates(match.group(2), pos))


def _aggregates(text: str, pos: int) -> list[Aggregate]:
    items: list[Aggregate] = []
    for item, item_pos in split_top_level(text, ",", pos):
        match = _AGGREGATE.match(item)
        if match is None:
            raise ParseError(
                f"Expected '$count as alias' or 'path with method as alias' but found {item[:40]!r}", position=item_pos
            )
        count, path, method, alias = match.group(1), match.group(2), match.group(4), match.group(5)
        if count:
            items.append(Aggregate(alias, "count"))
        elif method not in METHODS:
            raise NotImplementedFeature(f"aggregation method '{method}' is not supported")
        else:
            items.append(Aggregate(alias, method, tuple(path.split("/"))))
    return items
