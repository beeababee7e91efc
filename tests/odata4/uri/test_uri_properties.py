"""Property tests: no input makes a parser fail with anything but an OData error, and
printing a tree with `unparse` and parsing it again gives the same tree."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odata4.errors import BadRequest, NotFound, NotImplementedFeature, ParseError
from odata4.uri.ast import (
    Binary,
    Call,
    Expr,
    In,
    Lambda,
    Literal,
    Member,
    OrderItem,
    SearchBinary,
    SearchExpr,
    SearchNot,
    SearchTerm,
    Unary,
)
from odata4.uri.expand import parse_expand, parse_select
from odata4.uri.filter import ARITY, parse_filter, parse_orderby
from odata4.uri.options import parse_query_options
from odata4.uri.resource_path import parse_resource_path
from odata4.uri.search import parse_search
from odata4.uri.unparse import orderby_to_odata, search_to_odata, to_odata

ALLOWED = (ParseError, BadRequest, NotImplementedFeature)
PARSERS: list[Callable[[str], object]] = [parse_filter, parse_orderby, parse_select, parse_expand, parse_search]

TOKENS = [
    "(", ")", "'", ",", "/", ":", "$", " ", "eq", "and", "or", "not", "any", "all", "1", "2.5", "'x'", "null",
    "true", "a", "b/c", "in", "has", "add", "-", "contains(", "substring(", "$filter=", "$select=", "$expand=",
    "$top=", ";", "=", "*", '"', "AND", "OR", "NOT", "2024-01-31", "10:00", "T", "Z", "e", "INF", "@p",
    "2c728381-72ce-4fdd-8293-8add71579666", "duration'", "P1D", "%27", "%2F", "asc", "desc", "$count", "$it",
]  # fmt: skip
token_text = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=200), token_text)


def _returns_or_raises_odata_error(parse: Callable[[str], object], text: str) -> None:
    with contextlib.suppress(*ALLOWED):
        parse(text)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_parsers_only_raise_odata_errors(text: str) -> None:
    for parse in PARSERS:
        _returns_or_raises_odata_error(parse, text)


@settings(max_examples=300)
@given(text=any_text)
def test_resource_path_only_raises_odata_errors(text: str) -> None:
    with contextlib.suppress(*ALLOWED, NotFound):
        parse_resource_path(text)


OPTION_NAMES = ["$filter", "$orderby", "$select", "$expand", "$top", "$skip", "$count", "$search", "$levels",
                "$skiptoken", "$format", "$apply", "$compute", "$foo", "foo", "@p", "sap-language"]  # fmt: skip


@settings(max_examples=300)
@given(params=st.lists(st.tuples(st.one_of(st.sampled_from(OPTION_NAMES), st.text(max_size=8)), any_text), max_size=4))
def test_query_options_only_raise_odata_errors(params: list[tuple[str, str]]) -> None:
    with contextlib.suppress(*ALLOWED):
        parse_query_options(params)


# ---- round trip: tree -> text -> the same tree ------------------------------------

NAMES = st.sampled_from(["a", "b", "ID", "country", "addresses", "x_1", "Straße", "NS.Type", "eq_", "nothing"])
members = st.lists(NAMES, min_size=1, max_size=3).map(lambda segs: Member(tuple(segs)))
tz = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
literals = st.one_of(
    st.just(Literal("null", None)),
    st.booleans().map(lambda v: Literal("boolean", v)),
    st.text(max_size=10).map(lambda v: Literal("string", v)),
    st.integers(-(2**63), 2**63 - 1).map(lambda v: Literal("int", v)),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda v: Literal("decimal", v)),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda v: Literal("decimal", v)),
    st.floats(allow_nan=False).map(lambda v: Literal("double", v)),
    st.uuids().map(lambda v: Literal("guid", v)),
    st.dates().map(lambda v: Literal("date", v)),
    st.datetimes(timezones=tz).map(lambda v: Literal("datetimeoffset", v)),
    st.times().map(lambda v: Literal("timeofday", v)),
    st.timedeltas(min_value=dt.timedelta(days=-(10**6)), max_value=dt.timedelta(days=10**6)).map(
        lambda v: Literal("duration", v)
    ),
)
BINARY_OPS = ["eq", "ne", "gt", "ge", "lt", "le", "and", "or", "add", "sub", "mul", "div", "divby", "mod", "has"]
FUNCTIONS = sorted(ARITY)


def _compound(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    calls = st.sampled_from(FUNCTIONS).flatmap(
        lambda name: st.lists(inner, min_size=ARITY[name][0], max_size=ARITY[name][1]).map(
            lambda args: Call(name, tuple(args))
        )
    )
    return st.one_of(
        st.builds(Binary, st.sampled_from(BINARY_OPS), inner, inner),
        st.builds(Unary, st.sampled_from(["not", "-"]), inner),
        st.builds(In, inner, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        calls,
        st.builds(Lambda, members, st.just("any"), st.just(None), st.just(None)),
        st.builds(Lambda, members, st.sampled_from(["any", "all"]), st.sampled_from(["v", "it"]), inner),
    )


expressions: st.SearchStrategy[Expr] = st.recursive(st.one_of(literals, members), _compound, max_leaves=25)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(expr=expressions)
def test_filter_round_trip(expr: Expr) -> None:
    text = to_odata(expr)
    assert parse_filter(text) == expr, text


@settings(max_examples=200)
@given(items=st.lists(st.builds(OrderItem, expressions, st.booleans()), min_size=1, max_size=3))
def test_orderby_round_trip(items: list[OrderItem]) -> None:
    assert parse_orderby(orderby_to_odata(tuple(items))) == tuple(items)


search_words = st.text(min_size=1, max_size=8).filter(lambda w: w.strip() != "")
search_trees: st.SearchStrategy[SearchExpr] = st.recursive(
    st.builds(SearchTerm, search_words),
    lambda inner: st.one_of(
        st.builds(SearchNot, inner),
        st.builds(SearchBinary, st.sampled_from(["and", "or"]), inner, inner),
    ),
    max_leaves=10,
)


@settings(max_examples=300)
@given(tree=search_trees)
def test_search_round_trip(tree: SearchExpr) -> None:
    assert parse_search(search_to_odata(tree)) == tree


@given(value=st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_literals_keep_their_value(value: decimal.Decimal) -> None:
    expr = parse_filter("x eq " + to_odata(Literal("decimal", value)))
    assert isinstance(expr, Binary) and expr.right == Literal("decimal", value)
