"""A `token_keys` document → RSA public keys by `kid`. Pure.

XSUAA answers `{"keys": [{"kty": "RSA", "kid": "default-jwt-key-…", "alg": "RS256", "use": "sig",
"n": "…", "e": "AQAB", "value": "-----BEGIN PUBLIC KEY-----…"}]}`. Keys of another type (`EC`, `oct`)
are remembered by kid only, so a token naming one is refused as the wrong key type, not as unknown.
RSA keys shorter than 2048 bits are refused like foreign types.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .errors import AlgorithmError, UntrustedKeyError

MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class KeySet:
    rsa: Mapping[str, RSAPublicKey] = field(default_factory=dict, repr=False)
    other: Mapping[str, str] = field(default_factory=dict)  # kid → kty (or "weak")

    def __contains__(self, kid: object) -> bool:
        return kid in self.rsa or kid in self.other

    def key(self, kid: str) -> RSAPublicKey:
        if kid in self.other:
            raise AlgorithmError("the key the token names cannot verify RS256", reason="key_type")
        try:
            return self.rsa[kid]
        except KeyError:
            raise UntrustedKeyError("no key with the token's kid", reason="unknown_kid") from None


def parse_jwks(document: Any) -> KeySet:
    """Raises ValueError when `document` is no JWKS; single unusable entries are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    rsa: dict[str, RSAPublicKey] = {}
    other: dict[str, str] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        kid = entry["kid"]
        if entry.get("use", "sig") != "sig" or entry.get("alg", "RS256") != "RS256":
            other[kid] = "unusable"
        elif entry.get("kty") != "RSA":
            other[kid] = str(entry.get("kty"))
        else:
            key = _rsa_key(entry)
            if key is None or key.key_size < MIN_RSA_BITS:
                other[kid] = "weak"
            else:
                rsa[kid] = key
    return KeySet(rsa, other)


def _rsa_key(entry: Mapping[str, Any]) -> RSAPublicKey | None:
    try:
        if isinstance(entry.get("n"), str) and isinstance(entry.get("e"), str):
            return RSAPublicNumbers(_b64_int(entry["e"]), _b64_int(entry["n"])).public_key()
        if isinstance(entry.get("value"), str):
            key = load_pem_public_key(entry["value"].encode())
            return key if isinstance(key, RSAPublicKey) else None
    except (ValueError, TypeError, binascii.Error):
        return None
    return None


def _b64_int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")
