"""Name binding: which table alias and entity set a member path starts from.

A `Scope` is one FROM item of the query being built. Lambda variables (`a` in
`addresses/any(a: a/country eq 'US')`) open a child scope over the related table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import sqlalchemy as sa

from odata4.edm.model import EntitySet, NavigationProperty, Property, Service
from odata4.errors import BadRequest
from odata4.sql.tables import Tables

# computes a virtual property (no column) of an entity set from the row's table alias
VirtualColumns = Callable[[EntitySet, Property, sa.FromClause], sa.ColumnElement[Any]]


def constant_virtuals(entity_set: EntitySet, prop: Property, table: sa.FromClause) -> sa.ColumnElement[Any]:
    if prop.default is None:
        return sa.null()
    return sa.literal(prop.default, type_=sa.Boolean() if isinstance(prop.default, bool) else None)


# which rows of a draft-enabled entity set a query sees: active ones, drafts, or both
View = Literal["active", "draft", "all"]


class Sources(Protocol):
    """Where the rows of an entity set come from, when that is not simply its table."""

    def source(self, entity_set: EntitySet, view: View, user: str | None) -> sa.FromClause | None: ...

    def join(self, outer: Scope, nav: NavigationProperty, inner: Scope) -> sa.ColumnElement[bool] | None: ...

    def narrow(self, conn: sa.Connection, entity_set: EntitySet, view: View, user: str | None) -> View:
        """A cheaper view that yields the same rows right now (e.g. no drafts: only active rows)."""
        ...

    def follow(self, outer: Scope, nav: NavigationProperty, path: tuple[str, ...]) -> Any | None:
        """The value at `nav/path` for a row of `outer`, when it can be had without a subquery."""
        ...


@dataclass
class Model:
    """The service model together with its tables, shared by every query of a request."""

    service: Service
    tables: Tables
    virtuals: VirtualColumns = constant_virtuals
    sources: Sources | None = None

    def from_clause(self, entity_set: EntitySet, view: View, user: str | None) -> sa.FromClause:
        if self.sources is not None:
            source = self.sources.source(entity_set, view, user)
            if source is not None:
                return source
        return self.tables[entity_set.name]

    def entity_set(self, name: str) -> EntitySet:
        entity_set = self.service.entity_set(name)
        if entity_set is None:
            raise BadRequest(f"unknown entity set {name!r}")
        return entity_set


@dataclass
class Scope:
    model: Model
    entity_set: EntitySet
    table: sa.FromClause
    variables: dict[str, Scope] = field(default_factory=dict)
    view: View = "all"
    user: str | None = None
    # the user was found to have no drafts of this entity set when the query began (the view
    # was narrowed to the active rows for that reason): every row's SiblingEntity is null
    draft_free: bool = False

    def column(self, prop: Property) -> sa.ColumnElement[Any]:
        if prop.virtual:
            if prop.name in self.table.c:  # a view that computes it (drafts)
                return self.table.c[prop.name]
            return self.model.virtuals(self.entity_set, prop, self.table)
        return self.table.c[prop.column_name]

    def child(self, entity_set: EntitySet, variable: str | None = None, *, across: bool = False) -> Scope:
        # navigation stays on its side of a draft document (active to active, draft to
        # draft) unless it goes `across` to the other side, as SiblingEntity does
        same_document = self.entity_set.is_draft and entity_set.is_draft and not across
        view: View = self.view if same_document else "all"
        table = self.model.from_clause(entity_set, view, self.user).alias()
        scope = Scope(self.model, entity_set, table, dict(self.variables), view, self.user)
        if variable is not None:
            scope.variables[variable] = scope
        return scope

    def join_condition(self, nav: NavigationProperty, target: Scope) -> sa.ColumnElement[bool]:
        """The condition relating a row of this scope to the rows `nav` leads to."""
        if self.model.sources is not None:
            special = self.model.sources.join(self, nav, target)
            if special is not None:
                return special
        if nav.constraints:
            pairs = [
                (self.column(_prop(self.entity_set, local)), target.column(_prop(target.entity_set, remote)))
                for local, remote in nav.constraints
            ]
        elif nav.partner:
            back = target.entity_set.member(nav.partner)
            if not isinstance(back, NavigationProperty) or not back.constraints:
                raise BadRequest(f"navigation property {nav.name!r} cannot be followed")
            pairs = [
                (target.column(_prop(target.entity_set, local)), self.column(_prop(self.entity_set, remote)))
                for local, remote in back.constraints
            ]
        else:
            raise BadRequest(f"navigation property {nav.name!r} cannot be followed")
        return sa.and_(*(a == b for a, b in pairs))


def _prop(entity_set: EntitySet, name: str) -> Property:
    member = entity_set.member(name)
    assert isinstance(member, Property), f"{entity_set.name}.{name} is not a property"
    return member
