"""Acceptance, fault tests in one process: S/4HANA down during write-back and when a Created event arrives
(the mocked S/4HANA's `outage` knob: its Web Dispatcher answers 503), the database down while Event Mesh
delivers, the same event five times. The crash of a whole app process: test_crash.py.

S/4HANA comes back before the destination's circuit breaker opens (5 failed calls in a row, then 30 s):
the worker's backoff (0.5 s doubling) keeps the failed calls in these tests below that. Should it open on
a slow machine, the waits below still cover its 30 s.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from tests.bpverify.workflow.process import (
    Running,
    created,
    decide,
    events,
    notifications,
    service_with_mock_s4,
    wait,
    write_backs,
)
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.slow
BACK = 45.0  # seconds S/4HANA may take to be used again: the worker's backoff, perhaps the breaker's 30 s
ROSTOCK = "17100007"  # seeded in the mock: DE, postal code 1805 (invalid)
CHICAGO = "17100010"  # seeded in the mock: US, postal code 6061 (invalid)


@pytest.fixture
def running(db_url: str, tmp_path: Path) -> Iterator[Running]:
    with service_with_mock_s4(db_url, tmp_path, worker_backoff=0.5, worker_backoff_max=4) as running:
        yield running


def test_s4_down_during_write_back(running: Running) -> None:
    base, mock = running.base, running.mock
    with httpx.Client(timeout=30) as http:
        assert created(http, base, ROSTOCK).status_code == 200
        (notification,) = wait(lambda: notifications(http, base, ROSTOCK), 15, "the notification")
        mock.knobs(outage=True)
        (address,) = [a["addressId"] for a in notification["addresses"]]
        decide(http, base, notification, "V", postal_codes={address: "18055"})

        (failing,) = wait(lambda: [w for w in write_backs(http, base, ROSTOCK) if w["attempts"] >= 2], 15, "retries")
        assert failing["state"] == "pending" and "503" in failing["lastError"] and failing["deliveredAt"] is None

        mock.knobs(outage=False)
        (delivered,) = wait(
            lambda: [w for w in write_backs(http, base, ROSTOCK) if w["state"] == "delivered"], BACK, "the delivery"
        )
    assert delivered["lastError"] is None and delivered["attempts"] >= 2
    s4 = mock.partner(ROSTOCK)
    assert (s4["SearchTerm1"], s4["BusinessPartnerIsBlocked"]) == ("VERIFIED", False)
    assert [a["PostalCode"] for a in s4["to_BusinessPartnerAddress"]["results"]] == ["18055"]
    changes = [e for e in mock.events() if e["event"]["type"].endswith("Changed.v1")]
    assert len(changes) == 2  # partner and address written once: the tries during the outage changed nothing


def test_s4_down_when_the_created_event_arrives(running: Running) -> None:
    base, mock = running.base, running.mock
    mock.knobs(outage=True)
    seen: dict[int, dt.datetime] = {}  # attempt → the next attempt planned after it

    def retried_twice() -> bool:
        for event in events(http, base, CHICAGO):
            if event["attempts"]:
                seen[event["attempts"]] = dt.datetime.fromisoformat(event["nextAttemptAt"])
                assert event["state"] == "pending" and "503" in event["lastError"]
        return len(seen) >= 2 and 1 in seen

    with httpx.Client(timeout=30) as http:
        response = created(http, base, CHICAGO)
        assert (response.status_code, response.json()["status"]) == (200, "accepted")  # acknowledged and kept
        wait(retried_twice, 15, "two failed attempts")
        assert seen[2] - seen[1] >= dt.timedelta(seconds=1.0)  # backoff: 0.5 s after the first, 1 s after the second
        assert notifications(http, base, CHICAGO) == []

        mock.knobs(outage=False)
        (notification,) = wait(lambda: notifications(http, base, CHICAGO), BACK, "the notification")
        assert [f["target"] for f in notification["findings"]] == ["postalCode"]
        (event,) = events(http, base, CHICAGO)
        assert event["state"] == "done" and event["attempts"] >= 2


def test_the_same_event_five_times_makes_one_notification(running: Running) -> None:
    base = running.base
    event_id = str(uuid.uuid4())
    with httpx.Client(timeout=30) as http, ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: created(http, base, ROSTOCK, event_id), range(5)))
        assert [a.status_code for a in answers] == [200] * 5
        assert sorted(a.json()["status"] for a in answers) == ["accepted"] + ["duplicate"] * 4
        assert created(http, base, "0017100007").status_code == 200  # another Created, leading zeros
        wait(lambda: {e["state"] for e in events(http, base, ROSTOCK)} == {"done"}, 15, "both events processed")
        assert len(events(http, base, ROSTOCK)) == 2
        assert len(notifications(http, base, ROSTOCK)) == 1


# --- the database down ---------------------------------------------------------------------------------


@contextmanager
def breakable(db_url: str) -> Iterator[tuple[str, AbstractContextManager[None]]]:
    """(URL for the service, a context manager: the database is down inside it).

    PostgreSQL: the service logs on as a role of its own; down = the role may not log on and its sessions
    are terminated (what a restart or failover looks like to the app). SQLite: another process holds the
    exclusive lock, so every write waits out busy_timeout and fails with `database is locked`.
    """
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        yield db_url, _sqlite_locked(url.database or "")
        return
    role = f"r_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    schema = url.query["options"].split("=")[-1]  # type: ignore[union-attr]
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(sa.text(f'GRANT ALL ON SCHEMA "{schema}" TO "{role}"'))
    try:
        yield url.set(username=role).render_as_string(hide_password=False), _postgres_down(admin, role)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"))
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        admin.dispose()


@contextmanager
def _postgres_down(admin: sa.Engine, role: str) -> Iterator[None]:
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER ROLE "{role}" NOLOGIN'))
        conn.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"))
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER ROLE "{role}" LOGIN'))


@contextmanager
def _sqlite_locked(path: str) -> Iterator[None]:
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def test_database_down_answers_5xx_and_a_redelivery_succeeds(db_url: str, tmp_path: Path) -> None:
    with breakable(db_url) as (url, down), service_with_mock_s4(url, tmp_path) as running:
        base = running.base
        event_id = str(uuid.uuid4())
        with httpx.Client(timeout=30) as http:
            with down:
                response = created(http, base, ROSTOCK, event_id)
                assert response.status_code == 503, response.text
            response = created(http, base, ROSTOCK, event_id)  # Event Mesh delivers it again
            assert (response.status_code, response.json()["status"]) == (200, "accepted")
            (notification,) = wait(lambda: notifications(http, base, ROSTOCK), 15, "the notification")
            assert notification["verificationStatus_code"] == "N"
