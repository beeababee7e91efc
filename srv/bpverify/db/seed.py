"""Create missing tables and load the seed CSVs (CAP's `db/data/<namespace>-<Entity>.csv`).

Like `cds deploy` to SQLite: a table is seeded only when it is created, so a restart
never duplicates rows. Seeded rows get CAP's managed values (now, `anonymous`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from odata4.edm.model import EntitySet, Property, Service
from odata4.sql.tables import Tables, for_dialect

log = logging.getLogger(__name__)


@contextlib.contextmanager
def deploy_lock(engine: sa.Engine) -> Iterator[None]:
    """One instance at a time creates and seeds the tables: instances started together (`cf push` with
    several instances, a scale-out) would otherwise race on CREATE TABLE and seed the rows twice.

    PostgreSQL: a session advisory lock for the schema. SQLite is one process's file in development;
    on HANA the HDI deployer creates the tables, never the service."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        key = sa.func.hashtext(sa.func.current_schema() + sa.literal(":bpverify-deploy"))
        conn.execute(sa.select(sa.func.pg_advisory_lock(key)))
        try:
            yield
        finally:
            conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
            conn.commit()


def deploy(engine: sa.Engine, service: Service, tables: Tables, data_dir: Path) -> None:
    inspector = sa.inspect(engine)
    existing = set(inspector.get_table_names())
    created = [t for t in tables.metadata.sorted_tables if t.name not in existing]
    _add_missing_indexes(engine, inspector, [t for t in tables.metadata.sorted_tables if t.name in existing])
    if not created:
        return
    tables.metadata.create_all(engine, tables=created)
    names = {t.name for t in created}
    with engine.begin() as conn:
        for entity_set in service.entity_sets:
            if entity_set.table in names:
                _load(conn, entity_set, tables[entity_set.name], data_dir)


def _add_missing_indexes(engine: sa.Engine, inspector: sa.Inspector, tables: list[sa.Table]) -> None:
    """Indexes the model gained after the tables were created (a newer version of the service).

    An index only speeds reads up: one that cannot be created is logged, never a failed start."""
    for table in tables:
        existing = inspector.get_indexes(table.name)
        columns = [[c for c in i["column_names"] if c is not None] for i in existing]
        names = {i["name"] for i in existing}
        for index in table.indexes:
            if not for_dialect(index, engine.dialect.name) or _column_names(index) in columns:
                continue
            if index.name in names:
                log.warning("index %s differs from the model; drop it to have it created anew", index.name)
                continue
            try:
                index.create(engine)
            except sa.exc.DBAPIError as error:
                log.warning("could not create index %s: %s", index.name, type(error.orig).__name__)
            else:
                log.info("created index %s", index.name)


def _column_names(index: sa.Index) -> list[str]:
    names = []
    for expression in index.expressions:
        while not isinstance(expression, sa.Column) and hasattr(expression, "element"):
            expression = expression.element  # `column ASC NULLS FIRST` -> column
        names.append(str(getattr(expression, "name", expression)))
    return names


def _csv_for(entity_set: EntitySet, data_dir: Path) -> Path | None:
    assert entity_set.table is not None
    for path in data_dir.glob("*.csv"):
        if path.stem.replace(".", "_").replace("-", "_") == entity_set.table:
            return path
    return None


def _load(conn: sa.Connection, entity_set: EntitySet, table: sa.Table, data_dir: Path) -> None:
    path = _csv_for(entity_set, data_dir)
    if path is None:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [_row(entity_set, record, now) for record in csv.DictReader(handle, delimiter=";")]
    if rows:
        conn.execute(table.insert(), rows)
    log.info("seeded %s with %d rows from %s", table.name, len(rows), path.name)


def _row(entity_set: EntitySet, record: dict[str, str], now: dt.datetime) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for prop in entity_set.properties:
        if prop.virtual or prop.collection:
            continue
        if prop.managed in ("createdAt", "modifiedAt"):
            row[prop.column_name] = now
        elif prop.managed in ("createdBy", "modifiedBy"):
            row[prop.column_name] = "anonymous"
        elif prop.name in record:
            row[prop.column_name] = parse_csv_value(prop, record[prop.name])
        else:
            row[prop.column_name] = prop.default
    return row


def parse_csv_value(prop: Property, text: str) -> Any:
    if text == "":
        return None
    if prop.type == "Edm.Boolean":
        return text.strip().lower() == "true"
    if prop.type in ("Edm.Int32", "Edm.Int16", "Edm.Int64", "Edm.Byte"):
        return int(text)
    if prop.type == "Edm.DateTimeOffset":
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC).replace(tzinfo=None)
    return text
