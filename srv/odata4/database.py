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
from typing import TypeVar

import anyio
import anyio.to_thread
import sqlalchemy as sa

T = TypeVar("T")


class Database:
    def __init__(self, engine: sa.Engine, max_threads: int = 16) -> None:
        self.engine = engine
        self._limiter = anyio.CapacityLimiter(max_threads)
        self._pinned: ContextVar[sa.Connection | None] = ContextVar(f"pinned-{id(self)}", default=None)

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
    with conn.begin_nested():
        return work(conn)


def _finish(action: Callable[[], None], conn: sa.Connection) -> None:
    try:
        action()
    finally:
        conn.close()
