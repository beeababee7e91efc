"""Where drafts live and how queries see them.

Each draft-enabled entity set gets a shadow table `<table>_drafts` (same columns, plus
`HasActiveEntity` and the key of its `DraftAdministrativeData`), as CAP keeps drafts
apart from active data. Queries read one of three views (see `odata4.sql.scope.View`):

    active  the active table, with HasDraftEntity and the draft's admin key computed
    draft   the drafts the user may see: their own (others' drafts are invisible)
    all     both, as a UNION ALL: for queries about IsActiveEntity (Fiori's list filter)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from odata4.edm.drafts import DRAFT_ADMIN
from odata4.edm.model import EntitySet, NavigationProperty, Property, Service
from odata4.sql.scope import Scope, View
from odata4.sql.tables import Tables, column_type, stored_properties

ADMIN_KEY = "DraftAdministrativeData_DraftUUID"
# the `user` that sees every draft: for lock checks, which must find others' drafts too
ALL_DRAFTS = "\x00all-drafts"
DRAFT_COLUMNS = ("HasActiveEntity", ADMIN_KEY)


def prepare_model(service: Service) -> None:
    """Let `DraftAdministrativeData` be followed like an association, through a hidden key."""
    for entity_set in service.entity_sets:
        if not entity_set.is_draft or entity_set.member(ADMIN_KEY) is not None:
            continue
        entity_set.members.append(Property(ADMIN_KEY, "Edm.Guid", virtual=True, in_metadata=False))
        entity_set.reindex()
        admin = entity_set.member(DRAFT_ADMIN)
        assert isinstance(admin, NavigationProperty)
        admin.constraints = ((ADMIN_KEY, "DraftUUID"),)
        admin.virtual = False


class DraftStorage:
    """The draft tables, and the `Sources` that give queries their view of a draft document."""

    def __init__(self, service: Service, tables: Tables, lock_timeout: dt.timedelta = dt.timedelta(minutes=15)) -> None:
        self.service = service
        self.tables = tables
        self.lock_timeout = lock_timeout
        self.admin = tables[DRAFT_ADMIN]
        self._views: dict[tuple[str, str, str | None], sa.FromClause] = {}
        self._has_draft: dict[str, sa.Select[Any]] = {}
        self.drafts: dict[str, sa.Table] = {
            s.name: self._draft_table(s, tables.metadata) for s in service.entity_sets if s.is_draft and s.table
        }

    @staticmethod
    def _draft_table(entity_set: EntitySet, metadata: sa.MetaData) -> sa.Table:
        assert entity_set.table is not None
        columns = [sa.Column(p.column_name, column_type(p), primary_key=p.key) for p in stored_properties(entity_set)]
        columns += [
            sa.Column("HasActiveEntity", sa.Boolean(), nullable=False, default=False),
            sa.Column(ADMIN_KEY, sa.String(36), nullable=False, index=True),
        ]
        return sa.Table(f"{entity_set.table}_drafts", metadata, *columns)

    def active(self, entity_set: EntitySet) -> sa.Table:
        return self.tables[entity_set.name]

    # --- Sources ------------------------------------------------------------------------

    def source(self, entity_set: EntitySet, view: View, user: str | None) -> sa.FromClause | None:
        if entity_set.name != DRAFT_ADMIN and entity_set.name not in self.drafts:
            return None
        # views are immutable SQL fragments: build each once (per user where it depends on the user)
        key = (entity_set.name, view, None if view == "active" and entity_set.name != DRAFT_ADMIN else user)
        cached = self._views.get(key)
        if cached is None:
            cached = self._build(entity_set, view, user)
            if len(self._views) >= 1024:
                self._views.pop(next(iter(self._views)))
            self._views[key] = cached
        return cached

    def _build(self, entity_set: EntitySet, view: View, user: str | None) -> sa.FromClause:
        if entity_set.name == DRAFT_ADMIN:
            return self._admin_view(user)
        if view == "active":
            return self._active_view(entity_set).subquery()
        if view == "draft":
            return self._draft_view(entity_set, user).subquery()
        return sa.union_all(self._active_view(entity_set), self._draft_view(entity_set, user)).subquery()

    def join(self, outer: Scope, nav: NavigationProperty, inner: Scope) -> sa.ColumnElement[bool] | None:
        if nav.name != "SiblingEntity" or not outer.entity_set.is_draft:
            return None
        keys = [inner.column(p) == outer.column(p) for p in outer.entity_set.stored_keys]
        flag = _prop(outer.entity_set, "IsActiveEntity")
        return sa.and_(*keys, inner.column(flag) != outer.column(flag))

    def narrow(self, conn: sa.Connection, entity_set: EntitySet, view: View, user: str | None) -> View:
        """`all` is `active` while the user has no draft of this entity (one indexed lookup); the
        union of both sides costs a list report several times the plain active read."""
        table = self.drafts.get(entity_set.name)
        if view != "all" or table is None or user == ALL_DRAFTS:
            return view
        stmt = self._has_draft.get(entity_set.name)
        if stmt is None:  # built once: a statement memoizes its compilation cache key
            mine = sa.select(self.admin.c.DraftUUID).where(self.admin.c.InProcessByUser == sa.bindparam("user"))
            stmt = sa.select(table.c[ADMIN_KEY]).where(table.c[ADMIN_KEY].in_(mine)).limit(1)
            self._has_draft[entity_set.name] = stmt
        has_draft = conn.execute(stmt, {"user": user or ""}).first()
        return view if has_draft is not None else "active"

    def follow(self, outer: Scope, nav: NavigationProperty, path: tuple[str, ...]) -> Any | None:
        """`SiblingEntity/IsActiveEntity` (in Fiori's list filter) without reading the other side:
        an active row's sibling is the user's own draft of it, a draft's sibling its active row."""
        if nav.name != "SiblingEntity" or path != ("IsActiveEntity",) or outer.entity_set.name not in self.drafts:
            return None
        if outer.draft_free and outer.view == "active":
            return sa.null()  # no drafts of the user: no active row has a sibling
        entity_set = outer.entity_set
        flag, has_active = _prop(entity_set, "IsActiveEntity"), _prop(entity_set, "HasActiveEntity")
        drafts = self.drafts[entity_set.name].alias("own")
        mine = sa.select(self.admin.c.DraftUUID).where(self.admin.c.InProcessByUser == sa.literal(outer.user or ""))
        keys = entity_set.stored_keys
        if len(keys) == 1:  # uncorrelated: the database reads the user's drafts once, not once per row
            own = sa.select(drafts.c[keys[0].column_name]).where(drafts.c[ADMIN_KEY].in_(mine))
            own_draft: sa.ColumnElement[bool] = outer.column(keys[0]).in_(own)
        else:
            same = [drafts.c[p.column_name] == outer.column(p) for p in keys]
            own_draft = sa.exists().where(*same, drafts.c[ADMIN_KEY].in_(mine))
        return sa.case(
            (sa.and_(outer.column(flag), own_draft), sa.false()),
            (sa.and_(sa.not_(outer.column(flag)), outer.column(has_active)), sa.true()),
            else_=sa.null(),
        )

    # --- views --------------------------------------------------------------------------

    def _stored(self, entity_set: EntitySet, table: sa.Table) -> list[Any]:
        return [table.c[p.column_name].label(p.name) for p in stored_properties(entity_set)]

    def _same_key(self, entity_set: EntitySet, a: sa.FromClause, b: sa.FromClause) -> sa.ColumnElement[bool]:
        return sa.and_(*(a.c[p.column_name] == b.c[p.column_name] for p in entity_set.stored_keys))

    def _active_view(self, entity_set: EntitySet) -> sa.Select[Any]:
        active, draft = self.active(entity_set), self.drafts[entity_set.name].alias("sibling")
        sibling = sa.select(draft.c[ADMIN_KEY]).where(self._same_key(entity_set, draft, active)).scalar_subquery()
        return sa.select(
            *self._stored(entity_set, active),
            sa.literal(True, sa.Boolean()).label("IsActiveEntity"),
            sa.literal(False, sa.Boolean()).label("HasActiveEntity"),
            sa.exists().where(self._same_key(entity_set, draft, active)).label("HasDraftEntity"),
            sibling.label(ADMIN_KEY),
        )

    def _draft_view(self, entity_set: EntitySet, user: str | None) -> sa.Select[Any]:
        draft = self.drafts[entity_set.name]
        mine = sa.select(self.admin.c.DraftUUID).where(self.admin.c.InProcessByUser == sa.literal(user or ""))
        visible = sa.true() if user == ALL_DRAFTS else draft.c[ADMIN_KEY].in_(mine)
        return sa.select(
            *self._stored(entity_set, draft),
            sa.literal(False, sa.Boolean()).label("IsActiveEntity"),
            draft.c.HasActiveEntity.label("HasActiveEntity"),
            sa.literal(False, sa.Boolean()).label("HasDraftEntity"),
            draft.c[ADMIN_KEY].label(ADMIN_KEY),
        ).where(visible)

    def _admin_view(self, user: str | None) -> sa.FromClause:
        admin = self.admin
        me = sa.literal(user or "")
        return sa.select(
            *admin.c,
            (admin.c.CreatedByUser == me).label("DraftIsCreatedByMe"),
            (admin.c.InProcessByUser == me).label("DraftIsProcessedByMe"),
        ).subquery()


def _prop(entity_set: EntitySet, name: str) -> Property:
    member = entity_set.member(name)
    assert isinstance(member, Property)
    return member
