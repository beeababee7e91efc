"""Proxy types → how a request reaches a destination's host, and the transport that sends it.

* `PrivateLink`: direct TCP/TLS to the URL's (private) host name. No proxy at all — unlike the SAP Cloud SDK JS,
  which also applies `HTTP(S)_PROXY` — and no Cloud Connector headers.
* `Internet`: direct, or through `HTTPS_PROXY`/`HTTP_PROXY` (either case) unless the host matches `NO_PROXY`
  (comma list; `*`, exact host, or domain suffix with or without a leading dot).
* `OnPremise`: the connectivity service's HTTP proxy (`onpremise_proxy_host`, `onpremise_proxy_http_port` or
  `onpremise_proxy_port`) with `Proxy-Authorization: Bearer <connectivity token>`; for http:// URLs (the usual
  case: the Cloud Connector talks TLS to the backend) the header travels with each request, for https:// on the
  CONNECT request.
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import httpx
from cryptography.hazmat.primitives import hashes

from .destination import ProxyType
from .destinations import ResolvedDestination
from .network import PooledTransport, ResolvingBackend
from .settings import ConnectivitySettings
from .tls import add_client_certificate, default_context, fingerprint, trust_all_context, truststore_context

OnPremiseProxy = Callable[[str | None], Awaitable[tuple[str, str]]]  # tenant → (proxy URL, bearer token)


@dataclass(frozen=True)
class Route:
    """Everything that makes two connections interchangeable: the key of the transport pool."""

    trust: str
    client_certificate: str | None = None
    proxy_url: str | None = None
    proxy_authorization: str | None = field(default=None, repr=False)


def environment_proxy(url: httpx.URL, environ: Mapping[str, str]) -> str | None:
    """The proxy for an Internet destination from the standard variables, or None."""

    def variable(name: str) -> str | None:
        return environ.get(name.lower()) or environ.get(name.upper()) or None

    proxy = variable(f"{url.scheme}_proxy") or (variable("all_proxy"))
    if not proxy:
        return None
    host = url.host.lower()
    for entry in (variable("no_proxy") or "").split(","):
        pattern = entry.strip().lower().lstrip(".")
        if pattern == "*" or (pattern and (host == pattern or host.endswith("." + pattern))):
            return None
    return proxy


class TransportPool:
    """One pooled transport per `Route`, shared by all destinations that route alike (LRU, `max_routes`)."""

    def __init__(self, settings: ConnectivitySettings, *, max_routes: int = 100) -> None:
        self.backend = ResolvingBackend(settings.resolve)
        self._limits = httpx.Limits(
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_keepalive_connections,
            keepalive_expiry=settings.keepalive_expiry,
        )
        self._transports: OrderedDict[Route, PooledTransport] = OrderedDict()
        self._retired: list[PooledTransport] = []
        self._max_routes = max_routes

    def get(self, route: Route, make_context: Callable[[], ssl.SSLContext]) -> PooledTransport:
        transport = self._transports.get(route)
        if transport is None:
            headers = {"Proxy-Authorization": route.proxy_authorization} if route.proxy_authorization else None
            transport = PooledTransport(
                make_context(), self.backend, limits=self._limits, proxy_url=route.proxy_url, proxy_headers=headers
            )
            self._transports[route] = transport
            if len(self._transports) > self._max_routes:
                self._retired.append(self._transports.popitem(last=False)[1])  # closed with the pool
        self._transports.move_to_end(route)
        return transport

    async def aclose(self) -> None:
        for transport in [*self._transports.values(), *self._retired]:
            await transport.aclose()
        self._transports.clear()
        self._retired.clear()


class Router:
    """Plans the route of a resolved destination and hands out its transport plus per-request headers."""

    def __init__(self, pool: TransportPool, environ: Mapping[str, str], onpremise_proxy: OnPremiseProxy) -> None:
        self._pool = pool
        self._environ = environ
        self._onpremise_proxy = onpremise_proxy

    async def transport(
        self, resolved: ResolvedDestination, url: httpx.URL
    ) -> tuple[httpx.AsyncBaseTransport, dict[str, str]]:
        route, per_request = await self._plan(resolved, url)
        return self._pool.get(route, lambda: ssl_context(resolved)), per_request

    async def _plan(self, resolved: ResolvedDestination, url: httpx.URL) -> tuple[Route, dict[str, str]]:
        trust, client = trust_key(resolved), keystore_key(resolved)
        kind = resolved.proxy_type
        if kind is ProxyType.ON_PREMISE:
            proxy_url, token = await self._onpremise_proxy(resolved.tenant)
            if url.scheme == "http":
                return Route(trust, client, proxy_url), {"Proxy-Authorization": f"Bearer {token}"}
            return Route(trust, client, proxy_url, f"Bearer {token}"), {}
        if kind is ProxyType.INTERNET:
            return Route(trust, client, environment_proxy(url, self._environ)), {}
        return Route(trust, client), {}


def trust_key(resolved: ResolvedDestination) -> str:
    if resolved.trust == "trust-all":
        return "trust-all"
    if resolved.truststore is None:
        return "default"
    return "store:" + fingerprint(*(c.fingerprint(hashes.SHA256()) for c in resolved.truststore.certificates))


def keystore_key(resolved: ResolvedDestination) -> str | None:
    if resolved.keystore is None:
        return None
    return fingerprint(*(c.fingerprint(hashes.SHA256()) for c in resolved.keystore.chain))


def ssl_context(resolved: ResolvedDestination) -> ssl.SSLContext:
    if resolved.trust == "trust-all":
        context = trust_all_context()
    elif resolved.truststore is not None:
        context = truststore_context(resolved.truststore)
    else:
        context = default_context()
    if resolved.keystore is not None:
        add_client_certificate(context, resolved.keystore)
    return context
