"""The HANA Cloud artifacts in db/: generated from the service's tables, in sync with them, their SQL
compiled with sqlalchemy-hana (the dialect the service talks to HANA with)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.schema import CreateTable
from sqlalchemy_hana.dialect import HANAHDBCLIDialect

from bpverify.cli import main
from bpverify.tools import hdi
from bpverify.tools.deploy_cli import service_metadata
from tests.deploy.descriptors import ROOT

DB = ROOT / "db"
METADATA = service_metadata()


def test_committed_artifacts_match_the_model() -> None:
    problems = hdi.differences(hdi.artifacts(METADATA, DB / "data"), DB)
    assert problems == [], "db/ drifted from the model: run `bpverify hdi generate`"


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first, second = hdi.artifacts(service_metadata(), DB / "data"), hdi.artifacts(service_metadata(), DB / "data")
    assert first == second
    assert hdi.write(first, tmp_path) and hdi.write(first, tmp_path) == []


def test_check_reports_drift_and_generate_repairs_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "db" / "data").mkdir(parents=True)
    for source in (DB / "data").glob("*.csv"):
        (tmp_path / "db" / "data" / source.name).write_bytes(source.read_bytes())
    (tmp_path / "db" / "src").mkdir()
    (tmp_path / "db" / "src" / "Gone.hdbtable").write_text("COLUMN TABLE x (a INTEGER)\n")
    assert main(["hdi", "check", "--root", str(tmp_path)]) == 1
    assert "stale src/Gone.hdbtable" in capsys.readouterr().err
    assert main(["hdi", "generate", "--root", str(tmp_path)]) == 0
    assert main(["hdi", "check", "--root", str(tmp_path)]) == 0
    assert not (tmp_path / "db" / "src" / "Gone.hdbtable").exists()


@pytest.mark.parametrize("table", sorted(METADATA.tables), ids=str)
def test_table_sql_is_what_the_hana_dialect_compiles(table: str) -> None:
    compiled = str(CreateTable(METADATA.tables[table]).compile(dialect=HANAHDBCLIDialect()))
    lines = [line.rstrip() for line in compiled.strip().splitlines() if line.strip()]
    expected = "\n".join(lines).removeprefix("CREATE ").replace(" DATETIME", " TIMESTAMP")
    assert (DB / "src" / f"{table}.hdbtable").read_text(encoding="utf-8") == f"COLUMN {expected}\n"


def test_every_table_has_an_artifact_with_uuids_as_nvarchar_36_and_utc_timestamps() -> None:
    artifacts = {p.stem: p.read_text(encoding="utf-8") for p in (DB / "src").glob("*.hdbtable")}
    assert set(artifacts) == set(METADATA.tables)
    assert {"DRAFT_DraftAdministrativeData", "bp_verification_Notifications_drafts"} <= set(artifacts)
    for name, text in artifacts.items():
        assert text.startswith(f'COLUMN TABLE "{name}" (') and "DATETIME" not in text
        for column in METADATA.tables[name].columns:
            if isinstance(column.type, sa.DateTime):
                assert re.search(rf'\b"?{column.name}"? TIMESTAMP\b', text), (name, column.name)
            if column.name == "ID" or column.name.endswith(("_ID", "DraftUUID")):
                assert re.search(rf'"{column.name}" NVARCHAR\(36\)', text), (name, column.name)


def test_hdiconfig_knows_every_suffix_in_src() -> None:
    plugins = json.loads((DB / "src" / ".hdiconfig").read_text(encoding="utf-8"))["file_suffixes"]
    suffixes = {p.suffix.lstrip(".") for p in (DB / "src").iterdir() if p.name != ".hdiconfig"}
    assert suffixes <= set(plugins)


def test_status_values_are_loaded_from_the_seed_csv_into_the_database_column_names() -> None:
    tabledata = json.loads((DB / "src" / "bp_verification_StatusValues.hdbtabledata").read_text(encoding="utf-8"))
    [load] = tabledata["imports"]
    source = load["source_data"]
    assert (load["target_table"], source["file_name"]) == (
        "bp_verification_StatusValues",
        "bp.verification-StatusValues.csv",
    )
    assert (DB / "src" / source["file_name"]).read_bytes() == (DB / "data" / source["file_name"]).read_bytes()
    with (DB / "src" / source["file_name"]).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle, delimiter=source["type_config"]["delimiter"]))
    dialect = HANAHDBCLIDialect()
    assert load["column_mappings"] == {dialect.denormalize_name(name): name for name in header}
    assert load["import_settings"]["import_columns"] == list(load["column_mappings"])
    # unquoted names fold to upper case in HANA, as in the run-time queries of sqlalchemy-hana
    assert load["column_mappings"]["CODE"] == "code" and load["column_mappings"]["updateCode"] == "updateCode"


def test_only_derived_artifacts_may_be_undeployed() -> None:
    patterns = json.loads((DB / "undeploy.json").read_text(encoding="utf-8"))
    assert "src/*.hdbtable" not in patterns  # dropping an active table would lose its data
    assert "src/*_drafts.hdbtable" in patterns
