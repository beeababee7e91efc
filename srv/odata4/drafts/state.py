"""The draft lock, as rules without I/O.

Rule 1. A document has at most one draft; it belongs to the user who created it
        (`InProcessByUser`).
Rule 2. Only that user may change, prepare, activate or discard it; anyone else gets
        403 DRAFT_LOCKED_BY_ANOTHER_USER while the lock holds.
Rule 3. The lock expires `lock_timeout` after the draft's last change. An expired draft
        can be taken over: another user's `draftEdit` discards it and starts a new one.
Rule 4. A second `draftEdit` by the owner is 409 DRAFT_ALREADY_EXISTS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from odata4.errors import Conflict, Forbidden

EditDecision = Literal["create", "take_over"]


@dataclass(frozen=True)
class Lock:
    owner: str
    last_change: dt.datetime

    def expired(self, now: dt.datetime, timeout: dt.timedelta) -> bool:
        return now - self.last_change >= timeout


def locked_by_another(owner: str) -> Forbidden:
    return Forbidden(f'The entity is locked by user "{owner}"', code="DRAFT_LOCKED_BY_ANOTHER_USER")


def check_owner(lock: Lock, user: str, now: dt.datetime, timeout: dt.timedelta) -> None:
    """Rule 2 (Rule 3: an expired lock still keeps others out until they take it over)."""
    if lock.owner != user:
        raise locked_by_another(lock.owner)


def decide_edit(lock: Lock | None, user: str, now: dt.datetime, timeout: dt.timedelta) -> EditDecision:
    """What `draftEdit` by `user` does, given the document's current draft lock."""
    if lock is None:
        return "create"
    if lock.owner == user:
        raise Conflict("A draft for this entity already exists", code="DRAFT_ALREADY_EXISTS")
    if not lock.expired(now, timeout):
        raise locked_by_another(lock.owner)
    return "take_over"
