"""The mock's V2 `$filter`: what S/4HANA accepts, evaluated over rows; what it refuses. Table-driven, pure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bpverify.mock_s4.filter import FilterError, compile_filter
from bpverify.mock_s4.schema import ADDRESS, PARTNER

ROWS: list[dict[str, Any]] = [
    {
        "BusinessPartner": "1",
        "SearchTerm1": "DE1",
        "BusinessPartnerFullName": "Inland DE",
        "BusinessPartnerIsBlocked": False,
        "CreationDate": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    },
    {
        "BusinessPartner": "2",
        "SearchTerm1": "US3",
        "BusinessPartnerFullName": "O'Neil Inc",
        "BusinessPartnerIsBlocked": True,
        "CreationDate": dt.datetime(2021, 6, 1, tzinfo=dt.UTC),
    },
    {
        "BusinessPartner": "3",
        "SearchTerm1": "",
        "BusinessPartnerFullName": "anna",
        "BusinessPartnerIsBlocked": None,
        "CreationDate": None,
    },
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BusinessPartner eq '1'", ["1"]),
        ("BusinessPartner ne '1'", ["2", "3"]),
        ("BusinessPartner gt '1' and BusinessPartner lt '3'", ["2"]),
        ("BusinessPartner ge '2' or BusinessPartner le '1'", ["1", "2", "3"]),
        ("not (BusinessPartner eq '1')", ["2", "3"]),
        ("substringof('DE',SearchTerm1)", ["1"]),
        ("substringof('de',SearchTerm1)", []),  # case-sensitive, as on HANA
        ("substringof('de',tolower(SearchTerm1)) eq true", ["1"]),
        ("startswith(BusinessPartnerFullName,'O''Neil')", ["2"]),
        ("endswith(BusinessPartnerFullName,'DE')", ["1"]),
        ("toupper(BusinessPartnerFullName) eq 'ANNA'", ["3"]),
        ("length(SearchTerm1) eq 3", ["1", "2"]),
        ("indexof(SearchTerm1,'3') eq 2", ["2"]),
        ("substring(SearchTerm1,1) eq 'E1'", ["1"]),
        ("substring(SearchTerm1,0,1) eq 'U'", ["2"]),
        ("concat(SearchTerm1,'x') eq 'DE1x'", ["1"]),
        ("trim(BusinessPartnerFullName) eq 'anna'", ["3"]),
        ("replace(SearchTerm1,'US','X') eq 'X3'", ["2"]),
        ("BusinessPartnerIsBlocked eq true", ["2"]),
        ("BusinessPartnerIsBlocked", ["2"]),
        ("BusinessPartnerIsBlocked eq null", ["3"]),
        ("CreationDate ge datetime'2021-01-01T00:00:00'", ["2"]),
        ("year(CreationDate) eq 2020", ["1"]),
        ("length(SearchTerm1) add 1 eq 4 and length(SearchTerm1) mul 2 eq 6", ["1", "2"]),
        (
            "length(SearchTerm1) sub 3 eq 0 and length(SearchTerm1) div 2 eq 1 and length(SearchTerm1) mod 2 eq 1",
            ["1", "2"],
        ),
        ("-length(SearchTerm1) lt -2", ["1", "2"]),
        ("(BusinessPartner eq '1' or BusinessPartner eq '2') and BusinessPartnerIsBlocked eq false", ["1"]),
        ("round(length(SearchTerm1)) eq 3", ["1", "2"]),
    ],
)
def test_accepted(text: str, expected: list[str]) -> None:
    predicate = compile_filter(text, PARTNER)
    assert [r["BusinessPartner"] for r in ROWS if predicate(r)] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("contains(SearchTerm1,'D')", "Function 'contains' is not supported"),
        ("SearchTerm1 in ('A','B')", "Invalid token"),
        ("Nope eq 'x'", "Property 'Nope' not found in type 'A_BusinessPartnerType'"),
        ("SearchTerm1 eq 1", "incompatible"),
        ("SearchTerm1", "not a boolean"),
        ("SearchTerm1 eq", "Unexpected end"),
        ("SearchTerm1 eq 'x' 'y'", "Invalid token"),
        ("", "empty"),
        ("substringof(SearchTerm1)", "expects 2 arguments"),
        ("substringof(1,SearchTerm1)", "argument of type number"),
        ("SearchTerm1 and true", "needs boolean operands"),
        ("not SearchTerm1", "boolean operand"),
        ("-SearchTerm1 eq 1", "numeric operand"),
        ("SearchTerm1 add 1 eq 2", "numeric operands"),
        ("CreationDate eq datetime'nope'", "Invalid literal"),
        ("(SearchTerm1 eq 'x'", "Unexpected end"),
        ("(SearchTerm1 eq 'x'(", "Expected ')'"),
        ("SearchTerm1 eq 'x' # 1", "Invalid token"),
        ("to_BusinessPartnerAddress/any(a:a/Country eq 'DE')", "Invalid token"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(FilterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compile_filter(text, PARTNER)


def test_address_properties_belong_to_the_address_type() -> None:
    assert compile_filter("PostalCode eq '1'", ADDRESS)({"PostalCode": "1"})
    with pytest.raises(FilterError):
        compile_filter("SearchTerm1 eq '1'", ADDRESS)
