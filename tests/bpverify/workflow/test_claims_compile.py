"""The queue claims compile to row locks that skip, not wait for, other instances' rows."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy_hana.dialect import HANAHDBCLIDialect

from bpverify.service.definition import build_service
from bpverify.service.extension import extend
from bpverify.workflow.worker import due
from odata4.sql.tables import Tables


@pytest.fixture(scope="module")
def tables() -> Tables:
    service = build_service()
    extend(service)
    return Tables(service)


@pytest.mark.parametrize("queue", ["Events", "WriteBacks"])
@pytest.mark.parametrize(
    ("dialect", "fragment"),
    [(HANAHDBCLIDialect(), "FOR UPDATE IGNORE LOCKED"), (postgresql.dialect(), "FOR UPDATE SKIP LOCKED")],
)
def test_claims_skip_locked_rows(tables: Tables, queue: str, dialect: sa.Dialect, fragment: str) -> None:
    sql = str(due(tables[queue], dt.datetime(2026, 1, 1), 20).compile(dialect=dialect))
    assert fragment in sql and "LIMIT" in sql.upper()


def test_sqlite_has_no_row_locks(tables: Tables) -> None:
    sql = str(due(tables["Events"], dt.datetime(2026, 1, 1), 20).compile(dialect=sqlite.dialect()))
    assert "FOR UPDATE" not in sql
