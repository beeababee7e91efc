"""`XsuaaValidator`: an access token in, an `XsuaaToken` out, or an `XsuaaError`. Never blocks the event loop.

    token ─ jose.parse_compact (alg RS256, kid, size) ─ jku inside uaadomain? ─ zid of our zone?
          ─ JwksCache.key(https://<zone>.<uaadomain>/token_keys?zid=…, kid)   [verificationkey if XSUAA is down]
          ─ signature (PyJWT, algorithms=["RS256"], an RSA key object) ─ claims.validate_claims

Checks that need no key run first, so forged tokens cost no network round trip.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from .claims import DEFAULT_LEEWAY, check_zone, validate_claims
from .credentials import XsuaaCredentials
from .errors import KeyServiceError, MalformedTokenError, SignatureError
from .jose import ALGORITHM, MAX_TOKEN_BYTES, CompactJws, parse_compact
from .jwks import CachePolicy, JwksCache
from .token import XsuaaToken
from .trust import check_jku, key_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValidationPolicy:
    leeway: float = DEFAULT_LEEWAY  # seconds of clock skew tolerated for exp / nbf / iat
    keys: CachePolicy = field(default_factory=CachePolicy)
    timeout: float = 5.0  # per token_keys request
    max_token_bytes: int = MAX_TOKEN_BYTES
    fallback_to_verification_key: bool = True  # sap-xssec does this when token_keys fails


class XsuaaValidator:
    def __init__(
        self,
        credentials: XsuaaCredentials,
        policy: ValidationPolicy | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.policy = policy or ValidationPolicy()
        self._clock = clock
        self._client = httpx.AsyncClient(
            transport=transport, timeout=self.policy.timeout, follow_redirects=False, trust_env=False
        )
        self.keys = JwksCache(self._client, self.policy.keys)

    async def validate(self, token: str, *, client_certificate: bytes | None = None) -> XsuaaToken:
        jws = parse_compact(token, max_bytes=self.policy.max_token_bytes)
        if "jku" in jws.header:
            check_jku(jws.header["jku"], self.credentials.uaadomain)
        zone_id = check_zone(jws.claims, self.credentials)
        key = await self._key(jws, zone_id)
        claims = _verified_claims(token, key)
        return validate_claims(
            claims,
            self.credentials,
            now=self._clock(),
            leeway=self.policy.leeway,
            client_certificate=client_certificate,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _key(self, jws: CompactJws, zone_id: str) -> RSAPublicKey:
        url = key_url(self.credentials.uaadomain, self._subdomain(jws), zone_id)
        try:
            return await self.keys.key(url, jws.kid)
        except KeyServiceError:
            fallback = self.credentials.verification_key
            if fallback is None or not self.policy.fallback_to_verification_key:
                raise
            log.warning("XSUAA token_keys unavailable; validating with the binding's verificationkey")
            return fallback

    def _subdomain(self, jws: CompactJws) -> str | None:
        """Dedicated: the binding's identity zone. Shared: the token's `ext_attr.zdn` (checked in key_url)."""
        if self.credentials.tenant_mode == "dedicated":
            return self.credentials.identityzone
        ext = jws.claims.get("ext_attr")
        zdn = ext.get("zdn") if isinstance(ext, dict) else None
        return zdn if isinstance(zdn, str) else None


def _verified_claims(token: str, key: RSAPublicKey) -> dict[str, object]:
    try:
        verified = jwt.PyJWS().decode_complete(token, key, algorithms=[ALGORITHM])
    except jwt.InvalidSignatureError:
        raise SignatureError("the token's signature does not verify") from None
    except jwt.PyJWTError:
        raise MalformedTokenError("the token cannot be verified") from None
    try:
        claims = json.loads(verified["payload"])
    except ValueError:
        raise MalformedTokenError("the token's payload is not JSON") from None
    if not isinstance(claims, dict):
        raise MalformedTokenError("the token's payload is not a JSON object")
    return claims
