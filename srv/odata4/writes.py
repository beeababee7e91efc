"""POST, PATCH, PUT and DELETE on entity sets, with CAP's rules for read-only and
draft-enabled entities (active instances of a draft document change only through drafts).

The checks run in CAP's order, because clients see the order through the status code:
read-only entity (405), then body syntax (400/415), then draft rules, then roles.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odata4 import auth
from odata4.dispatcher import Dispatcher, entity_etag, ieee754_requested, json_response, parse_json_body
from odata4.edm.model import EntitySet
from odata4.errors import (
    BadRequest,
    MethodNotAllowed,
    NotFound,
    NotImplementedFeature,
    PreconditionFailed,
    UnprocessableEntity,
)
from odata4.format.json import EntityWriter
from odata4.handlers import Context, Handlers
from odata4.http import Request, Response
from odata4.resolve import Resolved
from odata4.sql.store import Target, key_condition
from odata4.sql.write import Writer
from odata4.uri import ast

BYPASS_DRAFT = (
    "`cds.env.fiori.bypass_draft` must be enabled or the entity must be annotated with "
    "`@odata.draft.bypass` to support direct modifications of active instances."
)


def _read_only(entity_set: EntitySet) -> None:
    if entity_set.readonly:
        raise MethodNotAllowed(f'Entity "{entity_set.qualified_name}" is read-only', code="ENTITY_IS_READ_ONLY")


class WriteOperations:
    def __init__(self, dispatcher: Dispatcher, handlers: Handlers | None = None) -> None:
        self.dispatcher = dispatcher
        self.writer = Writer(dispatcher.store.model)
        self.handlers = handlers or Handlers()
        ops = dispatcher.operations
        ops["POST collection"] = self.create
        ops["PATCH entity"] = self.patch
        ops["PUT entity"] = self.put
        ops["DELETE entity"] = self.delete

    # --- POST ----------------------------------------------------------------------------

    async def create(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        entity_set = resolved.entity_set
        _read_only(entity_set)
        body = parse_json_body(request)
        auth.authorize(self.dispatcher.service, entity_set, "CREATE", request.user)
        if resolved.via is not None and entity_set.is_draft:
            raise NotImplementedFeature(BYPASS_DRAFT, code="501")
        if entity_set.draft_node and resolved.via is None:
            raise UnprocessableEntity(
                "A draft-enabled entity can only be modified via its root entity",
                code="DRAFT_MODIFICATION_ONLY_VIA_ROOT",
            )
        if not entity_set.insertable:
            raise MethodNotAllowed("Method Not Allowed", code="405")

        def work(conn: sa.Connection) -> dict[str, Any]:
            parent = None
            if resolved.via is not None and resolved.parent is not None:
                parent_row = self._one(conn, resolved.parent)
                parent = self.writer.foreign_keys(resolved.parent.entity_set, parent_row, resolved.via)
            context = Context("CREATE", entity_set, request.user, conn, data=body if isinstance(body, dict) else {})
            self.handlers.run("before", context)
            row = self.writer.insert(conn, entity_set, context.data or body, request.user, parent=parent)
            keys = {p.name: row[p.column_name] for p in entity_set.stored_keys}
            context.keys = keys
            self.handlers.run("after", context)
            return keys

        keys = await self.dispatcher.database.write(work)
        location = f"{entity_set.name}({_key_path(entity_set, keys)})"
        return await self._respond(request, entity_set, keys, options, 201, {"location": location})

    # --- PATCH / PUT -------------------------------------------------------------------------

    async def patch(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        return await self._update(request, resolved, options, replace=False)

    async def put(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        return await self._update(request, resolved, options, replace=True)

    async def _update(
        self, request: Request, resolved: Resolved, options: ast.QueryOptions, *, replace: bool
    ) -> Response:
        entity_set = resolved.entity_set
        _read_only(entity_set)
        body = parse_json_body(request)
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object")
        if entity_set.is_draft:
            raise NotImplementedFeature(BYPASS_DRAFT, code="501")
        auth.authorize(self.dispatcher.service, entity_set, "UPDATE", request.user)
        if not entity_set.updatable:
            raise MethodNotAllowed("Method Not Allowed", code="405")

        def work(conn: sa.Connection) -> dict[str, Any]:
            self._check_etag(conn, request, resolved.target)
            # a path ending in a to-one navigation (Books(1)/author) names no keys: look them up
            keys = resolved.keys or self._keys(conn, resolved.target)
            context = Context("UPDATE", entity_set, request.user, conn, data=dict(body), keys=keys)
            self.handlers.run("before", context)
            if not self.writer.update(conn, resolved.target, context.data, request.user, replace=replace):
                raise NotFound("Not Found", code="404")
            self.handlers.run("after", context)
            return keys

        keys = await self.dispatcher.database.write(work)
        return await self._respond(request, entity_set, keys, options, 200, {})

    # --- DELETE ------------------------------------------------------------------------------

    async def delete(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        entity_set = resolved.entity_set
        _read_only(entity_set)
        auth.authorize(self.dispatcher.service, entity_set, "DELETE", request.user)
        if not entity_set.deletable:
            raise MethodNotAllowed("Method Not Allowed", code="405")

        def work(conn: sa.Connection) -> int:
            self._check_etag(conn, request, resolved.target)
            context = Context("DELETE", entity_set, request.user, conn, keys=resolved.keys)
            self.handlers.run("before", context)
            return self.writer.delete(conn, resolved.target)

        if not await self.dispatcher.database.write(work):
            raise NotFound("Not Found", code="404")
        return Response(204, b"", {"odata-version": "4.0"})

    # --- helpers -------------------------------------------------------------------------------

    def _one(self, conn: sa.Connection, target: Target) -> dict[str, Any]:
        page = self.dispatcher.store.read(
            conn, Target(target.entity_set, target.conditions, single=True), ast.QueryOptions()
        )
        if not page.rows:
            raise NotFound("Not Found", code="404")
        return page.rows[0]

    def _keys(self, conn: sa.Connection, target: Target) -> dict[str, Any]:
        row = self._one(conn, target)
        return {p.name: row[p.name] for p in target.entity_set.keys}

    def _check_etag(self, conn: sa.Connection, request: Request, target: Target) -> None:
        """If-Match / If-None-Match against the `@odata.etag` property (412 on mismatch)."""
        entity_set = target.entity_set
        if_match, if_none = request.headers.get("if-match"), request.headers.get("if-none-match")
        if entity_set.etag is None or (if_match is None and if_none is None):
            return
        current = entity_etag(entity_set, self._one(conn, target))
        if if_match is not None and if_match.strip() != "*" and current not in _etags(if_match):
            raise PreconditionFailed("Precondition Failed", code="412")
        if if_none is not None and (if_none.strip() == "*" or current in _etags(if_none)):
            raise PreconditionFailed("Precondition Failed", code="412")

    async def _respond(
        self,
        request: Request,
        entity_set: EntitySet,
        keys: dict[str, Any],
        options: ast.QueryOptions,
        status: int,
        headers: dict[str, str],
    ) -> Response:
        if request.prefers("return=minimal"):
            return Response(204, b"", {"odata-version": "4.0", "preference-applied": "return=minimal", **headers})
        target = Target(entity_set, [key_condition(entity_set, keys)], single=True)
        page = await self.dispatcher.database.read(lambda conn: self.dispatcher.store.read(conn, target, options))
        if not page.rows:
            raise NotFound("Not Found", code="404")
        writer = EntityWriter(self.dispatcher.service_entity_set, ieee754=ieee754_requested(request))
        document: dict[str, Any] = {"@odata.context": f"$metadata#{entity_set.name}/$entity"}
        document.update(writer.entity(entity_set, page.rows[0], options))
        response = json_response(status, document, etag=entity_etag(entity_set, page.rows[0]))
        response.headers.update(headers)
        return response


def _etags(header: str) -> set[str]:
    return {part.strip() for part in header.split(",")}


def _key_path(entity_set: EntitySet, keys: dict[str, Any]) -> str:
    props = entity_set.keys

    def literal(name: str, value: Any) -> str:
        prop = entity_set.member(name)
        if isinstance(value, bool):
            return "true" if value else "false"
        if getattr(prop, "type", "") == "Edm.String":
            return "'" + str(value).replace("'", "''") + "'"
        return str(value)

    if len(props) == 1:
        return literal(props[0].name, keys.get(props[0].name))
    return ",".join(f"{p.name}={literal(p.name, keys.get(p.name, True))}" for p in props)
