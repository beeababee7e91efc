"""S/4HANA entities (typed by the V2 codec) → rows of our entity sets: renamed, expanded navigation nested."""

from __future__ import annotations

from typing import Any

from btp.odata2 import Entity

from .mapping import REMOTE_SETS, RemoteSet


def to_row(remote_set: RemoteSet, entity: Entity) -> dict[str, Any]:
    row = {p.name: entity.values.get(p.remote) for p in remote_set.properties}
    for nav in remote_set.navigation:
        if nav.remote in entity.values:
            related = entity.values[nav.remote] or []
            row[nav.name] = [to_row(REMOTE_SETS[nav.target], e) for e in related]
    return row
