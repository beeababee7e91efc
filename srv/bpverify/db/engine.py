"""Engines for the three supported databases, configured for what the OData layer needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def create_engine(url: str, *, pool_size: int = 16, connect_args: Mapping[str, Any] | None = None) -> sa.Engine:
    """`connect_args` go to the DBAPI's connect (for HANA: encrypt, sslTrustStore, currentSchema)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "pool_size": pool_size, "max_overflow": pool_size}
    if connect_args:
        kwargs["connect_args"] = dict(connect_args)
    return sa.create_engine(url, **kwargs)


def _sqlite(url: str) -> sa.Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = sa.pool.StaticPool  # one shared connection, or each sees an empty DB
    engine = sa.create_engine(url, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT (used by $batch change sets):
        # switch it off and begin transactions ourselves (SQLAlchemy's documented recipe)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # LIKE is case-sensitive in OData (contains, startswith) as on PostgreSQL and HANA
        cursor.execute("PRAGMA case_sensitive_like = ON")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # writers take the write lock up front, so concurrent writers wait (busy_timeout)
        # instead of failing when a read transaction cannot be upgraded
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("writer") else "BEGIN")

    return engine
