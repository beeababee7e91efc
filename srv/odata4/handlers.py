"""Application hooks, named by phase as in CAP: `before`, `on`, `after` an event on an entity set.

Handlers are synchronous and run inside the request's database transaction (in a worker
thread), so a handler may read or write rows and its failure rolls everything back.
Raise an `ODataError` with a `target` to report a field error to Fiori.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from odata4.auth import User
from odata4.edm.model import EntitySet

Event = str  # CREATE, UPDATE, DELETE, READ, or an action name


@dataclass
class Context:
    event: Event
    entity_set: EntitySet
    user: User
    conn: sa.Connection
    data: dict[str, Any] = field(default_factory=dict)  # the body, converted to column values
    keys: dict[str, Any] = field(default_factory=dict)
    result: Any = None


Handler = Callable[[Context], None]


class Handlers:
    def __init__(self) -> None:
        self._registry: dict[tuple[str, str, str], list[Handler]] = defaultdict(list)

    def _register(self, phase: str, event: Event, entity_set: str) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self._registry[(phase, event, entity_set)].append(handler)
            return handler

        return decorate

    def before(self, event: Event, entity_set: str) -> Callable[[Handler], Handler]:
        return self._register("before", event, entity_set)

    def after(self, event: Event, entity_set: str) -> Callable[[Handler], Handler]:
        return self._register("after", event, entity_set)

    def run(self, phase: str, context: Context) -> None:
        for key in ((phase, context.event, context.entity_set.name), (phase, "*", context.entity_set.name)):
            for handler in self._registry.get(key, ()):
                handler(context)
