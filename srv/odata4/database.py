"""Runs synchronous SQLAlchemy work in worker threads so the event loop never waits on I/O.

One interface for every database: SQLite and PostgreSQL could use async drivers, but
SAP HANA's hdbcli cannot, and one code path tested on all three beats two.

`transaction()` pins one connection to the current task, so that every `read` and
`write` inside it (the requests of a `$batch` change set) commit or roll back together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import sqlalchemy as sa

T = TypeVar("T")


class Database:
    def __init__(self, engine: sa.Engine, max_threads: int = 16) -> None:
        self.engine = engine
        self._limiter = anyio.CapacityLimiter(max_threads)
        self._pinned: ContextVar[sa.Connection | None] = ContextVar(f"pinned-{id(self)}", default=None)
        if engine.dialect.name == "sqlite" and not sa.event.contains(engine, "connect", _unicode_case):
            sa.event.listen(engine, "connect", _unicode_case)  # for connections made from now on

    async def read(self, work: Callable[[sa.Connection], T]) -> T:
        pinned = self._pinned.get()
        if pinned is not None:
            return await self._run(work, pinned)
        return await anyio.to_thread.run_sync(self._read, work, limiter=self._limiter)

    async def write(self, work: Callable[[sa.Connection], T]) -> T:
        """Run `work` in one transaction: committed when it returns, rolled back when it raises."""
        pinned = self._pinned.get()
        if pinned is not None:
            return await self._run(work, pinned)
        return await anyio.to_thread.run_sync(self._write, work, limiter=self._limiter)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        conn = await anyio.to_thread.run_sync(self._writer_connection, limiter=self._limiter)
        transaction = await anyio.to_thread.run_sync(conn.begin, limiter=self._limiter)
        token = self._pinned.set(conn)
        try:
            yield
        except BaseException:
            await anyio.to_thread.run_sync(_finish, transaction.rollback, conn)
            raise
        else:
            await anyio.to_thread.run_sync(_finish, transaction.commit, conn)
        finally:
            self._pinned.reset(token)

    async def _run(self, work: Callable[[sa.Connection], T], conn: sa.Connection) -> T:
        # a savepoint keeps one failing request from spoiling the others' work on PostgreSQL
        return await anyio.to_thread.run_sync(_in_savepoint, work, conn, limiter=self._limiter)

    def _read(self, work: Callable[[sa.Connection], T]) -> T:
        with self.engine.connect() as conn:
            conn.info["writer"] = False  # info lives with the pooled DBAPI connection: reset it
            try:
                return work(conn)
            finally:
                conn.rollback()

    def _write(self, work: Callable[[sa.Connection], T]) -> T:
        with self._writer_connection() as conn, conn.begin():
            return work(conn)

    def _writer_connection(self) -> sa.Connection:
        conn = self.engine.connect()
        conn.info["writer"] = True  # engines may begin write transactions differently (SQLite)
        return conn


def _in_savepoint(work: Callable[[sa.Connection], T], conn: sa.Connection) -> T:
    if _legacy_pysqlite(conn):
        # RELEASE SAVEPOINT would commit the whole change set here; SQLite does not abort a
        # transaction on a failed statement, so it needs no savepoint anyway
        return work(conn)
    with conn.begin_nested():
        return work(conn)


def _legacy_pysqlite(conn: sa.Connection) -> bool:
    """pysqlite in its default mode: it begins transactions itself, only before a DML
    statement, so a SAVEPOINT starts a transaction of its own. Engines configured with
    SQLAlchemy's recipe (`isolation_level = None`, BEGIN on the `begin` event) are not."""
    if conn.dialect.driver != "pysqlite":
        return False
    return getattr(conn.connection.dbapi_connection, "isolation_level", None) is not None


def _unicode_case(dbapi_connection: Any, _record: Any) -> None:
    """SQLite's lower() and upper() change ASCII letters only, PostgreSQL's and HANA's every
    letter: `tolower`, `toupper` and `$search` must not depend on the database."""
    for name, change in (("lower", str.lower), ("upper", str.upper)):
        dbapi_connection.create_function(name, 1, _on_text(change), deterministic=True)


def _on_text(change: Callable[[str], str]) -> Callable[[Any], Any]:
    return lambda value: change(value) if isinstance(value, str) else value


def _finish(action: Callable[[], None], conn: sa.Connection) -> None:
    try:
        action()
    finally:
        conn.close()
