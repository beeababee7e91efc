"""S/4HANA business partner events, as Event Mesh delivers them to a webhook: CloudEvents 1.0, structured mode.

    {"type": "sap.s4.beh.businesspartner.v1.BusinessPartner.Created.v1", "specversion": "1.0",
     "source": "/default/sap.s4.beh/S4HMOCK", "id": "…", "time": "2024-05-06T10:11:12Z",
     "datacontenttype": "application/json", "data": {"BusinessPartner": "17100001"}}

Delivery is fire-and-forget: a background task POSTs the event (HTTP Basic, `x-address: topic:<topic>`) and
retries with back-off until a 2xx or the delays run out. `log` keeps the last 200 events with their outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import ssl
import uuid
from collections import deque
from typing import Any, Literal

import httpx

from .config import MockConfig

log = logging.getLogger(__name__)
Kind = Literal["Created", "Changed"]


def cloud_event(
    kind: Kind, partner: str, *, source: str, now: dt.datetime | None = None, event_id: str | None = None
) -> dict[str, Any]:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return {
        "type": f"sap.s4.beh.businesspartner.v1.BusinessPartner.{kind}.v1",
        "specversion": "1.0",
        "source": source,
        "id": event_id or str(uuid.uuid4()),
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datacontenttype": "application/json",
        "data": {"BusinessPartner": partner},
    }


def topic(namespace: str, kind: Kind) -> str:
    return f"{namespace}/ce/sap/s4/beh/businesspartner/v1/BusinessPartner/{kind}/v1"


class EventSender:
    def __init__(self, config: MockConfig) -> None:
        self.config = config
        self.log: deque[dict[str, Any]] = deque(maxlen=200)
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    def emit(self, kind: Kind, partner: str) -> dict[str, Any]:
        event = cloud_event(kind, partner, source=self.config.event_source)
        entry: dict[str, Any] = {"event": event, "status": "not sent (no webhook)", "attempts": 0}
        self.log.append(entry)
        if self.config.webhook_url:
            entry["status"] = "pending"
            task = asyncio.get_running_loop().create_task(self._deliver(kind, entry))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return event

    async def _deliver(self, kind: Kind, entry: dict[str, Any]) -> None:
        headers = {"content-type": "application/json", "x-address": f"topic:{topic(self.config.topic_namespace, kind)}"}
        for delay in (0.0, *self.config.retry_delays):
            await asyncio.sleep(delay)
            entry["attempts"] += 1
            outcome = await self._post(entry["event"], headers)
            entry["status"] = outcome
            if outcome == "delivered":
                return
        log.warning(
            "event %s for business partner %s not delivered to %s: %s",
            entry["event"]["type"],
            entry["event"]["data"]["BusinessPartner"],
            self.config.webhook_url,
            entry["status"],
        )

    async def _post(self, event: dict[str, Any], headers: dict[str, str]) -> str:
        assert self.config.webhook_url is not None
        try:
            response = await self._http().post(self.config.webhook_url, json=event, headers=headers)
        except httpx.HTTPError as exc:
            return f"failed: {type(exc).__name__}"
        return "delivered" if response.is_success else f"failed: HTTP {response.status_code}"

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            auth = httpx.BasicAuth(self.config.webhook_user, self.config.webhook_password)
            verify = self.config.webhook_verify
            context = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
            self._client = httpx.AsyncClient(auth=auth, verify=context, timeout=10.0, trust_env=False)
        return self._client

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait for pending deliveries (tests, shutdown), then stop what is left."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def aclose(self) -> None:
        await self.drain(timeout=1.0)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
