"""The verification rules through the draft flow Fiori uses, over real sockets."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.support.server import serve

from bpverify.app import create_app
from bpverify.settings import Settings

ROOT = "/odata/v4/business-partner-verification/"
N2 = "ff0bc005-710c-4097-a687-64ef380498f4"  # 17100002, status P, address in Berlin with postal code 1011
A2 = "64e718c9-ff99-47f1-8ca3-950c850777d4"


@pytest.fixture
def client(db_url: str) -> Iterator[httpx.Client]:
    with (
        serve(create_app(Settings(db_url=db_url))) as url,
        httpx.Client(base_url=url + ROOT, auth=("alice", "alice"), timeout=30) as client,
    ):
        yield client


def _edit(client: httpx.Client) -> None:
    response = client.post(
        f"Notifications(ID={N2},IsActiveEntity=true)/BusinessPartnerVerification.draftEdit",
        json={"PreserveChanges": True},
    )
    assert response.status_code == 201, response.text


def test_seeded_invalid_postal_code_is_a_finding(client: httpx.Client) -> None:
    findings = client.get(f"Notifications(ID={N2},IsActiveEntity=true)/findings").json()["value"]
    assert [(f["target"], f["code"], f["addressId"]) for f in findings] == [
        ("postalCode", "POSTAL_CODE_INVALID", "124463")
    ]


def test_invalid_postal_code_is_rejected_on_the_field(client: httpx.Client) -> None:
    _edit(client)
    response = client.patch(f"Addresses(ID={A2},IsActiveEntity=false)", json={"postalCode": "999"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["target"] == "postalCode" and "999" in error["message"]


def test_correction_marks_modified_and_clears_the_finding(client: httpx.Client) -> None:
    _edit(client)
    patched = client.patch(f"Addresses(ID={A2},IsActiveEntity=false)", json={"postalCode": "10117"})
    assert patched.status_code == 200 and patched.json()["isModified"] is True
    status = client.patch(f"Notifications(ID={N2},IsActiveEntity=false)", json={"verificationStatus_code": "V"})
    assert status.status_code == 200, status.text
    activated = client.post(f"Notifications(ID={N2},IsActiveEntity=false)/BusinessPartnerVerification.draftActivate")
    assert activated.status_code == 200, activated.text
    active = client.get(f"Notifications(ID={N2},IsActiveEntity=true)?$expand=addresses,findings").json()
    assert active["verificationStatus_code"] == "V"
    assert active["addresses"][0]["postalCode"] == "10117" and active["addresses"][0]["isModified"] is True
    assert active["findings"] == []


@pytest.mark.parametrize(("wanted", "reason"), [("C", "set by the system"), ("N", "cannot change"), ("XYZ", "Unknown")])
def test_clerk_cannot_set_this_status(client: httpx.Client, wanted: str, reason: str) -> None:
    _edit(client)
    response = client.patch(f"Notifications(ID={N2},IsActiveEntity=false)", json={"verificationStatus_code": wanted})
    assert response.status_code == 400
    assert response.json()["error"]["target"] == "verificationStatus_code"
    assert reason in response.json()["error"]["message"]


def test_notifications_cannot_be_created_by_users(client: httpx.Client) -> None:
    assert client.post("Notifications", json={"businessPartnerId": "1"}).status_code == 405


def test_invalid_partner_can_be_rejected_without_correcting_it(client: httpx.Client) -> None:
    _edit(client)
    rejected = client.patch(f"Notifications(ID={N2},IsActiveEntity=false)", json={"verificationStatus_code": "INV"})
    assert rejected.status_code == 200
    activated = client.post(f"Notifications(ID={N2},IsActiveEntity=false)/BusinessPartnerVerification.draftActivate")
    assert activated.status_code == 200, activated.text


def test_verifying_needs_valid_addresses(client: httpx.Client) -> None:
    _edit(client)
    verified = client.patch(f"Notifications(ID={N2},IsActiveEntity=false)", json={"verificationStatus_code": "V"})
    assert verified.status_code == 200
    refused = client.post(f"Notifications(ID={N2},IsActiveEntity=false)/BusinessPartnerVerification.draftActivate")
    assert refused.status_code == 400
    assert refused.json()["error"]["target"] == f"addresses(ID={A2},IsActiveEntity=false)/postalCode"
