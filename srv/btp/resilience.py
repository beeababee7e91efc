"""Timeouts, retry with backoff and a circuit breaker, as an `httpx` transport wrapper.

Rules:
1. Only idempotent methods (`RetryPolicy.methods`) with a replayable body are retried.
2. They are retried on connection failures (never on TLS verification failures, never on read timeouts:
   the server may have acted) and on the statuses in `RetryPolicy.statuses` (502, 503, 504).
3. Backoff doubles from `backoff` up to `max_backoff`, with jitter in [50 %, 100 %].
4. The breaker opens after `failure_threshold` failures in a row (transport errors or 5xx), rejects
   calls for `reset_timeout` seconds, then lets one trial call through (half-open): success closes it.
   4xx answers are successes for the breaker: the server is alive.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from .errors import CircuitOpenError


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 5.0

    def to_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    backoff: float = 0.2
    max_backoff: float = 2.0
    statuses: frozenset[int] = frozenset({502, 503, 504})
    methods: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        base: float = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography


@dataclass(frozen=True)
class BreakerPolicy:
    failure_threshold: int = 5
    reset_timeout: float = 30.0


@dataclass
class CircuitBreaker:
    """closed → open after `failure_threshold` failures in a row → half-open after `reset_timeout` → closed."""

    policy: BreakerPolicy
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    _trial: bool = field(default=False, repr=False)

    def retry_after(self) -> float:
        """0 when a call may go ahead (and marks the half-open trial), else seconds until it may."""
        if self.opened_at is None:
            return 0.0
        remaining = self.opened_at + self.policy.reset_timeout - self.clock()
        if remaining > 0 or self._trial:
            return max(remaining, 0.001)
        self._trial = True
        return 0.0

    def record(self, ok: bool) -> None:
        self._trial = False
        if ok:
            self.failures, self.opened_at = 0, None
            return
        self.failures += 1
        if self.failures >= self.policy.failure_threshold:
            self.opened_at = self.clock()


def is_tls_failure(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


Sleep = Callable[[float], Awaitable[None]]


class Resilience:
    """Rules 1-4 for the calls of one destination (or one BTP service): one breaker, any inner transport."""

    def __init__(self, name: str, *, retry: RetryPolicy, breaker: BreakerPolicy, sleep: Sleep = asyncio.sleep) -> None:
        self.name = name
        self.retry = retry
        self.breaker = CircuitBreaker(breaker)
        self._sleep = sleep

    async def send(self, transport: httpx.AsyncBaseTransport, request: httpx.Request) -> httpx.Response:
        wait = self.breaker.retry_after()
        if wait:
            raise CircuitOpenError(self.name, url=str(request.url.copy_with(query=None)), retry_after=wait)
        attempts = self.retry.attempts if self._replayable(request) else 1
        for attempt in range(1, attempts + 1):
            response = await self._attempt(transport, request, last=attempt == attempts)
            if response is not None:
                return response
            await self._sleep(self.retry.delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self, transport: httpx.AsyncBaseTransport, request: httpx.Request, *, last: bool
    ) -> httpx.Response | None:
        """The response, or None when the caller should wait and retry."""
        try:
            response = await transport.handle_async_request(request)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if is_tls_failure(exc):
                raise  # configuration, not load: neither retried nor counted
            if last:
                self.breaker.record(False)
                raise
            return None
        except httpx.TransportError:
            self.breaker.record(False)
            raise
        if last or response.status_code not in self.retry.statuses:
            self.breaker.record(response.status_code < 500)
            return response
        await response.aclose()
        return None

    def _replayable(self, request: httpx.Request) -> bool:
        return request.method in self.retry.methods and isinstance(request.stream, httpx.ByteStream)


class ResilientTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, resilience: Resilience, *, close_inner: bool = True) -> None:
        self._inner = inner
        self._resilience = resilience
        self._close_inner = close_inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._resilience.send(self._inner, request)

    async def aclose(self) -> None:
        if self._close_inner:
            await self._inner.aclose()
