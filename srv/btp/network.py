"""Pooled `httpx` transports with a host → address override, like `curl --resolve`.

The override changes only where the TCP connection goes: TLS still sends the URL's host name (SNI) and checks
the certificate against it. This is how a Private Link host name (`s4.privatelink.test`) is reached on a
machine whose DNS does not know it: in tests, and in connection checks run before DNS is set up.
"""

from __future__ import annotations

import ssl
import typing
from collections.abc import Mapping

import httpcore
import httpx


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, overrides: Mapping[str, str]) -> None:
        self._overrides = {host.lower(): address for host, address in overrides.items()}
        self._inner = httpcore.AnyIOBackend()

    def address(self, host: str) -> str:
        return self._overrides.get(host.lower(), host)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_tcp(
            self.address(host), port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - not used
        return await self._inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PooledTransport(httpx.AsyncHTTPTransport):
    """`httpx.AsyncHTTPTransport` whose connection pool uses our network backend and an optional HTTP proxy."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        backend: ResolvingBackend,
        *,
        limits: httpx.Limits,
        proxy_url: str | None = None,
        proxy_headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(verify=ssl_context, limits=limits)
        proxy = None
        if proxy_url:
            headers: list[tuple[bytes | str, bytes | str]] = list((proxy_headers or {}).items())
            proxy = httpcore.Proxy(url=proxy_url, headers=headers)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            proxy=proxy,
            network_backend=backend,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )
