"""Stored findings: the address checks run over a notification's active addresses."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa

from bpverify.verification.checks import Address, check_address
from odata4.sql.tables import Tables

CRITICALITY = {"error": 1, "warning": 2}


def recompute(conn: sa.Connection, tables: Tables, notification_ids: Iterable[str]) -> int:
    """Replace the findings of these notifications; returns how many were stored."""
    ids = list(notification_ids)
    if not ids:
        return 0
    addresses, findings = tables["Addresses"], tables["Findings"]
    conn.execute(findings.delete().where(findings.c.notification_ID.in_(ids)))
    rows = []
    for address in conn.execute(sa.select(addresses).where(addresses.c.notification_ID.in_(ids))).mappings():
        checked = Address(address["country"], address["postalCode"], address["cityName"], address["streetName"])
        for finding in check_address(checked):
            rows.append(
                {
                    "ID": str(uuid.uuid4()),
                    "notification_ID": address["notification_ID"],
                    "address_ID": address["ID"],
                    "addressId": address["addressId"],
                    "target": finding.target,
                    "code": finding.code,
                    "message": finding.message[:255],
                    "criticality": CRITICALITY[finding.severity],
                }
            )
    if rows:
        conn.execute(findings.insert(), rows)
    return len(rows)


def recompute_all_if_empty(conn: sa.Connection, tables: Tables) -> None:
    """After a fresh deploy the seeded addresses have no findings yet."""
    findings = tables["Findings"]
    if conn.execute(sa.select(sa.func.count()).select_from(findings)).scalar_one() == 0:
        notifications = tables["Notifications"]
        recompute(conn, tables, [r[0] for r in conn.execute(sa.select(notifications.c.ID))])
