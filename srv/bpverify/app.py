"""The application: wires the OData layer, the database and authentication together."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from fastapi import FastAPI

from bpverify.auth import Authenticator, MockedUsers
from bpverify.db.engine import create_engine
from bpverify.db.seed import deploy
from bpverify.service import extension, findings
from bpverify.service.definition import PATH, build_service
from bpverify.service.handlers import Rules
from bpverify.settings import Settings, get_settings
from odata4 import asgi
from odata4.batch.handler import BatchHandler
from odata4.database import Database
from odata4.dispatcher import Dispatcher
from odata4.documents import build_documents
from odata4.drafts.columns import draft_virtuals
from odata4.drafts.operations import DraftOperations
from odata4.drafts.storage import DraftStorage, prepare_model
from odata4.edm.drafts import enable_drafts
from odata4.sql.scope import Model
from odata4.sql.store import Store
from odata4.sql.tables import Tables
from odata4.writes import WriteOperations

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, authenticator: Authenticator | None = None) -> FastAPI:
    settings = settings or get_settings()
    service = build_service()
    extension.extend(service)
    enable_drafts(service)
    prepare_model(service)
    tables = Tables(service)
    drafts = DraftStorage(service, tables)
    engine = create_engine(settings.db_url, pool_size=settings.db_threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.seed:
            deploy(engine, service, tables, settings.data_dir)
            with engine.begin() as conn:
                findings.recompute_all_if_empty(conn, tables)
        yield
        engine.dispose()

    app = FastAPI(title="Business Partner Verification", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine

    database = Database(engine, max_threads=settings.db_threads)
    store = Store(Model(service, tables, draft_virtuals, sources=drafts), max_page_size=settings.max_page_size)
    dispatcher = Dispatcher(service, database, store, build_documents(service))
    dispatcher.batch_handler = BatchHandler(dispatcher)
    writes = WriteOperations(dispatcher)
    DraftOperations(dispatcher, drafts, writes)
    Rules(writes.handlers, drafts)
    authenticate = authenticator or MockedUsers()
    asgi.mount(app, PATH, dispatcher, authenticate, challenge=authenticate.challenge, max_body=settings.max_body_bytes)

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "UP"}

    @app.get("/health/ready", tags=["operations"])
    async def ready() -> dict[str, str]:
        """Readiness: the database answers."""
        await database.read(lambda conn: conn.execute(sa.text("SELECT 1")).scalar())
        return {"status": "UP"}

    app.state.dispatcher = dispatcher
    return app
