"""`bpverify requirements` and `bpverify hdi generate|check`: registered by one call in `bpverify.cli`.

bpverify requirements [--check]   requirements.txt for the CF Python buildpack (tools/requirements.py)
bpverify hdi generate             db/src from the service's tables (tools/hdi.py)
bpverify hdi check                exit 1 when db/ differs from what `generate` would write
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bpverify.settings import PROJECT_ROOT


def register(commands: argparse._SubParsersAction[Any]) -> None:
    requirements = commands.add_parser("requirements", help="write requirements.txt (pinned) from pyproject.toml")
    requirements.add_argument("--root", type=Path, default=PROJECT_ROOT, help="project root (default: %(default)s)")
    requirements.add_argument("--check", action="store_true", help="only compare; exit 1 when it would change")
    requirements.set_defaults(run=_requirements)

    hdi = commands.add_parser("hdi", help="SAP HANA HDI artifacts in db/ from the service's tables")
    hdi.add_argument("action", choices=("generate", "check"))
    hdi.add_argument("--root", type=Path, default=PROJECT_ROOT, help="project root (default: %(default)s)")
    hdi.set_defaults(run=_hdi)


def service_metadata() -> sa.MetaData:
    """The tables exactly as the service builds them (the app is built, never started)."""
    from bpverify.app import create_app
    from bpverify.auth import MockedUsers
    from bpverify.settings import Settings

    app = create_app(Settings(db_url="sqlite://", seed=False, log_format="text"), authenticator=MockedUsers())
    metadata: sa.MetaData = app.state.tables.metadata
    app.state.engine.dispose()
    return metadata


def _requirements(args: argparse.Namespace) -> int:
    from bpverify.tools import requirements

    target = args.root / "requirements.txt"
    text = requirements.generate(args.root / "pyproject.toml")
    current = target.read_text(encoding="utf-8") if target.is_file() else ""
    if args.check:
        return _report(target.name, [] if current == text else ["changed requirements.txt"], "bpverify requirements")
    target.write_text(text, encoding="utf-8")
    print(f"{target}: {len(requirements.pinned_names(text))} pinned distributions and the project")
    return 0


def _hdi(args: argparse.Namespace) -> int:
    from bpverify.tools import hdi

    root = args.root / "db"
    expected = hdi.artifacts(service_metadata(), args.root / "db" / "data")
    if args.action == "check":
        return _report("db/", hdi.differences(expected, root), "bpverify hdi generate")
    for change in hdi.write(expected, root):
        print(change)
    print(f"{root}: {len(expected)} files")
    return 0


def _report(what: str, problems: list[str], fix: str) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{what} is out of date: run `{fix}`", file=sys.stderr)
        return 1
    print(f"{what} is up to date")
    return 0
