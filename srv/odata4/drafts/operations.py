"""Draft operations, as CAP serves them for `@odata.draft.enabled` entities.

    draftEdit      active root  → copy of the document in the draft tables, locked to the user
    PATCH / PUT    draft row    → changes the draft (read-only fields ignored)
    POST           draft parent → new child in the draft
    DELETE         draft root   → discard the whole draft; draft child → remove it
    draftPrepare   draft        → runs the `draftPrepare` handlers (validation), changes nothing
    draftActivate  draft root   → runs the `SAVE` handlers, writes the draft over the active
                                  document (children inserted, updated, deleted) and drops it
Requests on the active side fall through to the ordinary write operations, which reject
changes to active instances as CAP does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa

from odata4 import auth
from odata4.dispatcher import Dispatcher, json_response, parse_json_body
from odata4.drafts import state
from odata4.drafts.storage import ADMIN_KEY, ALL_DRAFTS, DraftStorage
from odata4.edm.model import EntitySet, NavigationProperty
from odata4.errors import BadRequest, NotFound
from odata4.format.json import EntityWriter
from odata4.handlers import Context, Handlers
from odata4.http import Request, Response
from odata4.resolve import Resolved
from odata4.sql.store import Target, key_condition
from odata4.sql.write import Writer, complete_for_insert, managed_update, now_utc, parse_body
from odata4.uri import ast
from odata4.writes import WriteOperations

Row = dict[str, Any]
Operation = Callable[[Request, Resolved, ast.QueryOptions], Awaitable[Response]]


class DraftOperations:
    def __init__(self, dispatcher: Dispatcher, storage: DraftStorage, writes: WriteOperations) -> None:
        self.dispatcher = dispatcher
        self.storage = storage
        self.writes = writes
        self.handlers: Handlers = writes.handlers
        self.writer = Writer(dispatcher.store.model)
        ops = dispatcher.operations
        self._fallback: dict[str, Operation] = {
            k: ops[k] for k in ("POST collection", "PATCH entity", "PUT entity", "DELETE entity")
        }
        ops["POST collection"] = self.create
        ops["PATCH entity"] = self.patch
        ops["PUT entity"] = self.put
        ops["DELETE entity"] = self.delete
        namespace = dispatcher.service.namespace
        ops[f"ACTION {namespace}.draftEdit"] = self.edit
        ops[f"ACTION {namespace}.draftPrepare"] = self.prepare
        ops[f"ACTION {namespace}.draftActivate"] = self.activate

    @property
    def timeout(self) -> dt.timedelta:
        return self.storage.lock_timeout

    # --- draftEdit --------------------------------------------------------------------------

    async def edit(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        entity_set = self._bound(resolved, root=True, active=True)
        auth.authorize(self.dispatcher.service, entity_set, "UPDATE", request.user)
        body = parse_json_body(request) if request.body else {}
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object")
        keys = _stored_keys(entity_set, resolved.keys)
        user = request.user.id

        def work(conn: sa.Connection) -> None:
            active = self._row(conn, self.storage.active(entity_set), entity_set, keys)
            if active is None:
                raise NotFound("Not Found", code="404")
            existing = self._row(conn, self.storage.drafts[entity_set.name], entity_set, keys)
            lock = self._lock(conn, existing[ADMIN_KEY]) if existing else None
            if state.decide_edit(lock, user, now_utc(), self.timeout) == "take_over" and existing:
                self._discard(conn, existing[ADMIN_KEY])
            draft_uuid = self._new_admin(conn, user)
            self._copy_to_draft(conn, entity_set, [active], draft_uuid)
            self.handlers.run("after", Context("EDIT", entity_set, request.user, conn, keys=keys))

        await self.dispatcher.database.write(work)
        location = f"{resolved.context_prefix}{entity_set.name}({_key_text(entity_set, keys, False)})"
        return await self._entity(request, resolved, entity_set, keys, "draft", options, 201, {"location": location})

    # --- changes to drafts -----------------------------------------------------------------

    async def patch(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        return await self._update(request, resolved, options, replace=False)

    async def put(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        return await self._update(request, resolved, options, replace=True)

    async def _update(
        self, request: Request, resolved: Resolved, options: ast.QueryOptions, *, replace: bool
    ) -> Response:
        entity_set = resolved.entity_set
        if not _on_draft(resolved):
            return await self._fallback["PUT entity" if replace else "PATCH entity"](request, resolved, options)
        body = parse_json_body(request)
        keys = _stored_keys(entity_set, resolved.keys)

        def work(conn: sa.Connection) -> None:
            row = self._owned_draft(conn, entity_set, keys, request.user.id)  # CAP: the lock before roles
            auth.authorize(self.dispatcher.service, entity_set, "UPDATE", request.user)
            values, nested = parse_body(entity_set, body, creating=False, owner=f"{entity_set.qualified_name}.drafts")
            if nested:
                raise BadRequest("deep update of drafts is not supported; change the children one by one")
            context = Context("UPDATE", entity_set, request.user, conn, data=values, keys=keys)
            self.handlers.run("before", context)
            if replace:
                values = {p.name: values.get(p.name, p.default) for p in _replaceable(entity_set)} | context.data
            changes = managed_update(entity_set, context.data if not replace else values, request.user, now_utc())
            table = self.storage.drafts[entity_set.name]
            conn.execute(table.update().where(_match(table, entity_set, keys)).values(changes))
            self._touch(conn, row[ADMIN_KEY], request.user.id)
            self.handlers.run("after", context)

        await self.dispatcher.database.write(work)
        if request.prefers("return=minimal"):
            return Response(204, b"", {"odata-version": "4.0", "preference-applied": "return=minimal"})
        return await self._entity(request, resolved, entity_set, keys, "draft", options, 200, {}, prefix="")

    async def create(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        parent, nav = resolved.parent, resolved.via
        if parent is None or nav is None or parent.view != "draft":
            return await self._fallback["POST collection"](request, resolved, options)
        entity_set = resolved.entity_set
        body = parse_json_body(request)

        def work(conn: sa.Connection) -> dict[str, Any]:
            parent_row = self._first_draft(conn, parent)
            self._check_owner(conn, parent_row[ADMIN_KEY], request.user.id)
            auth.authorize(self.dispatcher.service, entity_set, "CREATE", request.user)
            values, nested = parse_body(entity_set, body, creating=True, owner=f"{entity_set.qualified_name}.drafts")
            if nested:
                raise BadRequest("deep insert into drafts is not supported; create the children one by one")
            context = Context("CREATE", entity_set, request.user, conn, data=values)
            self.handlers.run("before", context)
            values = context.data | self.writer.foreign_keys(parent.entity_set, parent_row, nav)
            row = complete_for_insert(entity_set, values, request.user, now_utc())
            row |= {"HasActiveEntity": False, ADMIN_KEY: parent_row[ADMIN_KEY]}
            conn.execute(self.storage.drafts[entity_set.name].insert().values(row))
            self._touch(conn, parent_row[ADMIN_KEY], request.user.id)
            keys = {p.name: row[p.column_name] for p in entity_set.stored_keys}
            context.keys = keys
            self.handlers.run("after", context)
            return keys

        keys = await self.dispatcher.database.write(work)
        location = f"{entity_set.name}({_key_text(entity_set, keys, False)})"
        headers = {"location": location}
        if request.prefers("return=minimal"):
            return Response(204, b"", {"odata-version": "4.0", "preference-applied": "return=minimal", **headers})
        return await self._entity(request, resolved, entity_set, keys, "draft", options, 201, headers)

    async def delete(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        entity_set = resolved.entity_set
        if not _on_draft(resolved):
            return await self._fallback["DELETE entity"](request, resolved, options)
        keys = _stored_keys(entity_set, resolved.keys)

        def work(conn: sa.Connection) -> None:
            row = self._owned_draft(conn, entity_set, keys, request.user.id)
            auth.authorize(self.dispatcher.service, entity_set, "DELETE", request.user)
            if entity_set.draft_enabled:
                self._discard(conn, row[ADMIN_KEY])
            else:
                self._delete_drafts(conn, entity_set, [row])
                self._touch(conn, row[ADMIN_KEY], request.user.id)

        await self.dispatcher.database.write(work)
        return Response(204, b"", {"odata-version": "4.0"})

    # --- draftPrepare / draftActivate ---------------------------------------------------------

    async def prepare(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        entity_set = self._bound(resolved, root=False, active=False)
        keys = _stored_keys(entity_set, resolved.keys)

        def work(conn: sa.Connection) -> None:
            row = self._owned_draft(conn, entity_set, keys, request.user.id)
            auth.authorize(self.dispatcher.service, entity_set, "UPDATE", request.user)
            self.handlers.run("before", Context("draftPrepare", entity_set, request.user, conn, data=row, keys=keys))

        await self.dispatcher.database.write(work)
        return await self._entity(request, resolved, entity_set, keys, "draft", options, 200, {}, messages=False)

    async def activate(self, request: Request, resolved: Resolved, options: ast.QueryOptions) -> Response:
        entity_set = self._bound(resolved, root=True, active=False)
        keys = _stored_keys(entity_set, resolved.keys)

        def work(conn: sa.Connection) -> None:
            row = self._row(conn, self.storage.drafts[entity_set.name], entity_set, keys)
            if row is None:
                raise NotFound("No draft for this entity exists", code="DRAFT_NOT_EXISTING")
            self._check_owner(conn, row[ADMIN_KEY], request.user.id)
            auth.authorize(self.dispatcher.service, entity_set, "UPDATE", request.user)
            context = Context("SAVE", entity_set, request.user, conn, data=row, keys=keys)
            self.handlers.run("before", context)
            now = now_utc()
            self._activate_rows(conn, entity_set, [row], request, now)
            self._discard(conn, row[ADMIN_KEY])
            self.handlers.run("after", context)

        await self.dispatcher.database.write(work)
        location = f"{resolved.context_prefix}{entity_set.name}({_key_text(entity_set, keys, True)})"
        return await self._entity(request, resolved, entity_set, keys, "active", options, 200, {"location": location})

    # --- helpers: lookups and locks -------------------------------------------------------------

    def _bound(self, resolved: Resolved, *, root: bool, active: bool) -> EntitySet:
        entity_set = resolved.entity_set
        if resolved.keys.get("IsActiveEntity") is not active or (root and not entity_set.draft_enabled):
            side = "an active" if active else "a draft"
            raise BadRequest(f"{resolved.action} must be called on {side} {'root ' if root else ''}entity")
        return entity_set

    @staticmethod
    def _row(conn: sa.Connection, table: sa.Table, entity_set: EntitySet, keys: Row) -> Row | None:
        found = conn.execute(sa.select(table).where(_match(table, entity_set, keys))).mappings().first()
        return dict(found) if found else None

    def _first_draft(self, conn: sa.Connection, target: Target) -> Row:
        """The draft row a navigation path starts from, whoever owns it (the lock is checked next)."""
        scope = self.dispatcher.store.scope(target.entity_set, "draft", ALL_DRAFTS)
        stmt = sa.select(scope.table).where(*target.where(scope))
        found = conn.execute(stmt).mappings().first()
        if found is None:
            raise NotFound("Not Found", code="404")
        return dict(found)

    def _owned_draft(self, conn: sa.Connection, entity_set: EntitySet, keys: Row, user: str) -> Row:
        row = self._row(conn, self.storage.drafts[entity_set.name], entity_set, keys)
        if row is None:
            raise NotFound("Not Found", code="404")
        self._check_owner(conn, row[ADMIN_KEY], user)
        return row

    def _lock(self, conn: sa.Connection, draft_uuid: str) -> state.Lock | None:
        admin = self.storage.admin
        found = conn.execute(sa.select(admin).where(admin.c.DraftUUID == draft_uuid)).mappings().first()
        if found is None:
            return None
        return state.Lock(found["InProcessByUser"] or "", found["LastChangeDateTime"] or found["CreationDateTime"])

    def _check_owner(self, conn: sa.Connection, draft_uuid: str, user: str) -> None:
        lock = self._lock(conn, draft_uuid)
        if lock is not None:
            state.check_owner(lock, user, now_utc(), self.timeout)

    def _new_admin(self, conn: sa.Connection, user: str) -> str:
        draft_uuid, now = str(uuid.uuid4()), now_utc()
        conn.execute(
            self.storage.admin.insert().values(
                DraftUUID=draft_uuid,
                CreationDateTime=now,
                CreatedByUser=user,
                LastChangeDateTime=now,
                LastChangedByUser=user,
                InProcessByUser=user,
            )
        )
        return draft_uuid

    def _touch(self, conn: sa.Connection, draft_uuid: str, user: str) -> None:
        admin = self.storage.admin
        conn.execute(
            admin.update()
            .where(admin.c.DraftUUID == draft_uuid)
            .values(LastChangeDateTime=now_utc(), LastChangedByUser=user)
        )

    # --- helpers: copying documents ------------------------------------------------------------

    def _compositions(self, entity_set: EntitySet) -> list[tuple[NavigationProperty, EntitySet, list[tuple[str, str]]]]:
        result = []
        for nav in entity_set.navigation:
            if nav.composition and not nav.virtual:
                child = self.dispatcher.store.model.entity_set(nav.target)
                back = child.member(nav.partner or "")
                assert isinstance(back, NavigationProperty) and back.constraints
                result.append((nav, child, list(back.constraints)))
        return result

    def _children(
        self, conn: sa.Connection, table: sa.Table, pairs: list[tuple[str, str]], parents: list[Row]
    ) -> list[Row]:
        if not parents:
            return []
        condition = sa.or_(*(sa.and_(*(table.c[fk] == p[key] for fk, key in pairs)) for p in parents))
        return [dict(r) for r in conn.execute(sa.select(table).where(condition)).mappings()]

    def _copy_to_draft(self, conn: sa.Connection, entity_set: EntitySet, rows: list[Row], draft_uuid: str) -> None:
        if not rows:
            return
        table = self.storage.drafts[entity_set.name]
        conn.execute(table.insert(), [{**r, "HasActiveEntity": True, ADMIN_KEY: draft_uuid} for r in rows])
        for _, child, pairs in self._compositions(entity_set):
            children = self._children(conn, self.storage.active(child), pairs, rows)
            self._copy_to_draft(conn, child, children, draft_uuid)

    def _activate_rows(
        self, conn: sa.Connection, entity_set: EntitySet, drafts: list[Row], request: Request, now: dt.datetime
    ) -> None:
        active = self.storage.active(entity_set)
        for draft in drafts:
            values = {c.name: draft[c.name] for c in active.c}
            values |= managed_update(entity_set, {}, request.user, now)
            keys = {p.column_name: draft[p.column_name] for p in entity_set.stored_keys}
            if draft["HasActiveEntity"]:
                conn.execute(active.update().where(_match(active, entity_set, keys)).values(values))
            else:
                conn.execute(active.insert().values(values))
        for _, child, pairs in self._compositions(entity_set):
            draft_children = self._children(conn, self.storage.drafts[child.name], pairs, drafts)
            kept = {_key_of(child, r) for r in draft_children}
            gone = [
                r
                for r in self._children(conn, self.storage.active(child), pairs, drafts)
                if _key_of(child, r) not in kept
            ]
            if gone:
                self.writer._delete_rows(
                    conn, child, [{p.column_name: r[p.column_name] for p in child.stored_keys} for r in gone]
                )
            self._activate_rows(conn, child, draft_children, request, now)

    def _delete_drafts(self, conn: sa.Connection, entity_set: EntitySet, rows: list[Row]) -> None:
        for _, child, pairs in self._compositions(entity_set):
            self._delete_drafts(conn, child, self._children(conn, self.storage.drafts[child.name], pairs, rows))
        table = self.storage.drafts[entity_set.name]
        for row in rows:
            conn.execute(table.delete().where(_match(table, entity_set, row)))

    def _discard(self, conn: sa.Connection, draft_uuid: str) -> None:
        for table in self.storage.drafts.values():
            conn.execute(table.delete().where(table.c[ADMIN_KEY] == draft_uuid))
        conn.execute(self.storage.admin.delete().where(self.storage.admin.c.DraftUUID == draft_uuid))

    # --- responses ---------------------------------------------------------------------------

    async def _entity(
        self,
        request: Request,
        resolved: Resolved,
        entity_set: EntitySet,
        keys: Row,
        view: str,
        options: ast.QueryOptions,
        status: int,
        headers: dict[str, str],
        prefix: str | None = None,
        messages: bool = True,
    ) -> Response:
        flag = {"IsActiveEntity": view == "active"}
        target = Target(
            entity_set,
            [key_condition(entity_set, keys | flag)],
            single=True,
            view=view,  # type: ignore[arg-type]
            user=request.user.id,
        )
        page = await self.dispatcher.database.read(lambda conn: self.dispatcher.store.read(conn, target, options))
        if not page.rows:
            raise NotFound("Not Found", code="404")
        writer = EntityWriter(self.dispatcher.service_entity_set)
        context_prefix = resolved.context_prefix if prefix is None else prefix
        document: dict[str, Any] = {"@odata.context": f"{context_prefix}$metadata#{entity_set.name}/$entity"}
        document.update(writer.entity(entity_set, page.rows[0], options))
        if messages:
            add_draft_messages(entity_set, page.rows[0], document)
        response = json_response(status, document)
        response.headers.update(headers)
        return response


def add_draft_messages(entity_set: EntitySet, row: Row, document: dict[str, Any]) -> None:
    """CAP answers every draft row (not active ones) with its `DraftMessages`, selected or not."""
    if entity_set.is_draft and row.get("IsActiveEntity") in (False, 0):
        document["DraftMessages"] = []


def _on_draft(resolved: Resolved) -> bool:
    return resolved.entity_set.is_draft and resolved.target.view == "draft"


def _stored_keys(entity_set: EntitySet, keys: Row) -> Row:
    return {p.column_name: keys[p.name] for p in entity_set.stored_keys}


def _key_of(entity_set: EntitySet, row: Row) -> tuple[Any, ...]:
    return tuple(row[p.column_name] for p in entity_set.stored_keys)


def _match(table: sa.Table, entity_set: EntitySet, keys: Row) -> sa.ColumnElement[bool]:
    return sa.and_(*(table.c[p.column_name] == keys[p.column_name] for p in entity_set.stored_keys))


def _replaceable(entity_set: EntitySet) -> list[Any]:
    return [
        p
        for p in entity_set.properties
        if not (p.key or p.computed or p.virtual or p.collection or p.immutable or p.managed)
    ]


def _key_text(entity_set: EntitySet, keys: Row, active: bool) -> str:
    parts = [f"{p.name}={keys[p.column_name]}" for p in entity_set.stored_keys]
    return ",".join([*parts, f"IsActiveEntity={'true' if active else 'false'}"])
