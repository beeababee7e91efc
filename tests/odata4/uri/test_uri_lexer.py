"""Primitive literals and tokens: odata4.uri.lexer and odata4.uri.literals."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid

import pytest

from odata4.errors import NotImplementedFeature, ParseError
from odata4.uri.ast import Binary, Literal, Member
from odata4.uri.filter import parse_filter
from odata4.uri.lexer import tokenize

PLUS_1 = dt.timezone(dt.timedelta(hours=1))
MINUS_530 = dt.timezone(-dt.timedelta(hours=5, minutes=30))

LITERALS: list[tuple[str, Literal]] = [
    ("null", Literal("null", None)),
    ("true", Literal("boolean", True)),
    ("false", Literal("boolean", False)),
    ("'x'", Literal("string", "x")),
    ("'O''Neil'", Literal("string", "O'Neil")),
    ("''''", Literal("string", "'")),
    ("'ä € 😀'", Literal("string", "ä € 😀")),
    ("'a/b(c)'", Literal("string", "a/b(c)")),
    ("0", Literal("int", 0)),
    ("42", Literal("int", 42)),
    ("-42", Literal("int", -42)),
    ("+7", Literal("int", 7)),
    ("9223372036854775807", Literal("int", 2**63 - 1)),
    ("-9223372036854775808", Literal("int", -(2**63))),
    ("9223372036854775808", Literal("decimal", decimal.Decimal(2**63))),
    ("123456789012345678901234567890", Literal("decimal", decimal.Decimal("123456789012345678901234567890"))),
    ("1.50", Literal("decimal", decimal.Decimal("1.50"))),
    ("-0.5", Literal("decimal", decimal.Decimal("-0.5"))),
    ("1e3", Literal("double", 1000.0)),
    ("1.5E-3", Literal("double", 0.0015)),
    ("-2.5e+2", Literal("double", -250.0)),
    ("INF", Literal("double", math.inf)),
    ("-INF", Literal("double", -math.inf)),
    ("2c728381-72ce-4fdd-8293-8add71579666", Literal("guid", uuid.UUID("2c728381-72ce-4fdd-8293-8add71579666"))),
    ("ABCDEF01-72CE-4FDD-8293-8ADD71579666", Literal("guid", uuid.UUID("abcdef01-72ce-4fdd-8293-8add71579666"))),
    ("2024-01-31", Literal("date", dt.date(2024, 1, 31))),
    ("2024-02-29", Literal("date", dt.date(2024, 2, 29))),
    ("2024-01-31T10:00:00Z", Literal("datetimeoffset", dt.datetime(2024, 1, 31, 10, tzinfo=dt.UTC))),
    ("2024-01-31T10:00Z", Literal("datetimeoffset", dt.datetime(2024, 1, 31, 10, tzinfo=dt.UTC))),
    ("2024-01-31T10:00:00+01:00", Literal("datetimeoffset", dt.datetime(2024, 1, 31, 10, tzinfo=PLUS_1))),
    ("2024-01-31T10:00:00-05:30", Literal("datetimeoffset", dt.datetime(2024, 1, 31, 10, tzinfo=MINUS_530))),
    (
        "2024-01-31T10:00:00.1234567Z",
        Literal("datetimeoffset", dt.datetime(2024, 1, 31, 10, 0, 0, 123456, tzinfo=dt.UTC)),
    ),
    ("2024-01-31T10:00:00.5z", Literal("datetimeoffset", dt.datetime(2024, 1, 31, 10, 0, 0, 500000, tzinfo=dt.UTC))),
    ("10:00", Literal("timeofday", dt.time(10, 0))),
    ("23:59:59.999", Literal("timeofday", dt.time(23, 59, 59, 999000))),
    ("duration'P1D'", Literal("duration", dt.timedelta(days=1))),
    ("duration'PT1H30M'", Literal("duration", dt.timedelta(hours=1, minutes=30))),
    ("duration'-P1DT0.5S'", Literal("duration", -dt.timedelta(days=1, seconds=0.5))),
    ("duration'PT0S'", Literal("duration", dt.timedelta(0))),
]


@pytest.mark.parametrize(("text", "expected"), LITERALS, ids=[t for t, _ in LITERALS])
def test_literal(text: str, expected: Literal) -> None:
    tree = parse_filter(f"x eq {text}")
    assert tree == Binary("eq", Member(("x",)), expected)
    assert isinstance(tree, Binary) and isinstance(tree.right, Literal)
    assert type(tree.right.value) is type(expected.value)


def test_nan() -> None:
    tree = parse_filter("x eq NaN")
    value = tree.right.value  # type: ignore[union-attr]
    assert isinstance(value, float) and math.isnan(value)


def test_utc_and_offset_values_are_timezone_aware() -> None:
    value = parse_filter("x eq 2024-01-31T10:00:00+01:00").right.value  # type: ignore[union-attr]
    assert isinstance(value, dt.datetime) and value.utcoffset() == dt.timedelta(hours=1)


INVALID: list[tuple[str, type[Exception]]] = [
    ("2024-00-10", ParseError),
    ("0000-01-01", ParseError),
    ("2023-02-29", ParseError),
    ("2024-01-31T24:00:00Z", ParseError),
    ("2024-01-31T10:60Z", ParseError),
    ("2024-01-31T10:00:00", ParseError),  # no offset
    ("2024-01-31T10:00:00+24:00", ParseError),
    ("12:61", ParseError),
    ("1e400", ParseError),
    ("'unterminated", ParseError),
    ("duration'P1Y'", ParseError),
    ("duration'PT'", ParseError),
    ("duration'P99999999999D'", ParseError),  # beyond timedelta
    ("datetime'2024-01-01T00:00'", ParseError),  # OData V2 syntax
    ("guid'2c728381-72ce-4fdd-8293-8add71579666'", ParseError),
    ("2c728381-72ce-4fdd-8293-8add7157966", ParseError),  # 11 digits in the last group
    ("1.", ParseError),
    (".5", ParseError),
    ("binary'AA=='", NotImplementedFeature),
    ("Sales.Color'Red'", NotImplementedFeature),
]


@pytest.mark.parametrize(("text", "error"), INVALID, ids=[t for t, _ in INVALID])
def test_invalid_literal(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_filter(f"x eq {text}")


def test_tokens_record_position_and_preceding_space() -> None:
    tokens = tokenize("a  eq(1)")
    assert [(t.kind, t.text, t.pos, t.space) for t in tokens] == [
        ("ident", "a", 0, False),
        ("ident", "eq", 3, True),
        ("(", "(", 5, False),
        ("lit", "1", 6, False),
        (")", ")", 7, False),
        ("eof", "", 8, False),
    ]


def test_identifiers_may_be_unicode_and_qualified() -> None:
    kinds = [(t.kind, t.text) for t in tokenize("Straße NS.Sub.Type $it @alias _x1")][:-1]
    assert kinds == [
        ("ident", "Straße"),
        ("ident", "NS.Sub.Type"),
        ("ident", "$it"),
        ("alias", "@alias"),
        ("ident", "_x1"),
    ]


@pytest.mark.parametrize("text", ["a ; b", "a & b", "a\\b", "a.b.", "1 2a", "'a' 'b", "\x00"])
def test_lexer_errors_are_parse_errors(text: str) -> None:
    with pytest.raises(ParseError):
        tokenize(text)
