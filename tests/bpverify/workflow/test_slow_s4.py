"""Two instances and a slow S/4HANA: a worker's claim on a batch of write-backs runs out while it is still
delivering the batch, and the other instance takes the rest over. Each decision must still reach S/4HANA
once: an instance delivers a row only while the claim on it is its own.

A worker delivers the rows of different partners at once but one partner's rows one by one, in order: here
eight decisions for one partner wait for S/4HANA in turn. In one test process: the mocked S/4HANA on a TLS
socket, our service on one database (first to turn the Created event into a notification, then twice, to
deliver)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from tests.bpverify.workflow.process import MockApi, created, events, notifications, wait, write_backs
from tests.bpverify.workflow.processes import certificate, destinations
from tests.support.server import serve

from bpverify.app import create_app
from bpverify.mock_s4 import MockConfig
from bpverify.mock_s4 import create_app as create_mock
from bpverify.settings import Settings
from bpverify.workflow.worker import enqueue_decision

pytestmark = pytest.mark.slow
PARTNER = "17100006"  # seeded in the mock
DECISIONS = ["V", "INV"] * 4


@pytest.fixture
def mock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MockApi]:
    cert, key = certificate(tmp_path)
    with serve(create_mock(MockConfig()), ssl_certfile=str(cert), ssl_keyfile=str(key)) as url:
        https = url.replace("http://127.0.0.1", "https://localhost")
        monkeypatch.setenv("destinations", destinations(https, cert))
        api = MockApi(https, cert)
        yield api
        api.close()


def test_a_batch_outliving_its_claim_is_delivered_once(db_url: str, mock: MockApi) -> None:
    def service(**settings: object) -> Settings:
        return Settings(db_url=db_url, mock_s4="off", worker_poll=0.1, **settings)  # type: ignore[arg-type]

    with httpx.Client(timeout=30) as http:
        with serve(create_app(service())) as base:
            assert created(http, base, PARTNER).status_code == 200
            (notification,) = wait(lambda: notifications(http, base, PARTNER), 20, "the notification")
        app = create_app(service(workflow=False))
        with app.state.engine.begin() as conn:  # decisions pile up while no instance delivers
            for decision in DECISIONS:
                enqueue_decision(conn, app.state.tables, notification["ID"], decision)
        app.state.engine.dispose()

        mock.knobs(latency_ms=150)  # a write-back (GET for the ETag, PATCH) takes 0.3 s: eight take 2.4 s
        with ExitStack() as stack:
            bases = [stack.enter_context(serve(create_app(service(worker_claim=1.0)))) for _ in range(2)]
            wait(
                lambda: {w["state"] for w in write_backs(http, bases[0], PARTNER)} == {"delivered"},
                30,
                "every decision delivered",
            )
            assert len(write_backs(http, bases[0], PARTNER)) == len(DECISIONS)
        # both stopped: a worker finishes its round first, so whatever either was going to send has been sent
    changes = [e for e in mock.events() if "Changed" in e["event"]["type"]]
    assert len(changes) == len(DECISIONS)  # one PATCH per decision
    assert mock.partner(PARTNER)["SearchTerm1"] == "INVALID"  # the last decision, delivered last


def test_a_delivery_slower_than_its_claim_keeps_it(db_url: str, mock: MockApi) -> None:
    """One write-back takes longer than the claim lasts (each call to S/4HANA 0.5 s, the claim 1 s): the
    delivering instance renews its claim meanwhile, so the other instance never sends it a second time."""

    def service(**settings: object) -> Settings:
        return Settings(db_url=db_url, mock_s4="off", worker_poll=0.1, **settings)  # type: ignore[arg-type]

    with httpx.Client(timeout=30) as http:
        with serve(create_app(service())) as base:
            assert created(http, base, PARTNER).status_code == 200
            (notification,) = wait(lambda: notifications(http, base, PARTNER), 20, "the notification")
        app = create_app(service(workflow=False))
        with app.state.engine.begin() as conn:
            enqueue_decision(conn, app.state.tables, notification["ID"], "INV")
        app.state.engine.dispose()

        mock.knobs(latency_ms=500)  # ETag read, CSRF token, PATCH: about 1.5 s for the one write-back
        with ExitStack() as stack:
            bases = [stack.enter_context(serve(create_app(service(worker_claim=1.0)))) for _ in range(2)]
            wait(
                lambda: {w["state"] for w in write_backs(http, bases[0], PARTNER)} == {"delivered"},
                30,
                "the decision delivered",
            )
            (delivered,) = write_backs(http, bases[0], PARTNER)
            assert delivered["attempts"] == 0 and delivered["lastError"] is None
    changes = [e for e in mock.events() if "Changed" in e["event"]["type"]]
    assert len(changes) == 1  # one PATCH: the other instance never took the row over


def test_an_event_slower_than_its_claim_is_processed_once(db_url: str, mock: MockApi) -> None:
    """Reading the partner takes longer than the claim on the Created event lasts: the instance at work keeps
    the claim, so the other one does not read the partner a second time."""
    mock.knobs(latency_ms=700)  # the read with addresses: 0.7 s, the claim 0.5 s
    with httpx.Client(timeout=30) as http, ExitStack() as stack:
        bases = [
            stack.enter_context(
                serve(create_app(Settings(db_url=db_url, mock_s4="off", worker_poll=0.05, worker_claim=0.5)))
            )
            for _ in range(2)
        ]
        before = mock.stats().get("GET requests", 0)
        assert created(http, bases[0], PARTNER).status_code == 200
        wait(lambda: notifications(http, bases[1], PARTNER), 20, "the notification")
        (event,) = wait(lambda: [e for e in events(http, bases[0], PARTNER) if e["state"] == "done"], 20, "done")
        assert event["attempts"] == 0
        time.sleep(1.0)  # a second instance that took the event over would be reading now
        assert mock.stats().get("GET requests", 0) - before == 1
