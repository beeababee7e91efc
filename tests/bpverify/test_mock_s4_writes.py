"""The mocked S/4HANA's writes: CSRF as NetWeaver, ETags as S/4HANA (428/412), events, knobs and admin."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tests.bpverify.mock_s4_support import fetch_token, mock_client
from tests.support.server import serve

from bpverify.mock_s4 import MockConfig

BP = "A_BusinessPartner('17100001')"


@pytest.fixture
async def s4() -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    async with mock_client() as pair:
        yield pair


async def test_a_change_without_token_is_refused_with_required(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    response = await http.post("A_BusinessPartner", json={"BusinessPartnerCategory": "2"})
    assert response.status_code == 403 and response.headers["x-csrf-token"] == "Required"
    assert response.text == "CSRF token validation failed"


async def test_fetch_sets_the_session_cookie_and_the_token_works_with_it(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    response = await http.head("", headers={"x-csrf-token": "Fetch"})
    cookies = response.headers.get_list("set-cookie")
    assert cookies[0].startswith("SAP_SESSIONID_S4H_100=") and "secure" in cookies[0]
    assert cookies[1] == "sap-usercontext=sap-client=100; path=/"
    token = response.headers["x-csrf-token"]
    again = await http.get("A_BusinessPartner/$count", headers={"x-csrf-token": "Fetch"})
    assert again.headers["x-csrf-token"] == token and "set-cookie" not in again.headers  # same session
    created = await http.post(
        "A_BusinessPartner",
        headers={"x-csrf-token": token},
        json={"BusinessPartnerCategory": "2", "OrganizationBPName1": "Neu GmbH"},
    )
    assert created.status_code == 201, created.text


async def test_a_token_without_its_session_is_refused(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    token = await fetch_token(http)
    http.cookies.clear()
    response = await http.patch(BP, headers={"x-csrf-token": token, "if-match": "*"}, json={})
    assert response.status_code == 403 and response.headers["x-csrf-token"] == "Required"


async def test_expired_sessions_need_a_new_token(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    token = await fetch_token(http)
    assert (await _admin(http, "POST", "sessions/expire")).status_code == 200
    response = await http.patch(BP, headers={"x-csrf-token": token, "if-match": "*"}, json={})
    assert response.status_code == 403
    fresh = await fetch_token(http)
    assert fresh != token
    assert (await http.patch(BP, headers={"x-csrf-token": fresh, "if-match": "*"}, json={})).status_code == 204


async def test_etag_rules(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    headers = {"x-csrf-token": await fetch_token(http)}
    etag = (await http.get(BP)).headers["etag"]
    missing = await http.patch(BP, headers=headers, json={"SearchTerm1": "X"})
    assert missing.status_code == 428 and "If-Match" in missing.json()["error"]["message"]["value"]
    wrong = await http.patch(BP, headers={**headers, "if-match": 'W/"old"'}, json={"SearchTerm1": "X"})
    assert wrong.status_code == 412
    ok = await http.patch(BP, headers={**headers, "if-match": etag}, json={"SearchTerm1": "NEW"})
    assert ok.status_code == 204 and ok.headers["etag"] != etag
    stale = await http.patch(BP, headers={**headers, "if-match": etag}, json={"SearchTerm1": "LOST"})
    assert stale.status_code == 412  # no silent overwrite of the change in between
    assert (await http.get(BP)).json()["d"]["SearchTerm1"] == "NEW"
    forced = await http.patch(BP, headers={**headers, "if-match": "*"}, json={"SearchTerm1": "FORCED"})
    assert forced.status_code == 204


@pytest.mark.parametrize(("method", "tunnel"), [("MERGE", None), ("POST", "MERGE"), ("POST", "PATCH")])
async def test_merge_and_method_tunnelling(s4: tuple[httpx.AsyncClient, Any], method: str, tunnel: str | None) -> None:
    http, _ = s4
    headers = {"x-csrf-token": await fetch_token(http), "if-match": "*"}
    if tunnel:
        headers["x-http-method"] = tunnel
    response = await http.request(method, BP, headers=headers, json={"SearchTerm1": "MERGED"})
    assert response.status_code == 204
    assert (await http.get(BP)).json()["d"]["SearchTerm1"] == "MERGED"


async def test_put_replaces_the_updatable_properties(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    headers = {"x-csrf-token": await fetch_token(http), "if-match": "*"}
    body = {"BusinessPartnerCategory": "2", "OrganizationBPName1": "Replaced AG"}
    assert (await http.put(BP, headers=headers, json=body)).status_code == 204
    partner = (await http.get(BP)).json()["d"]
    assert partner["SearchTerm1"] == "" and partner["BusinessPartnerFullName"] == "Replaced AG"


async def test_address_changes_need_no_etag_and_move_the_partner_s_etag(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    headers = {"x-csrf-token": await fetch_token(http)}
    before = (await http.get(BP)).headers["etag"]
    address = "A_BusinessPartnerAddress(BusinessPartner='17100001',AddressID='124462')"
    assert (await http.patch(address, headers=headers, json={"PostalCode": "69191"})).status_code == 204
    assert (await http.get(address)).json()["d"]["PostalCode"] == "69191"
    assert (await http.get(BP)).headers["etag"] != before


async def test_create_partner_with_addresses(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, mock = s4
    body = {
        "BusinessPartnerCategory": "1",
        "FirstName": "Eva",
        "LastName": "Klein",
        "SearchTerm1": "KLEIN",
        "BusinessPartnerFullName": "ignored: not creatable",
        "to_BusinessPartnerAddress": {"results": [{"Country": "DE", "CityName": "Bonn", "PostalCode": "53111"}]},
    }
    response = await http.post("A_BusinessPartner", headers={"x-csrf-token": await fetch_token(http)}, json=body)
    assert response.status_code == 201
    created = response.json()["d"]
    assert created["BusinessPartner"] == "17100100" and created["BusinessPartnerFullName"] == "Eva Klein"
    assert response.headers["location"].endswith("A_BusinessPartner('17100100')")
    assert response.headers["etag"] == created["__metadata"]["etag"]
    addresses = (await http.get("A_BusinessPartner('17100100')/to_BusinessPartnerAddress")).json()["d"]["results"]
    assert [(a["AddressID"], a["CityName"], a["FullName"]) for a in addresses] == [("200000", "Bonn", "Eva Klein")]
    assert [e["event"]["type"] for e in mock.events.log] == ["sap.s4.beh.businesspartner.v1.BusinessPartner.Created.v1"]


async def test_create_address_through_navigation(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, mock = s4
    response = await http.post(
        "A_BusinessPartner('17100002')/to_BusinessPartnerAddress",
        headers={"x-csrf-token": await fetch_token(http)},
        json={"Country": "DE"},
    )
    assert response.status_code == 201 and response.json()["d"]["BusinessPartner"] == "17100002"
    assert mock.events.log[-1]["event"]["data"] == {"BusinessPartner": "17100002"}
    assert mock.events.log[-1]["event"]["type"].endswith("BusinessPartner.Changed.v1")


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "text"),
    [
        ("POST", "A_BusinessPartner", {"Nope": 1}, 400, "Property 'Nope' is invalid"),
        ("POST", "A_BusinessPartner", {"BusinessPartnerCategory": "7"}, 400, "valid business partner category"),
        ("POST", "A_BusinessPartner", {"BusinessPartnerCategory": "2", "SearchTerm1": "X" * 21}, 400, "exceeds 20"),
        (
            "POST",
            "A_BusinessPartner",
            {"BusinessPartner": "17100001", "BusinessPartnerCategory": "2"},
            400,
            "already exists",
        ),
        (
            "POST",
            "A_BusinessPartner",
            {"BusinessPartnerCategory": "2", "BusinessPartnerIsBlocked": "yes"},
            400,
            "expects true or false",
        ),
        ("DELETE", BP, None, 405, "cannot be deleted"),
        ("PATCH", "A_BusinessPartner('nope')", {}, 404, "Resource not found"),
        ("PATCH", "A_BusinessPartner", {}, 405, "single entity"),
        ("POST", "A_BusinessPartnerAddress", {"BusinessPartner": "nope"}, 404, "Resource not found"),
    ],
)
async def test_refused_writes(
    s4: tuple[httpx.AsyncClient, Any], method: str, url: str, body: Any, status: int, text: str
) -> None:
    http, _ = s4
    headers = {"x-csrf-token": await fetch_token(http), "if-match": "*"}
    response = await http.request(method, url, headers=headers, json=body)
    assert response.status_code == status, response.text
    assert text in response.json()["error"]["message"]["value"]


async def test_delete_address(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    address = "A_BusinessPartnerAddress(BusinessPartner='17100003',AddressID='124465')"
    assert (await http.delete(address, headers={"x-csrf-token": await fetch_token(http)})).status_code == 204
    assert (await http.get(address)).status_code == 404


async def test_malformed_body(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    response = await http.post(
        "A_BusinessPartner",
        headers={"x-csrf-token": await fetch_token(http), "content-type": "application/json"},
        content=b"{nope",
    )
    assert response.status_code == 400 and "no valid JSON" in response.text


# --- knobs and admin ------------------------------------------------------------------------------------------


def _admin(http: httpx.AsyncClient, method: str, name: str, **kwargs: Any) -> Any:
    return http.request(method, f"https://s4.test/_mock/{name}", **kwargs)


async def test_outage_error_rate_and_latency(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, _ = s4
    assert (await _admin(http, "PUT", "knobs", json={"outage": True})).json()["outage"] is True
    down = await http.get("A_BusinessPartner")
    assert down.status_code == 503 and "Service Unavailable" in down.text
    await _admin(http, "PUT", "knobs", json={"outage": False, "error_rate": 1.0, "error_status": 504})
    failing = await http.get("A_BusinessPartner")
    assert failing.status_code == 504 and "Injected failure" in failing.json()["error"]["message"]["value"]
    await _admin(http, "PUT", "knobs", json={"error_rate": 0, "latency_ms": 120})
    started = time.perf_counter()
    assert (await http.get("A_BusinessPartner/$count")).status_code == 200
    assert time.perf_counter() - started >= 0.12
    stats = (await _admin(http, "GET", "stats")).json()
    assert stats["outage answers"] == 1 and stats["injected errors"] == 1


@pytest.mark.parametrize("knobs", [{"nope": 1}, {"error_rate": 2}, {"outage": "yes"}, {"page_size": 0}, [1]])
async def test_bad_knobs_are_refused(s4: tuple[httpx.AsyncClient, Any], knobs: Any) -> None:
    http, _ = s4
    assert (await _admin(http, "PUT", "knobs", json=knobs)).status_code == 400


async def test_admin_needs_the_logon_and_reset_restores_the_seed(s4: tuple[httpx.AsyncClient, Any]) -> None:
    http, mock = s4
    assert (await _admin(http, "GET", "knobs", auth=None)).status_code == 401
    mock.store.partners.pop("17100001")
    assert (await http.get(BP)).status_code == 404
    assert (await _admin(http, "POST", "reset")).status_code == 200
    assert (await http.get(BP)).status_code == 200


# --- events to a webhook over a real socket -------------------------------------------------------------------


class Receiver:
    """An Event Mesh webhook stand-in: fails the first `failures` deliveries, then accepts."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        if self.failures > 0:
            self.failures -= 1
            return Response(status_code=503)
        return Response(status_code=204)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    hook = Receiver(failures=1)
    with serve(Starlette(routes=[Route("/messaging/enterprise-messaging", hook.handle, methods=["POST"])])) as url:
        yield hook, url + "/messaging/enterprise-messaging"


async def test_changes_send_cloudevents_with_basic_auth_and_retry(receiver: tuple[Receiver, str]) -> None:
    hook, url = receiver
    async with mock_client(MockConfig(webhook_url=url, retry_delays=(0.05,))) as (http, mock):
        headers = {"x-csrf-token": await fetch_token(http), "if-match": "*"}
        assert (await http.patch(BP, headers=headers, json={"SearchTerm1": "EV"})).status_code == 204
        await mock.events.drain()
        [entry] = list(mock.events.log)
    assert entry["status"] == "delivered" and entry["attempts"] == 2
    headers_seen, body = hook.received[-1]
    assert headers_seen["authorization"] == "Basic ZXZlbnRtZXNoOmV2ZW50bWVzaA=="  # eventmesh:eventmesh
    assert headers_seen["x-address"] == (
        "topic:sap/s4/mock/ce/sap/s4/beh/businesspartner/v1/BusinessPartner/Changed/v1"
    )
    event = json.loads(body)
    assert event["type"] == "sap.s4.beh.businesspartner.v1.BusinessPartner.Changed.v1"
    assert event["specversion"] == "1.0" and event["data"] == {"BusinessPartner": "17100001"}
    assert event["source"] == "/default/sap.s4.beh/S4HMOCK" and event["id"] and event["time"].endswith("Z")


async def test_undeliverable_events_give_up_after_the_retries() -> None:
    async with mock_client(MockConfig(webhook_url="http://127.0.0.1:9/hook", retry_delays=(0.01, 0.01))) as (
        http,
        mock,
    ):
        headers = {"x-csrf-token": await fetch_token(http), "if-match": "*"}
        await http.patch(BP, headers=headers, json={"SearchTerm1": "EV"})
        await mock.events.drain()
        [entry] = list(mock.events.log)
    assert entry["attempts"] == 3 and entry["status"].startswith("failed: ")
