"""SQLAlchemy tables derived from the entity model: one table per stored entity set.

Column names are the EDM property names (CAP does the same), so contract, database and
wire share one vocabulary. Types are chosen to mean the same on SQLite, PostgreSQL and
SAP HANA: UUIDs are strings of 36 characters, timestamps are naive UTC.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odata4.edm.model import EntitySet, Property, Service

_SIMPLE: dict[str, sa.types.TypeEngine[Any]] = {
    "Edm.Boolean": sa.Boolean(),
    "Edm.Byte": sa.SmallInteger(),
    "Edm.SByte": sa.SmallInteger(),
    "Edm.Int16": sa.SmallInteger(),
    "Edm.Int32": sa.Integer(),
    "Edm.Int64": sa.BigInteger(),
    "Edm.Double": sa.Float(),
    "Edm.Single": sa.Float(),
    "Edm.Date": sa.Date(),
    "Edm.TimeOfDay": sa.Time(),
    "Edm.DateTimeOffset": sa.DateTime(),
    "Edm.Guid": sa.String(36),
}


def column_type(prop: Property) -> sa.types.TypeEngine[Any]:
    if prop.type == "Edm.String":
        return sa.Unicode(prop.max_length or 5000)
    if prop.type == "Edm.Decimal":
        return sa.Numeric(prop.precision, prop.scale)
    try:
        return _SIMPLE[prop.type]
    except KeyError:
        raise ValueError(f"no column type for {prop.type} ({prop.name})") from None


def stored_properties(entity_set: EntitySet) -> list[Property]:
    return [p for p in entity_set.properties if not p.virtual and not p.collection]


def build_table(entity_set: EntitySet, metadata: sa.MetaData) -> sa.Table:
    assert entity_set.table is not None
    columns = [
        sa.Column(p.column_name, column_type(p), primary_key=p.key, nullable=not p.key)
        for p in stored_properties(entity_set)
    ]
    return sa.Table(entity_set.table, metadata, *columns)


class Tables:
    """The tables of a service, looked up by entity set name."""

    def __init__(self, service: Service, metadata: sa.MetaData | None = None) -> None:
        self.metadata = metadata if metadata is not None else sa.MetaData()
        self._by_set: dict[str, sa.Table] = {}
        for entity_set in service.entity_sets:
            if entity_set.table is not None:
                self._by_set[entity_set.name] = build_table(entity_set, self.metadata)
        self._add_foreign_key_indexes(service)
        self._add_declared_indexes(service)

    def _add_declared_indexes(self, service: Service) -> None:
        for entity_set in service.entity_sets:
            table = self._by_set.get(entity_set.name)
            if table is None:
                continue
            keys = [p.column_name for p in entity_set.stored_keys]
            for names in entity_set.indexes:
                # reads are ordered by the keys last (stable paging): so is the index
                cols = [table.c[n] for n in dict.fromkeys([*names, *keys])]
                name = f"{table.name}_{'_'.join(names)}"
                sa.Index(name, *cols, info={"skip_on": "postgresql"}).ddl_if(callable_=_not_postgresql)
                # OData sorts nulls first in ascending order, as SQLite and HANA do by themselves;
                # PostgreSQL's index must say so, or `ORDER BY ... NULLS FIRST` cannot use it
                ordered = [*(table.c[n].asc().nulls_first() for n in names), *cols[len(names) :]]
                sa.Index(name, *ordered, info={"only_on": "postgresql"}).ddl_if(dialect="postgresql")

    def _add_foreign_key_indexes(self, service: Service) -> None:
        # to-many navigation joins on the partner's foreign key: index it
        for entity_set in service.entity_sets:
            for nav in entity_set.navigation:
                table = self._by_set.get(entity_set.name)
                if table is not None and nav.constraints and all(local in table.c for local, _ in nav.constraints):
                    cols = [table.c[local] for local, _ in nav.constraints]
                    sa.Index(f"{table.name}_{nav.name}", *cols)

    def __getitem__(self, entity_set: str) -> sa.Table:
        return self._by_set[entity_set]

    def __contains__(self, entity_set: str) -> bool:
        return entity_set in self._by_set


def _not_postgresql(
    ddl: Any,
    target: Any,
    bind: Any,
    tables: Any = None,
    state: Any = None,
    *,
    dialect: sa.Dialect,
    compiler: Any = None,
    checkfirst: bool = False,
) -> bool:
    return dialect.name != "postgresql"


def for_dialect(index: sa.Index, dialect: str) -> bool:
    """Whether `index` is created on databases of `dialect` (some exist in a form per dialect)."""
    return bool(index.info.get("only_on", dialect) == dialect and index.info.get("skip_on") != dialect)
