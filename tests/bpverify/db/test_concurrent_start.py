"""Several instances started at once on one empty PostgreSQL schema (`cf push` with instances: 3):
one creates and seeds the tables, the others wait for it and find them ready."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from tests.conftest import _fresh_postgres_schema
from tests.support.server import serve

from bpverify.app import create_app
from bpverify.settings import Settings

pytestmark = pytest.mark.postgres
INSTANCES = 4
ROOT = "/odata/v4/business-partner-verification/"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _fresh_postgres_schema()


def test_instances_started_together_seed_once(postgres_url: str) -> None:
    barrier = threading.Barrier(INSTANCES)
    urls: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    with ExitStack() as stack:

        def start() -> None:
            app = create_app(Settings(db_url=postgres_url, workflow=False))
            server = serve(app)
            barrier.wait()  # every instance begins its start-up at the same moment
            try:
                url = server.__enter__()
            except BaseException as error:  # reported by the assertion below
                with lock:
                    errors.append(error)
                return
            with lock:
                stack.push(server.__exit__)
                urls.append(url)

        threads = [threading.Thread(target=start) for _ in range(INSTANCES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        assert len(urls) == INSTANCES

        engine = sa.create_engine(postgres_url)
        try:
            with engine.connect() as conn:
                notifications = conn.execute(sa.text('SELECT count(*) FROM "bp_verification_Notifications"')).scalar()
                distinct = conn.execute(
                    sa.text('SELECT count(DISTINCT "businessPartnerId") FROM "bp_verification_Notifications"')
                ).scalar()
                findings = _rows(conn, 'SELECT "notification_ID", code FROM "bp_verification_Findings"')
        finally:
            engine.dispose()
        assert notifications == distinct and notifications, "the seed was loaded more than once"
        assert len(findings) == len(set(findings)), "findings were computed more than once"
        for url in urls:
            answer = httpx.get(url + ROOT + "Notifications?$count=true&$top=0", auth=("alice", "alice"), timeout=30)
            assert answer.status_code == 200 and answer.json()["@odata.count"] == notifications


def _rows(conn: sa.Connection, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in conn.execute(sa.text(sql))]
