"""The mocked S/4HANA reads like API_BUSINESS_PARTNER: V2 JSON, paging, counts, query options, errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from tests.bpverify.mock_s4_support import mock_client

PARTNERS = 28
ADDRESSES = 30


async def _get(url: str, **params: str) -> httpx.Response:
    async with mock_client() as (http, _):
        return await http.get(url, params=params or None)


async def _results(url: str, **params: str) -> list[dict[str, Any]]:
    response = await _get(url, **params)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["d"]["results"]
    return results


async def test_metadata_is_v2_edmx_with_our_entity_types() -> None:
    response = await _get("$metadata")
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    names = [e.get("Name") for e in root.iter("{http://schemas.microsoft.com/ado/2008/09/edm}EntityType")]
    assert names == ["A_BusinessPartnerType", "A_BusinessPartnerAddressType"]
    assert b'm:DataServiceVersion="2.0"' in response.content


async def test_service_document() -> None:
    assert (await _get("")).json() == {"d": {"EntitySets": ["A_BusinessPartner", "A_BusinessPartnerAddress"]}}


async def test_collection_shape_metadata_dates_and_deferred_navigation() -> None:
    response = await _get("A_BusinessPartner", **{"$top": "1"})
    assert response.headers["dataserviceversion"] == "2.0"
    [partner] = response.json()["d"]["results"]
    meta = partner["__metadata"]
    assert meta["uri"] == "https://s4.test/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner('17100001')"
    assert meta["type"] == "API_BUSINESS_PARTNER.A_BusinessPartnerType"
    assert meta["etag"].startswith("W/\"datetimeoffset'2024-05-06T10%3A11%3A12.")
    assert partner["CreationDate"] == "/Date(1577836800000)/" and partner["CreationTime"] == "PT09H00M00S"
    assert partner["to_BusinessPartnerAddress"] == {"__deferred": {"uri": meta["uri"] + "/to_BusinessPartnerAddress"}}
    assert partner["Customer"] == ""  # ABAP strings are never null


async def test_addresses_carry_no_etag_and_offset_dates() -> None:
    [address] = await _results("A_BusinessPartnerAddress", **{"$top": "1"})
    assert "etag" not in address["__metadata"]
    assert address["ValidityStartDate"] == "/Date(1577836800000+0000)/"


async def test_cap_mock_partners_are_there_with_the_same_values() -> None:
    rows = await _results(
        "A_BusinessPartner",
        **{
            "$top": "5",
            "$select": "BusinessPartner,BusinessPartnerFullName,"
            "BusinessPartnerCategory,SearchTerm1,BusinessPartnerIsBlocked",
        },
    )
    assert [r.pop("__metadata") and r for r in rows][3] == {
        "BusinessPartner": "17100004",
        "BusinessPartnerFullName": "Anna Schmidt",
        "BusinessPartnerCategory": "1",
        "SearchTerm1": "SCHMIDT",
        "BusinessPartnerIsBlocked": False,
    }
    assert [r["BusinessPartner"] for r in rows] == [f"1710000{i}" for i in range(1, 6)]


async def test_seed_has_several_countries_and_invalid_postal_codes() -> None:
    rows = await _results("A_BusinessPartnerAddress")
    assert len(rows) == ADDRESSES and len({r["Country"] for r in rows}) >= 10
    assert {"1805", "6061", "IV99 ZZZ"} <= {r["PostalCode"] for r in rows}


async def test_inlinecount_and_count() -> None:
    response = await _get("A_BusinessPartner", **{"$inlinecount": "allpages", "$top": "2"})
    assert response.json()["d"]["__count"] == str(PARTNERS) and len(response.json()["d"]["results"]) == 2
    assert (await _get("A_BusinessPartner/$count")).text == str(PARTNERS)
    assert (await _get("A_BusinessPartner/$count", **{"$filter": "BusinessPartnerIsBlocked eq true"})).text == "2"
    assert (await _get("A_BusinessPartner('17100003')/to_BusinessPartnerAddress/$count")).text == "2"


async def test_server_driven_paging_with_next() -> None:
    async with mock_client() as (http, mock):
        mock.knobs.page_size = 10
        seen, url, pages = [], "A_BusinessPartner?$filter=BusinessPartnerIsBlocked eq false", 0
        while url:
            doc = (await http.get(url)).json()["d"]
            seen += [r["BusinessPartner"] for r in doc["results"]]
            url, pages = doc.get("__next"), pages + 1
            assert url is None or url.startswith("https://s4.test/sap/opu/odata/sap/API_BUSINESS_PARTNER/")
        assert pages == 3 and len(seen) == PARTNERS - 2 == len(set(seen))


async def test_top_beyond_page_size_is_continued_by_next() -> None:
    async with mock_client() as (http, mock):
        mock.knobs.page_size = 4
        doc = (await http.get("A_BusinessPartner", params={"$top": "6", "$skip": "1"})).json()["d"]
        assert len(doc["results"]) == 4 and "$skiptoken=4" in doc["__next"]
        rest = (await http.get(doc["__next"])).json()["d"]
        assert [r["BusinessPartner"] for r in rest["results"]] == ["17100006", "17100007"] and "__next" not in rest


async def test_orderby_top_skip() -> None:
    rows = await _results(
        "A_BusinessPartner",
        **{
            "$orderby": "BusinessPartnerIsBlocked desc,SearchTerm1",
            "$top": "3",
            "$skip": "1",
            "$select": "BusinessPartner",
        },
    )
    assert [r["BusinessPartner"] for r in rows] == ["17100024", "17100011", "17100026"]


async def test_select_returns_exactly_what_is_selected() -> None:
    [row] = await _results("A_BusinessPartner", **{"$select": "SearchTerm1", "$top": "1"})
    assert set(row) == {"__metadata", "SearchTerm1"}


async def test_expand_with_nested_select() -> None:
    rows = await _results(
        "A_BusinessPartner",
        **{
            "$filter": "BusinessPartner eq '17100003'",
            "$select": "BusinessPartner,to_BusinessPartnerAddress/CityName",
            "$expand": "to_BusinessPartnerAddress",
        },
    )
    addresses = rows[0]["to_BusinessPartnerAddress"]["results"]
    assert [{k: v for k, v in a.items() if k != "__metadata"} for a in addresses] == [
        {"CityName": "Palo Alto"},
        {"CityName": "New York"},
    ]


async def test_single_entity_with_etag_header_and_both_key_forms() -> None:
    async with mock_client() as (http, _):
        response = await http.get("A_BusinessPartner('17100001')")
        assert response.json()["d"]["__metadata"]["etag"] == response.headers["etag"]
        named = await http.get("A_BusinessPartner(BusinessPartner='17100001')")
        assert named.json()["d"]["BusinessPartner"] == "17100001"
        address = await http.get("A_BusinessPartnerAddress(BusinessPartner='17100004',AddressID='124466')")
        assert address.json()["d"]["CityName"] == "Wien"


async def test_property_and_value() -> None:
    assert (await _get("A_BusinessPartner('17100005')/BusinessPartnerIsBlocked")).json() == {
        "d": {"BusinessPartnerIsBlocked": True}
    }
    assert (await _get("A_BusinessPartner('17100005')/SearchTerm1/$value")).text == "BLOCKED"


async def test_navigation() -> None:
    rows = await _results("A_BusinessPartner('17100003')/to_BusinessPartnerAddress")
    assert [r["AddressID"] for r in rows] == ["124464", "124465"]


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("A_BusinessPartner('nope')", 404, "Resource not found for segment 'A_BusinessPartnerType'"),
        ("A_Nothing", 404, "Resource not found for segment 'A_Nothing'"),
        ("A_BusinessPartner('1')/to_Nothing", 404, "Resource not found for segment 'to_Nothing'"),
        ("A_BusinessPartnerAddress('1')", 400, "Invalid key predicate"),
        ("A_BusinessPartner?$filter=contains(SearchTerm1,'DE')", 400, "Function 'contains' is not supported"),
        ("A_BusinessPartner?$filter=Nope eq 1", 400, "Property 'Nope' not found in type 'A_BusinessPartnerType'"),
        ("A_BusinessPartner?$filter=SearchTerm1 eq 1", 400, "incompatible with operand types string and number"),
        ("A_BusinessPartner?$orderby=Nope", 400, "Property 'Nope' not found"),
        ("A_BusinessPartner?$top=-1", 400, "Invalid value '-1' for system query option $top"),
        ("A_BusinessPartner?$expand=to_Nothing", 400, "Property 'to_Nothing' not found"),
        ("A_BusinessPartner?$select=Nope", 400, "Property 'Nope' not found"),
        ("A_BusinessPartner?$apply=groupby((A))", 400, "System query option '$apply' is not supported"),
        ("A_BusinessPartner?$format=xml", 400, "JSON only"),
        ("A_BusinessPartner?$top=1&$top=2", 400, "more than once"),
        ("A_BusinessPartner('1')/$count", 400, "$count applies to collections only"),
        ("$batch", 501, "not supported"),
    ],
)
async def test_errors_are_gateway_json(url: str, status: int, text: str) -> None:
    response = await _get(url)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert text in error["message"]["value"] and error["message"]["lang"] == "en"
    assert error["code"].startswith("/IWBEP/") and error["innererror"]["transactionid"]


@pytest.mark.parametrize(
    ("headers", "params", "status"),
    [
        ({}, {}, 200),
        ({}, {"sap-client": "100"}, 200),
        ({"sap-client": "100"}, {}, 200),
        ({}, {"sap-client": "200"}, 401),
    ],
)
async def test_sap_client(headers: dict[str, str], params: dict[str, str], status: int) -> None:
    async with mock_client() as (http, _):
        response = await http.get("A_BusinessPartner/$count", headers=headers, params=params)
        assert response.status_code == status


@pytest.mark.parametrize("auth", [None, ("MOCKUSER", "wrong"), ("OTHER", "mockpass")])
async def test_basic_logon_is_required(auth: tuple[str, str] | None) -> None:
    async with mock_client(auth=auth) as (http, _):
        response = await http.get("A_BusinessPartner")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Basic realm="SAP NetWeaver Application Server [S4H/100]"'


async def test_user_name_is_case_insensitive_like_sap() -> None:
    async with mock_client(auth=("mockuser", "mockpass")) as (http, _):
        assert (await http.get("A_BusinessPartner/$count")).status_code == 200
