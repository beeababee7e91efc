"""V4 query options → the V2 request S/4HANA gets (bpverify.remote.filter/query). Table-driven, pure."""

from __future__ import annotations

import httpx
import pytest

from bpverify.remote.errors import odata_error
from bpverify.remote.filter import translate_filter
from bpverify.remote.mapping import ADDRESSES, PARTNERS, remote_type
from bpverify.remote.query import plan_collection, plan_entity
from bpverify.service.definition import build_service
from btp import BindingNotFoundError, BTPError, CircuitOpenError, TargetUnavailableError, TLSError
from btp.odata2 import (
    AuthorizationError,
    EntityNotFoundError,
    ODataV2ClientError,
    ODataV2ProtocolError,
    ODataV2ServerError,
)
from odata4.errors import BadRequest, NotImplementedFeature, ODataError
from odata4.uri.options import parse_query_options

SERVICE = build_service()


def _options(**given: str):  # type: ignore[no-untyped-def]
    return parse_query_options([(f"${k}", v) for k, v in given.items()])


def _filter(text: str, remote_set=PARTNERS) -> str:  # type: ignore[no-untyped-def]
    options = _options(filter=text)
    assert options.filter is not None
    return translate_filter(options.filter, remote_set)


@pytest.mark.parametrize(
    ("v4", "v2"),
    [
        ("businessPartnerId eq '17100001'", "(BusinessPartner eq '17100001')"),
        ("businessPartnerName ne 'A'", "(BusinessPartnerFullName ne 'A')"),
        ("searchTerm1 gt 'A' and searchTerm1 le 'M'", "((SearchTerm1 gt 'A') and (SearchTerm1 le 'M'))"),
        ("searchTerm1 lt 'B' or searchTerm1 ge 'X'", "((SearchTerm1 lt 'B') or (SearchTerm1 ge 'X'))"),
        ("not (businessPartnerCategory eq '1')", "(not (BusinessPartnerCategory eq '1'))"),
        ("contains(businessPartnerName,'DE')", "(substringof('DE',BusinessPartnerFullName) eq true)"),
        ("startswith(searchTerm1,'DE')", "(startswith(SearchTerm1,'DE') eq true)"),
        ("endswith(searchTerm1,'1')", "(endswith(SearchTerm1,'1') eq true)"),
        ("not contains(searchTerm1,'X')", "(not (substringof('X',SearchTerm1) eq true))"),
        ("tolower(searchTerm1) eq 'de1'", "(tolower(SearchTerm1) eq 'de1')"),
        ("toupper(trim(businessPartnerName)) eq 'X'", "(toupper(trim(BusinessPartnerFullName)) eq 'X')"),
        ("length(searchTerm1) gt 3", "(length(SearchTerm1) gt 3)"),
        ("indexof(searchTerm1,'E') eq 1", "(indexof(SearchTerm1,'E') eq 1)"),
        ("substring(searchTerm1,1) eq 'E1'", "(substring(SearchTerm1,1) eq 'E1')"),
        ("substring(searchTerm1,0,2) eq 'DE'", "(substring(SearchTerm1,0,2) eq 'DE')"),
        ("concat(searchTerm1,'x') eq 'DE1x'", "(concat(SearchTerm1,'x') eq 'DE1x')"),
        ("length(searchTerm1) add 1 eq 4", "((length(SearchTerm1) add 1) eq 4)"),
        ("length(searchTerm1) mod 2 eq 1", "((length(SearchTerm1) mod 2) eq 1)"),
        ("businessPartnerIsBlocked", "(BusinessPartnerIsBlocked eq true)"),
        ("businessPartnerIsBlocked eq false", "(BusinessPartnerIsBlocked eq false)"),
        ("not businessPartnerIsBlocked", "(not (BusinessPartnerIsBlocked eq true))"),
        (
            "businessPartnerIsBlocked and contains(searchTerm1,'D')",
            "((BusinessPartnerIsBlocked eq true) and (substringof('D',SearchTerm1) eq true))",
        ),
        ("searchTerm1 eq null", "(SearchTerm1 eq null)"),
        ("searchTerm1 in ('DE1','US3')", "((SearchTerm1 eq 'DE1') or (SearchTerm1 eq 'US3'))"),
        ("businessPartnerName eq 'O''Neil'", "(BusinessPartnerFullName eq 'O''Neil')"),
        ("businessPartnerId eq 17100001", "(BusinessPartner eq '17100001')"),  # adapted like our SQL layer
        ("'DE1' eq searchTerm1", "('DE1' eq SearchTerm1)"),
        ("true", "true"),
    ],
)
def test_filter(v4: str, v2: str) -> None:
    assert _filter(v4) == v2


def test_address_properties() -> None:
    assert _filter("postalCode eq '69190' and country eq 'DE'", ADDRESSES) == (
        "((PostalCode eq '69190') and (Country eq 'DE'))"
    )


@pytest.mark.parametrize(
    ("v4", "error", "text"),
    [
        ("matchesPattern(searchTerm1,'^A')", NotImplementedFeature, "function 'matchesPattern' cannot be translated"),
        ("fractionalseconds(2020-01-01T00:00:00Z) eq 0", NotImplementedFeature, "fractionalseconds"),
        ("addresses/any(a:a/country eq 'DE')", NotImplementedFeature, "any() and all()"),
        ("length(searchTerm1) divby 2 eq 1", NotImplementedFeature, "divby"),
        ("searchTerm1 eq duration'P1D'", NotImplementedFeature, "duration literal"),
        ("addresses/country eq 'DE'", BadRequest, "needs any() or all()"),
        ("nope eq 1", BadRequest, 'Property "nope" does not exist'),
        ("businessPartnerIsBlocked eq 'yes'", BadRequest, "cannot be compared"),
        ("searchTerm1 eq true", BadRequest, "cannot be compared"),
        ("length(searchTerm1) eq 'x'", BadRequest, "cannot be compared"),
        ("contains(searchTerm1,1)", BadRequest, "cannot be applied"),
        ("searchTerm1 add 1 eq 2", BadRequest, "cannot be applied"),
        ("searchTerm1", BadRequest, "must be a boolean expression"),
        ("searchTerm1 and true", BadRequest, "cannot be applied"),
        ("year(searchTerm1) eq 2020", BadRequest, "cannot be applied"),
    ],
)
def test_filter_refused(v4: str, error: type[ODataError], text: str) -> None:
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)")):
        _filter(v4)


def _plan(remote_set=PARTNERS, page: int = 1000, **given: str):  # type: ignore[no-untyped-def]
    return plan_collection(SERVICE, remote_set, _options(**given), page)


PARTNER_SELECT = (
    "BusinessPartner",
    "BusinessPartnerFullName",
    "BusinessPartnerCategory",
    "SearchTerm1",
    "BusinessPartnerIsBlocked",
)


def test_default_plan_selects_the_mapped_properties_ordered_by_key_with_one_row_more() -> None:
    plan = _plan()
    assert plan.query.select == PARTNER_SELECT and plan.query.orderby == ("BusinessPartner",)
    assert (plan.query.top, plan.query.skip, plan.limit, plan.more) == (1001, 0, 1000, True)
    assert plan.query.filter is None and not plan.query.inlinecount


@pytest.mark.parametrize(
    ("given", "top", "skip", "limit", "more"),
    [
        ({"top": "50"}, 50, 0, 50, False),
        ({"top": "50", "skip": "10"}, 50, 10, 50, False),
        ({"top": "5000"}, 1001, 0, 1000, True),
        ({"top": "5000", "skiptoken": "1000"}, 1001, 1000, 1000, True),
        ({"top": "1500", "skiptoken": "1000"}, 500, 1000, 500, False),
        ({"skip": "3", "skiptoken": "1000"}, 1001, 1003, 1000, True),
        ({"top": "0"}, 0, 0, 0, False),
    ],
)
def test_paging(given: dict[str, str], top: int, skip: int, limit: int, more: bool) -> None:
    plan = _plan(**given)
    assert (plan.query.top, plan.query.skip, plan.limit, plan.more) == (top, skip, limit, more)


@pytest.mark.parametrize(
    ("given", "select", "expand"),
    [
        ({"select": "searchTerm1"}, ("SearchTerm1", "BusinessPartner"), ()),
        (
            {"select": "businessPartnerName", "orderby": "searchTerm1 desc"},
            ("BusinessPartnerFullName", "SearchTerm1", "BusinessPartner"),
            (),
        ),
        (
            {"select": "searchTerm1", "expand": "addresses($select=postalCode)"},
            (
                "SearchTerm1",
                "BusinessPartner",
                "to_BusinessPartnerAddress/PostalCode",
                "to_BusinessPartnerAddress/BusinessPartner",
                "to_BusinessPartnerAddress/AddressID",
            ),
            ("to_BusinessPartnerAddress",),
        ),
        (
            {"expand": "addresses"},
            (
                *PARTNER_SELECT,
                "to_BusinessPartnerAddress/BusinessPartner",
                "to_BusinessPartnerAddress/AddressID",
                "to_BusinessPartnerAddress/Country",
                "to_BusinessPartnerAddress/CityName",
                "to_BusinessPartnerAddress/StreetName",
                "to_BusinessPartnerAddress/PostalCode",
            ),
            ("to_BusinessPartnerAddress",),
        ),
    ],
)
def test_select_and_expand(given: dict[str, str], select: tuple[str, ...], expand: tuple[str, ...]) -> None:
    plan = _plan(**given)
    assert sorted(plan.query.select) == sorted(select) and plan.query.expand == expand


def test_orderby_count_and_search() -> None:
    plan = _plan(
        orderby="businessPartnerIsBlocked desc,searchTerm1",
        count="true",
        search="de OR NOT us",
        filter="businessPartnerCategory eq '2'",
    )
    assert plan.query.orderby == ("BusinessPartnerIsBlocked desc", "SearchTerm1", "BusinessPartner")
    assert plan.query.inlinecount
    fields = ("BusinessPartner", "BusinessPartnerFullName", "BusinessPartnerCategory", "SearchTerm1")

    def term(word: str) -> str:
        return "(" + " or ".join(f"substringof('{word}',tolower({f}))" for f in fields) + ")"

    assert plan.query.filter == f"(BusinessPartnerCategory eq '2') and ({term('de')} or (not {term('us')}))"


def test_orderby_with_the_key_keeps_it_where_it_was() -> None:
    assert _plan(orderby="businessPartnerId desc").query.orderby == ("BusinessPartner desc",)
    assert _plan(ADDRESSES, orderby="addressId").query.orderby == ("AddressID", "BusinessPartner")


@pytest.mark.parametrize(
    ("given", "error", "text"),
    [
        ({"orderby": "tolower(searchTerm1)"}, NotImplementedFeature, "$orderby on an expression"),
        ({"orderby": "nope"}, BadRequest, 'Property "nope"'),
        ({"select": "nope"}, BadRequest, 'Property "nope" does not exist'),
        ({"expand": "nope"}, BadRequest, "nope"),
        ({"expand": "addresses($filter=country eq 'DE')"}, NotImplementedFeature, "$filter inside $expand=addresses"),
        ({"expand": "addresses($top=1)"}, NotImplementedFeature, "$top inside $expand=addresses"),
        ({"expand": "addresses($orderby=country)"}, NotImplementedFeature, "$orderby inside"),
        ({"expand": "addresses($count=true)"}, NotImplementedFeature, "$count inside"),
        ({"skiptoken": "abc"}, BadRequest, "invalid $skiptoken"),
        ({"skip": "3000000000"}, BadRequest, "skip more rows than S/4HANA can"),
    ],
)
def test_plan_refused(given: dict[str, str], error: type[ODataError], text: str) -> None:
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)").replace("$", r"\$")):
        _plan(**given)


def test_entity_plan() -> None:
    query = plan_entity(SERVICE, PARTNERS, _options(select="searchTerm1", expand="addresses($select=country)"))
    assert query.expand == ("to_BusinessPartnerAddress",) and "to_BusinessPartnerAddress/Country" in query.select
    assert query.top is None and query.filter is None


def test_remote_types_for_the_codec() -> None:
    partner = remote_type(PARTNERS)
    assert partner.properties["BusinessPartnerIsBlocked"] == "Edm.Boolean" and partner.keys == ("BusinessPartner",)
    assert partner.navigation["to_BusinessPartnerAddress"].keys == ("BusinessPartner", "AddressID")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ODataV2ServerError("x", status=500), 502),
        (ODataV2ServerError("x", status=503), 503),
        (ODataV2ServerError("x", status=504), 504),
        (ODataV2ClientError("x", status=429), 503),
        (ODataV2ClientError("x", status=408), 504),
        (AuthorizationError("x", status=401), 502),
        (AuthorizationError("x", status=403), 502),
        (EntityNotFoundError("x", status=404), 404),
        (ODataV2ClientError("x", status=400), 400),
        (ODataV2ProtocolError("no JSON"), 502),
        (CircuitOpenError("BusinessPartner", url="https://s4", retry_after=3), 503),
        (TLSError("handshake", host="s4", port=443), 502),
        (TargetUnavailableError("down", url="https://s4"), 502),
        (BindingNotFoundError("destination", "no binding"), 502),
    ],
)
def test_s4_failures_become_odata_errors(error: BTPError, status: int) -> None:
    assert odata_error(error, "BusinessPartner").http_status == status


def test_a_timeout_is_504() -> None:
    error = TargetUnavailableError("no answer in time", url="https://s4")
    error.__cause__ = httpx.ReadTimeout("slow")
    assert odata_error(error, "BusinessPartner").http_status == 504
