"""The key cache: `token_keys` fetched with `httpx.AsyncClient`, kept for a TTL, one fetch at a time per URL.

Rule 1: a known kid whose entry is younger than `ttl` is answered from memory, without awaiting anything.
Rule 2: an entry older than `ttl`, or a kid the entry does not know, triggers a fetch, but an unknown kid
        refreshes a URL at most once per `refresh_interval` (forged kids cannot make us hammer XSUAA).
Rule 3: single flight: concurrent callers of one URL share one fetch (200 requests → 1 GET).
Rule 4: a failed fetch is not repeated within `refresh_interval`; meanwhile the expired entry is still used
        for up to `stale_if_error` seconds, after that callers get `KeyServiceError`.
Rule 5: at most `max_urls` URLs (identity zones) are cached; the oldest is dropped first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from .errors import KeyServiceError
from .keys import KeySet, parse_jwks

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 256 * 1024


@dataclass(frozen=True)
class CachePolicy:
    ttl: float = 900.0  # sap-xssec: 15 min
    refresh_interval: float = 30.0
    stale_if_error: float = 3600.0
    max_urls: int = 100
    attempts: int = 2


@dataclass(frozen=True)
class _Entry:
    keys: KeySet
    fetched_at: float


class JwksCache:
    def __init__(
        self, client: httpx.AsyncClient, policy: CachePolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._policy = policy or CachePolicy()
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._failed_at: dict[str, float] = {}
        self._inflight: dict[str, asyncio.Task[_Entry]] = {}
        self.fetches = 0  # GET requests sent, for operations and tests

    async def key(self, url: str, kid: str) -> RSAPublicKey:
        """The RSA key `kid` of `url`; UntrustedKeyError / AlgorithmError / KeyServiceError otherwise."""
        entry = self._entries.get(url)
        if entry is None or self._due(entry, kid):
            entry = await self._refresh(url, entry)
        return entry.keys.key(kid)

    def _due(self, entry: _Entry, kid: str) -> bool:
        age = self._clock() - entry.fetched_at
        return age >= self._policy.ttl or (kid not in entry.keys and age >= self._policy.refresh_interval)

    async def _refresh(self, url: str, stale: _Entry | None) -> _Entry:
        failed_at = self._failed_at.get(url)
        if failed_at is not None and self._clock() - failed_at < self._policy.refresh_interval:
            return self._stale_or_raise(url, stale, None)
        task = self._inflight.get(url)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._fetch(url))
            self._inflight[url] = task
            task.add_done_callback(lambda done: self._settle(url, done))
        try:
            return await asyncio.shield(task)
        except KeyServiceError as error:
            return self._stale_or_raise(url, stale, error)

    def _settle(self, url: str, task: asyncio.Task[_Entry]) -> None:
        self._inflight.pop(url, None)
        if task.cancelled() or task.exception() is not None:
            self._failed_at[url] = self._clock()
            return
        self._failed_at.pop(url, None)
        self._entries.pop(url, None)
        self._entries[url] = task.result()
        while len(self._entries) > self._policy.max_urls:
            self._entries.pop(next(iter(self._entries)))

    def _stale_or_raise(self, url: str, stale: _Entry | None, error: KeyServiceError | None) -> _Entry:
        if stale is not None and self._clock() - stale.fetched_at < self._policy.ttl + self._policy.stale_if_error:
            return stale
        raise error or KeyServiceError("token_keys failed recently; not retrying yet", url=url)

    async def _fetch(self, url: str) -> _Entry:
        error: KeyServiceError | None = None
        for attempt in range(self._policy.attempts):
            if attempt:
                await asyncio.sleep(0.2 * attempt)
            try:
                document = await self._get(url)
            except KeyServiceError as exc:
                error = exc
                if exc.status is not None and exc.status < 500:
                    break
                continue
            try:
                return _Entry(parse_jwks(document), self._clock())
            except ValueError as exc:
                raise KeyServiceError("token_keys answered no JWKS document", url=url, status=200) from exc
        assert error is not None
        log.warning("XSUAA token_keys failed: %s (status %s)", error.message, error.status)
        raise error

    async def _get(self, url: str) -> object:
        self.fetches += 1
        try:
            async with self._client.stream("GET", url, headers={"accept": "application/json"}) as response:
                if response.status_code != 200:
                    raise KeyServiceError("token_keys answered an error", url=url, status=response.status_code)
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise KeyServiceError("token_keys answered too much", url=url, status=200)
        except httpx.HTTPError as exc:
            raise KeyServiceError(f"token_keys unreachable ({type(exc).__name__})", url=url) from exc
        try:
            return json.loads(bytes(body))
        except ValueError as exc:
            raise KeyServiceError("token_keys answered no JSON", url=url, status=200) from exc
