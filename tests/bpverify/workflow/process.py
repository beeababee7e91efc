"""The verification process as its actors see it, for the acceptance tests: Event Mesh posting to
our webhook, the mocked S/4HANA's OData V2 API and admin knobs, and the clerk's Fiori draft flow."""

from __future__ import annotations

import json
import ssl
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from tests.support.server import free_port, serve

from bpverify.app import create_app
from bpverify.events.parsing import CREATED
from bpverify.settings import Settings

ROOT = "/odata/v4/business-partner-verification/"
WEBHOOK = "/messaging/enterprise-messaging"
EVENT_MESH = ("eventmesh", "eventmesh")
ALICE = ("alice", "alice")
MOCK_AUTH = ("MOCKUSER", "mockpass")
V2_ROOT = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"


def wait(check: Callable[[], Any], seconds: float, what: str, every: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        time.sleep(every)


def cloud_event(type_: str, partner: str, event_id: str | None = None) -> dict[str, Any]:
    return {
        "type": type_,
        "specversion": "1.0",
        "source": "/default/sap.s4.beh/S4HMOCK",
        "id": event_id or str(uuid.uuid4()),
        "datacontenttype": "application/json",
        "data": {"BusinessPartner": partner},
    }


def post_event(http: httpx.Client, base: str, event: dict[str, Any]) -> httpx.Response:
    """What Event Mesh does: structured mode, the topic in `x-address`."""
    return http.post(
        base + WEBHOOK,
        content=json.dumps(event),
        auth=EVENT_MESH,
        headers={"content-type": "application/cloudevents+json", "x-address": "topic:sap/s4/mock/ce"},
    )


def created(http: httpx.Client, base: str, partner: str, event_id: str | None = None) -> httpx.Response:
    return post_event(http, base, cloud_event(CREATED, partner, event_id))


def notifications(http: httpx.Client, base: str, partner: str) -> list[dict[str, Any]]:
    url = f"{base}{ROOT}Notifications?$filter=businessPartnerId eq '{partner}'&$expand=addresses,findings"
    response = http.get(url, auth=ALICE)
    assert response.status_code == 200, response.text
    return response.json()["value"]  # type: ignore[no-any-return]


def write_backs(http: httpx.Client, base: str, partner: str) -> list[dict[str, Any]]:
    response = http.get(f"{base}{ROOT}WriteBacks?$filter=businessPartnerId eq '{partner}'", auth=ALICE)
    assert response.status_code == 200, response.text
    return response.json()["value"]  # type: ignore[no-any-return]


def events(http: httpx.Client, base: str, partner: str) -> list[dict[str, Any]]:
    response = http.get(f"{base}{ROOT}Events?$filter=businessPartnerId eq '{partner}'", auth=ALICE)
    assert response.status_code == 200, response.text
    return response.json()["value"]  # type: ignore[no-any-return]


def decide(
    http: httpx.Client,
    base: str,
    notification: dict[str, Any],
    decision: str,
    postal_codes: dict[str, str] | None = None,
) -> None:
    """What Fiori does for alice: edit, correct postal codes (address ID → code), set the status, save."""
    odata = base + ROOT
    key = f"ID={notification['ID']}"
    edit = http.post(
        f"{odata}Notifications({key},IsActiveEntity=true)/BusinessPartnerVerification.draftEdit",
        json={"PreserveChanges": True},
        auth=ALICE,
    )
    assert edit.status_code == 201, edit.text
    for address in notification["addresses"]:
        if postal_codes and address["addressId"] in postal_codes:
            patch = http.patch(
                f"{odata}Addresses(ID={address['ID']},IsActiveEntity=false)",
                json={"postalCode": postal_codes[address["addressId"]]},
                auth=ALICE,
            )
            assert patch.status_code == 200, patch.text
    status = http.patch(
        f"{odata}Notifications({key},IsActiveEntity=false)", json={"verificationStatus_code": decision}, auth=ALICE
    )
    assert status.status_code == 200, status.text
    activate = http.post(
        f"{odata}Notifications({key},IsActiveEntity=false)/BusinessPartnerVerification.draftActivate", auth=ALICE
    )
    assert activate.status_code == 200, activate.text


def trust(cert: Path) -> ssl.SSLContext:
    """Trust the mock's self-signed certificate (it is its own trust anchor)."""
    context = ssl.create_default_context(cafile=str(cert))
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


class MockApi:
    """The mocked S/4HANA as an SAP user and an operator see it: OData V2 with a CSRF token, `/_mock/*`."""

    def __init__(self, url: str, cert: Path) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, auth=MOCK_AUTH, verify=trust(cert), timeout=30)
        self._token: str | None = None

    def close(self) -> None:
        self.http.close()

    def create_partner(self, name: str, *addresses: dict[str, str]) -> tuple[str, list[str]]:
        """POST A_BusinessPartner (an organization, deep insert of its addresses): (partner, address IDs)."""
        body = {
            "BusinessPartnerCategory": "2",
            "OrganizationBPName1": name,
            "to_BusinessPartnerAddress": {"results": list(addresses)},
        }
        response = self.http.post(f"{V2_ROOT}/A_BusinessPartner", json=body, headers={"x-csrf-token": self.token()})
        assert response.status_code == 201, response.text
        partner = response.json()["d"]["BusinessPartner"]
        return partner, [a["AddressID"] for a in self.partner(partner)["to_BusinessPartnerAddress"]["results"]]

    def partner(self, partner: str) -> dict[str, Any]:
        response = self.http.get(
            f"{V2_ROOT}/A_BusinessPartner('{partner}')", params={"$expand": "to_BusinessPartnerAddress"}
        )
        assert response.status_code == 200, response.text
        return response.json()["d"]  # type: ignore[no-any-return]

    def token(self) -> str:
        if self._token is None:
            response = self.http.get(f"{V2_ROOT}/", headers={"x-csrf-token": "Fetch"})
            assert response.status_code == 200, response.text
            self._token = response.headers["x-csrf-token"]
        return self._token

    def knobs(self, **changes: Any) -> dict[str, Any]:
        response = self.http.put("/_mock/knobs", json=changes)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def events(self) -> list[dict[str, Any]]:
        return self.http.get("/_mock/events").json()  # type: ignore[no-any-return]

    def stats(self) -> dict[str, int]:
        return self.http.get("/_mock/stats").json()  # type: ignore[no-any-return]


@dataclass
class Running:
    base: str  # our service
    mock: MockApi  # the mocked S/4HANA it started


@contextmanager
def service_with_mock_s4(db_url: str, folder: Path, **settings: Any) -> Iterator[Running]:
    """Our service on a known free port with the mocked S/4HANA started with it (TLS, its certificate made
    in `folder`) sending its events to our webhook: what `bpverify serve` sets up for local development."""
    port, mock_port = free_port(), free_port()
    config = Settings(
        db_url=db_url,
        mock_s4="on",
        mock_s4_eager=True,
        mock_s4_port=mock_port,
        mock_s4_dir=folder,
        mock_s4_webhook=f"http://127.0.0.1:{port}{WEBHOOK}",
        **{"worker_poll": 0.2, **settings},
    )
    with serve(create_app(config), port=port, timeout_graceful_shutdown=1) as base:
        mock = MockApi(f"https://localhost:{mock_port}", folder / "localhost.pem")
        try:
            yield Running(base, mock)
        finally:
            mock.close()
