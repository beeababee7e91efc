"""The transport behind a destination's `httpx.AsyncClient`: resolve (cached) → route → resilient send.

Each request looks the destination up again (a cache hit almost always), so an expired `authTokens` entry or
the end of the TTL is honoured by long-lived clients. Headers set on the request win over the destination's.
Transport failures come out as `btp` errors: `TLSError` (and subclasses), `TargetUnavailableError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from .connectivity import Router
from .destination import ProxyType
from .destinations import ResolvedDestination
from .errors import CertificateVerificationError, TargetUnavailableError, TLSError
from .network import ResolvingBackend
from .resilience import Resilience
from .tls import peer_certificate, requires_client_certificate, translate_tls_error


class DestinationTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        resolve: Callable[[], Awaitable[ResolvedDestination]],
        router: Router,
        resilience: Resilience,
        backend: ResolvingBackend,
        *,
        sap_client_query: bool = False,
    ) -> None:
        self._resolve = resolve
        self._router = router
        self._resilience = resilience
        self._backend = backend
        self._sap_client_query = sap_client_query

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        resolved = await self._resolve()
        transport, per_request = await self._router.transport(resolved, request.url)
        self._prepare(request, resolved, per_request)
        try:
            return await self._resilience.send(transport, request)
        except httpx.TransportError as exc:
            raise await self._translate(exc, request, resolved) from exc

    def _prepare(self, request: httpx.Request, resolved: ResolvedDestination, per_request: dict[str, str]) -> None:
        for name, value in {**resolved.headers, **per_request}.items():
            if name not in request.headers:
                request.headers[name] = value
        params = dict(resolved.params)
        if self._sap_client_query and resolved.headers.get("sap-client"):
            params.setdefault("sap-client", resolved.headers["sap-client"])
        missing = {k: v for k, v in params.items() if k not in request.url.params}
        if missing:
            request.url = request.url.copy_merge_params(missing)

    async def _translate(
        self, exc: httpx.TransportError, request: httpx.Request, resolved: ResolvedDestination
    ) -> Exception:
        host, port, name = request.url.host, request.url.port or _default_port(request.url), resolved.name
        tls = translate_tls_error(exc, host, port, trust=resolved.trust, destination=name)
        if isinstance(tls, CertificateVerificationError) and resolved.proxy_type is not ProxyType.ON_PREMISE:
            peer = await peer_certificate(host, port, address=self._backend.address(host))
            tls = translate_tls_error(exc, host, port, trust=resolved.trust, destination=name, peer=peer)
        if tls is not None:
            return tls
        if await self._client_certificate_missing(exc, request, resolved):
            return TLSError(
                f"{host}:{port} closed the TLS connection without an answer: it requires a TLS client certificate",
                host=host,
                port=port,
                destination=name,
                hint="use Authentication=ClientCertificateAuthentication with KeyStoreLocation",
            )
        where = str(request.url.copy_with(query=None))
        if isinstance(exc, httpx.TimeoutException):
            return TargetUnavailableError(
                f"{type(exc).__name__}: no answer from {where} in time (destination {name})",
                url=where,
                destination=name,
            )
        return TargetUnavailableError(
            f"cannot reach {where} for destination {name}: {type(exc).__name__}",
            url=where,
            destination=name,
            hint=_reach_hint(resolved),
        )

    async def _client_certificate_missing(
        self, exc: httpx.TransportError, request: httpx.Request, resolved: ResolvedDestination
    ) -> bool:
        if not isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError) or request.url.scheme != "https":
            return False
        if resolved.keystore is not None or resolved.proxy_type is ProxyType.ON_PREMISE:
            return False
        host = request.url.host
        return await requires_client_certificate(host, request.url.port or 443, address=self._backend.address(host))

    async def aclose(self) -> None:
        """The pooled connections belong to the factory; closing one client leaves them open."""


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _reach_hint(resolved: ResolvedDestination) -> str:
    if resolved.proxy_type is ProxyType.PRIVATE_LINK:
        return (
            "check the private host name in URL and that the Private Link service instance is bound to this application"
        )
    if resolved.proxy_type is ProxyType.ON_PREMISE:
        return "check that the Cloud Connector is connected and maps the virtual host of URL"
    return "check URL and the network (proxy variables for Internet destinations)"
