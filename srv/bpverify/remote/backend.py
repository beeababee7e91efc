"""`S4Backend`: where the remote entity sets come from, and the one OData V2 client that reads them.

S/4HANA is reached through the destination `settings.s4_destination` (`btp.DestinationClientFactory`: cached
lookup, pooled TLS connections, retries and circuit breaker). In the development profile, when no such
destination is configured (no `destinations` entry of that name and no destination service binding), the mocked
S/4HANA is started on first use (local.py) and reached through a PrivateLink destination of its own;
`BPVERIFY_MOCK_S4=on|off` forces it either way.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping
from dataclasses import replace

from bpverify.settings import Settings
from btp import ConnectivitySettings, DestinationClientFactory
from btp.odata2 import ODataV2Client
from btp.resilience import BreakerPolicy
from btp.vcap import find_binding, parse_vcap_services
from odata4.dispatcher import RemoteSource
from odata4.edm.model import Service

from .local import LocalS4, start_local_s4
from .mapping import REMOTE_SETS
from .source import S4Source


def destination_configured(name: str, environ: Mapping[str, str]) -> bool:
    try:
        entries = json.loads(environ.get("destinations") or "[]")
        if any(isinstance(e, dict) and (e.get("name") or e.get("Name")) == name for e in entries):
            return True
        return find_binding(parse_vcap_services(environ.get("VCAP_SERVICES")), "destination") is not None
    except (ValueError, TypeError):
        return True  # unreadable configuration: let the lookup report it, never hide it behind the mock


class S4Backend:
    def __init__(self, settings: Settings, connectivity: ConnectivitySettings | None = None) -> None:
        self.settings = settings
        self.destination = settings.s4_destination
        base = connectivity or ConnectivitySettings(
            breaker=BreakerPolicy(settings.s4_breaker_failures, settings.s4_breaker_reset_seconds)
        )
        self._connectivity = replace(base, resolve={**base.resolve, **settings.s4_resolve})
        self._environ: Mapping[str, str] = dict(self._connectivity.environ or os.environ)
        self._factory: DestinationClientFactory | None = None
        self._client: ODataV2Client | None = None
        self._lock = asyncio.Lock()
        self.local: LocalS4 | None = None

    @property
    def uses_mock(self) -> bool:
        if self.settings.mock_s4 != "auto":
            return self.settings.mock_s4 == "on"
        return self.settings.profile == "development" and not destination_configured(self.destination, self._environ)

    def sources(self, service: Service) -> dict[str, RemoteSource]:
        source = S4Source(service, self.client, destination=self.destination, max_page_size=self.settings.max_page_size)
        return dict.fromkeys(REMOTE_SETS, source)

    async def client(self) -> ODataV2Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    factory = await self._factory_once()
                    http = await factory.connect(self.destination, sap_client_query=True)
                    self._client = ODataV2Client(http, sap_client=self.settings.s4_sap_client)
        return self._client

    async def _factory_once(self) -> DestinationClientFactory:
        if self._factory is None:
            settings = self._connectivity
            if self.uses_mock:
                self.local = await self._start_mock()
                environ = {**self._environ, "destinations": json.dumps([self.local.destination])}
                settings = replace(settings, environ=environ, resolve={**settings.resolve, **self.local.resolve})
            self._factory = DestinationClientFactory(settings)
        return self._factory

    async def _start_mock(self) -> LocalS4:
        s = self.settings
        from bpverify.mock_s4 import MockConfig

        return await start_local_s4(
            self.destination,
            host=s.mock_s4_host,
            port=s.mock_s4_port,
            folder=s.mock_s4_dir,
            config=MockConfig(webhook_url=s.mock_s4_webhook),
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.http.aclose()
        if self._factory is not None:
            await self._factory.aclose()
        if self.local is not None:
            await self.local.stop()
        self._client, self._factory, self.local = None, None, None
