"""The business rules, as phase-named handlers on the OData events (CAP's before/after).

before UPDATE Addresses       a changed street or postal code marks the address modified;
                              a postal code invalid for the country is rejected (400, postalCode)
before UPDATE Notifications   the status may move only as a clerk may move it (400, status)
before SAVE   Notifications   draftActivate: the status rule; the postal codes of modified addresses,
                              of every address when verifying (rejecting needs no correction)
after  SAVE   Notifications   findings recomputed for the activated addresses; a decision
                              (V or INV) goes into the outbox, in the same transaction
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bpverify.service import findings
from bpverify.verification import status
from bpverify.verification.checks import postal_code_problem
from bpverify.workflow.worker import enqueue_decision
from odata4.drafts.storage import DraftStorage
from odata4.errors import BadRequest
from odata4.handlers import Context, Handlers

STATUS = "verificationStatus_code"


class Rules:
    def __init__(self, handlers: Handlers, drafts: DraftStorage) -> None:
        self.drafts = drafts
        self.tables = drafts.tables
        handlers.before("UPDATE", "Addresses")(self.address_changed)
        handlers.before("UPDATE", "Notifications")(self.status_changed)
        handlers.before("SAVE", "Notifications")(self.before_save)
        handlers.after("SAVE", "Notifications")(self.after_save)

    def address_changed(self, context: Context) -> None:
        data = context.data
        if "streetName" in data or "postalCode" in data:
            data["isModified"] = True
        if data.get("postalCode"):
            row = self._draft_row(context.conn, "Addresses", context.keys)
            country = data.get("country") or (row or {}).get("country")
            problem = postal_code_problem(country, data["postalCode"]) if country else None
            if problem:
                raise BadRequest(problem, code="POSTAL_CODE_INVALID", target="postalCode")

    def status_changed(self, context: Context) -> None:
        wanted = context.data.get(STATUS)
        if STATUS not in context.data:
            return
        self._check_transition(context.conn, context.keys, wanted, target=STATUS)

    def before_save(self, context: Context) -> None:
        draft = context.data
        context.result = self._check_transition(context.conn, context.keys, draft.get(STATUS), target=STATUS)
        addresses = self.drafts.drafts["Addresses"]
        rows = context.conn.execute(sa.select(addresses).where(addresses.c.notification_ID == draft["ID"])).mappings()
        verifying = draft.get(STATUS) == status.VERIFIED
        for row in rows:
            if not (verifying or row["isModified"]):
                continue  # rejecting a partner (INV) needs no correction of addresses nobody touched
            problem = (
                postal_code_problem(row["country"], row["postalCode"]) if row["country"] and row["postalCode"] else None
            )
            if problem:
                target = f"addresses(ID={row['ID']},IsActiveEntity=false)/postalCode"
                raise BadRequest(problem, code="POSTAL_CODE_INVALID", target=target)

    def after_save(self, context: Context) -> None:
        findings.recompute(context.conn, self.tables, [context.keys["ID"]])
        before, after = context.result, context.data.get(STATUS)
        if isinstance(before, str) and isinstance(after, str) and status.is_decision(before, after):
            # the decision and its write-back commit together (transactional outbox)
            enqueue_decision(context.conn, self.tables, context.keys["ID"], after)

    # --- helpers --------------------------------------------------------------------------

    def _check_transition(self, conn: sa.Connection, keys: dict[str, Any], wanted: Any, *, target: str) -> str:
        """The active status, after checking that a clerk may move it to `wanted`."""
        notifications = self.tables["Notifications"]
        current = (
            conn.execute(
                sa.select(notifications.c[STATUS]).where(notifications.c.ID == keys["ID"])
            ).scalar_one_or_none()
            or status.NEW
        )
        try:
            status.check_clerk_transition(current, wanted if isinstance(wanted, str) else "")
        except status.TransitionError as error:
            raise BadRequest(error.message, code="STATUS_TRANSITION", target=target) from None
        return str(current)

    def _draft_row(self, conn: sa.Connection, entity_set: str, keys: dict[str, Any]) -> dict[str, Any] | None:
        table = self.drafts.drafts[entity_set]
        found = conn.execute(sa.select(table).where(table.c.ID == keys["ID"])).mappings().first()
        return dict(found) if found else None
