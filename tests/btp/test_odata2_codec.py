"""btp.odata2.codec and .query: V2 JSON → typed values, V2 URL pieces. Pure, table-driven."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from typing import Any

import pytest

from btp.odata2 import EntityType, ODataV2ProtocolError, Query, key_predicate, literal, resource_path
from btp.odata2.codec import (
    decode_collection,
    decode_count,
    decode_error,
    decode_single,
    decode_value,
    encode_value,
    parse_date,
    parse_time,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/Date(1672531200000)/", dt.datetime(2023, 1, 1, tzinfo=UTC)),
        ("/Date(0)/", dt.datetime(1970, 1, 1, tzinfo=UTC)),
        ("/Date(-86400000)/", dt.datetime(1969, 12, 31, tzinfo=UTC)),
        ("/Date(1672531200123)/", dt.datetime(2023, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)),
        ("/Date(1672531200000+0000)/", dt.datetime(2023, 1, 1, tzinfo=UTC)),
        ("2023-01-01T00:00:00Z", dt.datetime(2023, 1, 1, tzinfo=UTC)),
    ],
)
def test_dates(text: str, expected: dt.datetime) -> None:
    assert parse_date(text) == expected


def test_date_offset_keeps_the_instant_and_sets_the_zone() -> None:
    value = parse_date("/Date(1672531200000+0060)/")
    assert value == dt.datetime(2023, 1, 1, tzinfo=UTC)  # the same instant
    assert value.utcoffset() == dt.timedelta(minutes=60)
    assert parse_date("/Date(1672531200000-0120)/").utcoffset() == dt.timedelta(minutes=-120)


@pytest.mark.parametrize("text", ["/Date(abc)/", "Date(1)", "", "/Date(1+60)/"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ODataV2ProtocolError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT10H30M00S", dt.time(10, 30)),
        ("PT0H0M1S", dt.time(0, 0, 1)),
        ("PT23H59M59.5S", dt.time(23, 59, 59, 500000)),
        ("PT5M", dt.time(0, 5)),
    ],
)
def test_times(text: str, expected: dt.time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["PT", "10:30", "P1D"])
def test_bad_times(text: str) -> None:
    with pytest.raises(ODataV2ProtocolError):
        parse_time(text)


@pytest.mark.parametrize(
    ("value", "edm", "expected"),
    [
        ("abc", "Edm.String", "abc"),
        (True, "Edm.Boolean", True),
        ("false", "Edm.Boolean", False),
        ("42", "Edm.Int64", 42),
        (7, "Edm.Int32", 7),
        ("1.50", "Edm.Decimal", decimal.Decimal("1.50")),
        ("2.5", "Edm.Double", 2.5),
        ("00000000-0000-0000-0000-000000000001", "Edm.Guid", uuid.UUID(int=1)),
        ("/Date(1672531200000)/", "Edm.DateTime", dt.datetime(2023, 1, 1, tzinfo=UTC)),
        ("PT09H00M00S", "Edm.Time", dt.time(9)),
        ("AQI=", "Edm.Binary", b"\x01\x02"),
        (None, "Edm.Boolean", None),
        ("/Date(0)/", None, dt.datetime(1970, 1, 1, tzinfo=UTC)),  # untyped: by shape
        ("PT09H00M00S", None, "PT09H00M00S"),
    ],
)
def test_decode_value(value: Any, edm: str | None, expected: Any) -> None:
    assert decode_value(value, edm) == expected


@pytest.mark.parametrize(("value", "edm"), [("x", "Edm.Int32"), ("maybe", "Edm.Boolean"), ("nope", "Edm.Guid")])
def test_decode_value_refuses_wrong_types(value: Any, edm: str) -> None:
    with pytest.raises(ODataV2ProtocolError):
        decode_value(value, edm)


@pytest.mark.parametrize(
    ("value", "edm", "expected"),
    [
        (dt.datetime(2023, 1, 1, tzinfo=UTC), None, "/Date(1672531200000)/"),
        (dt.datetime(2023, 1, 1), "Edm.DateTimeOffset", "/Date(1672531200000+0000)/"),
        (dt.time(10, 30), None, "PT10H30M00S"),
        (decimal.Decimal("1.5"), None, "1.5"),
        (12, "Edm.Int64", "12"),
        (uuid.UUID(int=1), None, "00000000-0000-0000-0000-000000000001"),
        ("x", None, "x"),
    ],
)
def test_encode_value(value: Any, edm: str | None, expected: Any) -> None:
    assert encode_value(value, edm) == expected


PARTNER = EntityType(
    "API_BUSINESS_PARTNER.A_BusinessPartnerType",
    {"BusinessPartner": "Edm.String", "BusinessPartnerIsBlocked": "Edm.Boolean", "CreationDate": "Edm.DateTime"},
    keys=("BusinessPartner",),
    navigation={"to_BusinessPartnerAddress": EntityType("A", {"ValidityStartDate": "Edm.DateTimeOffset"})},
)


def _entity(bp: str, **extra: Any) -> dict[str, Any]:
    return {
        "__metadata": {"uri": f"https://s4/A_BusinessPartner('{bp}')", "type": "T", "etag": f'W/"{bp}"'},
        "BusinessPartner": bp,
        "BusinessPartnerIsBlocked": False,
        "CreationDate": "/Date(0)/",
        "to_BusinessPartnerAddress": {"__deferred": {"uri": "…"}},
        **extra,
    }


def test_collection_with_count_and_next() -> None:
    body = json.dumps({"d": {"results": [_entity("1"), _entity("2")], "__count": "42", "__next": "A?$skiptoken=2"}})
    page = decode_collection(body, PARTNER)
    assert [e.values["BusinessPartner"] for e in page.entities] == ["1", "2"]
    assert page.count == 42 and page.next_url == "A?$skiptoken=2"
    first = page.entities[0]
    assert first.etag == 'W/"1"' and first.uri is not None and first.type == "T"
    assert first.values["CreationDate"] == dt.datetime(1970, 1, 1, tzinfo=UTC)
    assert "to_BusinessPartnerAddress" not in first.values  # deferred navigation is left out


def test_old_style_collection_is_a_bare_list() -> None:
    page = decode_collection(json.dumps({"d": [_entity("1")]}), PARTNER)
    assert len(page.entities) == 1 and page.count is None and page.next_url is None


@pytest.mark.parametrize("shape", ["results", "list"])
def test_expanded_navigation_is_typed(shape: str) -> None:
    address = {"__metadata": {"uri": "u"}, "ValidityStartDate": "/Date(86400000+0000)/"}
    nav: Any = {"results": [address]} if shape == "results" else [address]
    entity = decode_single(json.dumps({"d": _entity("1", to_BusinessPartnerAddress=nav)}), PARTNER)
    [child] = entity.values["to_BusinessPartnerAddress"]
    assert child.values["ValidityStartDate"] == dt.datetime(1970, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("body", ["<html>", '{"value": []}', '{"d": {"results": 3}}', "[1]"])
def test_no_v2_json(body: str) -> None:
    with pytest.raises(ODataV2ProtocolError):
        decode_collection(body)


def test_count() -> None:
    assert decode_count(b" 28\n") == 28
    with pytest.raises(ODataV2ProtocolError):
        decode_count("many")


def test_error_envelope() -> None:
    body = {
        "error": {
            "code": "BP/001",
            "message": {"lang": "de", "value": "Postleitzahl ungültig"},
            "innererror": {
                "transactionid": "T1",
                "errordetails": [
                    {"code": "BP/001", "message": "Postal code invalid", "target": "PostalCode", "severity": "error"}
                ],
            },
        }
    }
    info = decode_error(json.dumps(body).encode())
    assert info is not None
    assert (info.code, info.message, info.lang, info.transaction_id) == ("BP/001", "Postleitzahl ungültig", "de", "T1")
    assert info.details[0].target == "PostalCode"


def test_error_envelope_variants() -> None:
    assert decode_error(b'{"error": {"code": "X", "message": "plain"}}').message == "plain"  # type: ignore[union-attr]
    xml = b'<?xml version="1.0"?><error xmlns="m"><code>SY/530</code><message xml:lang="en">Boom</message></error>'
    info = decode_error(xml)
    assert info is not None and (info.code, info.message) == ("SY/530", "Boom")
    assert decode_error(b"CSRF token validation failed") is None
    assert decode_error(b'{"d": 1}') is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("O'Neil", "'O''Neil'"),
        (12, "12"),
        (True, "true"),
        (None, "null"),
        (decimal.Decimal("1.5"), "1.5M"),
        (2.5, "2.5d"),
        (dt.datetime(2023, 1, 1), "datetime'2023-01-01T00:00:00'"),
        (dt.datetime(2023, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))), "datetimeoffset'2023-01-01T00:00:00Z'"),
        (dt.date(2023, 1, 2), "datetime'2023-01-02T00:00:00'"),
        (dt.time(10, 30), "time'PT10H30M00S'"),
        (uuid.UUID(int=1), "guid'00000000-0000-0000-0000-000000000001'"),
        (b"\x0a\xff", "X'0aff'"),
    ],
)
def test_literals(value: Any, expected: str) -> None:
    assert literal(value) == expected


def test_keys_and_paths() -> None:
    assert key_predicate("1000") == "('1000')"
    assert key_predicate({"BusinessPartner": "1", "AddressID": "2"}) == "(BusinessPartner='1',AddressID='2')"
    assert resource_path("A_BusinessPartner", "10 00", "to_BusinessPartnerAddress", "$count") == (
        "A_BusinessPartner('10%2000')/to_BusinessPartnerAddress/$count"
    )
    assert resource_path("A_BusinessPartner") == "A_BusinessPartner"


def test_query_params_in_order() -> None:
    query = Query(
        filter="A eq 'x'",
        select=("A", "B"),
        expand=("to_X",),
        orderby=("A desc", "B"),
        top=5,
        skip=10,
        inlinecount=True,
        custom=(("search", "x"),),
    )
    assert query.params() == [
        ("$filter", "A eq 'x'"),
        ("$select", "A,B"),
        ("$expand", "to_X"),
        ("$orderby", "A desc,B"),
        ("$top", "5"),
        ("$skip", "10"),
        ("$inlinecount", "allpages"),
        ("search", "x"),
    ]
    assert Query(top=0, skip=0).params() == [("$top", "0")]
