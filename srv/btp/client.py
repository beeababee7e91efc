"""`DestinationClientFactory`: destination name → ready, pooled `httpx.AsyncClient`. Owns every connection.

    async with DestinationClientFactory() as factory:
        client = await factory.connect("BusinessPartner")
        response = await client.get("/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner")

Clients stay usable while the factory is open; closing the factory closes all pooled connections.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import cached_property
from types import TracebackType
from typing import Any

import httpx

from .connectivity import Route, Router, TransportPool
from .destination_service import DestinationService
from .destinations import DestinationLookup, ResolvedDestination
from .oauth import ClientCredentials, TokenFetcher, credentials_from_binding
from .resilience import Resilience, ResilientTransport
from .settings import ConnectivitySettings
from .stores import load_keystore
from .tls import add_client_certificate, default_context, fingerprint
from .transport import DestinationTransport
from .vcap import ServiceBinding, find_binding, parse_vcap_services, require_binding


class DestinationClientFactory:
    def __init__(self, settings: ConnectivitySettings | None = None) -> None:
        self.settings = settings or ConnectivitySettings()
        self.environ: Mapping[str, str] = dict(os.environ if self.settings.environ is None else self.settings.environ)
        self._pool = TransportPool(self.settings)
        self._fetchers: dict[tuple[str, str], TokenFetcher] = {}
        self._token_clients: dict[str, httpx.AsyncClient] = {}
        self._services: dict[str | None, DestinationService] = {}
        self._resilience: dict[str, Resilience] = {}
        self.router = Router(self._pool, self.environ, self._onpremise_proxy)
        self.lookup = DestinationLookup(
            self.settings, self.environ, service_for=self._service, fetcher_for=self.token_fetcher
        )

    @cached_property
    def bindings(self) -> list[ServiceBinding]:
        return parse_vcap_services(self.environ.get("VCAP_SERVICES"))

    async def resolve(
        self, name: str, *, tenant: str | None = None, user_jwt: str | None = None, use_cache: bool = True
    ) -> ResolvedDestination:
        return await self.lookup.resolve(name, tenant=tenant, user_jwt=user_jwt, use_cache=use_cache)

    async def connect(
        self,
        name: str,
        *,
        tenant: str | None = None,
        user_jwt: str | None = None,
        sap_client_query: bool = False,
        **client_options: Any,
    ) -> httpx.AsyncClient:
        """A client whose base URL is the destination's URL; raises the lookup's errors right away."""
        resolved = await self.resolve(name, tenant=tenant, user_jwt=user_jwt)

        async def current() -> ResolvedDestination:
            return await self.resolve(name, tenant=tenant, user_jwt=user_jwt)

        transport = DestinationTransport(
            current, self.router, self._breaker(name), self._pool.backend, sap_client_query=sap_client_query
        )
        client_options.setdefault("timeout", self.settings.target_timeouts.to_httpx())
        return httpx.AsyncClient(base_url=resolved.url, transport=transport, trust_env=False, **client_options)

    def _breaker(self, name: str) -> Resilience:
        if name not in self._resilience:
            self._resilience[name] = Resilience(name, retry=self.settings.target_retry, breaker=self.settings.breaker)
        return self._resilience[name]

    def token_fetcher(self, credentials: ClientCredentials) -> TokenFetcher:
        key = (credentials.token_url, credentials.client_id)
        if key not in self._fetchers:
            self._fetchers[key] = TokenFetcher(
                self._service_client(credentials), credentials, leeway=self.settings.token_leeway
            )
        return self._fetchers[key]

    def _service(self, tenant: str | None) -> DestinationService | None:
        if tenant not in self._services:
            binding = find_binding(self.bindings, "destination")
            if binding is None:
                return None
            fetcher = self.token_fetcher(credentials_from_binding(binding, tenant=tenant))
            self._services[tenant] = DestinationService(self._service_client(None), binding.require("uri"), fetcher)
        return self._services[tenant]

    async def _onpremise_proxy(self, tenant: str | None) -> tuple[str, str]:
        binding = require_binding(self.bindings, "connectivity", purpose="OnPremise destinations")
        port = binding.credential("onpremise_proxy_http_port") or binding.require("onpremise_proxy_port")
        token = await self.token_fetcher(credentials_from_binding(binding, tenant=tenant)).token()
        return f"http://{binding.require('onpremise_proxy_host')}:{port}", token.value

    def _service_client(self, credentials: ClientCredentials | None) -> httpx.AsyncClient:
        """Clients for XSUAA / Destination / connectivity calls: default trust, never TrustAll; mTLS when X.509."""
        mtls = credentials is not None and credentials.uses_certificate
        key = (
            fingerprint(credentials.client_id.encode(), credentials.token_url.encode())
            if mtls and credentials
            else "service"
        )
        if key not in self._token_clients:
            context = default_context(self.settings.service_ca_pem)
            if mtls and credentials:
                pem = f"{credentials.certificate}\n{credentials.key}".encode()
                add_client_certificate(context, load_keystore("binding certificate", pem))
            inner = self._pool.get(Route(trust=f"service:{key}"), lambda: context)
            resilience = Resilience("BTP services", retry=self.settings.service_retry, breaker=self.settings.breaker)
            self._token_clients[key] = httpx.AsyncClient(
                transport=ResilientTransport(inner, resilience, close_inner=False),
                trust_env=False,
                timeout=self.settings.service_timeouts.to_httpx(),
            )
        return self._token_clients[key]

    async def aclose(self) -> None:
        for client in self._token_clients.values():
            await client.aclose()
        await self._pool.aclose()

    async def __aenter__(self) -> DestinationClientFactory:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()


@asynccontextmanager
async def connect(
    name: str,
    *,
    settings: ConnectivitySettings | None = None,
    tenant: str | None = None,
    user_jwt: str | None = None,
    **client_options: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """One destination, one block: `async with connect("BusinessPartner") as client: ...`."""
    async with DestinationClientFactory(settings) as factory:
        client = await factory.connect(name, tenant=tenant, user_jwt=user_jwt, **client_options)
        async with client:
            yield client
