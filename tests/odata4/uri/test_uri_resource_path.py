"""Resource paths: odata4.uri.resource_path."""

from __future__ import annotations

import uuid

import pytest

from odata4.errors import NotFound, NotImplementedFeature, ODataError, ParseError
from odata4.uri.ast import Literal
from odata4.uri.resource_path import Segment, parse_resource_path

ID = "2c728381-72ce-4fdd-8293-8add71579666"
GUID = Literal("guid", uuid.UUID(ID))
TRUE = Literal("boolean", True)
DRAFT_KEY = {"ID": GUID, "IsActiveEntity": TRUE}

VALID: list[tuple[str, list[Segment]]] = [
    ("", []),
    ("/", []),
    ("$metadata", [Segment("$metadata")]),
    ("$batch", [Segment("$batch")]),
    ("Notifications", [Segment("Notifications")]),
    ("/Notifications/", [Segment("Notifications")]),
    (f"Notifications(ID={ID},IsActiveEntity=true)", [Segment("Notifications", DRAFT_KEY)]),
    (f"Notifications(ID={ID})", [Segment("Notifications", {"ID": GUID})]),
    (f"Notifications({ID})", [Segment("Notifications", GUID)]),
    (
        f"Notifications(ID='{ID}',IsActiveEntity='true')",
        [Segment("Notifications", {"ID": Literal("string", ID), "IsActiveEntity": Literal("string", "true")})],
    ),
    (
        f"Notifications(ID={ID},IsActiveEntity=true,foo=1)",
        [Segment("Notifications", {**DRAFT_KEY, "foo": Literal("int", 1)})],
    ),
    ("StatusValues('N')", [Segment("StatusValues", Literal("string", "N"))]),
    ("StatusValues(code='N')", [Segment("StatusValues", {"code": Literal("string", "N")})]),
    ("StatusValues(1)", [Segment("StatusValues", Literal("int", 1))]),
    ("StatusValues(-1)", [Segment("StatusValues", Literal("int", -1))]),
    (
        "StatusValues('N')/value/$value",
        [Segment("StatusValues", Literal("string", "N")), Segment("value"), Segment("$value")],
    ),
    (
        f"Notifications(ID={ID},IsActiveEntity=true)/addresses/$count",
        [Segment("Notifications", DRAFT_KEY), Segment("addresses"), Segment("$count")],
    ),
    (
        f"Notifications(ID={ID},IsActiveEntity=true)/addresses(ID={ID},IsActiveEntity=true)",
        [Segment("Notifications", DRAFT_KEY), Segment("addresses", DRAFT_KEY)],
    ),
    (
        f"Notifications(ID={ID},IsActiveEntity=true)/BusinessPartnerVerification.draftEdit",
        [Segment("Notifications", DRAFT_KEY), Segment("BusinessPartnerVerification.draftEdit")],
    ),
    ("Addresses/$ref", [Segment("Addresses"), Segment("$ref")]),
    (
        "BusinessPartnerAddresses(businessPartnerId='17100001',addressId='124462')",
        [
            Segment(
                "BusinessPartnerAddresses",
                {"businessPartnerId": Literal("string", "17100001"), "addressId": Literal("string", "124462")},
            )
        ],
    ),
    ("StatusValues('a/b')", [Segment("StatusValues", Literal("string", "a/b"))]),
    ("StatusValues('a%2Fb')", [Segment("StatusValues", Literal("string", "a/b"))]),
    ("StatusValues(%27a/b%27)", [Segment("StatusValues", Literal("string", "a/b"))]),
    ("StatusValues('it''s/x')/value", [Segment("StatusValues", Literal("string", "it's/x")), Segment("value")]),
    ("StatusValues('%C3%A4%20x')", [Segment("StatusValues", Literal("string", "ä x"))]),
    ("Stra%C3%9Fe", [Segment("Straße")]),
    ("NS.f()", [Segment("NS.f", {})]),
    ("NS.f(x=1,y='a')", [Segment("NS.f", {"x": Literal("int", 1), "y": Literal("string", "a")})]),
    ("StatusValues( code = 'N' )", [Segment("StatusValues", {"code": Literal("string", "N")})]),
    ("Things(null)", [Segment("Things", Literal("null", None))]),
]


@pytest.mark.parametrize(("path", "expected"), VALID, ids=[p or "<empty>" for p, _ in VALID])
def test_valid_paths(path: str, expected: list[Segment]) -> None:
    assert parse_resource_path(path) == expected


INVALID: list[tuple[str, type[ODataError], str]] = [
    ("StatusValues(N)", ParseError, "^Invalid value: N$"),
    ("Notifications(ID=not-a-uuid,IsActiveEntity=true)", ParseError, "^Invalid value: not$"),
    (f"Notifications(ID={ID}", NotFound, "Invalid resource path"),
    ("Notifications(1)x", NotFound, "Invalid resource path"),
    ("Notifications(1)(2)", ParseError, "Invalid value"),
    ("a//b", NotFound, "Invalid resource path"),
    ("Notif ications", NotFound, "Invalid resource path"),
    ("1Notifications", NotFound, "Invalid resource path"),
    ("$foo", NotFound, "Invalid resource path"),
    ("$count(1)", NotFound, "Invalid resource path"),
    ("StatusValues('N'", NotFound, "Invalid resource path"),
    ("StatusValues('N)", ParseError, "Invalid value"),
    ("StatusValues(code=)", ParseError, "Invalid value"),
    ("StatusValues(code='N',)", ParseError, "Invalid value"),
    ("StatusValues(code='N' x)", ParseError, "Invalid value"),
    ("StatusValues(='N')", ParseError, "Invalid value"),
    ("StatusValues(code='N',code='P')", ParseError, "more than once"),
    ("StatusValues(1,2)", ParseError, "Invalid value"),
    ("StatusValues(a/b=1)", NotFound, "Invalid resource path"),
    ("StatusValues(%FF)", ParseError, "percent-encoding"),
    ("StatusValues(@p)", NotImplementedFeature, "alias"),
    ("$crossjoin(A,B)", NotImplementedFeature, "crossjoin"),
    ("$all", NotImplementedFeature, "all"),
    ("A/$entity", NotImplementedFeature, "entity"),
]


@pytest.mark.parametrize(("path", "error", "message"), INVALID, ids=[p for p, _, _ in INVALID])
def test_invalid_paths(path: str, error: type[ODataError], message: str) -> None:
    with pytest.raises(error, match=message) as info:
        parse_resource_path(path)
    assert type(info.value) is error


def test_key_error_position_points_into_the_path() -> None:
    with pytest.raises(ParseError) as info:
        parse_resource_path("A/StatusValues(N)")
    assert info.value.position == 15
