"""The inbox: events are stored (unique on their id) before the webhook answers, and the
dead-letter table keeps what can never be processed. Synchronous; one transaction each."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import sqlalchemy as sa

from bpverify.events.parsing import PartnerEvent, Rejected
from odata4.sql.tables import Tables


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def store(conn: sa.Connection, tables: Tables, event: PartnerEvent) -> bool:
    """Store the event once; False when it was stored before (a redelivery)."""
    inbox = tables["Events"]
    if conn.execute(sa.select(inbox.c.eventId).where(inbox.c.eventId == event.id)).first() is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(
                inbox.insert().values(
                    eventId=event.id,
                    type=event.type,
                    businessPartnerId=event.business_partner,
                    receivedAt=now_utc(),
                    state="pending",
                    attempts=0,
                    nextAttemptAt=now_utc(),
                )
            )
    except sa.exc.IntegrityError:
        return False  # the same event arrived at another instance at the same moment
    return True


def park(conn: sa.Connection, tables: Tables, rejected: Rejected, body: bytes) -> None:
    conn.execute(
        tables["DeadLetters"]
        .insert()
        .values(
            ID=str(uuid.uuid4()),
            receivedAt=now_utc(),
            reason=rejected.reason[:200],
            eventId=(rejected.event_id or "")[:100],
            type=(rejected.type or "")[:200],
            body=_printable(body)[:5000],
        )
    )


def _printable(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except (ValueError, RecursionError):
        return text
