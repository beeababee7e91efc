"""Tables of the workflow that are not exposed over OData."""

from __future__ import annotations

import sqlalchemy as sa


def open_partners(metadata: sa.MetaData) -> sa.Table:
    """One row per business partner with an open notification: its unique key makes two
    concurrent Created events for one partner create one notification, on every database."""
    if "bpverify_OpenPartners" in metadata.tables:
        return metadata.tables["bpverify_OpenPartners"]
    return sa.Table(
        "bpverify_OpenPartners",
        metadata,
        sa.Column("businessPartnerId", sa.Unicode(10), primary_key=True),
        sa.Column("notification_ID", sa.String(36), nullable=False),
    )
