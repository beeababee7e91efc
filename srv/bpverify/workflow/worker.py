"""Background work after the webhook has answered: process inbox events (read S/4HANA,
create notifications, complete them) and deliver the outbox (write decisions back).

Both queues are claimed row by row with `SELECT ... FOR UPDATE SKIP LOCKED` (IGNORE
LOCKED on HANA; SQLite serializes writers anyway), so several app instances share the
work and a claim is delivered by one instance only. A claim carries an expiry: a crashed
instance's rows become due again, and a row is delivered only while its claim is this instance's.
The partners of a batch are worked on concurrently (S/4HANA's latency overlaps), each partner's
rows one by one in order. Failures are retried with exponential backoff; nothing is deleted, so
nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from bpverify.db.locking import skip_locked
from bpverify.events.parsing import CREATED
from bpverify.service import findings
from bpverify.verification import status
from bpverify.workflow.inbox import now_utc
from bpverify.workflow.ports import AddressCorrection, Decision, Partner, S4Port
from bpverify.workflow.tables import open_partners
from bpverify.workflow.timing import Timing
from odata4.database import Database
from odata4.sql.tables import Tables

log = logging.getLogger(__name__)
T = TypeVar("T")


class Worker:
    def __init__(self, database: Database, tables: Tables, s4: S4Port, timing: Timing | None = None) -> None:
        self.database = database
        self.tables = tables
        self.s4 = s4
        self.timing = timing or Timing()
        self.me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.open = open_partners(tables.metadata)
        self.wakeup = asyncio.Event()
        # SQLite has one writer at a time: the batch's transactions queue here, not in SQLite's busy handler
        # (which sleeps up to 100 ms a turn); other databases take them at once
        self._writers = asyncio.Semaphore(1 if database.engine.dialect.name == "sqlite" else self.timing.batch)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:  # the database may be down: keep the loop alive, try again
                log.exception("workflow round failed")
                busy = False
            if not busy:
                self.wakeup.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wakeup.wait())]
                await asyncio.wait(waiters, timeout=self.timing.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()

    async def run_once(self) -> bool:
        events = await self._claim("Events")
        await each_partner(events, self._process)
        deliveries = await self._claim("WriteBacks")
        await each_partner(deliveries, self._deliver)
        return bool(events or deliveries)

    async def _write(self, work: Callable[[sa.Connection], T]) -> T:
        async with self._writers:
            return await self.database.write(work)

    # --- claims ------------------------------------------------------------------------------

    async def _claim(self, name: str) -> list[dict[str, Any]]:
        table = self.tables[name]
        key = table.c.eventId if name == "Events" else table.c.ID

        def claim(conn: sa.Connection) -> list[dict[str, Any]]:
            now = now_utc()
            rows = [dict(r) for r in conn.execute(due(table, now, self.timing.batch)).mappings()]
            if rows:
                until = now + dt.timedelta(seconds=self.timing.claim_seconds)
                conn.execute(
                    table.update()
                    .where(key.in_([r[key.name] for r in rows]))
                    .values(claimedBy=self.me, claimedUntil=until)
                )
            return rows

        return await self._write(claim)

    async def _finish(self, name: str, key: str, value: str, **values: Any) -> bool:
        """Release the claim with `values`; False when the claim was no longer this instance's."""
        table = self.tables[name]

        def finish(conn: sa.Connection) -> bool:
            result = conn.execute(
                table.update()
                .where(table.c[key] == value, table.c.claimedBy == self.me)
                .values(claimedBy=None, claimedUntil=None, **values)
            )
            return result.rowcount == 1

        return await self._write(finish)

    async def _renew(self, name: str, key: str, value: str) -> bool:
        """Extend this instance's claim on one row of a batch just before working on it; False when the
        claim ran out meanwhile and another instance took the row (or finished it): leave it to them."""
        table = self.tables[name]

        def renew(conn: sa.Connection) -> bool:
            until = now_utc() + dt.timedelta(seconds=self.timing.claim_seconds)
            result = conn.execute(
                table.update()
                .where(table.c[key] == value, table.c.claimedBy == self.me, table.c.state == "pending")
                .values(claimedUntil=until)
            )
            return result.rowcount == 1

        return await self._write(renew)

    @contextlib.asynccontextmanager
    async def _holding(self, name: str, key: str, value: str) -> AsyncIterator[None]:
        """Keep renewing the claim on one row while working on it: a delivery slower than the claim (S/4HANA
        answering slowly, retries) must not look like a crashed instance's and be sent again by another."""

        async def heartbeat() -> None:
            while True:
                await asyncio.sleep(self.timing.claim_seconds / 3)
                try:
                    if not await self._renew(name, key, value):
                        return
                except Exception as error:  # the database is away: the claim may run out, as after a crash
                    log.warning("could not renew the claim on %s %s: %s", name, value, type(error).__name__)
                    return

        beating = asyncio.create_task(heartbeat())
        try:
            yield
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating

    async def _retry(self, name: str, key: str, row: dict[str, Any], error: Exception) -> None:
        attempts = (row["attempts"] or 0) + 1
        log.warning("%s %s failed (attempt %d): %s", name, row[key], attempts, error)
        await self._finish(
            name,
            key,
            row[key],
            attempts=attempts,
            lastError=str(error)[:500],
            nextAttemptAt=now_utc() + self.timing.backoff(attempts),
        )

    # --- inbox --------------------------------------------------------------------------------

    async def _process(self, event: dict[str, Any]) -> None:
        partner_id = event["businessPartnerId"]
        try:
            async with self._holding("Events", "eventId", event["eventId"]):
                if event["type"] == CREATED:
                    outcome = await self._created(partner_id)
                else:
                    outcome = await self._write(lambda conn: self._changed(conn, partner_id))
        except Exception as error:  # S/4HANA down or answering errors: kept and retried with backoff
            await self._retry("Events", "eventId", event, error)
            return
        log.info("event %s for business partner %s: %s", event["eventId"], partner_id, outcome)
        await self._finish("Events", "eventId", event["eventId"], state="done", result=outcome[:500])

    async def _created(self, partner_id: str) -> str:
        if await self.database.read(lambda conn: self._open_notification(conn, partner_id)) is not None:
            return "an open notification exists: nothing to do"
        partner = await self.s4.get_partner(partner_id)
        if partner is None:
            return "business partner not found in S/4HANA: nothing stored"
        return await self._write(lambda conn: self._create_notification(conn, partner))

    def _open_notification(self, conn: sa.Connection, partner_id: str) -> str | None:
        notifications = self.tables["Notifications"]
        found = conn.execute(
            sa.select(notifications.c.ID).where(
                notifications.c.businessPartnerId == partner_id,
                notifications.c.verificationStatus_code != status.COMPLETED,
            )
        ).first()
        return None if found is None else str(found[0])

    def _create_notification(self, conn: sa.Connection, partner: Partner) -> str:
        if self._open_notification(conn, partner.id) is not None:
            return "an open notification exists: nothing to do"
        notification_id, now = str(uuid.uuid4()), now_utc()
        try:
            with conn.begin_nested():
                conn.execute(self.open.insert().values(businessPartnerId=partner.id, notification_ID=notification_id))
        except sa.exc.IntegrityError:
            return "another instance created the notification: nothing to do"
        conn.execute(
            self.tables["Notifications"]
            .insert()
            .values(
                ID=notification_id,
                createdAt=now,
                createdBy="system",
                modifiedAt=now,
                modifiedBy="system",
                businessPartnerId=partner.id,
                businessPartnerName=(partner.name or "")[:81],
                verificationStatus_code=status.NEW,
            )
        )
        addresses = [
            {
                "ID": str(uuid.uuid4()),
                "notification_ID": notification_id,
                "businessPartnerId": partner.id,
                "addressId": a.address_id,
                "country": a.country,
                "cityName": a.city,
                "streetName": a.street,
                "postalCode": a.postal_code,
                "isModified": False,
            }
            for a in partner.addresses
        ]
        if addresses:
            conn.execute(self.tables["Addresses"].insert(), addresses)
        findings.recompute(conn, self.tables, [notification_id])
        return f"notification {notification_id} created with {len(addresses)} addresses"

    def _changed(self, conn: sa.Connection, partner_id: str) -> str:
        notifications = self.tables["Notifications"]
        verified = conn.execute(
            sa.select(notifications.c.ID).where(
                notifications.c.businessPartnerId == partner_id,
                notifications.c.verificationStatus_code == status.VERIFIED,
            )
        ).all()
        if not verified:
            return "no verified notification: nothing to do"
        ids = [str(r[0]) for r in verified]
        conn.execute(
            notifications.update()
            .where(notifications.c.ID.in_(ids))
            .values(verificationStatus_code=status.COMPLETED, modifiedAt=now_utc(), modifiedBy="system")
        )
        conn.execute(self.open.delete().where(self.open.c.notification_ID.in_(ids)))
        return f"{len(ids)} notification(s) completed"

    # --- outbox -------------------------------------------------------------------------------

    async def _deliver(self, row: dict[str, Any]) -> None:
        # a partner's rows in a batch go out one by one: with a slow S/4HANA the claim on the last ones may
        # run out and another instance deliver them; only a row still claimed by this instance goes out here
        if not await self._renew("WriteBacks", "ID", row["ID"]):
            log.info("write-back %s: claim taken over by another instance", row["ID"])
            return
        try:
            async with self._holding("WriteBacks", "ID", row["ID"]):
                await self.s4.write_back(decision_from_json(row["payload"]))
        except Exception as error:  # unavailable or rejected: kept and retried with backoff, never lost
            await self._retry("WriteBacks", "ID", row, error)
            return
        if not await self._finish(
            "WriteBacks", "ID", row["ID"], state="delivered", deliveredAt=now_utc(), lastError=None
        ):
            log.warning("write-back %s delivered after its claim ran out: it may be delivered again", row["ID"])


async def each_partner(rows: list[dict[str, Any]], work: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    """Work through a claimed batch: the partners concurrently, so S/4HANA's latency overlaps (one at a time,
    a worker manages 1 / latency rows per second), and each partner's rows one by one, in claim order."""
    by_partner: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_partner.setdefault(row["businessPartnerId"], []).append(row)

    async def in_order(group: list[dict[str, Any]]) -> None:
        for row in group:
            await work(row)

    outcomes = await asyncio.gather(*(in_order(group) for group in by_partner.values()), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome  # the database failed: the round ends; unfinished claims expire


def due(table: sa.Table, now: dt.datetime, batch: int) -> sa.Select[Any]:
    """Pending rows whose time has come and whose claim (if any) has expired, locked for this
    transaction; rows another instance is claiming right now are skipped, not waited for."""
    return skip_locked(
        sa.select(table)
        .where(table.c.state == "pending", table.c.nextAttemptAt <= now)
        .where(sa.or_(table.c.claimedUntil.is_(None), table.c.claimedUntil < now))
        .order_by(table.c.nextAttemptAt)
        .limit(batch)
    )


# --- decisions into the outbox (called in the activation's transaction) ----------------------


def enqueue_decision(conn: sa.Connection, tables: Tables, notification_id: str, decided: str) -> None:
    notifications, addresses = tables["Notifications"], tables["Addresses"]
    partner = conn.execute(
        sa.select(notifications.c.businessPartnerId).where(notifications.c.ID == notification_id)
    ).scalar_one()
    modified = conn.execute(
        sa.select(addresses).where(addresses.c.notification_ID == notification_id, addresses.c.isModified.is_(True))
    ).mappings()
    decision = Decision(
        business_partner=partner,
        search_term=status.TEXTS[decided],
        blocked=decided != status.VERIFIED,
        addresses=[AddressCorrection(a["addressId"], a["streetName"], a["postalCode"]) for a in modified],
    )
    now = now_utc()
    conn.execute(
        tables["WriteBacks"]
        .insert()
        .values(
            ID=str(uuid.uuid4()),
            notification_ID=notification_id,
            businessPartnerId=partner,
            decision=decided,
            payload=decision_to_json(decision),
            state="pending",
            attempts=0,
            nextAttemptAt=now,
            createdAt=now,
        )
    )


def decision_to_json(decision: Decision) -> str:
    return json.dumps(
        {
            "businessPartner": decision.business_partner,
            "searchTerm1": decision.search_term,
            "blocked": decision.blocked,
            "addresses": [
                {"addressId": a.address_id, "street": a.street, "postalCode": a.postal_code} for a in decision.addresses
            ],
        }
    )


def decision_from_json(payload: str) -> Decision:
    data = json.loads(payload)
    return Decision(
        data["businessPartner"],
        data["searchTerm1"],
        bool(data["blocked"]),
        [AddressCorrection(a["addressId"], a.get("street"), a.get("postalCode")) for a in data.get("addresses", [])],
    )
