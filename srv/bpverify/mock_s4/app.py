"""The mocked S/4HANA as an ASGI app (Starlette): API_BUSINESS_PARTNER over OData V2, and `/_mock/*` knobs.

    app = create_app(MockConfig(webhook_url="http://127.0.0.1:4004/events/s4"))
    uvicorn.run(app, port=4005, ssl_certfile="certs/s4.pem", ssl_keyfile="certs/s4.key")

An OData request passes, in order: faults (outage, latency, injected errors) → logon (Basic or session cookie,
sap-client) → CSRF (token fetch; check on changes) → the operation. Admin routes (same Basic logon):
GET/PUT /_mock/knobs, POST /_mock/reset, POST /_mock/sessions/expire, GET /_mock/events, GET /_mock/stats.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .config import MockConfig
from .events import EventSender
from .format import dumps, error_json
from .metadata import render_metadata
from .query import QueryError
from .reads import Answer, Reader
from .resource import ResourceError, parse_resource
from .schema import ENTITIES, SERVICE_ROOT
from .sessions import Sessions
from .store import Store, StoreError
from .writes import Writer

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "MERGE", "DELETE"]
_OUTAGE = (
    "<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1>"
    "<p>No server is available to handle this request (mocked outage).</p></body></html>"
)


class MockS4:
    def __init__(self, config: MockConfig) -> None:
        self.config = config
        self.knobs = config.knobs
        self.store = Store(user=config.user)
        self.sessions = Sessions(config.system_id, config.sap_client, config.user, config.password)
        self.events = EventSender(config)
        self.reader = Reader(self.store, self.knobs)
        self.writer = Writer(self.store, self.reader, self.events)
        self.stats: Counter[str] = Counter()
        self.random = random.Random(config.random_seed)  # noqa: S311 - fault injection, not cryptography
        self.metadata = render_metadata()

    # --- OData ------------------------------------------------------------------------------------------

    async def odata(self, request: Request) -> Response:
        method = _method(request)
        self.stats[f"{method} requests"] += 1
        fault = await self._fault()
        if fault is not None:
            return fault
        client = request.query_params.get("sap-client") or request.headers.get("sap-client")
        if not self.sessions.logon(request.headers.get("authorization"), request.cookies, client):
            return self._unauthorized()
        token = request.headers.get("x-csrf-token")
        if method not in ("GET", "HEAD") and not self.sessions.check(request.cookies, token):
            self.stats["csrf rejected"] += 1
            return Response("CSRF token validation failed", 403, {"x-csrf-token": "Required"}, "text/plain")
        try:
            answer = await self._operation(request, method)
        except (ResourceError, QueryError, StoreError) as exc:
            answer = _error(exc)
        response = _response(answer, head=method == "HEAD")
        if method in ("GET", "HEAD") and request.headers.get("x-csrf-token", "").lower() == "fetch":
            self._hand_out_token(request, response)
        return response

    async def _operation(self, request: Request, method: str) -> Answer:
        path = request.path_params.get("path", "")
        if path.strip("/") in ("", "$metadata", "$batch"):
            return self._document(path.strip("/"), method)
        resource = parse_resource(path)
        root = str(request.url.replace(path=SERVICE_ROOT, query=""))
        if method in ("GET", "HEAD"):
            url = str(request.url.replace(query=""))
            return self.reader.read(resource, list(request.query_params.multi_items()), root, url)
        if method == "DELETE":
            return self.writer.delete(resource, request.headers.get("if-match"))
        body = await _json_body(request)
        if method == "POST":
            return self.writer.create(resource, body, root)
        return self.writer.update(resource, body, request.headers.get("if-match"), replace=method == "PUT")

    def _document(self, name: str, method: str) -> Answer:
        if method not in ("GET", "HEAD"):
            raise StoreError(
                405 if name != "$batch" else 501,
                f"{method} is not supported here by the mock",
                code="/IWBEP/CM_MGW_RT/405",
            )
        if name == "$metadata":
            return Answer(200, self.metadata, {"content-type": "application/xml"})
        if name == "$batch":
            raise StoreError(501, "$batch is not supported by the mocked S/4HANA", code="/IWBEP/CM_MGW_RT/501")
        return Answer(200, {"d": {"EntitySets": list(ENTITIES)}})

    async def _fault(self) -> Response | None:
        knobs = self.knobs
        if knobs.outage:
            self.stats["outage answers"] += 1
            return Response(_OUTAGE, 503, media_type="text/html")
        delay = knobs.latency_ms + self.random.random() * knobs.jitter_ms
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        if knobs.error_rate and self.random.random() < knobs.error_rate:
            self.stats["injected errors"] += 1
            doc = error_json("/IWBEP/CM_MGW_RT/500", "Injected failure of the mocked S/4HANA (knob error_rate)")
            return Response(dumps(doc), knobs.error_status, media_type="application/json")
        return None

    def _unauthorized(self) -> Response:
        self.stats["logon failed"] += 1
        realm = f'Basic realm="SAP NetWeaver Application Server [{self.config.system_id}/{self.config.sap_client}]"'
        return Response("<html><body>Logon failed</body></html>", 401, {"www-authenticate": realm}, "text/html")

    def _hand_out_token(self, request: Request, response: Response) -> None:
        self.stats["csrf fetches"] += 1
        session, token, new = self.sessions.fetch(request.cookies)
        response.headers["x-csrf-token"] = token
        if new:
            for cookie in self.sessions.set_cookies(session, secure=request.url.scheme == "https"):
                response.headers.append("set-cookie", cookie)

    # --- admin ------------------------------------------------------------------------------------------

    async def admin(self, request: Request) -> Response:
        if not self.sessions.logon(request.headers.get("authorization"), {}, None):
            return self._unauthorized()
        name = request.path_params["name"]
        if name == "knobs":
            return await self._knobs(request)
        if name == "reset" and request.method == "POST":
            self.store.reset()
            self.sessions.expire()
            self.events.log.clear()
            self.stats.clear()
            return JSONResponse({"reset": True})
        if name == "sessions" and request.method == "POST":
            self.sessions.expire()
            return JSONResponse({"expired": True})
        if name == "events":
            return JSONResponse(list(self.events.log))
        if name == "stats":
            return JSONResponse(dict(self.stats))
        return JSONResponse({"error": f"no admin route {request.method} /_mock/{name}"}, 404)

    async def _knobs(self, request: Request) -> Response:
        if request.method != "GET":
            try:
                changes = json.loads(await request.body())
                if not isinstance(changes, dict):
                    raise ValueError("send a JSON object of knobs")
                self.knobs.update(changes)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(self.knobs.as_dict())


def _method(request: Request) -> str:
    tunneled = request.headers.get("x-http-method", "").upper()
    if request.method == "POST" and tunneled in ("MERGE", "PATCH", "PUT", "DELETE"):
        return tunneled
    return "PATCH" if request.method == "MERGE" else request.method


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise StoreError(400, "The request body is no valid JSON", code="/IWBEP/CM_MGW_RT/004") from None
    if isinstance(body, dict) and isinstance(body.get("d"), dict):
        body = body["d"]  # V2 clients may wrap the payload like an answer
    if not isinstance(body, dict):
        raise StoreError(400, "The request body must be a JSON object", code="/IWBEP/CM_MGW_RT/004")
    return body


def _error(exc: ResourceError | QueryError | StoreError) -> Answer:
    if isinstance(exc, StoreError):
        return Answer(exc.status, error_json(exc.code, exc.message, target=exc.target))
    status = exc.status if isinstance(exc, ResourceError) else 400
    code = "/IWBEP/CM_MGW_RT/020" if status == 404 else "/IWBEP/CM_MGW_RT/022"
    return Answer(status, error_json(code, str(exc)))


def _response(answer: Answer, *, head: bool) -> Response:
    headers = {"dataserviceversion": "2.0", **answer.headers}
    body = answer.body
    if isinstance(body, dict | list):
        content, media = dumps(body), "application/json; charset=utf-8"
    elif isinstance(body, bytes):
        content, media = body, headers.pop("content-type", "application/octet-stream")
    elif isinstance(body, str):
        content, media = body.encode("utf-8"), "text/plain; charset=utf-8"
    else:
        content, media = b"", None
    return Response(b"" if head else content, answer.status, headers, media)


def create_app(config: MockConfig | None = None) -> Starlette:
    mock = MockS4(config or MockConfig())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await mock.events.aclose()

    routes = [
        Route(SERVICE_ROOT, mock.odata, methods=METHODS),
        Route(SERVICE_ROOT + "/{path:path}", mock.odata, methods=METHODS),
        Route("/_mock/{name}", mock.admin, methods=["GET", "PUT", "POST", "PATCH"]),
        Route("/_mock/{name}/expire", mock.admin, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.mock = mock
    return app
