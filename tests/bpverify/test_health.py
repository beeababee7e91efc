"""Liveness never asks the database; readiness answers 503 when the database is down or too slow."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy_hana.dialect import HANAHDBCLIDialect
from tests.support.server import free_port

from bpverify import health
from bpverify.app import create_app
from bpverify.db.engine import create_engine
from bpverify.settings import Settings


def _client(db_url: str) -> httpx.AsyncClient:
    app = create_app(Settings(db_url=db_url, seed=False))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bpverify")


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers: a database that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


async def test_both_answer_up_when_the_database_answers(tmp_path: Path) -> None:
    async with _client(f"sqlite:///{tmp_path / 'up.sqlite'}") as client:
        assert (await client.get("/health")).json() == {"status": "UP"}
        ready = await client.get("/health/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "UP", "database": "UP"})


async def test_readiness_is_503_and_liveness_200_when_the_database_is_down(caplog: pytest.LogCaptureFixture) -> None:
    url = f"postgresql+psycopg://bpv:db-password-4711@127.0.0.1:{free_port()}/bpv?connect_timeout=2"
    async with _client(url) as client:
        live, ready = await client.get("/health"), await client.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "UP"})
    assert (ready.status_code, ready.json()) == (503, {"status": "DOWN", "database": "DOWN"})
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "bpverify.health"]
    assert warnings == ["readiness: the database is not reachable (OperationalError)"]
    assert "db-password-4711" not in caplog.text


async def test_readiness_gives_up_on_a_database_that_hangs(silent_server: int) -> None:
    engine = create_engine(f"postgresql+psycopg://bpv@127.0.0.1:{silent_server}/bpv?connect_timeout=2", pool_size=1)
    started = time.monotonic()
    assert await health.database_answers(engine, 0.5) is False
    assert time.monotonic() - started < 2
    engine.dispose()


def test_the_ping_is_valid_on_hana() -> None:
    assert str(health.PING.compile(dialect=HANAHDBCLIDialect())) == "SELECT 1 FROM DUMMY"
