"""OAuth2 client credentials: token fetch with cache and single-flight, and an `httpx.Auth` using it.

Tokens are opaque to us: `expires_in` from the response is the only lifetime used (never JWT claims).
The client secret goes in the form body, as @sap/xssec sends it; the X.509 binding variant sends only
`client_id` over mutual TLS to `certurl`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from .errors import TokenError
from .vcap import ServiceBinding

DEFAULT_EXPIRES_IN = 300.0


@dataclass(frozen=True)
class ClientCredentials:
    token_url: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    certificate: str | None = field(default=None, repr=False)  # PEM chain of the X.509 binding variant
    key: str | None = field(default=None, repr=False)  # PEM private key of the X.509 binding variant

    @property
    def uses_certificate(self) -> bool:
        return self.client_secret is None and bool(self.certificate and self.key)


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float
    issued_at: float = 0.0
    token_type: str = "bearer"  # noqa: S105 - a token type, not a secret

    def fresh(self, now: float, leeway: float) -> bool:
        """Still usable: renewal starts `leeway` s (at most a tenth of the lifetime) before expiry."""
        return now < self.expires_at - min(leeway, (self.expires_at - self.issued_at) / 10)


def tenant_url(url: str, identity_zone: str | None, tenant: str | None) -> str:
    """`https://<zone>.<uaadomain>` → `https://<tenant>.<uaadomain>` for a subscriber tenant (subdomain)."""
    if not tenant or not identity_zone:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host.startswith(identity_zone + "."):
        return url
    netloc = parts.netloc.replace(host, tenant + host[len(identity_zone) :], 1)
    return urlunsplit(parts._replace(netloc=netloc))


def credentials_from_binding(binding: ServiceBinding, *, tenant: str | None = None) -> ClientCredentials:
    """Client credentials of an XSUAA-based binding (destination, connectivity), secret or X.509 variant."""
    zone = binding.credential("identityzone")
    secret = binding.credential("clientsecret")
    x509 = binding.credential("credential-type") == "x509" or (not secret and binding.credential("certificate"))
    base = binding.require("certurl") if x509 else binding.require("url")
    return ClientCredentials(
        token_url=tenant_url(base.rstrip("/"), zone, tenant) + "/oauth/token",
        client_id=binding.require("clientid"),
        client_secret=None if x509 else binding.require("clientsecret"),
        certificate=binding.credential("certificate") if x509 else None,
        key=binding.credential("key") if x509 else None,
    )


def parse_token_response(body: Any, *, now: float) -> AccessToken:
    """Pure: an XSUAA token response → AccessToken. Raises ValueError when it holds no token."""
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise ValueError("the response holds no access_token")
    try:
        expires_in = float(body.get("expires_in", DEFAULT_EXPIRES_IN))
    except (TypeError, ValueError):
        expires_in = DEFAULT_EXPIRES_IN
    return AccessToken(
        value=body["access_token"],
        expires_at=now + expires_in,
        issued_at=now,
        token_type=str(body.get("token_type") or "bearer"),
    )


class TokenFetcher:
    """One OAuth client's token: fetched once, shared by concurrent callers, renewed `leeway` s before expiry."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        credentials: ClientCredentials,
        *,
        leeway: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._credentials = credentials
        self._leeway = leeway
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    @property
    def token_url(self) -> str:
        return self._credentials.token_url

    def _valid(self, token: AccessToken | None) -> bool:
        return token is not None and token.fresh(self._clock(), self._leeway)

    async def token(self) -> AccessToken:
        if self._valid(self._token):
            assert self._token is not None
            return self._token
        async with self._lock:
            if not self._valid(self._token):
                self._token = await self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self, token: AccessToken) -> None:
        if self._token is token:
            self._token = None

    async def _fetch(self) -> AccessToken:
        url, creds = self._credentials.token_url, self._credentials
        form = {"grant_type": "client_credentials", "client_id": creds.client_id}
        if creds.client_secret is not None:
            form["client_secret"] = creds.client_secret
        self.fetches += 1
        try:
            response = await self._client.post(url, data=form, headers={"Accept": "application/json"})
        except httpx.TimeoutException as exc:
            raise TokenError(f"token request to {url} timed out", token_url=url) from exc
        except httpx.HTTPError as exc:
            raise TokenError(f"token endpoint {url} is unreachable: {type(exc).__name__}", token_url=url) from exc
        if response.status_code != 200:
            raise TokenError(
                f"token endpoint {url} answered HTTP {response.status_code}",
                token_url=url,
                status=response.status_code,
                hint=_token_hint(response.status_code),
            )
        try:
            return parse_token_response(response.json(), now=self._clock())
        except ValueError as exc:
            raise TokenError(f"token endpoint {url} sent no access token", token_url=url, status=200) from exc


def _token_hint(status: int) -> str | None:
    if status in (400, 401):
        return "check clientid/clientsecret (or certificate) of the service binding; re-create the service key"
    return None


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>`; on 401 the token is renewed once and the request sent again."""

    def __init__(self, fetcher: TokenFetcher) -> None:
        self._fetcher = fetcher

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("BearerAuth works with httpx.AsyncClient only")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._fetcher.token()
        request.headers["Authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code == 401:
            self._fetcher.invalidate(token)
            token = await self._fetcher.token()
            request.headers["Authorization"] = f"Bearer {token.value}"
            yield request
