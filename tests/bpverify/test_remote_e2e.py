"""End to end through real sockets: client → our service → destination (PrivateLink) → mocked S/4HANA over TLS
with a certificate for s4.privatelink.test (reached on 127.0.0.1 by the resolve override)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.bpverify.remote_support import S4, destination, service, tls_mock
from tests.support.server import free_port

from bpverify.remote import S4Backend
from bpverify.settings import Settings
from btp import ConnectivitySettings, DestinationClientFactory
from btp.odata2 import ETagMismatchError, ODataV2Client

pytestmark = pytest.mark.slow

CAP_TOP_2 = {
    "@odata.context": "$metadata#BusinessPartners",
    "value": [
        {
            "businessPartnerId": "17100001",
            "businessPartnerName": "Inlandskunde DE 1",
            "businessPartnerCategory": "2",
            "searchTerm1": "DE1",
            "businessPartnerIsBlocked": False,
        },
        {
            "businessPartnerId": "17100002",
            "businessPartnerName": "Inlandskunde DE 2",
            "businessPartnerCategory": "2",
            "searchTerm1": "DE2",
            "businessPartnerIsBlocked": False,
        },
    ],
}


@pytest.fixture(scope="module")
def s4(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S4]:
    with tls_mock(tmp_path_factory.mktemp("s4")) as mock:
        yield mock


@pytest.fixture(autouse=True)
def fresh(s4: S4) -> None:
    s4.mock.store.reset()
    s4.mock.knobs.update({"outage": False, "error_rate": 0.0, "latency_ms": 0.0, "page_size": 1000})


@pytest.fixture
def truststore(s4: S4, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[httpx.Client]:
    with service(monkeypatch, tmp_path, destination(s4.url, s4.cert_pem)) as client:
        yield client


def test_reads_through_a_private_link_destination_with_truststore(truststore: httpx.Client, s4: S4) -> None:
    response = truststore.get("BusinessPartners", params={"$top": "2"})
    assert response.status_code == 200 and response.json() == CAP_TOP_2
    stats = s4.mock.stats
    assert stats["GET requests"] >= 1 and stats["logon failed"] == 0


def test_query_options_are_answered_by_s4(truststore: httpx.Client) -> None:
    doc = truststore.get(
        "BusinessPartners",
        params={
            "$filter": "contains(businessPartnerName,'DE')",
            "$count": "true",
            "$select": "searchTerm1",
            "$orderby": "searchTerm1 desc",
        },
    ).json()
    assert doc["@odata.count"] == 2
    assert doc["value"] == [
        {"searchTerm1": "DE2", "businessPartnerId": "17100002"},
        {"searchTerm1": "DE1", "businessPartnerId": "17100001"},
    ]
    assert truststore.get("BusinessPartners/$count").text == "28"
    assert truststore.get("BusinessPartners/$count", params={"$filter": "businessPartnerIsBlocked"}).text == "2"


def test_expand_navigation_and_single_entities(truststore: httpx.Client) -> None:
    partner = truststore.get(
        "BusinessPartners('17100003')",
        params={"$expand": "addresses($select=cityName)", "$select": "businessPartnerName"},
    ).json()
    assert partner == {
        "@odata.context": "$metadata#BusinessPartners/$entity",
        "businessPartnerId": "17100003",
        "businessPartnerName": "Domestic US Customer 3",
        "addresses": [
            {"businessPartnerId": "17100003", "addressId": "124464", "cityName": "Palo Alto"},
            {"businessPartnerId": "17100003", "addressId": "124465", "cityName": "New York"},
        ],
    }
    addresses = truststore.get("BusinessPartners('17100003')/addresses", params={"$orderby": "cityName"}).json()
    assert [a["cityName"] for a in addresses["value"]] == ["New York", "Palo Alto"]
    assert truststore.get("BusinessPartners('17100003')/addresses/$count").text == "2"
    one = truststore.get("BusinessPartners('17100003')/addresses(businessPartnerId='17100003',addressId='124465')")
    assert one.status_code == 200 and one.json()["postalCode"] == "10118"
    other = truststore.get("BusinessPartners('17100001')/addresses(businessPartnerId='17100003',addressId='124465')")
    assert other.status_code == 404
    assert (
        truststore.get("BusinessPartnerAddresses(businessPartnerId='17100004',addressId='124466')").json()["cityName"]
        == "Wien"
    )
    assert truststore.get("BusinessPartners('17100005')/businessPartnerIsBlocked").json()["value"] is True
    assert truststore.get("BusinessPartners('17100005')/searchTerm1/$value").text == "BLOCKED"


def test_not_found(truststore: httpx.Client) -> None:
    for url in ("BusinessPartners('nope')", "BusinessPartners('nope')/addresses"):
        response = truststore.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"] == {"message": "Not Found", "code": "404", "@Common.numericSeverity": 4}


def test_filter_on_a_single_entity_narrows_it_as_locally(truststore: httpx.Client) -> None:
    url = "BusinessPartners('17100003')"
    assert truststore.get(url, params={"$filter": "searchTerm1 eq 'US3'"}).status_code == 200
    assert truststore.get(url, params={"$filter": "searchTerm1 eq 'X'"}).status_code == 404
    assert truststore.get(url, params={"$search": "domestic"}).json()["searchTerm1"] == "US3"
    assert truststore.get(url + "/searchTerm1", params={"$filter": "searchTerm1 eq 'X'"}).status_code == 200


def test_server_driven_paging_on_both_sides(truststore: httpx.Client, s4: S4) -> None:
    s4.mock.knobs.page_size = 7  # S/4HANA pages by 7: we follow its __next to fill our page
    doc = truststore.get("BusinessPartnerAddresses", params={"$top": "20"}).json()
    assert len(doc["value"]) == 20 and "@odata.nextLink" not in doc


def test_untranslatable_options_are_501_not_a_wrong_answer(truststore: httpx.Client) -> None:
    response = truststore.get("BusinessPartners", params={"$filter": "addresses/any(a:a/country eq 'DE')"})
    assert response.status_code == 501
    assert "cannot be translated to OData V2" in response.json()["error"]["message"]


def test_writes_stay_read_only(truststore: httpx.Client) -> None:
    response = truststore.patch("BusinessPartners('17100001')", json={"searchTerm1": "X"})
    assert response.status_code == 405 and response.json()["error"]["code"] == "ENTITY_IS_READ_ONLY"


def test_trust_all(s4: S4, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with service(monkeypatch, tmp_path, destination(s4.url, TrustAll="true")) as client:
        assert client.get("BusinessPartners", params={"$top": "2"}).json() == CAP_TOP_2


def test_no_trust_is_a_clear_502(s4: S4, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with service(monkeypatch, tmp_path, destination(s4.url)) as client:
        response = client.get("BusinessPartners")
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "502"
    assert "S/4HANA cannot be reached through destination BusinessPartner" in error["message"]
    assert "certificate verification of s4.privatelink.test" in error["message"]
    assert "truststore" in error["message"]  # the hint: what to upload where


def test_wrong_host_name_is_a_clear_502(s4: S4, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = s4.url.replace("s4.privatelink.test", "127.0.0.1")
    with service(monkeypatch, tmp_path, destination(other, s4.cert_pem)) as client:
        response = client.get("BusinessPartners")
    assert response.status_code == 502 and "s4.privatelink.test" in response.json()["error"]["message"]


def test_unreachable_is_502(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"https://s4.privatelink.test:{free_port()}"
    with service(monkeypatch, tmp_path, destination(url, TrustAll="true")) as client:
        response = client.get("BusinessPartners")
    assert response.status_code == 502 and "cannot reach" in response.json()["error"]["message"]


def test_missing_destination_is_502_with_a_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with service(monkeypatch, tmp_path, None) as client:
        response = client.get("BusinessPartners")
    assert response.status_code == 502
    assert (
        "destination BusinessPartner is not in the destinations environment variable"
        in response.json()["error"]["message"]
    )


@pytest.mark.parametrize(
    ("knobs", "status", "text"),
    [
        ({"outage": True}, 503, "S/4HANA answered 503"),
        ({"error_rate": 1.0, "error_status": 504}, 504, "S/4HANA answered 504"),
        ({"error_rate": 1.0, "error_status": 500}, 502, "Injected failure"),
    ],
)
def test_s4_faults(
    s4: S4, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, knobs: dict[str, object], status: int, text: str
) -> None:
    s4.mock.knobs.update(knobs)
    with service(monkeypatch, tmp_path, destination(s4.url, s4.cert_pem)) as client:
        response = client.get("BusinessPartners")
    assert response.status_code == status and text in response.json()["error"]["message"]


def test_circuit_breaker_answers_503_without_calling(s4: S4, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s4.mock.knobs.update({"error_rate": 1.0, "error_status": 500})
    with service(monkeypatch, tmp_path, destination(s4.url, s4.cert_pem)) as client:
        statuses = [client.get("BusinessPartners/$count").status_code for _ in range(6)]
    assert statuses[:5] == [502] * 5 and statuses[5] == 503


def test_circuit_breaker_follows_the_settings(s4: S4, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s4.mock.knobs.update({"error_rate": 1.0, "error_status": 500})
    entry = destination(s4.url, s4.cert_pem)
    with service(monkeypatch, tmp_path, entry, s4_breaker_failures=2, s4_breaker_reset_seconds=0.5) as client:
        statuses = [client.get("BusinessPartners/$count").status_code for _ in range(3)]
        assert statuses == [502, 502, 503]
        s4.mock.knobs.update({"error_rate": 0.0})
        assert client.get("BusinessPartners/$count").status_code == 503  # still open
        time.sleep(0.6)
        assert client.get("BusinessPartners/$count").status_code == 200  # half-open: one call, it works


def test_development_mock_out_of_the_box(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No destination configured, development profile: the service starts the mock with TLS and a PrivateLink
    destination whose truststore holds the certificate it made."""
    with service(monkeypatch, tmp_path, None, mock_s4="auto", mock_s4_dir=tmp_path / "certs") as client:
        assert client.get("BusinessPartners", params={"$top": "2"}).json() == CAP_TOP_2
    assert (tmp_path / "certs" / ".gitignore").read_text().strip().endswith("*")
    assert (tmp_path / "certs" / "localhost.pem").exists()


@pytest.mark.parametrize(
    ("settings", "environ", "mock"),
    [
        ({}, {}, True),
        ({"profile": "production"}, {}, False),
        ({}, {"destinations": '[{"name": "BusinessPartner", "URL": "https://s4"}]'}, False),
        ({}, {"destinations": '[{"name": "Other", "URL": "https://s4"}]'}, True),
        ({}, {"VCAP_SERVICES": '{"destination": [{"label": "destination", "credentials": {}}]}'}, False),
        ({}, {"destinations": "not json"}, False),
        ({"mock_s4": "on", "profile": "production"}, {}, True),
        ({"mock_s4": "off"}, {}, False),
    ],
)
def test_when_the_mock_is_used(settings: dict[str, str], environ: dict[str, str], mock: bool) -> None:
    backend = S4Backend(Settings(**settings), ConnectivitySettings(environ=environ))  # type: ignore[arg-type]
    assert backend.uses_mock is mock


def test_client_over_the_destination_retries_csrf_once_and_refuses_stale_etags(s4: S4) -> None:
    async def scenario() -> None:
        environ = {"destinations": json.dumps([destination(s4.url, s4.cert_pem)])}
        settings = ConnectivitySettings(environ=environ, resolve={"s4.privatelink.test": "127.0.0.1"})
        async with DestinationClientFactory(settings) as factory:
            http = await factory.connect("BusinessPartner")
            client = ODataV2Client(http, sap_client="100")
            partner = await client.get("A_BusinessPartner", "17100001")
            etag = await client.update("A_BusinessPartner", "17100001", {"SearchTerm1": "ONE"}, etag=partner.etag)
            s4.mock.sessions.expire()  # the session times out on the S/4HANA side
            await client.update("A_BusinessPartner", "17100001", {"SearchTerm1": "TWO"}, etag=etag)
            assert client.csrf.fetches == 2 and s4.mock.stats["csrf rejected"] == 1
            try:
                await client.update("A_BusinessPartner", "17100001", {"SearchTerm1": "LOST"}, etag=partner.etag)
            except ETagMismatchError as error:
                assert error.status == 412
            else:
                raise AssertionError("a stale ETag must not overwrite")
            assert (await client.get("A_BusinessPartner", "17100001")).values["SearchTerm1"] == "TWO"
            await http.aclose()

    asyncio.run(scenario())
    assert [e["event"]["type"].rsplit(".", 2)[-2] for e in s4.mock.events.log] == ["Changed", "Changed"]
