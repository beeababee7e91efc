"""A TTL cache whose loads are single-flight: concurrent misses for one key share one load.

Failed loads are not cached: every waiter of that load gets its exception, the next call loads again.
A waiter that is cancelled does not cancel the shared load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Loader = Callable[[], Awaitable[tuple[V, float]]]  # value and the monotonic time it expires at


class SingleFlightCache(Generic[K, V]):
    def __init__(self, *, max_entries: int = 1000, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[K, tuple[V, float]] = {}
        self._loads: dict[K, asyncio.Task[tuple[V, float]]] = {}
        self._max_entries = max_entries
        self._clock = clock
        self.loads = 0

    def peek(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    async def get(self, key: K, load: Loader[V]) -> V:
        cached = self.peek(key)
        if cached is not None:
            return cached
        task = self._loads.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load(key, load))
            task.add_done_callback(_retrieve)
            self._loads[key] = task
        value, _ = await asyncio.shield(task)
        return value

    async def _load(self, key: K, load: Loader[V]) -> tuple[V, float]:
        self.loads += 1
        try:
            value, expires_at = await load()
            if expires_at > self._clock():
                self._store(key, value, expires_at)
            return value, expires_at
        finally:
            self._loads.pop(key, None)

    def _store(self, key: K, value: V, expires_at: float) -> None:
        if len(self._entries) >= self._max_entries:
            now = self._clock()
            for stale in [k for k, (_, exp) in self._entries.items() if exp <= now]:
                del self._entries[stale]
            while len(self._entries) >= self._max_entries:
                del self._entries[next(iter(self._entries))]
        self._entries[key] = (value, expires_at)

    def invalidate(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


def _retrieve(task: asyncio.Task[object]) -> None:
    """Mark a failed load's exception as seen, so asyncio does not log it when no waiter is left."""
    if not task.cancelled():
        task.exception()
