"""$search: odata4.uri.search."""

from __future__ import annotations

import pytest

from odata4.errors import ParseError
from odata4.uri.ast import SearchBinary, SearchExpr, SearchNot, SearchTerm
from odata4.uri.search import parse_search


def t(word: str) -> SearchTerm:
    return SearchTerm(word)


def and_(left: SearchExpr, right: SearchExpr) -> SearchBinary:
    return SearchBinary("and", left, right)


def or_(left: SearchExpr, right: SearchExpr) -> SearchBinary:
    return SearchBinary("or", left, right)


VALID: list[tuple[str, SearchExpr]] = [
    ("Walldorf", t("Walldorf")),
    ("17100001", t("17100001")),
    ('"Inlandskunde DE"', t("Inlandskunde DE")),
    ("Inlandskunde 2", and_(t("Inlandskunde"), t("2"))),
    ("Domestic OR 17100001", or_(t("Domestic"), t("17100001"))),
    ("NOT Domestic", SearchNot(t("Domestic"))),
    ("a AND b", and_(t("a"), t("b"))),
    ("a b c", and_(and_(t("a"), t("b")), t("c"))),
    ("a OR b c", or_(t("a"), and_(t("b"), t("c")))),
    ("a b OR c", or_(and_(t("a"), t("b")), t("c"))),
    ("NOT a b", and_(SearchNot(t("a")), t("b"))),
    ("(a OR b) c", and_(or_(t("a"), t("b")), t("c"))),
    ("a (b OR c)", and_(t("a"), or_(t("b"), t("c")))),
    ("NOT (a OR b)", SearchNot(or_(t("a"), t("b")))),
    ("NOT NOT a", SearchNot(SearchNot(t("a")))),
    ('"say \\"hi\\""', t('say "hi"')),
    ('"back\\\\slash"', t("back\\slash")),
    ('"AND"', t("AND")),
    ("and or not", and_(and_(t("and"), t("or")), t("not"))),
    ("mountain-bike", t("mountain-bike")),
    ("  spaced  ", t("spaced")),
    ("ünïcödé", t("ünïcödé")),
    ("a'b", t("a'b")),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[x for x, _ in VALID])
def test_valid_search(text: str, expected: SearchExpr) -> None:
    assert parse_search(text) == expected


INVALID: list[tuple[str, int]] = [
    ("", 0),
    ("   ", 3),
    ('"unterminated', 0),
    ('""', 0),
    ("a OR", 4),
    ("AND a", 0),
    ("a AND", 5),
    ("NOT", 3),
    ("(a", 2),
    ("a)", 1),
    ("()", 1),
    ("a OR OR b", 5),
]


@pytest.mark.parametrize(("text", "position"), INVALID, ids=[x or "<empty>" for x, _ in INVALID])
def test_invalid_search(text: str, position: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_search(text)
    assert info.value.position == position


@pytest.mark.parametrize("text", ["(" * 10_000, "NOT " * 5000 + "a", "(" * 200 + "a" + ")" * 200])
def test_deep_search_nesting_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="nested deeper"):
        parse_search(text)


def test_many_terms_do_not_build_a_deep_tree() -> None:
    expr = parse_search(" ".join(f"w{n}" for n in range(5000)))
    depth, node = 0, expr
    while isinstance(node, SearchBinary):
        depth, node = depth + 1, node.left
    assert depth < 30
