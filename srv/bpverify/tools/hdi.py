"""SAP HANA Cloud HDI design-time artifacts, generated from the SQLAlchemy tables the service runs on.

`artifacts(metadata, data_dir)` is pure: table definitions in, `{relative path: file text}` out, the
same text for the same model. Table SQL is compiled by `sqlalchemy-hana`, the dialect the service talks
to HANA with, so identifiers are quoted (or folded to upper case) exactly as the run-time queries expect;
only `DateTime` is written as `TIMESTAMP` (the dialect's DDL says `DATETIME`). Timestamps are naive UTC.

    db/src/.hdiconfig                       the HDI plugins for the suffixes below
    db/src/<table>.hdbtable                 COLUMN TABLE per table: active, `_drafts`, draft administration
    db/src/<index>.hdbindex                 the foreign-key and draft-admin indexes
    db/src/<table>.hdbtabledata + <csv>     code lists shipped with the schema (StatusValues)
    db/undeploy.json                        what HDI may drop when it disappears (never active data tables)

`bpverify hdi generate` writes them; `bpverify hdi check` (and tests/deploy) fails when they drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy_hana.dialect import HANAHDBCLIDialect, HANATypeCompiler

from odata4.sql.tables import for_dialect

CODE_LISTS = ("bp.verification-StatusValues.csv",)  # CSVs deployed with the schema (db/data, CAP naming)
GENERATED_SUFFIXES = (".hdbtable", ".hdbindex", ".hdbtabledata", ".csv")
PLUGINS = {
    "hdbtable": "com.sap.hana.di.table",
    "hdbmigrationtable": "com.sap.hana.di.table.migration",
    "hdbindex": "com.sap.hana.di.index",
    "hdbtabledata": "com.sap.hana.di.tabledata",
    "csv": "com.sap.hana.di.tabledata.source",
}
UNDEPLOY = ["src/*.hdbindex", "src/*_drafts.hdbtable", "src/*.hdbtabledata", "src/*.csv"]


class _TypeCompiler(HANATypeCompiler):
    def visit_datetime(self, type_: sa.DateTime, **kw: Any) -> str:
        return "TIMESTAMP"


class HdiDialect(HANAHDBCLIDialect):
    """The run-time dialect, writing `TIMESTAMP` for `DateTime` in DDL."""

    type_compiler = _TypeCompiler  # the attribute sqlalchemy-hana sets (SQLAlchemy's legacy name)


def artifacts(metadata: sa.MetaData, data_dir: Path) -> dict[str, str]:
    dialect = HdiDialect()
    files = {"src/.hdiconfig": _json({"file_suffixes": {k: {"plugin_name": v} for k, v in PLUGINS.items()}})}
    for table in metadata.sorted_tables:
        files[f"src/{table.name}.hdbtable"] = table_sql(table, dialect)
        for index in sorted((i for i in table.indexes if for_dialect(i, "hana")), key=lambda i: str(i.name)):
            files[f"src/{index.name}.hdbindex"] = _ddl(CreateIndex(index), dialect).removeprefix("CREATE ") + "\n"
    for csv_name in CODE_LISTS:
        table = metadata.tables[_table_for(csv_name)]
        text = (data_dir / csv_name).read_text(encoding="utf-8")
        files[f"src/{table.name}.hdbtabledata"] = tabledata(table, csv_name, _header(text), dialect)
        files[f"src/{csv_name}"] = text
    files["undeploy.json"] = _json(UNDEPLOY)
    return dict(sorted(files.items()))


def table_sql(table: sa.Table, dialect: sa.Dialect | None = None) -> str:
    """`COLUMN TABLE "name" (...)`: the HDI form of CREATE TABLE."""
    return "COLUMN " + _ddl(CreateTable(table), dialect or HdiDialect()).removeprefix("CREATE ") + "\n"


def tabledata(table: sa.Table, csv_name: str, header: list[str], dialect: sa.Dialect) -> str:
    """Load `csv_name` (`;`-separated, CAP's header = column names) into `table`."""
    unknown = [name for name in header if name not in table.c]
    if unknown:
        raise ValueError(f"{csv_name}: no column {', '.join(unknown)} in {table.name}")
    columns = {dialect.denormalize_name(name): name for name in header}  # database name → CSV header
    source = {"data_type": "CSV", "file_name": csv_name, "has_header": True, "dialect": "HANA"}
    return _json(
        {
            "format_version": 1,
            "imports": [
                {
                    "target_table": table.name,
                    "source_data": {**source, "type_config": {"delimiter": ";"}},
                    "import_settings": {"import_columns": list(columns), "include_filter": []},
                    "column_mappings": columns,
                }
            ],
        }
    )


def differences(expected: Mapping[str, str], root: Path) -> list[str]:
    """What in `root` differs from `expected`: missing, changed and stale generated files."""
    found = {str(p.relative_to(root)) for p in _generated_files(root)}
    problems = [f"missing {name}" for name in expected if not (root / name).is_file()]
    problems += [
        f"changed {name}"
        for name in expected
        if (root / name).is_file() and (root / name).read_text(encoding="utf-8") != expected[name]
    ]
    problems += [f"stale {name}" for name in sorted(found - set(expected))]
    return problems


def write(expected: Mapping[str, str], root: Path) -> list[str]:
    """Bring `root` in line with `expected`; returns what changed."""
    changes = differences(expected, root)
    for path in _generated_files(root):
        if str(path.relative_to(root)) not in expected:
            path.unlink()
    for name, text in expected.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return changes


def _generated_files(root: Path) -> Iterable[Path]:
    src = root / "src"
    return sorted(p for p in src.iterdir() if p.suffix in GENERATED_SUFFIXES) if src.is_dir() else []


def _ddl(element: sa.schema.ExecutableDDLElement, dialect: sa.Dialect) -> str:
    lines = [line.rstrip() for line in str(element.compile(dialect=dialect)).strip().splitlines()]
    return "\n".join(line for line in lines if line)


def _table_for(csv_name: str) -> str:
    return csv_name.removesuffix(".csv").replace(".", "_").replace("-", "_")


def _header(text: str) -> list[str]:
    return text.splitlines()[0].lstrip("\ufeff").split(";")


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
