"""Row claims that several application instances can make at once without waiting on each other.

`skip_locked(select)` adds `FOR UPDATE` that passes over rows another transaction holds: SAP HANA
renders it `FOR UPDATE IGNORE LOCKED`, PostgreSQL `FOR UPDATE SKIP LOCKED`. SQLite has no row locks
(and SQLAlchemy renders nothing there): one writer at a time serialises claims anyway.

    claim = skip_locked(select(outbox).where(outbox.c.state == "pending").order_by(outbox.c.id).limit(10))
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa

S = TypeVar("S", bound=sa.Select[Any])


def skip_locked(select: S) -> S:
    """`select` locking the rows it returns, skipping rows locked by others."""
    return select.with_for_update(skip_locked=True)
