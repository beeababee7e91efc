"""INSERT, UPDATE and DELETE of entities, including deep insert and cascading delete
through compositions. Synchronous; runs inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from odata4.auth import User
from odata4.edm.model import EntitySet, NavigationProperty, Property
from odata4.errors import BadRequest
from odata4.format.input import parse_value
from odata4.sql.scope import Model
from odata4.sql.store import Target

Row = dict[str, Any]


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def parse_body(
    entity_set: EntitySet, body: Any, *, creating: bool, owner: str | None = None
) -> tuple[Row, dict[str, list[Any]]]:
    """Column values and nested composition payloads from a JSON object.

    Computed and virtual properties are ignored, as CAP ignores them; keys are kept only
    when creating, immutable properties too.
    """
    if isinstance(body, list) and owner is not None:  # CAP reads an array as an object with keys 0, 1, ...
        body = {str(i): v for i, v in enumerate(body)}
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    values: Row = {}
    nested: dict[str, list[Any]] = {}
    for name, value in body.items():
        if name.startswith("@"):
            continue
        member = entity_set.member(name)
        if member is None or (isinstance(member, Property) and not member.in_metadata):
            if owner is not None:  # CAP's wording for drafts, naming the draft entity as target
                raise BadRequest(f'Property "{name}" does not exist in {owner}', target=owner)
            raise BadRequest(f'Property "{name}" does not exist in "{entity_set.qualified_name}"', target=name)
        if isinstance(member, NavigationProperty):
            if not member.composition:
                raise BadRequest(f'Navigation property "{name}" cannot be written', target=name)
            nested[name] = value if isinstance(value, list) else [value]
            continue
        if member.virtual or member.computed or member.collection:
            continue
        if not creating and (member.key or member.immutable):
            continue
        values[member.name] = parse_value(member, value)
    return values, nested


def complete_for_insert(entity_set: EntitySet, values: Row, user: User, now: dt.datetime) -> Row:
    row: Row = {}
    for prop in entity_set.properties:
        if prop.virtual or prop.collection:
            continue
        if prop.managed is not None:
            row[prop.column_name] = now if prop.managed.endswith("At") else user.id
        elif prop.name in values:
            row[prop.column_name] = values[prop.name]
        elif prop.key and prop.type == "Edm.Guid":
            row[prop.column_name] = str(uuid.uuid4())
        elif prop.key:
            raise BadRequest(f'Key "{prop.name}" is missing', target=prop.name)
        else:
            row[prop.column_name] = prop.default
    return row


def require_values(entity_set: EntitySet, values: Row) -> None:
    """`Nullable="false"` properties among `values` (by property name) must have a value.

    Checked for active rows only (not in `complete_for_insert`): a draft may be incomplete.
    """
    for prop in entity_set.properties:
        if prop.name in values and values[prop.name] is None and not prop.nullable and not prop.virtual:
            raise BadRequest(f"Value is required for {prop.name}", code="ASSERT_NOT_NULL", target=prop.name)


def managed_update(entity_set: EntitySet, values: Row, user: User, now: dt.datetime) -> Row:
    row = {entity_set.member(k).column_name: v for k, v in values.items()}  # type: ignore[union-attr]
    for prop in entity_set.properties:
        if prop.managed == "modifiedAt":
            row[prop.column_name] = now
        elif prop.managed == "modifiedBy":
            row[prop.column_name] = user.id
    return row


class Writer:
    def __init__(self, model: Model) -> None:
        self.model = model

    def insert(
        self, conn: sa.Connection, entity_set: EntitySet, body: Any, user: User, parent: Row | None = None
    ) -> Row:
        values, nested = parse_body(entity_set, body, creating=True)
        if parent is not None:
            values.update(parent)
        row = complete_for_insert(entity_set, values, user, now_utc())
        require_values(entity_set, {p.name: row.get(p.column_name) for p in entity_set.properties})
        conn.execute(self.model.tables[entity_set.name].insert().values(row))
        for name, children in nested.items():
            nav = entity_set.member(name)
            assert isinstance(nav, NavigationProperty)
            self._insert_children(conn, entity_set, row, nav, children, user)
        return row

    def _insert_children(
        self,
        conn: sa.Connection,
        entity_set: EntitySet,
        row: Row,
        nav: NavigationProperty,
        children: list[Any],
        user: User,
    ) -> None:
        target = self.model.entity_set(nav.target)
        for child in children:
            self.insert(conn, target, child, user, parent=self.foreign_keys(entity_set, row, nav))

    def foreign_keys(self, entity_set: EntitySet, row: Row, nav: NavigationProperty) -> Row:
        """Values that relate a new child of `nav` to the parent `row`."""
        target = self.model.entity_set(nav.target)
        back = target.member(nav.partner or "")
        if not isinstance(back, NavigationProperty) or not back.constraints:
            raise BadRequest(f"cannot create entities through {nav.name!r}")
        return {local: row[_column(entity_set, remote)] for local, remote in back.constraints}

    def update(self, conn: sa.Connection, target: Target, body: Any, user: User, *, replace: bool) -> int:
        entity_set = target.entity_set
        values, nested = parse_body(entity_set, body, creating=False)
        if nested:
            raise BadRequest("deep update is not supported; update the related entities one by one")
        if replace:
            for prop in entity_set.properties:
                if _replaceable(prop) and prop.name not in values:
                    values[prop.name] = prop.default
            require_values(entity_set, values)
        table = self.model.tables[entity_set.name]
        keys = self._matching_keys(conn, target)
        if not keys:
            return 0
        row = managed_update(entity_set, values, user, now_utc())
        if row:  # nothing to set (`{}` on an entity without managed fields) is no SQL at all
            conn.execute(table.update().where(_key_match(table, entity_set, keys)).values(row))
        return len(keys)

    def delete(self, conn: sa.Connection, target: Target) -> int:
        keys = self._matching_keys(conn, target)
        if keys:
            self._delete_rows(conn, target.entity_set, keys)
        return len(keys)

    def _delete_rows(self, conn: sa.Connection, entity_set: EntitySet, keys: list[Row]) -> None:
        table = self.model.tables[entity_set.name]
        for nav in entity_set.navigation:
            if nav.composition and not nav.virtual:
                child_set = self.model.entity_set(nav.target)
                back = child_set.member(nav.partner or "")
                assert isinstance(back, NavigationProperty)
                child_table = self.model.tables[child_set.name]
                condition = sa.or_(
                    *(
                        sa.and_(
                            *(
                                child_table.c[local] == key[_column(entity_set, remote)]
                                for local, remote in back.constraints
                            )
                        )
                        for key in keys
                    )
                )
                children = [
                    dict(r._mapping)
                    for r in conn.execute(
                        sa.select(*(child_table.c[p.column_name] for p in child_set.stored_keys)).where(condition)
                    )
                ]
                if children:
                    self._delete_rows(conn, child_set, children)
        conn.execute(table.delete().where(_key_match(table, entity_set, keys)))

    def _matching_keys(self, conn: sa.Connection, target: Target) -> list[Row]:
        from odata4.sql.store import Store

        scope = Store(self.model).scope(target.entity_set)
        cols = [scope.column(p).label(p.column_name) for p in target.entity_set.stored_keys]
        stmt = sa.select(*cols).select_from(scope.table).where(*target.where(scope))
        return [dict(r._mapping) for r in conn.execute(stmt)]


def _replaceable(prop: Property) -> bool:
    return not (prop.key or prop.computed or prop.virtual or prop.collection or prop.immutable or prop.managed)


def _column(entity_set: EntitySet, name: str) -> str:
    member = entity_set.member(name)
    assert isinstance(member, Property)
    return member.column_name


def _key_match(table: sa.Table, entity_set: EntitySet, keys: list[Row]) -> Any:
    return sa.or_(
        *(sa.and_(*(table.c[p.column_name] == key[p.column_name] for p in entity_set.stored_keys)) for key in keys)
    )
