"""`bpverify destination check [NAME] [--path P] [--json]`: exit status 0 only when the outcome is `ok`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from btp import ConnectivitySettings

from .destination_check import DEFAULT_PATH, Report, check, default_name


def register(commands: argparse._SubParsersAction[Any]) -> None:
    destination = commands.add_parser("destination", help="BTP destinations")
    actions = destination.add_subparsers(dest="destination_command", required=True)
    run = actions.add_parser("check", help="resolve a destination as the service does and GET its service root")
    run.add_argument("name", nargs="?", help="destination name (default: S4_DESTINATION or BusinessPartner)")
    run.add_argument("--path", default=DEFAULT_PATH, help=f"path to GET (default: {DEFAULT_PATH})")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--tenant", help="subscriber tenant subdomain")
    run.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="HOST:ADDRESS",
        help="connect to ADDRESS for HOST (TLS still checks HOST), like curl --resolve; repeatable",
    )
    run.set_defaults(run=_run)


def _settings(pairs: list[str]) -> ConnectivitySettings:
    overrides = dict(pair.split(":", 1) for pair in pairs if ":" in pair)  # the address may be IPv6
    return ConnectivitySettings(resolve=overrides)


def _run(args: argparse.Namespace) -> int:
    report = asyncio.run(
        check(args.name or default_name(), args.path, settings=_settings(args.resolve), tenant=args.tenant)
    )
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _print(report)
    return 0 if report.outcome == "ok" else 1


def _print(report: Report) -> None:
    print(f"destination {report.destination}")
    for step in report.steps:
        mark = "ok  " if step["ok"] else "FAIL"
        print(f"  [{mark}] {step['step']:<14} {step['detail']}")
        certificate = step.get("certificate")
        if certificate:
            print(
                f"         server certificate: {certificate['subject']}; names {', '.join(certificate['names'])}; "
                f"issuer {certificate['issuer']}; valid until {certificate['not_after'][:10]}"
            )
    print(f"outcome: {report.outcome}")
    if report.hint:
        print(f"fix: {report.hint}", file=sys.stdout)
