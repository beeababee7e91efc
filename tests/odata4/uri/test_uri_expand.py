"""$select and $expand: odata4.uri.expand."""

from __future__ import annotations

import pytest

from odata4.errors import BadRequest, NotImplementedFeature, ODataError, ParseError
from odata4.uri.ast import Binary, ExpandItem, Literal, Member, OrderItem, QueryOptions, SearchTerm
from odata4.uri.expand import MAX_EXPAND_DEPTH, parse_expand, parse_select

SELECT: list[tuple[str, tuple[tuple[str, ...], ...]]] = [
    ("businessPartnerId", (("businessPartnerId",),)),
    ("businessPartnerId,verificationStatus_code", (("businessPartnerId",), ("verificationStatus_code",))),
    ("*", (("*",),)),
    ("ID, addresses/ID", (("ID",), ("addresses", "ID"))),
    ("a/b/c", (("a", "b", "c"),)),
    ("NS.*", (("NS.*",),)),
    ("NS.Type/prop", (("NS.Type", "prop"),)),
    ("BusinessPartnerVerification.draftEdit", (("BusinessPartnerVerification.draftEdit",),)),
    ("ID,ID", (("ID",), ("ID",))),
    ("Straße", (("Straße",),)),
]


@pytest.mark.parametrize(("text", "expected"), SELECT, ids=[x for x, _ in SELECT])
def test_select(text: str, expected: tuple[tuple[str, ...], ...]) -> None:
    assert parse_select(text) == expected


SELECT_INVALID: list[tuple[str, type[ODataError], int | None]] = [
    ("", ParseError, 0),
    ("a,", ParseError, 2),
    (",a", ParseError, 0),
    ("a,,b", ParseError, 2),
    ("a/", ParseError, 2),
    ("a//b", ParseError, 2),
    ("a b", ParseError, 0),
    ("1a", ParseError, 0),
    ("a/*", ParseError, 2),
    ("'a'", ParseError, 0),
    ("a)", ParseError, 1),
    ("addresses($select=ID)", NotImplementedFeature, None),
]


@pytest.mark.parametrize(
    ("text", "error", "position"), SELECT_INVALID, ids=[x or "<empty>" for x, _, _ in SELECT_INVALID]
)
def test_select_invalid(text: str, error: type[ODataError], position: int | None) -> None:
    with pytest.raises(error) as info:
        parse_select(text)
    if position is not None:
        assert isinstance(info.value, ParseError) and info.value.position == position


def test_select_empty_message_matches_cap() -> None:
    with pytest.raises(ParseError, match=r'Expected "\*" or a reference but end of input found\.'):
        parse_select("")


def opts(**kwargs: object) -> QueryOptions:
    return QueryOptions(**kwargs)  # type: ignore[arg-type]


EXPAND: list[tuple[str, tuple[ExpandItem, ...]]] = [
    ("addresses", (ExpandItem(("addresses",)),)),
    ("addresses,verificationStatus", (ExpandItem(("addresses",)), ExpandItem(("verificationStatus",)))),
    ("*", (ExpandItem(("*",)),)),
    ("*($levels=2)", (ExpandItem(("*",), opts(levels=2)),)),
    ("a/b", (ExpandItem(("a", "b")),)),
    (
        "addresses($select=country),verificationStatus($select=value)",
        (
            ExpandItem(("addresses",), opts(select=(("country",),))),
            ExpandItem(("verificationStatus",), opts(select=(("value",),))),
        ),
    ),
    (
        "addresses($filter=country eq 'US')",
        (ExpandItem(("addresses",), opts(filter=Binary("eq", Member(("country",)), Literal("string", "US")))),),
    ),
    (
        "addresses($orderby=cityName desc;$top=1;$select=cityName)",
        (
            ExpandItem(
                ("addresses",),
                opts(orderby=(OrderItem(Member(("cityName",)), True),), top=1, select=(("cityName",),)),
            ),
        ),
    ),
    (
        "notification($select=businessPartnerName;$expand=verificationStatus)",
        (
            ExpandItem(
                ("notification",),
                opts(select=(("businessPartnerName",),), expand=(ExpandItem(("verificationStatus",)),)),
            ),
        ),
    ),
    ("addresses($count=true;$select=ID)", (ExpandItem(("addresses",), opts(count=True, select=(("ID",),))),)),
    (
        "addresses($select=ID,postalCode;$filter=country eq 'DE';$orderby=postalCode desc;$top=2;$skip=1;"
        "$count=true;$expand=notification($select=ID);$search=x;$levels=2)",
        (
            ExpandItem(
                ("addresses",),
                opts(
                    select=(("ID",), ("postalCode",)),
                    filter=Binary("eq", Member(("country",)), Literal("string", "DE")),
                    orderby=(OrderItem(Member(("postalCode",)), True),),
                    top=2,
                    skip=1,
                    count=True,
                    expand=(ExpandItem(("notification",), opts(select=(("ID",),))),),
                    search=SearchTerm("x"),
                    levels=2,
                ),
            ),
        ),
    ),
    (
        "a($filter=contains(n,'x,y;z)') and b in (1,2)),b",
        (
            ExpandItem(
                ("a",),
                opts(
                    filter=Binary(
                        "and",
                        parse_expand("x($filter=contains(n,'x,y;z)'))")[0].options.filter,  # type: ignore[arg-type]
                        parse_expand("x($filter=b in (1,2))")[0].options.filter,  # type: ignore[arg-type]
                    )
                ),
            ),
            ExpandItem(("b",)),
        ),
    ),
    ('a($search="x;y)")', (ExpandItem(("a",), opts(search=SearchTerm("x;y)"))),)),
    ("a($search=)", (ExpandItem(("a",)),)),
    (" a , b ", (ExpandItem(("a",)), ExpandItem(("b",)))),
]


@pytest.mark.parametrize(("text", "expected"), EXPAND, ids=[x for x, _ in EXPAND])
def test_expand(text: str, expected: tuple[ExpandItem, ...]) -> None:
    assert parse_expand(text) == expected


EXPAND_INVALID: list[tuple[str, type[ODataError], int | None]] = [
    ("", ParseError, 0),
    ("a,", ParseError, 2),
    ("a(", ParseError, 2),
    ("a)", ParseError, 1),
    ("a()", ParseError, 2),
    ("a($top=1)x", ParseError, 9),
    ("a($top=1)($skip=1)", ParseError, 9),
    ("addresses($filter=)", ParseError, 18),
    ("addresses($filter=a eq)", ParseError, 22),
    ("addresses($top=x)", ParseError, 15),
    ("addresses($top=-1)", ParseError, 15),
    ("addresses($top)", ParseError, 10),
    ("addresses($format=json)", ParseError, 10),
    ("addresses($skiptoken=1)", ParseError, 10),
    ("addresses(top=1)", ParseError, 10),
    ("addresses($levels=0)", ParseError, 18),
    ("a($expand=b($filter=c eq))", ParseError, 24),
    ("a($filter='x)", ParseError, 13),
    ("*($select=a)", ParseError, 2),
    ("1a", ParseError, 0),
    ("a/", ParseError, 2),
    ("a($top=1;$top=2)", BadRequest, None),
    ("a/$ref", NotImplementedFeature, None),
    ("a/$count", NotImplementedFeature, None),
    ("$value", NotImplementedFeature, None),
    ("a($levels=max)", NotImplementedFeature, None),
    ("a($compute=x)", NotImplementedFeature, None),
    ("a($apply=x)", NotImplementedFeature, None),
    ("a(@p=1)", NotImplementedFeature, None),
]


@pytest.mark.parametrize(
    ("text", "error", "position"), EXPAND_INVALID, ids=[x or "<empty>" for x, _, _ in EXPAND_INVALID]
)
def test_expand_invalid(text: str, error: type[ODataError], position: int | None) -> None:
    with pytest.raises(error) as info:
        parse_expand(text)
    assert type(info.value) is error
    if position is not None:
        assert isinstance(info.value, ParseError) and info.value.position == position


def test_expand_nesting_is_capped() -> None:
    ok = "a($expand=" * (MAX_EXPAND_DEPTH - 1) + "a" + ")" * (MAX_EXPAND_DEPTH - 1)
    assert parse_expand(ok)
    with pytest.raises(ParseError, match="nested deeper"):
        parse_expand("a($expand=" * MAX_EXPAND_DEPTH + "a" + ")" * MAX_EXPAND_DEPTH)
    with pytest.raises(ParseError):
        parse_expand("a($expand=" * 5000 + "a" + ")" * 5000)
