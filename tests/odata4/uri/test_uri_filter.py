"""$filter and $orderby: table-driven tests of odata4.uri.filter."""

from __future__ import annotations

import datetime as dt
import decimal
import time
import uuid

import pytest

from odata4.errors import NotImplementedFeature, ODataError, ParseError
from odata4.uri.ast import Binary, Call, Expr, In, Lambda, Literal, Member, OrderItem, Unary
from odata4.uri.filter import MAX_DEPTH, children, parse_filter, parse_orderby


def m(*segments: str) -> Member:
    return Member(segments)


def i(value: int) -> Literal:
    return Literal("int", value)


def s(value: str) -> Literal:
    return Literal("string", value)


def b(op: str, left: Expr, right: Expr) -> Binary:
    return Binary(op, left, right)  # type: ignore[arg-type]


NULL = Literal("null", None)
TRUE = Literal("boolean", True)
FALSE = Literal("boolean", False)
GUID = uuid.UUID("2c728381-72ce-4fdd-8293-8add71579666")

VALID: list[tuple[str, Expr]] = [
    # comparisons and literals
    ("businessPartnerId eq '17100001'", b("eq", m("businessPartnerId"), s("17100001"))),
    ("a ne 1", b("ne", m("a"), i(1))),
    ("a gt 1", b("gt", m("a"), i(1))),
    ("a ge -1", b("ge", m("a"), i(-1))),
    ("a lt 1.5", b("lt", m("a"), Literal("decimal", decimal.Decimal("1.5")))),
    ("a le 1e3", b("le", m("a"), Literal("double", 1000.0))),
    ("a eq null", b("eq", m("a"), NULL)),
    ("a eq true", b("eq", m("a"), TRUE)),
    ("a eq false", b("eq", m("a"), FALSE)),
    ("a eq 'it''s'", b("eq", m("a"), s("it's"))),
    ("a eq ''", b("eq", m("a"), s(""))),
    ("a eq 'x eq y and (z)'", b("eq", m("a"), s("x eq y and (z)"))),
    ("ID eq 2c728381-72ce-4fdd-8293-8add71579666", b("eq", m("ID"), Literal("guid", GUID))),
    ("ID eq '2c728381-72ce-4fdd-8293-8add71579666'", b("eq", m("ID"), s(str(GUID)))),
    ("d gt 2020-01-01", b("gt", m("d"), Literal("date", dt.date(2020, 1, 1)))),
    (
        "t gt 2020-01-01T00:00:00Z",
        b("gt", m("t"), Literal("datetimeoffset", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))),
    ),
    ("t lt 10:30:00", b("lt", m("t"), Literal("timeofday", dt.time(10, 30)))),
    ("x eq duration'P1DT2H'", b("eq", m("x"), Literal("duration", dt.timedelta(days=1, hours=2)))),
    ("x eq INF", b("eq", m("x"), Literal("double", float("inf")))),
    ("x eq -INF", b("eq", m("x"), Literal("double", float("-inf")))),
    # bare boolean member, member paths, $it, $count
    ("updateCode", m("updateCode")),
    ("verificationStatus/value eq 'NEW'", b("eq", m("verificationStatus", "value"), s("NEW"))),
    ("a/b/c eq 1", b("eq", m("a", "b", "c"), i(1))),
    ("$it/a eq 1", b("eq", m("$it", "a"), i(1))),
    ("addresses/$count gt 2", b("gt", m("addresses", "$count"), i(2))),
    ("a/NS.Type/b eq 1", b("eq", m("a", "NS.Type", "b"), i(1))),
    ("eq eq 1", b("eq", m("eq"), i(1))),
    ("notX eq 1", b("eq", m("notX"), i(1))),
    ("a eq Null", b("eq", m("a"), m("Null"))),  # case-sensitive: not the null literal
    # whitespace
    ("  a   eq\t1  ", b("eq", m("a"), i(1))),
    ("(a)eq(1)", b("eq", m("a"), i(1))),
    # logical and unary
    ("a and b", b("and", m("a"), m("b"))),
    ("a or b", b("or", m("a"), m("b"))),
    ("not a", Unary("not", m("a"))),
    ("not(a)", Unary("not", m("a"))),
    ("not not a", Unary("not", Unary("not", m("a")))),
    ("-a eq 1", b("eq", Unary("-", m("a")), i(1))),
    ("- 5 eq a", b("eq", Unary("-", i(5)), m("a"))),
    ("not (a eq 'P')", Unary("not", b("eq", m("a"), s("P")))),
    ("not contains(n,'DE')", Unary("not", Call("contains", (m("n"), s("DE"))))),
    # arithmetic
    ("a add 1 eq 3", b("eq", b("add", m("a"), i(1)), i(3))),
    ("a sub 1 eq 1", b("eq", b("sub", m("a"), i(1)), i(1))),
    ("a mul 2 eq 4", b("eq", b("mul", m("a"), i(2)), i(4))),
    ("a div 2 eq 1", b("eq", b("div", m("a"), i(2)), i(1))),
    ("a divby 2 eq 1", b("eq", b("divby", m("a"), i(2)), i(1))),
    ("a mod 2 eq 1", b("eq", b("mod", m("a"), i(2)), i(1))),
    ("a sub b sub c", b("sub", b("sub", m("a"), m("b")), m("c"))),
    # in / has
    ("code in ('N','V')", In(m("code"), (s("N"), s("V")))),
    ("code in ('N')", In(m("code"), (s("N"),))),
    ("code in ( 1 , 2 )", In(m("code"), (i(1), i(2)))),
    ("a has b", b("has", m("a"), m("b"))),
    # functions
    ("contains(n,'DE')", Call("contains", (m("n"), s("DE")))),
    ("startswith(n,'In')", Call("startswith", (m("n"), s("In")))),
    ("endswith(n,'3')", Call("endswith", (m("n"), s("3")))),
    ("tolower(n) eq 'x'", b("eq", Call("tolower", (m("n"),)), s("x"))),
    ("toupper(n) eq 'X'", b("eq", Call("toupper", (m("n"),)), s("X"))),
    ("length(n) eq 17", b("eq", Call("length", (m("n"),)), i(17))),
    ("indexof(n,'DE') eq 13", b("eq", Call("indexof", (m("n"), s("DE"))), i(13))),
    ("substring(n,13) eq 'x'", b("eq", Call("substring", (m("n"), i(13))), s("x"))),
    ("substring(n,0,8) eq 'x'", b("eq", Call("substring", (m("n"), i(0), i(8))), s("x"))),
    ("concat(a,'x') eq 'y'", b("eq", Call("concat", (m("a"), s("x"))), s("y"))),
    ("concat(concat(a,' '),b) eq 'y'", b("eq", Call("concat", (Call("concat", (m("a"), s(" "))), m("b"))), s("y"))),
    ("trim( n ) eq 'x'", b("eq", Call("trim", (m("n"),)), s("x"))),
    ("year(c) gt 2000", b("gt", Call("year", (m("c"),)), i(2000))),
    ("month(c) ge 1", b("ge", Call("month", (m("c"),)), i(1))),
    ("day(c) le 31", b("le", Call("day", (m("c"),)), i(31))),
    ("hour(c) lt 24", b("lt", Call("hour", (m("c"),)), i(24))),
    ("minute(c) lt 60", b("lt", Call("minute", (m("c"),)), i(60))),
    ("second(c) lt 60", b("lt", Call("second", (m("c"),)), i(60))),
    ("fractionalseconds(c) lt 1", b("lt", Call("fractionalseconds", (m("c"),)), i(1))),
    ("date(c) eq 2024-01-31", b("eq", Call("date", (m("c"),)), Literal("date", dt.date(2024, 1, 31)))),
    ("time(c) eq 10:00", b("eq", Call("time", (m("c"),)), Literal("timeofday", dt.time(10)))),
    ("c lt now()", b("lt", m("c"), Call("now", ()))),
    ("round(p) eq 1", b("eq", Call("round", (m("p"),)), i(1))),
    ("floor(p) eq 1", b("eq", Call("floor", (m("p"),)), i(1))),
    ("ceiling(p) eq 1", b("eq", Call("ceiling", (m("p"),)), i(1))),
    ("matchesPattern(n,'^A.*e$')", Call("matchesPattern", (m("n"), s("^A.*e$")))),
    # lambdas
    (
        "addresses/any(a:a/country eq 'US')",
        Lambda(m("addresses"), "any", "a", b("eq", m("a", "country"), s("US"))),
    ),
    ("addresses/all(x: x/country eq 'DE')", Lambda(m("addresses"), "all", "x", b("eq", m("x", "country"), s("DE")))),
    ("addresses/any()", Lambda(m("addresses"), "any", None, None)),
    ("not addresses/any()", Unary("not", Lambda(m("addresses"), "any", None, None))),
    (
        "a/b/any(x:x/c/any(y:y eq 1))",
        Lambda(m("a", "b"), "any", "x", Lambda(m("x", "c"), "any", "y", b("eq", m("y"), i(1)))),
    ),
    # the Fiori draft list filter
    (
        "(IsActiveEntity eq false or SiblingEntity/IsActiveEntity eq null)",
        b("or", b("eq", m("IsActiveEntity"), FALSE), b("eq", m("SiblingEntity", "IsActiveEntity"), NULL)),
    ),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[t for t, _ in VALID])
def test_valid_filters(text: str, expected: Expr) -> None:
    assert parse_filter(text) == expected


PRECEDENCE: list[tuple[str, Expr]] = [
    ("a add b mul c", b("add", m("a"), b("mul", m("b"), m("c")))),
    ("a mul b add c", b("add", b("mul", m("a"), m("b")), m("c"))),
    ("not a eq b", b("eq", Unary("not", m("a")), m("b"))),
    (
        "a eq 1 or b eq 2 and c eq 3",
        b("or", b("eq", m("a"), i(1)), b("and", b("eq", m("b"), i(2)), b("eq", m("c"), i(3)))),
    ),
    (
        "a eq 1 and b eq 2 or c eq 3",
        b("or", b("and", b("eq", m("a"), i(1)), b("eq", m("b"), i(2))), b("eq", m("c"), i(3))),
    ),
    ("(a or b) and c", b("and", b("or", m("a"), m("b")), m("c"))),
    ("a or b or c", b("or", b("or", m("a"), m("b")), m("c"))),
    ("a lt b eq c gt d", b("eq", b("lt", m("a"), m("b")), b("gt", m("c"), m("d")))),
    ("-a mul b", b("mul", Unary("-", m("a")), m("b"))),
    ("not a has b", Unary("not", b("has", m("a"), m("b")))),
    ("a add b in (1,2)", b("add", m("a"), In(m("b"), (i(1), i(2))))),
    ("not a in (1)", Unary("not", In(m("a"), (i(1),)))),
    ("a sub b add c", b("add", b("sub", m("a"), m("b")), m("c"))),
    ("a div b mod c", b("mod", b("div", m("a"), m("b")), m("c"))),
]


@pytest.mark.parametrize(("text", "expected"), PRECEDENCE, ids=[t for t, _ in PRECEDENCE])
def test_precedence(text: str, expected: Expr) -> None:
    assert parse_filter(text) == expected


INVALID: list[tuple[str, type[ODataError], int | None]] = [
    ("", ParseError, 0),
    ("   ", ParseError, 3),
    ("businessPartnerId eq", ParseError, 20),
    ("businessPartnerId eq '17100001", ParseError, 21),
    ("(businessPartnerId eq '1'", ParseError, 25),
    ("businessPartnerId xx '1'", ParseError, 18),
    ("foo bar baz", ParseError, 4),
    ("a eq 1)", ParseError, 6),
    ("a eq (1", ParseError, 7),
    ("a eq 1 and", ParseError, 10),
    ("and a", ParseError, 4),  # `and` as a member, then `a` is no operator
    ("a eq", ParseError, 4),
    ("a eq1", ParseError, 2),
    ("a eq 1eq 2", ParseError, 5),
    ("a eq 1.5.2", ParseError, 5),
    ("a eq 2024-13-01", ParseError, 5),
    ("a eq 2024-02-30", ParseError, 5),
    ("a eq 25:00", ParseError, 5),
    ("a eq 2024-01-01T10:00:00+25:00", ParseError, 5),
    ("a eq 1e999", ParseError, 5),
    ('a eq "x"', ParseError, 5),
    ("a eq [1]", ParseError, 5),
    ("a in 1", ParseError, 5),
    ("a in (1,)", ParseError, 8),
    ("a in ()", ParseError, 6),
    ("contains(a)", ParseError, 0),
    ("contains(a,'x','y')", ParseError, 0),
    ("substring(a)", ParseError, 0),
    ("substring(a,1,2,3)", ParseError, 0),
    ("now(1) eq a", ParseError, 0),
    ("length() eq 1", ParseError, 0),
    ("contains(a,'x'", ParseError, 14),
    ("contains (a,'x')", ParseError, 9),
    ("a/any(", ParseError, 6),
    ("a/all()", ParseError, 6),
    ("a/any(x)", ParseError, 7),
    ("a/any(x:)", ParseError, 8),
    ("a/any(1:x)", ParseError, 6),
    ("a/", ParseError, 2),
    ("a/'x'", ParseError, 2),
    ("a/$count/b", ParseError, 8),
    ("a/$value eq 1", ParseError, 2),
    ("$foo eq 1", ParseError, 0),
    ("a eq x'00'", ParseError, 5),
    ("a eq duration'P'", ParseError, 14),
    ("a eq duration'1D'", ParseError, 14),
    ("a eq 1 #", ParseError, 7),
    ("a eq -", ParseError, 6),
    ("not", ParseError, 3),
    ("a asc", ParseError, 2),
    ("Contains(a,'x') or", NotImplementedFeature, None),
    ("foo(businessPartnerId) eq 1", NotImplementedFeature, None),
    ("NS.func(a) eq 1", NotImplementedFeature, None),
    ("a/NS.func(x=1) eq 1", NotImplementedFeature, None),
    ("geo.distance(a,b) lt 1", NotImplementedFeature, None),
    ("cast(a,Edm.String) eq 'x'", NotImplementedFeature, None),
    ("isof(a,NS.T)", NotImplementedFeature, None),
    ("a eq @p", NotImplementedFeature, None),
    ("a eq NS.Color'Red'", NotImplementedFeature, None),
    ("a has NS.Color'Red'", NotImplementedFeature, None),
    ("a eq binary'AAE='", NotImplementedFeature, None),
    ("a eq geography'POINT(1 2)'", NotImplementedFeature, None),
    ("$root/a eq 1", NotImplementedFeature, None),
    ("'x' in tags", NotImplementedFeature, None),
    ("a/$count($filter=b eq 1) gt 1", NotImplementedFeature, None),
]


@pytest.mark.parametrize(("text", "error", "position"), INVALID, ids=[t or "<empty>" for t, _, _ in INVALID])
def test_invalid_filters(text: str, error: type[ODataError], position: int | None) -> None:
    with pytest.raises(error) as info:
        parse_filter(text)
    assert type(info.value) is error
    if position is not None:
        assert isinstance(info.value, ParseError)
        assert info.value.position == position


def test_error_message_names_what_was_expected_and_found() -> None:
    with pytest.raises(ParseError, match=r'^Expected an operator or end of input but "xx" found\.$'):
        parse_filter("businessPartnerId xx '1'")
    with pytest.raises(ParseError, match="but end of input found"):
        parse_filter("a eq")
    with pytest.raises(ParseError, match='Function "contains" takes 2 argument'):
        parse_filter("contains(a)")


def _depth(expr: Expr) -> int:
    return 1 + max((_depth(c) for c in children(expr)), default=0)


class TestNesting:
    def test_deep_but_allowed_parentheses(self) -> None:
        depth = MAX_DEPTH - 1
        assert parse_filter("(" * depth + "a" + ")" * depth) == m("a")

    @pytest.mark.parametrize(
        "text",
        [
            "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1),
            "(" * 100_000,
            "(" * 5000 + "a" + ")" * 5000,
            "not " * 5000 + "a",
            "- " * 5000 + "a",
            "contains(" * 3000 + "a",
            "a/any(x:" * 3000 + "x",
            " add ".join(["1"] * 300),
            "a eq " * 500 + "1",
        ],
        ids=["just-too-deep", "open-parens", "balanced", "nots", "minus", "calls", "lambdas", "add-chain", "eq-chain"],
    )
    def test_too_deep_is_a_parse_error(self, text: str) -> None:
        with pytest.raises(ParseError, match="nested deeper"):
            parse_filter(text)

    def test_long_or_chain_is_balanced(self) -> None:
        text = " or ".join(f"ID eq {n}" for n in range(5000))
        expr = parse_filter(text)
        assert _depth(expr) < 30
        leaves: list[int] = []
        stack: list[Expr] = [expr]
        while stack:  # the leaves stay in their order
            node = stack.pop()
            if isinstance(node, Binary) and node.op == "or":
                stack.extend((node.right, node.left))
            else:
                assert isinstance(node, Binary) and isinstance(node.right, Literal)
                leaves.append(node.right.value)  # type: ignore[arg-type]
        assert leaves == list(range(5000))

    def test_short_chains_stay_left_associative(self) -> None:
        expected: Expr = m("a0")
        for n in range(1, 8):
            expected = b("and", expected, m(f"a{n}"))
        assert parse_filter(" and ".join(f"a{n}" for n in range(8))) == expected

    def test_long_in_list(self) -> None:
        expr = parse_filter("ID in (" + ",".join(str(n) for n in range(10_000)) + ")")
        assert isinstance(expr, In) and len(expr.values) == 10_000


ORDERBY: list[tuple[str, tuple[OrderItem, ...]]] = [
    ("code", (OrderItem(m("code")),)),
    ("code asc", (OrderItem(m("code")),)),
    ("businessPartnerId desc", (OrderItem(m("businessPartnerId"), True),)),
    ("criticality desc,code", (OrderItem(m("criticality"), True), OrderItem(m("code")))),
    (
        "verificationStatus/value desc, businessPartnerId",
        (OrderItem(m("verificationStatus", "value"), True), OrderItem(m("businessPartnerId"))),
    ),
    ("length(name) desc", (OrderItem(Call("length", (m("name"),)), True),)),
    ("a add b", (OrderItem(b("add", m("a"), m("b"))),)),
    ("desc desc", (OrderItem(m("desc"), True),)),
]


@pytest.mark.parametrize(("text", "expected"), ORDERBY, ids=[t for t, _ in ORDERBY])
def test_orderby(text: str, expected: tuple[OrderItem, ...]) -> None:
    assert parse_orderby(text) == expected


@pytest.mark.parametrize(
    ("text", "position"),
    [("code up", 5), ("", 0), ("code,", 5), (",code", 0), ("code desc desc", 10), ("code(desc)", None), ("a eq", 4)],
)
def test_orderby_invalid(text: str, position: int | None) -> None:
    with pytest.raises((ParseError, NotImplementedFeature)) as info:
        parse_orderby(text)
    if position is not None:
        assert isinstance(info.value, ParseError)
        assert info.value.position == position


def test_orderby_bad_direction_message() -> None:
    with pytest.raises(ParseError, match=r'Expected ",", "asc", "desc", or end of input but "up" found\.'):
        parse_orderby("code up")


def test_typical_filter_parses_well_under_a_millisecond() -> None:
    text = (
        "(IsActiveEntity eq false or SiblingEntity/IsActiveEntity eq null) and "
        "contains(tolower(businessPartnerName),'inland') and verificationStatus_code in ('N','P','V') "
        "and createdAt gt 2020-01-01T00:00:00Z and addresses/any(a:a/country eq 'DE')"
    )
    assert len(text) > 200
    parse_filter(text)
    runs = 300
    start = time.perf_counter()
    for _ in range(runs):
        parse_filter(text)
    assert (time.perf_counter() - start) / runs < 0.001
