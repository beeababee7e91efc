"""Routes one OData request to its operation and turns every failure into OData error JSON.

The dispatcher is framework-neutral (`odata4.http.Request` in, `Response` out), so HTTP
requests and the parts of a `$batch` take exactly the same path.
"""

from __future__ import annotations

import dataclasses
import decimal
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import sqlalchemy as sa

from odata4 import auth
from odata4.database import Database
from odata4.edm.model import EntitySet, Service
from odata4.errors import (
    BadRequest,
    MethodNotAllowed,
    NotFound,
    NotImplementedFeature,
    ODataError,
    UnsupportedMediaType,
)
from odata4.format.json import EntityWriter, dumps, entity_tag, format_value
from odata4.http import Request, Response
from odata4.resolve import Resolved, resolve
from odata4.sql.aggregate import aggregate_statement, grouped_properties
from odata4.sql.plans import PlanCache
from odata4.sql.store import Page, Store
from odata4.uri import ast
from odata4.uri.apply import Apply, parse_apply
from odata4.uri.limits import QueryLimits
from odata4.uri.options import parse_query_options
from odata4.uri.resource_path import parse_resource_path

log = logging.getLogger(__name__)

JSON = "application/json; charset=utf-8"
ODATA_VERSION = {"odata-version": "4.0"}

Operation = Callable[[Request, Resolved, ast.QueryOptions], Awaitable[Response]]


class RemoteSource(Protocol):
    """Reads of an entity set that lives in another system. Rows are dicts of property values
    (Python values as the JSON format expects them; expanded navigation as nested rows)."""

    async def read(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Page: ...

    async def count(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> int: ...


@dataclass
class Documents:
    """Rendered once per service: $metadata in both formats and the service document."""

    metadata_xml: bytes
    metadata_json: bytes
    metadata_etag: str | None = None
    service_document: bytes = field(default=b"")


class Dispatcher:
    def __init__(self, service: Service, database: Database, store: Store, documents: Documents) -> None:
        self.service = service
        self.database = database
        self.store = store
        self.documents = documents
        self.batch_handler: Callable[[Request], Awaitable[Response]] | None = None
        # operations for writes and actions, registered by the write and draft modules
        self.operations: dict[str, Operation] = {}
        # entity sets served by another system (e.g. S/4HANA), by entity set name
        self.remotes: dict[str, RemoteSource] = {}
        # how much one request may ask for ($top, $expand depth): unlimited unless the application says
        self.limits = QueryLimits()
        # JSON formats worked out per entity set and query shape, shared by requests
        self._formats: PlanCache[Any] = PlanCache()

    async def handle(self, request: Request) -> Response:
        try:
            return await self._route(request)
        except ODataError as error:
            return error_response(error)
        except sa.exc.DBAPIError as error:
            if isinstance(error, (sa.exc.DataError, sa.exc.IntegrityError)):
                log.info("database rejected a request: %s", type(error.orig).__name__)
                return error_response(BadRequest("The request violates a database constraint or type"))
            raise
        except sa.exc.StatementError as error:
            log.info("statement could not be built: %s", type(error.orig).__name__)
            return error_response(BadRequest("Invalid value in the request"))

    async def _route(self, request: Request) -> Response:
        path = request.path.strip("/")
        if path == "":
            return self._service_document(request)
        if path == "$metadata":
            return self._metadata(request)
        if path == "$batch":
            if request.method != "POST":
                raise MethodNotAllowed(
                    f"Method {request.method} is not allowed for calls to $batch endpoint", code="405"
                )
            auth.authorize(self.service, None, "READ", request.user)
            if self.batch_handler is None:
                raise NotImplementedFeature("$batch is not supported")
            return await self.batch_handler(request)
        auth.authorize(self.service, None, "READ", request.user)
        options = parse_query_options(request.query)
        _check_format(options)
        self.limits.check(options)
        try:
            segments = parse_resource_path(path)
        except NotFound as error:
            text = error.message.removeprefix('Invalid resource path "')
            raise NotFound(f'Invalid resource path "{self.service.namespace}.{text}', code="404") from None
        resolved = resolve(self.service, segments)
        return await self._operation(request, resolved, options)

    # --- documents ---------------------------------------------------------------------

    def _service_document(self, request: Request) -> Response:
        auth.authorize(self.service, None, "READ", request.user)
        _only_get(request, "the service document")
        return Response(200, self.documents.service_document, {"content-type": JSON, **ODATA_VERSION})

    def _metadata(self, request: Request) -> Response:
        auth.authorize(self.service, None, "READ", request.user)
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(
                f"Method {request.method} is not allowed for calls to the metadata endpoint", code="405"
            )
        wants_json = dict(request.query).get("$format") == "json" or _accepts_only_json(request)
        headers = dict(ODATA_VERSION)
        if self.documents.metadata_etag:
            headers["etag"] = self.documents.metadata_etag
        if wants_json:
            return Response(200, self.documents.metadata_json, {"content-type": JSON, **headers})
        return Response(200, self.documents.metadata_xml, {"content-type": "application/xml; charset=utf-8", **headers})

    # --- resources ---------------------------------------------------------------------

    async def _operation(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        # drafts are visible to their owner only: every query runs as the requesting user
        resolved.target.user = request.user.id
        if resolved.parent is not None:
            resolved.parent.user = request.user.id
        method = request.method
        if method in ("GET", "HEAD"):
            if resolved.kind == "action":
                raise MethodNotAllowed(f"Method {method} is not allowed for actions", code="405")
            auth.authorize(self.service, resolved.entity_set, "READ", request.user)
            auth.authorize_expand(self.service, resolved.entity_set, options.expand, request.user)
            return await self._read(request, resolved, options)
        key = f"{method} {resolved.kind}"
        if resolved.kind == "action":
            key = f"ACTION {resolved.action}"
        operation = self.operations.get(key)
        if operation is None:
            raise _method_not_allowed(method, resolved)
        return await operation(request, resolved, options)

    async def _read(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        remote = self.remotes.get(resolved.entity_set.name)
        if remote is None and resolved.parent is not None:
            remote = self.remotes.get(resolved.parent.entity_set.name)
        if remote is not None:
            if options.apply is not None:
                raise NotImplementedFeature("$apply is not supported for remote entities")
            if resolved.kind == "count":
                count = await remote.count(request, resolved, options)
                return Response(200, str(count).encode(), {"content-type": "text/plain", **ODATA_VERSION})
            return self._format(request, resolved, options, await remote.read(request, resolved, options))
        if options.apply is not None:
            apply = parse_apply(options.apply)
            if apply.groupby is not None or apply.aggregates:
                return await self._aggregate(request, resolved, apply, options)
            options = _with_filters(options, apply.filters)
        if resolved.kind == "count":
            count = await self.database.read(lambda conn: self.store.count(conn, resolved.target, options))
            return Response(200, str(count).encode(), {"content-type": "text/plain", **ODATA_VERSION})
        page = await self.database.read(lambda conn: self._read_page(conn, resolved, options))
        return self._format(request, resolved, options, page)

    def _format(self, request: Request, resolved: Resolved, options: ast.QueryOptions, page: Page) -> Response:
        writer = EntityWriter(self.service_entity_set, ieee754=ieee754_requested(request), formats=self._formats)
        entity_set = resolved.entity_set
        if resolved.kind == "collection":
            doc: dict[str, Any] = {"@odata.context": f"{resolved.context_prefix}$metadata#{entity_set.name}"}
            if page.count is not None:
                doc["@odata.count"] = page.count
            entity = writer.format(entity_set, options)
            doc["value"] = [entity(row) for row in page.rows]
            if page.view == "draft" and entity_set.is_draft:
                for document in doc["value"]:
                    document["DraftMessages"] = []  # CAP answers draft rows read as drafts with their messages
            if page.next_skip is not None:
                doc["@odata.nextLink"] = next_link(request, page.next_skip)
            return json_response(200, doc)
        if not page.rows:
            raise NotFound("Not Found", code="404")
        row = page.rows[0]
        if resolved.kind == "entity":
            doc = {"@odata.context": f"{resolved.context_prefix}$metadata#{entity_set.name}/$entity"}
            doc.update(self._entity_json(writer, entity_set, row, options, page.view))
            return json_response(200, doc, etag=entity_etag(entity_set, row))
        prop = resolved.prop
        assert prop is not None
        value = format_value(row.get(prop.name), prop, ieee754_requested(request))
        if resolved.kind == "value":
            if value is None:
                return Response(204, b"", dict(ODATA_VERSION))
            return Response(200, str(value).encode(), {"content-type": "text/plain", **ODATA_VERSION})
        key_text = _key_text(entity_set, row)
        context = f"{resolved.context_prefix}$metadata#{entity_set.name}({key_text})/{prop.name}"
        return json_response(200, {"@odata.context": context, "value": value})

    async def _aggregate(
        self, request: Request, resolved: Resolved, apply: Apply, options: ast.QueryOptions
    ) -> Response:
        if resolved.kind != "collection" or options.filter is not None or options.expand or options.select is not None:
            raise NotImplementedFeature(
                "$apply with groupby/aggregate works on collections without $filter/$select/$expand"
            )
        entity_set = resolved.entity_set

        def work(conn: sa.Connection) -> list[dict[str, Any]]:
            scope = self.store.target_scope(resolved.target)
            stmt = aggregate_statement(scope, resolved.target.where(scope), apply, options)
            return [dict(r._mapping) for r in conn.execute(stmt)]

        rows = await self.database.read(work)
        groups = {p.name: p for p in grouped_properties(self.store.scope(entity_set), apply)}
        # CAP adds the draft key flag to grouped rows of draft-enabled entities
        virtual_keys = [p for p in entity_set.keys if p.virtual] if apply.groupby else []
        value = []
        for row in rows:
            item = {k: format_value(v, groups[k]) if k in groups else _number(v) for k, v in row.items()}
            for prop in virtual_keys:
                item[prop.name] = prop.default
            value.append(item)
        return json_response(
            200, {"@odata.context": f"{resolved.context_prefix}$metadata#{entity_set.name}", "value": value}
        )

    def _read_page(self, conn: sa.Connection, resolved: Resolved, options: ast.QueryOptions) -> Page:
        page = self.store.read(conn, resolved.target, _read_options(resolved, options))
        parent = resolved.parent
        if not page.rows and parent is not None and not self.store.exists(conn, parent):
            raise NotFound("Not Found", code="404")  # the entity the navigation starts from is missing
        return page

    @staticmethod
    def _entity_json(
        writer: EntityWriter, entity_set: EntitySet, row: dict[str, Any], options: ast.QueryOptions, view: str
    ) -> Any:
        document = writer.entity(entity_set, row, options)
        if view == "draft" and entity_set.is_draft:
            document["DraftMessages"] = []  # CAP answers draft rows read as drafts with their messages
        return document

    def service_entity_set(self, name: str) -> EntitySet:
        entity_set = self.service.entity_set(name)
        assert entity_set is not None
        return entity_set


def _with_filters(options: ast.QueryOptions, filters: list[ast.Expr]) -> ast.QueryOptions:
    combined = options.filter
    for expr in filters:
        combined = expr if combined is None else ast.Binary("and", combined, expr)
    return dataclasses.replace(options, filter=combined, apply=None)


def _number(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _read_options(resolved: Resolved, options: ast.QueryOptions) -> ast.QueryOptions:
    if resolved.kind in ("property", "value"):
        assert resolved.prop is not None
        return ast.QueryOptions(select=((resolved.prop.name,),))
    return options


def _key_text(entity_set: EntitySet, row: dict[str, Any]) -> str:
    keys = entity_set.keys
    if len(keys) == 1:
        return str(row.get(keys[0].name))
    return ",".join(f"{k.name}={_key_literal(row.get(k.name))}" for k in keys)


def _key_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def entity_etag(entity_set: EntitySet, row: dict[str, Any]) -> str | None:
    return entity_tag(entity_set, row)


def ieee754_requested(request: Request) -> bool:
    accept = (request.headers.get("accept") or "") + ";" + (request.headers.get("content-type") or "")
    return "ieee754compatible=true" in accept.replace(" ", "").lower()


def _accepts_only_json(request: Request) -> bool:
    accept = (request.headers.get("accept") or "").lower()
    return "application/json" in accept and "xml" not in accept


def _check_format(options: ast.QueryOptions) -> None:
    if options.format is not None and options.format.split(";")[0].strip().lower() not in ("json", "application/json"):
        raise NotImplementedFeature('Only query parameter "json" is allowed in "$format".', code="501")


def _only_get(request: Request, what: str) -> None:
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowed(f"Method {request.method} is not allowed for {what}", code="405")


def _method_not_allowed(method: str, resolved: Resolved) -> MethodNotAllowed:
    if resolved.kind == "collection" and method in ("PATCH", "DELETE"):
        return MethodNotAllowed(f"Method {method} is not allowed for entity collections", code="405")
    if resolved.kind == "collection" and method == "PUT":
        return MethodNotAllowed("All keys must be provided for PUT on entity collections", code="405")
    if resolved.kind == "entity" and method == "POST":
        return MethodNotAllowed("Method POST is not allowed for singletons and individual entities", code="405")
    return MethodNotAllowed("Method Not Allowed", code="405")


_QUERY_SAFE = "(),$='"


def next_link(request: Request, skip: int) -> str:
    params = [(k, v) for k, v in request.query if k != "$skiptoken"]
    params.append(("$skiptoken", str(skip)))
    query = "&".join(f"{quote(k, safe='$')}={quote(v, safe=_QUERY_SAFE)}" for k, v in params)
    return f"{request.path.strip('/')}?{query}"


def json_response(status: int, document: Any, etag: str | None = None) -> Response:
    headers = {"content-type": JSON, **ODATA_VERSION}
    if etag:
        headers["etag"] = etag
    return Response(status, dumps(document), headers)


def error_response(error: ODataError) -> Response:
    return Response(error.http_status, dumps(error.to_json()), {"content-type": JSON, **ODATA_VERSION})


def parse_json_body(request: Request) -> Any:
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType("Unsupported Media Type", code="415")
    try:
        return json.loads(request.body)
    except json.JSONDecodeError as error:
        if error.pos >= len(error.doc.rstrip()):
            raise BadRequest("Unexpected end of JSON input") from None
        raise BadRequest(f"Malformed JSON at position {error.pos}: {error.msg}") from None
    except (ValueError, RecursionError):
        raise BadRequest("Malformed JSON in request body") from None
