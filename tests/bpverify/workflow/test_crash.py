"""Acceptance: the app process is killed (SIGKILL) between the clerk's decision and its delivery to S/4HANA;
after a restart the decision is delivered, once. Real processes: `bpverify mock-s4` and `bpverify serve`
on PostgreSQL, S/4HANA reached through a `destinations` entry.

The kill comes while the worker holds the outbox row: S/4HANA answers slowly (knob `latency_ms`), so the
delivery is in flight. The restarted process takes the row over once the dead one's claim has expired."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from tests.bpverify.workflow.process import created, decide, notifications, wait, write_backs
from tests.bpverify.workflow.processes import start_mock_s4, start_service
from tests.support.server import free_port

pytestmark = pytest.mark.slow
ROSTOCK = "17100007"  # seeded in the mock: DE, postal code 1805 (invalid), SearchTerm1 OSTSEE


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_killed_between_decision_and_delivery_delivers_after_restart(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    with ExitStack() as stack, httpx.Client(timeout=30) as http:
        mock = start_mock_s4(stack, tmp_path)
        app = start_service(stack, tmp_path, "app", db_url, mock, port=port, worker_claim="3")
        assert created(http, app.url, ROSTOCK).status_code == 200
        (notification,) = wait(lambda: notifications(http, app.url, ROSTOCK), 20, "the notification")

        mock.api.knobs(latency_ms=4000)  # the write-back hangs in S/4HANA (until after the kill)
        (address,) = [a["addressId"] for a in notification["addresses"]]
        decide(http, app.url, notification, "V", postal_codes={address: "18055"})
        wait(lambda: [w for w in write_backs(http, app.url, ROSTOCK) if w["claimedBy"]], 10, "the delivery in flight")
        app.kill()
        mock.api.knobs(latency_ms=0)

        assert mock.api.partner(ROSTOCK)["SearchTerm1"] == "OSTSEE"  # not delivered
        restarted = start_service(stack, tmp_path, "app-restarted", db_url, mock, port=port, worker_claim="3")
        (delivered,) = wait(
            lambda: [w for w in write_backs(http, restarted.url, ROSTOCK) if w["state"] == "delivered"],
            20,
            "the delivery after the restart",
        )
        assert delivered["claimedBy"] is None and delivered["lastError"] is None
        s4 = mock.api.partner(ROSTOCK)
        assert (s4["SearchTerm1"], s4["BusinessPartnerIsBlocked"]) == ("VERIFIED", False)
        assert [a["PostalCode"] for a in s4["to_BusinessPartnerAddress"]["results"]] == ["18055"]
        changes = [e for e in mock.api.events() if e["event"]["type"].endswith("Changed.v1")]
        assert len(changes) == 2  # partner and address written once
