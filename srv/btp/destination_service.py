"""The Destination service REST API: find a destination, fetch a certificate. One instance per tenant.

`GET <uri>/destination-configuration/v1/destinations/{name}` is the "find" API: the service looks at the
service instance's destinations first, then at the subaccount's, runs the destination's OAuth flow and returns
`destinationConfiguration`, `authTokens` and `certificates` in one answer (`owner.InstanceId` tells the level).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx

from .destination import CertificateFile, Destination, from_lookup, parse_certificates
from .errors import DestinationNotFoundError, DestinationServiceError, StoreNotFoundError
from .oauth import BearerAuth, TokenFetcher

log = logging.getLogger(__name__)

NOT_FOUND_TEXT = "Configuration with the specified name was not found"
API = "/destination-configuration/v1"


class DestinationService:
    def __init__(self, client: httpx.AsyncClient, uri: str, tokens: TokenFetcher) -> None:
        self._client = client
        self._uri = uri.rstrip("/")
        self.tokens = tokens
        self._auth = BearerAuth(tokens)
        self.calls = 0

    async def find(self, name: str, *, user_jwt: str | None = None) -> Destination:
        url = f"{self._uri}{API}/destinations/{quote(name, safe='')}"
        headers = {"X-user-token": user_jwt} if user_jwt else {}
        response = await self._get(url, headers, destination=name)
        if response.status_code == 404 and _error_message(response) == NOT_FOUND_TEXT:
            raise DestinationNotFoundError(name, where="the destination service (instance and subaccount level)")
        _raise_for_status(response, url, name)
        try:
            destination = from_lookup(name, response.json())
        except ValueError as exc:
            raise DestinationServiceError(
                f"the destination service sent an unreadable answer for {name}",
                url=url,
                status=response.status_code,
                destination=name,
            ) from exc
        log.debug("destination %s found at %s level", name, destination.level)
        return destination

    async def certificate(self, name: str, *, destination: str) -> CertificateFile:
        """A truststore certificate by name: subaccount level, then instance level (as the SAP Cloud SDK)."""
        for level in ("subaccountCertificates", "instanceCertificates"):
            url = f"{self._uri}{API}/{level}/{quote(name, safe='')}"
            response = await self._get(url, {}, destination=destination)
            if response.status_code == 404:
                continue
            _raise_for_status(response, url, destination)
            found = parse_certificates([response.json()])
            if found:
                return found[0]
        raise StoreNotFoundError(
            f"truststore certificate {name} not found (destination {destination}, looked at "
            "subaccount and instance level)",
            store=name,
            kind="truststore",
            destination=destination,
            hint="upload the certificate in the Destinations cockpit (Certificates) or fix TrustStoreLocation",
        )

    async def _get(self, url: str, headers: dict[str, str], *, destination: str) -> httpx.Response:
        self.calls += 1
        try:
            response = await self._client.get(url, headers=headers, auth=self._auth)
            await response.aread()
            return response
        except httpx.TimeoutException as exc:
            timeout = self._client.timeout.read
            raise DestinationServiceError(
                f"request to the destination service {url} timed out after {timeout} s",
                url=url,
                destination=destination,
            ) from exc
        except httpx.HTTPError as exc:
            raise DestinationServiceError(
                f"the destination service {url} is unreachable ({type(exc).__name__})",
                url=url,
                destination=destination,
                hint="check the 'uri' of the destination binding",
            ) from exc


def _error_message(response: httpx.Response) -> str | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    return str(body.get("ErrorMessage")) if isinstance(body, dict) and body.get("ErrorMessage") else None


def _raise_for_status(response: httpx.Response, url: str, destination: str) -> None:
    if response.status_code < 400:
        return
    status, detail = response.status_code, _error_message(response)
    hint = (
        "the binding's OAuth client is not accepted: re-create the service key or check the instance"
        if status in (401, 403)
        else None
    )
    text = f": {detail}" if detail else ""
    raise DestinationServiceError(
        f"the destination service answered HTTP {status} for {destination}{text}",
        url=url,
        status=status,
        hint=hint,
        destination=destination,
    )
