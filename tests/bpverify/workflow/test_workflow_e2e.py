"""The verification process through real sockets: webhook → inbox → S/4 read → notification
→ clerk's decision in a draft → outbox → write-back → Changed event → completed."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from tests.bpverify.workflow.fake_s4 import FakeS4
from tests.support.server import serve

from bpverify.app import create_app
from bpverify.events.parsing import CHANGED, CREATED
from bpverify.settings import Settings

ROOT = "/odata/v4/business-partner-verification/"
WEBHOOK = "/messaging/enterprise-messaging"


@pytest.fixture
def s4() -> FakeS4:
    fake = FakeS4()
    fake.add(
        "4711", ("1", "DE", "Berlin", "Unter den Linden 1", "1011"), ("2", "US", "Palo Alto", "Hillview 1", "94304")
    )
    return fake


@pytest.fixture
def base(db_url: str, s4: FakeS4) -> Iterator[str]:
    settings = Settings(db_url=db_url, worker_poll=0.05, worker_backoff=0.05, worker_backoff_max=0.2)
    with serve(create_app(settings, s4=s4)) as url:
        yield url


def _event(base: str, type_: str, partner: str, event_id: str | None = None) -> httpx.Response:
    body = {
        "type": type_,
        "specversion": "1.0",
        "source": "/default/sap.s4.beh/1",
        "id": event_id or str(uuid.uuid4()),
        "datacontenttype": "application/json",
        "data": {"BusinessPartner": partner},
    }
    return httpx.post(
        base + WEBHOOK,
        content=json.dumps(body),
        auth=("eventmesh", "eventmesh"),
        headers={"content-type": "application/cloudevents+json", "x-address": "topic:sap/s4/ce/x"},
    )


def _wait(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _notifications(base: str, partner: str) -> list[dict[str, object]]:
    url = f"{base}{ROOT}Notifications?$filter=businessPartnerId eq '{partner}'&$expand=addresses,findings"
    return httpx.get(url, auth=("alice", "alice")).json()["value"]  # type: ignore[no-any-return]


def test_handshake_echoes_the_origin(base: str) -> None:
    response = httpx.options(
        base + WEBHOOK, headers={"WebHook-Request-Origin": "eventmesh.example"}, auth=("eventmesh", "eventmesh")
    )
    assert response.status_code == 200 and response.headers["webhook-allowed-origin"] == "eventmesh.example"


@pytest.mark.parametrize(("user", "status"), [(None, 401), ("alice", 403), ("bob", 403)])
def test_webhook_needs_the_event_scope(base: str, user: str | None, status: int) -> None:
    auth = (user, user) if user else None
    assert httpx.post(base + WEBHOOK, content=b"{}", auth=auth).status_code == status


def test_the_whole_process(base: str, s4: FakeS4) -> None:
    assert _event(base, CREATED, "0000004711").status_code == 200
    _wait(lambda: len(_notifications(base, "4711")) == 1)
    notification = _notifications(base, "4711")[0]
    assert notification["verificationStatus_code"] == "N" and len(notification["addresses"]) == 2  # type: ignore[arg-type]
    assert [f["target"] for f in notification["findings"]] == ["postalCode"]  # type: ignore[union-attr]

    with httpx.Client(base_url=base + ROOT, auth=("alice", "alice")) as clerk:
        _decide(clerk, notification)

    _wait(lambda: len(s4.written) == 1)
    decision = s4.written[0]
    assert (decision.business_partner, decision.search_term, decision.blocked) == ("4711", "VERIFIED", False)
    assert [(a.address_id, a.postal_code) for a in decision.addresses] == [("1", "10117")]
    # S/4HANA has the decision as soon as it answered; the outbox row is marked after that
    _wait(lambda: _write_backs(base) and all(d["state"] != "pending" for d in _write_backs(base)))
    assert [(d["state"], d["decision"]) for d in _write_backs(base)] == [("delivered", "V")]

    assert _event(base, CHANGED, "4711").status_code == 200
    _wait(lambda: _notifications(base, "4711")[0]["verificationStatus_code"] == "C")


def _decide(clerk: httpx.Client, notification: dict[str, object]) -> None:
    """What Fiori does: edit, correct the postal code, verify, save."""
    key = f"ID={notification['ID']}"
    assert (
        clerk.post(
            f"Notifications({key},IsActiveEntity=true)/BusinessPartnerVerification.draftEdit",
            json={"PreserveChanges": True},
        ).status_code
        == 201
    )
    berlin = next(a for a in notification["addresses"] if a["country"] == "DE")  # type: ignore[union-attr]
    assert (
        clerk.patch(f"Addresses(ID={berlin['ID']},IsActiveEntity=false)", json={"postalCode": "10117"}).status_code
        == 200
    )
    assert (
        clerk.patch(f"Notifications({key},IsActiveEntity=false)", json={"verificationStatus_code": "V"}).status_code
        == 200
    )
    assert (
        clerk.post(f"Notifications({key},IsActiveEntity=false)/BusinessPartnerVerification.draftActivate").status_code
        == 200
    )


def test_duplicates_make_one_notification(base: str, s4: FakeS4) -> None:
    event_id = str(uuid.uuid4())
    answers = [_event(base, CREATED, "4711", event_id).json()["status"] for _ in range(5)]
    assert answers == ["accepted", "duplicate", "duplicate", "duplicate", "duplicate"]
    assert _event(base, CREATED, "4711").status_code == 200  # another Created for the same partner
    _wait(lambda: len(_notifications(base, "4711")) == 1)
    time.sleep(0.5)
    assert len(_notifications(base, "4711")) == 1


def test_unknown_partner_is_acknowledged_and_nothing_stored(base: str, s4: FakeS4) -> None:
    assert _event(base, CREATED, "999").status_code == 200
    _wait(lambda: s4.reads >= 1)
    time.sleep(0.3)
    assert _notifications(base, "999") == []


def test_poison_messages_are_parked(base: str) -> None:
    response = httpx.post(
        base + WEBHOOK, content=b'{"specversion": "1.0", "type": "x"}', auth=("eventmesh", "eventmesh")
    )
    assert response.status_code == 202
    parked = httpx.get(f"{base}{ROOT}DeadLetters", auth=("alice", "alice")).json()["value"]
    assert [p["reason"] for p in parked] == ["CloudEvent without id"]


def test_s4_down_then_back(base: str, s4: FakeS4) -> None:
    s4.down = True
    assert _event(base, CREATED, "4711").status_code == 200  # acknowledged and kept
    _wait(lambda: s4.reads >= 2)  # retried with backoff
    assert _notifications(base, "4711") == []
    events = httpx.get(f"{base}{ROOT}Events", auth=("alice", "alice")).json()["value"]
    assert events[0]["state"] == "pending" and events[0]["attempts"] >= 1 and "down" in events[0]["lastError"]
    s4.down = False
    _wait(lambda: len(_notifications(base, "4711")) == 1)


def _write_backs(base: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = httpx.get(f"{base}{ROOT}WriteBacks", auth=("alice", "alice")).json()["value"]
    return rows
