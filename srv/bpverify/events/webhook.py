"""The SAP Event Mesh webhook (`/messaging/enterprise-messaging`, CAP's path for the job).

Answers 2xx only once the event is durably in the inbox (or parked as a dead letter, for
messages that can never be processed: Event Mesh redelivers every non-2xx, 4xx included),
and 503 when the database is down so Event Mesh delivers again later. S/4HANA is called
afterwards, by the workflow worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bpverify.auth import EVENT_INGEST_ROLE, Authenticator
from bpverify.events.parsing import Rejected, parse_event
from bpverify.workflow import inbox
from odata4.database import Database
from odata4.errors import Forbidden, ODataError, Unauthorized
from odata4.sql.tables import Tables

log = logging.getLogger(__name__)
PATH = "/messaging/enterprise-messaging"
MAX_BODY = 256 * 1024


def mount(
    app: Starlette, database: Database, tables: Tables, authenticate: Authenticator, wake: Callable[[], None]
) -> None:
    async def authorized(request: Request) -> Response | None:
        try:
            user = await authenticate(request)
            if not user.authenticated:
                raise Unauthorized("Unauthorized", code="401")
            if not user.has(EVENT_INGEST_ROLE):
                raise Forbidden("Forbidden", code="403")
        except ODataError as error:
            headers = {"www-authenticate": authenticate.challenge} if error.http_status == 401 else {}
            return JSONResponse(error.to_json(), status_code=error.http_status, headers=headers)
        return None

    async def handshake(request: Request) -> Response:
        denied = await authorized(request)
        if denied is not None:
            return denied
        origin = request.headers.get("webhook-request-origin")
        headers = {"webhook-allowed-origin": origin} if origin else {}
        return Response(status_code=200, headers=headers)

    async def receive(request: Request) -> Response:
        denied = await authorized(request)
        if denied is not None:
            return denied
        body = await request.body()
        if len(body) > MAX_BODY:
            body = body[:MAX_BODY]
        parsed = parse_event(dict(request.headers), body)
        try:
            if isinstance(parsed, Rejected):
                await database.write(lambda conn: inbox.park(conn, tables, parsed, body))
                log.warning(
                    "event parked as dead letter: %s (topic %s)", parsed.reason, request.headers.get("x-address")
                )
                return JSONResponse({"status": "parked", "reason": parsed.reason}, status_code=202)
            stored = await database.write(lambda conn: inbox.store(conn, tables, parsed))
        except sa.exc.SQLAlchemyError:
            log.exception("inbox unavailable; Event Mesh will deliver again")
            return JSONResponse(
                {"error": {"code": "503", "message": "Inbox unavailable, retry later"}}, status_code=503
            )
        if stored:
            wake()
        return JSONResponse({"status": "accepted" if stored else "duplicate", "id": parsed.id}, status_code=200)

    app.router.add_route(PATH, handshake, methods=["OPTIONS"], include_in_schema=False)
    app.router.add_route(PATH, receive, methods=["POST"], include_in_schema=False)
