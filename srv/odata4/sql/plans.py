"""A bounded cache of built SELECT statements, keyed by what the statement depends on.

Building a statement for an OData read (resolving `$select`, compiling `$filter`, the draft
views) and letting SQLAlchemy derive its compilation cache key costs more Python time than
the database spends answering a list page. Clients repeat the same reads (a list report is
refreshed, scrolled, reopened), so a statement built once is executed again as it is: a
SQLAlchemy statement is immutable and memoizes its own cache key. Values that change from
one execution to the next (the keys of an `$expand`) are bound parameters of the cached
statement, never part of its key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class PlanCache(Generic[T]):
    """Least recently used first out; safe to share between the database worker threads."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return item
        item = build()  # outside the lock: building may raise (bad input) and takes a while
        with self._lock:
            self.misses += 1
            self._items[key] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return item

    def __len__(self) -> int:
        return len(self._items)
