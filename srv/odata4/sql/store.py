"""Reads and writes of entity sets on one SQLAlchemy connection (synchronous).

The OData dispatcher runs these functions in a worker thread (see `odata4.database`), so
database I/O never blocks the event loop, whatever the driver: hdbcli has no async API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from odata4.edm.model import EntitySet, NavigationProperty, Property
from odata4.errors import BadRequest
from odata4.sql import read
from odata4.sql.plans import PlanCache
from odata4.sql.scope import Model, Scope, View
from odata4.sql.search import compile_search
from odata4.uri import ast

Condition = Callable[[Scope], sa.ColumnElement[bool]]
Row = dict[str, Any]


@dataclass
class Page:
    rows: list[Row]
    count: int | None = None
    next_skip: int | None = None
    view: View = "all"  # the rows of a draft-enabled set this page was read from


@dataclass(frozen=True)
class _ReadPlan:
    """The statements of one read, built once per shape of request (see `odata4.sql.plans`)."""

    scope: Scope
    selection: read.Selection
    count: sa.Select[Any] | None
    page: sa.Select[Any]


@dataclass
class Target:
    """The rows a resource path addresses: an entity set narrowed by conditions.

    `view` says which rows of a draft-enabled set are meant (None: decided by the query),
    `user` whose drafts are visible.
    """

    entity_set: EntitySet
    conditions: list[Condition] = field(default_factory=list)
    single: bool = False
    view: View | None = None
    user: str | None = None

    def where(self, scope: Scope) -> list[sa.ColumnElement[bool]]:
        return [c(scope) for c in self.conditions]


@dataclass(frozen=True)
class KeyCondition:
    """`key = value` for each given key property."""

    entity_set: EntitySet
    values: dict[str, Any]

    def __call__(self, scope: Scope) -> sa.ColumnElement[bool]:
        return self._condition(scope, named=False)

    def with_parameters(self, scope: Scope) -> sa.ColumnElement[bool]:
        """The same with the values as parameters named after the properties (`params`), so that the
        statement built for one key serves every other. One such condition per statement."""
        return self._condition(scope, named=True)

    def _condition(self, scope: Scope, named: bool) -> sa.ColumnElement[bool]:
        parts = []
        for name, value in self.values.items():
            prop = self.entity_set.member(name)
            assert isinstance(prop, Property)
            value_type = _literal_type(prop)
            bound = sa.bindparam(f"key_{name}", value, type_=value_type) if named else sa.literal(value, value_type)
            parts.append(scope.column(prop) == bound)
        return sa.and_(*parts)

    @property
    def params(self) -> dict[str, Any]:
        return {f"key_{name}": value for name, value in self.values.items()}


def key_condition(entity_set: EntitySet, values: dict[str, Any]) -> Condition:
    return KeyCondition(entity_set, values)


def _literal_type(prop: Property) -> Any:
    return sa.Boolean() if prop.type == "Edm.Boolean" else None


def navigation_condition(parent: Target, nav: NavigationProperty) -> Condition:
    """Rows of `nav`'s target related to any row of `parent`."""

    def condition(scope: Scope) -> sa.ColumnElement[bool]:
        outer = scope.child(parent.entity_set)
        if parent.view is not None and parent.entity_set.is_draft:
            outer = Scope(
                scope.model,
                parent.entity_set,
                scope.model.from_clause(parent.entity_set, parent.view, scope.user).alias(),
                view=parent.view,
                user=scope.user,
            )
        return sa.exists().select_from(outer.table).where(*parent.where(outer), outer.join_condition(nav, scope))

    return condition


class Store:
    def __init__(self, model: Model, max_page_size: int = 1000) -> None:
        self.model = model
        self.max_page_size = max_page_size
        self._aliases: dict[sa.FromClause, sa.FromClause] = {}
        self._plans: PlanCache[Any] = PlanCache()

    def scope(
        self, entity_set: EntitySet, view: View = "all", user: str | None = None, draft_free: bool = False
    ) -> Scope:
        source = self.model.from_clause(entity_set, view, user)
        table = self._aliases.get(source)  # an alias is immutable: one per source serves every query
        if table is None:
            table = source.alias("t0")
            if len(self._aliases) >= 1024:
                self._aliases.pop(next(iter(self._aliases)))
            self._aliases[source] = table
        return Scope(self.model, entity_set, table, view=view, user=user, draft_free=draft_free)

    def target_scope(
        self, target: Target, options: ast.QueryOptions | None = None, conn: sa.Connection | None = None
    ) -> Scope:
        view, draft_free = self._view(target, options, conn)
        return self.scope(target.entity_set, view, target.user, draft_free)

    def _view(self, target: Target, options: ast.QueryOptions | None, conn: sa.Connection | None) -> tuple[View, bool]:
        """The view a read of `target` needs, and whether it was narrowed because the user has no drafts."""
        view = target.view or _implied_view(target.entity_set, options)
        sources = self.model.sources
        if view == "all" and conn is not None and sources is not None:
            # both sides of a draft document, for a user without drafts: the active side is all there is
            narrowed = sources.narrow(conn, target.entity_set, view, target.user)
            return narrowed, narrowed != view
        return view, False

    # --- reads -------------------------------------------------------------------------

    def read(self, conn: sa.Connection, target: Target, options: ast.QueryOptions) -> Page:
        token = _skiptoken(options.skiptoken)  # rows that earlier pages delivered after $skip
        skip = (options.skip or 0) + token
        if skip > MAX_OFFSET:  # more than any database takes as OFFSET (SQLite: OverflowError)
            raise BadRequest("$skip and $skiptoken skip more rows than there can be")
        # $top counts from the first page: a page a next link leads to delivers what is left of it
        wanted = None if options.top is None else max(options.top - token, 0)
        limit = self.max_page_size if wanted is None else min(wanted, self.max_page_size)
        view, draft_free = self._view(target, options, conn)
        params: dict[str, Any] = {}
        (key,) = target.conditions if len(target.conditions) == 1 else (None,)
        if not target.conditions or isinstance(key, KeyCondition):  # a collection, or an entity by its key
            if isinstance(key, KeyCondition):
                params = key.params  # the statement takes the key values as parameters
            keys = tuple(key.values) if isinstance(key, KeyCondition) else None
            shape = (target.entity_set.name, view, draft_free, target.user, target.single, keys, ast.shape(options))
            plan = self._plans.get(
                ("read", *shape), lambda: self._read_plan(target, options, view, draft_free, skip, limit, named=True)
            )
        else:  # navigation conditions are closures over their values: built anew
            plan = self._read_plan(target, options, view, draft_free, skip, limit)
        count = int(conn.execute(plan.count, params).scalar_one()) if plan.count is not None else None
        rows = [dict(r._mapping) for r in conn.execute(plan.page, params)]
        next_skip = None
        if not target.single and len(rows) > limit:
            rows = rows[:limit]
            if wanted is None or wanted > limit:
                next_skip = token + limit  # the link keeps $skip, so the token must not count it
        self.expand(conn, target.entity_set, rows, plan.selection.expand, plan.scope)
        return Page(rows, count, next_skip, plan.scope.view)

    def _read_plan(
        self,
        target: Target,
        options: ast.QueryOptions,
        view: View,
        draft_free: bool,
        skip: int,
        limit: int,
        *,
        named: bool = False,
    ) -> _ReadPlan:
        scope = self.scope(target.entity_set, view, target.user, draft_free)
        where = [
            c.with_parameters(scope) if named and isinstance(c, KeyCondition) else c(scope) for c in target.conditions
        ]
        selection = read.resolve_selection(target.entity_set, options)
        base = sa.select(*read.columns(scope, selection.fetch)).select_from(scope.table)
        base = read.apply_filter(base.where(*where), scope, options, compile_search)
        count = None
        if options.count:  # counts rows without computing the selected columns
            count = sa.select(sa.func.count()).select_from(scope.table).where(*where)
            count = read.apply_filter(count, scope, options, compile_search)
        stmt = read.stable_order(read.apply_order(base, scope, options), scope)
        stmt = stmt.offset(skip).limit(limit + 1) if not target.single else stmt.limit(2)
        return _ReadPlan(scope, selection, count, stmt)

    def exists(self, conn: sa.Connection, target: Target) -> bool:
        scope = self.target_scope(target)
        stmt = sa.select(sa.literal(1)).select_from(scope.table).where(*target.where(scope)).limit(1)
        return conn.execute(stmt).first() is not None

    def count(self, conn: sa.Connection, target: Target, options: ast.QueryOptions) -> int:
        scope = self.target_scope(target, options, conn)
        base = sa.select(sa.literal(1)).select_from(scope.table).where(*target.where(scope))
        return self._count(conn, read.apply_filter(base, scope, options, compile_search))

    @staticmethod
    def _count(conn: sa.Connection, base: sa.Select[Any]) -> int:
        return int(conn.execute(sa.select(sa.func.count()).select_from(base.order_by(None).subquery())).scalar_one())

    def expand(
        self,
        conn: sa.Connection,
        entity_set: EntitySet,
        rows: list[Row],
        items: Sequence[tuple[NavigationProperty, ast.QueryOptions]],
        parent: Scope | None = None,
    ) -> None:
        parent = parent or self.scope(entity_set)
        for nav, options in items:
            if nav.virtual:
                for row in rows:
                    row[nav.name] = [] if nav.collection else None
                continue
            if nav.collection:
                self._expand_many(conn, parent, rows, nav, options)
            else:
                self._expand_one(conn, parent, rows, nav, options)

    def _expand_one(
        self, conn: sa.Connection, parent: Scope, rows: list[Row], nav: NavigationProperty, options: ast.QueryOptions
    ) -> None:
        target_set = self.model.entity_set(nav.target)
        pairs = [*nav.constraints, *_draft_pairs(parent.entity_set, target_set)]
        locals_ = [local for local, _ in pairs]
        remotes = [remote for _, remote in pairs]
        keys = sorted({read.key_tuple(r, locals_) for r in rows if None not in read.key_tuple(r, locals_)}, key=str)
        found: dict[tuple[Any, ...], Row] = {}
        for chunk in read.chunks(keys):
            for child in self._related(conn, parent, target_set, remotes, chunk, options):
                found[read.key_tuple(child, remotes)] = child
        for row in rows:
            row[nav.name] = found.get(read.key_tuple(row, locals_))

    def _expand_many(
        self, conn: sa.Connection, parent: Scope, rows: list[Row], nav: NavigationProperty, options: ast.QueryOptions
    ) -> None:
        target_set = self.model.entity_set(nav.target)
        back = target_set.member(nav.partner or "")
        assert isinstance(back, NavigationProperty) and back.constraints
        pairs = [*back.constraints, *_draft_pairs(target_set, parent.entity_set)]
        fks = [local for local, _ in pairs]
        parent_keys = [remote for _, remote in pairs]
        keys = sorted({read.key_tuple(r, parent_keys) for r in rows}, key=str)
        groups: dict[tuple[Any, ...], list[Row]] = {k: [] for k in keys}
        for chunk in read.chunks(keys):
            for child in self._related(conn, parent, target_set, fks, chunk, options):
                groups[read.key_tuple(child, fks)].append(child)
        skip, top = options.skip or 0, options.top
        for row in rows:
            children = groups.get(read.key_tuple(row, parent_keys), [])
            if options.count:
                row[f"{nav.name}@odata.count"] = len(children)
            row[nav.name] = children[skip : None if top is None else skip + top]

    def _related(
        self,
        conn: sa.Connection,
        parent: Scope,
        target_set: EntitySet,
        match: list[str],
        keys: Sequence[tuple[Any, ...]],
        options: ast.QueryOptions,
    ) -> list[Row]:
        """Rows of `target_set` whose `match` columns equal one of `keys`, with nested options."""
        varying = _varying_column(keys)
        if varying is None:  # several columns vary: an OR of ANDs with the values in it
            plan = self._related_plan(parent, target_set, match, options, keys=keys)
            params: dict[str, Any] = {}
        else:  # `column IN (...)` and the other columns equal one value: a statement for every read
            shape = (parent.entity_set.name, parent.view, parent.user, target_set.name, tuple(match), varying)
            plan = self._plans.get(
                ("related", *shape, ast.shape(options)),
                lambda: self._related_plan(parent, target_set, match, options, varying=varying),
            )
            params = {f"m{i}": value for i, value in enumerate(keys[0]) if i != varying}
            params["keys"] = [k[varying] for k in keys]
        found = [dict(r._mapping) for r in conn.execute(plan.page, params)]
        self.expand(conn, target_set, found, plan.selection.expand, plan.scope)
        return found

    def _related_plan(
        self,
        parent: Scope,
        target_set: EntitySet,
        match: list[str],
        options: ast.QueryOptions,
        *,
        varying: int | None = None,
        keys: Sequence[tuple[Any, ...]] = (),
    ) -> _ReadPlan:
        scope = parent.child(target_set)
        selection = read.resolve_selection(target_set, options, nested=True)
        props = list(selection.fetch)
        for name in match:
            prop = target_set.member(name)
            if isinstance(prop, Property) and prop not in props:
                props.append(prop)
        stmt = sa.select(*read.columns(scope, props)).select_from(scope.table)
        match_cols = [scope.column(_prop(target_set, m)) for m in match]
        if varying is not None:
            stmt = stmt.where(
                *(c == sa.bindparam(f"m{i}") for i, c in enumerate(match_cols) if i != varying),
                match_cols[varying].in_(sa.bindparam("keys", expanding=True)),
            )
        else:  # row-value IN is not available on every database
            stmt = stmt.where(sa.or_(*(sa.and_(*(c == v for c, v in zip(match_cols, k, strict=True))) for k in keys)))
        stmt = read.apply_filter(stmt, scope, options, compile_search)
        stmt = read.stable_order(read.apply_order(stmt, scope, options), scope)
        return _ReadPlan(scope, selection, None, stmt)


def _varying_column(keys: Sequence[tuple[Any, ...]]) -> int | None:
    """The one position where `keys` differ (0 if they never do), None if they differ in several."""
    first = keys[0]
    varying = [i for i in range(len(first)) if any(k[i] != first[i] for k in keys)]
    if len(varying) > 1:
        return None
    return varying[0] if varying else 0


def _draft_pairs(child: EntitySet, parent: EntitySet) -> list[tuple[str, str]]:
    """Within a draft document, related rows are on the same side (both active or both drafts)."""
    if child.is_draft and parent.is_draft:
        return [("IsActiveEntity", "IsActiveEntity")]
    return []


def _prop(entity_set: EntitySet, name: str) -> Property:
    member = entity_set.member(name)
    assert isinstance(member, Property)
    return member


MAX_OFFSET = 2**63 - 1


def _skiptoken(token: str | None) -> int:
    if token is None:
        return 0
    if not (token.isascii() and token.isdigit()):  # str.isdigit() also accepts '²'
        raise BadRequest(f"invalid $skiptoken {token!r}")
    return int(token)


def _implied_view(entity_set: EntitySet, options: ast.QueryOptions | None) -> View:
    """CAP's rule: a query of a draft-enabled set sees active rows unless it asks about
    `IsActiveEntity` itself (as Fiori's list filter does)."""
    if not entity_set.is_draft:
        return "all"
    if options is None or options.filter is None or not _mentions(options.filter, "IsActiveEntity"):
        return "active"
    flag = _required_flag(options.filter)
    if flag is None:
        return "all"
    return "active" if flag else "draft"


def _required_flag(expr: ast.Expr) -> bool | None:
    """The IsActiveEntity value a filter demands at its top level (`IsActiveEntity eq false and ...`)."""
    if isinstance(expr, ast.Binary) and expr.op == "and":
        left, right = _required_flag(expr.left), _required_flag(expr.right)
        return left if left is not None else right
    if (
        isinstance(expr, ast.Binary)
        and expr.op == "eq"
        and isinstance(expr.left, ast.Member)
        and expr.left.segments == ("IsActiveEntity",)
        and isinstance(expr.right, ast.Literal)
        and expr.right.kind == "boolean"
    ):
        return bool(expr.right.value)
    return None


def _mentions(expr: ast.Expr, name: str) -> bool:
    if isinstance(expr, ast.Member):
        return name in expr.segments
    if isinstance(expr, ast.Unary):
        return _mentions(expr.operand, name)
    if isinstance(expr, ast.Binary):
        return _mentions(expr.left, name) or _mentions(expr.right, name)
    if isinstance(expr, ast.In):
        return _mentions(expr.operand, name) or any(_mentions(v, name) for v in expr.values)
    if isinstance(expr, ast.Call):
        return any(_mentions(a, name) for a in expr.args)
    if isinstance(expr, ast.Lambda):
        return expr.predicate is not None and _mentions(expr.predicate, name)
    return False
