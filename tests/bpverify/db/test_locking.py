"""Claims that skip rows locked by other instances, at the compile level (SQLite has no row locks)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy_hana.dialect import HANAHDBCLIDialect

from bpverify.db.locking import skip_locked

OUTBOX = sa.table("outbox", sa.column("id"), sa.column("state"))
CLAIM = skip_locked(sa.select(OUTBOX).where(OUTBOX.c.state == "pending").order_by(OUTBOX.c.id).limit(10))


def test_hana_claims_ignore_locked_rows() -> None:
    sql = " ".join(str(CLAIM.compile(dialect=HANAHDBCLIDialect())).split())
    assert sql.endswith("ORDER BY outbox.id LIMIT ? FOR UPDATE IGNORE LOCKED")


def test_postgresql_claims_skip_locked_rows() -> None:
    sql = " ".join(str(CLAIM.compile(dialect=postgresql.dialect())).split())
    assert sql.endswith("FOR UPDATE SKIP LOCKED")


def test_the_select_keeps_its_type() -> None:
    assert isinstance(CLAIM, sa.Select)
