"""The application: wires the OData layer, the database and authentication together."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from bpverify import hardening, health, profiles
from bpverify.auth import Authenticator
from bpverify.db.engine import create_engine
from bpverify.db.seed import deploy, deploy_lock
from bpverify.events import webhook
from bpverify.logs import config as logs
from bpverify.remote import S4Backend
from bpverify.service import extension, findings
from bpverify.service.definition import PATH, build_service
from bpverify.service.handlers import Rules
from bpverify.settings import Settings, get_settings
from bpverify.workflow.ports import S4Port
from bpverify.workflow.s4_odata import ODataS4
from bpverify.workflow.tables import open_partners
from bpverify.workflow.worker import Worker
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
from odata4.uri.limits import QueryLimits
from odata4.writes import WriteOperations

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    authenticator: Authenticator | None = None,
    s4: S4Port | None = None,
    *,
    xsuaa_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The service. A background worker processes events and delivers write-backs to S/4HANA
    (through `s4`, by default the destination's OData V2 API) unless `settings.workflow` is off."""
    settings = settings or get_settings()
    # mocked users or XSUAA by profile; refuses to start with mocked users on Cloud Foundry (bpverify.profiles)
    authenticate = authenticator or profiles.choose_authenticator(settings, transport=xsuaa_transport)
    service = build_service()
    extension.extend(service)
    enable_drafts(service)
    prepare_model(service)
    tables = Tables(service)
    drafts = DraftStorage(service, tables, lock_timeout=dt.timedelta(minutes=settings.draft_lock_minutes))
    open_partners(tables.metadata)
    engine = create_engine(settings.db_url, pool_size=settings.db_threads, connect_args=settings.db_connect_args)

    database = Database(engine, max_threads=settings.db_threads)
    remote = S4Backend(settings)  # BusinessPartners, BusinessPartnerAddresses: live from S/4HANA
    if s4 is None and settings.workflow:
        s4 = ODataS4(remote.client)
    worker = Worker(database, tables, s4, settings.timing()) if s4 is not None else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.seed:
            with deploy_lock(engine):
                deploy(engine, service, tables, settings.data_dir)
                with engine.begin() as conn:
                    findings.recompute_all_if_empty(conn, tables)
        if settings.mock_s4_eager and remote.uses_mock:
            await remote.client()  # starts the mocked S/4HANA now, so it can be used right away
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop)) if worker is not None else None
        yield
        stop.set()
        if task is not None:
            await task  # a round in progress finishes; unfinished claims expire for others
        engine.dispose()
        await profiles.close_authenticator(authenticate)
        await remote.aclose()

    app = FastAPI(title="Business Partner Verification", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.tables = tables  # the schema `bpverify hdi generate` writes for HANA
    logs.install(app, settings)
    hardening.install(app, settings, odata_root=PATH)

    store = Store(Model(service, tables, draft_virtuals, sources=drafts), max_page_size=settings.max_page_size)
    dispatcher = Dispatcher(service, database, store, build_documents(service))
    dispatcher.remotes.update(remote.sources(service))
    dispatcher.batch_handler = BatchHandler(dispatcher, max_parts=settings.max_batch_parts)
    dispatcher.limits = QueryLimits(max_top=settings.max_top, max_expand_depth=settings.max_expand_depth)
    writes = WriteOperations(dispatcher)
    DraftOperations(dispatcher, drafts, writes)
    Rules(writes.handlers, drafts)
    asgi.mount(app, PATH, dispatcher, authenticate, challenge=authenticate.challenge, max_body=settings.max_body_bytes)
    webhook.mount(app, database, tables, authenticate, worker.wakeup.set if worker is not None else lambda: None)

    health.install(app, engine)

    app.state.dispatcher = dispatcher
    return app
