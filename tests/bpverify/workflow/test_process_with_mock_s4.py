"""Acceptance: the whole process through real sockets with the real mocked S/4HANA, as `bpverify serve`
runs it locally: a partner created in the mock → its Created event reaches our webhook → a notification
with findings → alice corrects the postal code and verifies in a draft → the mock shows the partner
unblocked with SearchTerm1 VERIFIED and the new postal code → the mock's Changed event completes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.bpverify.workflow.process import Running, decide, notifications, service_with_mock_s4, wait, write_backs

pytestmark = pytest.mark.slow


@pytest.fixture
def running(db_url: str, tmp_path: Path) -> Iterator[Running]:
    with service_with_mock_s4(db_url, tmp_path) as running:
        yield running


def test_created_in_s4_verified_by_alice_written_back_and_completed(running: Running) -> None:
    base, mock = running.base, running.mock
    partner, (address,) = mock.create_partner(
        "Spree Logistik GmbH",
        {
            "Country": "DE",
            "CityName": "Berlin",
            "StreetName": "Unter den Linden",
            "HouseNumber": "1",
            "PostalCode": "1011",
        },  # four digits: no German postal code
    )
    assert mock.partner(partner)["BusinessPartnerFullName"] == "Spree Logistik GmbH"  # derived by the mock

    with httpx.Client(timeout=30) as http:
        (notification,) = wait(lambda: notifications(http, base, partner), 15, "the notification of the Created event")
        assert (notification["verificationStatus_code"], notification["businessPartnerName"]) == (
            "N",
            "Spree Logistik GmbH",
        )
        assert [(a["addressId"], a["postalCode"]) for a in notification["addresses"]] == [(address, "1011")]
        assert [(f["addressId"], f["target"]) for f in notification["findings"]] == [(address, "postalCode")]

        decide(http, base, notification, "V", postal_codes={address: "10117"})

        def written_back() -> dict[str, object] | None:
            s4 = mock.partner(partner)
            return (
                s4
                if s4["SearchTerm1"] == "VERIFIED"
                and s4["to_BusinessPartnerAddress"]["results"][0]["PostalCode"] == "10117"
                else None
            )

        s4 = wait(written_back, 15, "the write-back in the mocked S/4HANA")
        assert s4["BusinessPartnerIsBlocked"] is False
        # S/4HANA has the values as soon as the last PATCH is answered; the outbox row is marked after that
        delivered = wait(
            lambda: [w for w in write_backs(http, base, partner) if w["state"] != "pending"], 15, "the outbox row"
        )
        assert [(w["state"], w["decision"], w["lastError"]) for w in delivered] == [("delivered", "V", None)]

        # the write-back's own Changed events, sent by the mock to our webhook, complete the notification
        wait(lambda: notifications(http, base, partner)[0]["verificationStatus_code"] == "C", 15, "status C")
        assert notifications(http, base, partner)[0]["findings"] == []  # the corrected address passes the checks

    def changed() -> list[dict[str, Any]]:
        return [
            e
            for e in mock.events()
            if e["event"]["data"]["BusinessPartner"] == partner and "Changed" in e["event"]["type"]
        ]

    # the mock marks an event delivered when our webhook's answer arrives, which may be after the worker used it
    wait(lambda: changed() and all(e["status"] == "delivered" for e in changed()), 15, "Changed events delivered")
