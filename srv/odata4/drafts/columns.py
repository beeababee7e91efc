"""Values of the draft elements (`IsActiveEntity`, `HasActiveEntity`, `HasDraftEntity`) for
rows of the active tables. Draft rows live in tables of their own (see `odata4.drafts`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odata4.edm.model import EntitySet, Property


def draft_virtuals(entity_set: EntitySet, prop: Property, table: sa.FromClause) -> sa.ColumnElement[Any]:
    if prop.name == "IsActiveEntity":
        return sa.true()
    if prop.name in ("HasActiveEntity", "HasDraftEntity"):
        return sa.false()
    return sa.null()
