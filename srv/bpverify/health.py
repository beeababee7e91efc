"""Liveness and readiness, as Cloud Foundry asks for them.

GET /health        liveness: the process answers (never touches the database). CF's health check
                   (`health-check-type: http`) restarts an instance whose liveness fails, so a database
                   outage must not fail it: restarting every instance would not bring HANA back.
GET /health/ready  readiness: the database answers within `timeout` seconds; 503 otherwise. For CF's
                   readiness check (manifest.yml), which takes an instance out of the route, and for people.
"""

from __future__ import annotations

import logging

import anyio
import anyio.to_thread
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)

# `SELECT 1` is no valid HANA statement; the dialect renders this one as `SELECT 1 FROM DUMMY` there
PING: sa.Select[tuple[int]] = sa.select(sa.literal_column("1", sa.Integer()))


def install(app: FastAPI, engine: sa.Engine, *, timeout: float = 2.0) -> None:
    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "UP"}

    @app.get("/health/ready", tags=["operations"], responses={503: {"description": "the database is not reachable"}})
    async def ready() -> JSONResponse:
        """Readiness: the database answers."""
        database_up = await database_answers(engine, timeout)
        status = "UP" if database_up else "DOWN"
        return JSONResponse({"status": status, "database": status}, status_code=200 if database_up else 503)


async def database_answers(engine: sa.Engine, seconds: float) -> bool:
    try:
        with anyio.fail_after(seconds):
            # a thread of its own that may be abandoned: a hanging connect must not hold the answer
            await anyio.to_thread.run_sync(_ping, engine, abandon_on_cancel=True)
    except TimeoutError:
        log.warning("readiness: the database did not answer within %.1f s", seconds)
        return False
    except sa.exc.SQLAlchemyError as exc:
        # the class only: driver messages may name hosts and users
        log.warning("readiness: the database is not reachable (%s)", type(getattr(exc, "orig", None) or exc).__name__)
        return False
    return True


def _ping(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.execute(PING).scalar()
