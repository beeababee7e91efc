"""Destination lookup: `destinations` env var first, then the Destination service; stores loaded; cached.

Order (as the SAP Cloud SDK): an entry of the `destinations` environment variable with that name wins; otherwise
the Destination service of the `destination` binding (instance level before subaccount level, decided by the
service's find API). Neither → `BindingNotFoundError`.

Cache: per (tenant, name, user) for `destination_ttl` seconds, shorter when an `authTokens` entry expires earlier;
`SAMLAssertion` destinations are not cached. Concurrent first lookups share one fetch.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from .authentication import query_parameters, request_headers
from .cache import SingleFlightCache
from .destination import AuthToken, Destination, ProxyType, from_environment
from .destination_service import DestinationService
from .errors import BindingNotFoundError, ConfigurationError, StoreError, StoreNotFoundError
from .oauth import ClientCredentials, TokenFetcher
from .settings import ConnectivitySettings
from .stores import KeyStore, TrustStore, load_keystore, load_truststore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResolvedDestination:
    """A destination ready to call: its stores loaded and its headers computed (they may hold secrets)."""

    destination: Destination
    trust: str  # "default", "trust-all" or "truststore <name> (<format>)"
    truststore: TrustStore | None = None
    keystore: KeyStore | None = None
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    params: Mapping[str, str] = field(default_factory=dict)
    tenant: str | None = None

    @property
    def name(self) -> str:
        return self.destination.name

    @property
    def url(self) -> str:
        return self.destination.url

    @property
    def proxy_type(self) -> ProxyType:
        return self.destination.proxy_type


ServiceFor = Callable[[str | None], DestinationService | None]
FetcherFor = Callable[[ClientCredentials], TokenFetcher]


class DestinationLookup:
    def __init__(
        self,
        settings: ConnectivitySettings,
        environ: Mapping[str, str],
        *,
        service_for: ServiceFor,
        fetcher_for: FetcherFor,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._environ = environ
        self._service_for = service_for
        self._fetcher_for = fetcher_for
        self._clock = clock
        self._cache: SingleFlightCache[tuple[str | None, str, str], ResolvedDestination] = SingleFlightCache(
            max_entries=settings.max_cached_destinations, clock=clock
        )
        self._warned: set[tuple[str, str]] = set()

    async def resolve(
        self, name: str, *, tenant: str | None = None, user_jwt: str | None = None, use_cache: bool = True
    ) -> ResolvedDestination:
        key = (tenant, name, hashlib.sha256((user_jwt or "").encode()).hexdigest())
        if not use_cache:
            self._cache.invalidate(key)
        return await self._cache.get(key, lambda: self._load(name, tenant, user_jwt))

    async def _load(self, name: str, tenant: str | None, user_jwt: str | None) -> tuple[ResolvedDestination, float]:
        destination, service = await self._find(name, tenant, user_jwt)
        destination = await self._with_own_token(destination)
        truststore, trust = await self._trust(destination, service)
        resolved = ResolvedDestination(
            destination=destination,
            trust=trust,
            truststore=truststore,
            keystore=_keystore(destination),
            tenant=tenant,
            headers=request_headers(destination, user_jwt=user_jwt),
            params=query_parameters(destination),
        )
        return resolved, self._expiry(destination)

    def _environment_destination(self, name: str) -> Destination | None:
        text = self._environ.get("destinations")
        matches = [d for d in from_environment(text) if d.name == name] if text and text.strip() else []
        if len(matches) > 1:
            log.warning(
                "the destinations environment variable has %d entries named %s; using the first", len(matches), name
            )
        return matches[0] if matches else None

    async def _find(
        self, name: str, tenant: str | None, user_jwt: str | None
    ) -> tuple[Destination, DestinationService | None]:
        found = self._environment_destination(name)
        if found is not None:
            return found, None
        service = self._service_for(tenant)
        if service is None:
            raise BindingNotFoundError(
                "destination",
                f"destination {name} is not in the destinations environment "
                "variable and there is no binding to the destination service in "
                "VCAP_SERVICES",
                hint="bind a destination service instance, or define the "
                "destination in the destinations environment variable for local development",
            )
        return await service.find(name, user_jwt=user_jwt), service

    async def _with_own_token(self, destination: Destination) -> Destination:
        """Local `OAuth2ClientCredentials` destinations (no service to run the flow): fetch from tokenServiceURL."""
        if destination.auth_tokens or destination.authentication != "OAuth2ClientCredentials":
            return destination
        url, client = destination.get("tokenServiceURL"), destination.get("clientId")
        if not url or not client:
            return destination
        fetcher = self._fetcher_for(
            ClientCredentials(token_url=url, client_id=client, client_secret=destination.get("clientSecret") or "")
        )
        token = await fetcher.token()
        auth = AuthToken(
            type="bearer", header_value=f"Bearer {token.value}", expires_in=max(token.expires_at - self._clock(), 0.0)
        )
        return replace(destination, auth_tokens=(auth,))

    async def _trust(
        self, destination: Destination, service: DestinationService | None
    ) -> tuple[TrustStore | None, str]:
        location = destination.get("TrustStoreLocation")
        if destination.trust_all:
            self._warn_trust_all(destination, location)
            return None, "trust-all"
        if not location:
            return None, "default"
        certificate = destination.certificate(location)
        if certificate is None and service is not None:
            certificate = await service.certificate(location, destination=destination.name)
        if certificate is None:
            raise StoreNotFoundError(
                f"truststore certificate {location} not found for destination {destination.name}",
                store=location,
                kind="truststore",
                destination=destination.name,
                hint="a destination from the destinations environment variable must carry "
                "its certificate (trustStoreCertificate {name, content})",
            )
        try:
            store = load_truststore(location, certificate.content, destination.get("TrustStorePassword"))
        except StoreError as exc:
            exc.destination = destination.name
            raise
        return store, f"truststore {location} ({store.format})"

    def _warn_trust_all(self, destination: Destination, location: str | None) -> None:
        warnings = [
            (
                "trust-all",
                "destination %s has TrustAll=true: server certificates and host names are NOT "
                "verified. Never use this in production.",
            )
        ]
        if location:
            warnings.append(
                (
                    "redundant",
                    "destination %s has TrustAll and TrustStoreLocation: a redundant setup; "
                    "TrustAll wins, the truststore is not used",
                )
            )
        if destination.url.lower().startswith("http://"):
            warnings.append(("http", "destination %s has TrustAll, which has no effect for an http:// URL"))
        for kind, text in warnings:
            if (destination.name, kind) not in self._warned:
                self._warned.add((destination.name, kind))
                log.warning(text, destination.name)

    def _expiry(self, destination: Destination) -> float:
        ttl = 0.0 if destination.authentication == "SAMLAssertion" else self._settings.destination_ttl
        for token in destination.auth_tokens:
            if token.expires_in is not None:
                ttl = min(ttl, token.expires_in - min(self._settings.token_leeway, token.expires_in / 10))
        return self._clock() + ttl


def _keystore(destination: Destination) -> KeyStore | None:
    if destination.authentication != "ClientCertificateAuthentication":
        return None
    location = destination.get("KeyStoreLocation")
    if not location:
        raise ConfigurationError(
            f"destination {destination.name} uses ClientCertificateAuthentication without KeyStoreLocation",
            destination=destination.name,
            hint="upload the client keystore and set KeyStoreLocation",
        )
    certificate = destination.certificate(location)
    if certificate is None:
        raise StoreNotFoundError(
            f"no certificate with name {location} could be found on destination {destination.name}",
            store=location,
            kind="keystore",
            destination=destination.name,
            hint="upload the keystore to the destination (Upload and Delete Certificates)",
        )
    try:
        return load_keystore(location, certificate.content, destination.get("KeyStorePassword"))
    except StoreError as exc:
        exc.destination = destination.name
        raise
