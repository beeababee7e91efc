"""Proof of possession for X.509-bound tokens (RFC 8705): `cnf.x5t#S256` vs the caller's certificate. Pure.

On Cloud Foundry the router terminates mutual TLS and forwards the client certificate in
`X-Forwarded-Client-Cert` (XFCC): the base64 DER (gorouter), a PEM (possibly URL-encoded) or Envoy's
`Hash=…;Cert="<url-encoded PEM>"`. The check is only as strong as the router's guarantee that a caller
cannot set that header itself (gorouter `forwarded_client_cert: sanitize_set`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

_ENVOY_CERT = re.compile(r'(?:^|;)Cert="?([^";,]+)"?', re.IGNORECASE)


def thumbprint_s256(der: bytes) -> str:
    """`x5t#S256`: base64url (no padding) of the SHA-256 of the DER certificate."""
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def matches(cnf_thumbprint: str, der: bytes | None) -> bool:
    return der is not None and hmac.compare_digest(cnf_thumbprint.encode(), thumbprint_s256(der).encode())


def certificate_from_xfcc(value: str | None) -> bytes | None:
    """The DER bytes of the (first) certificate in an XFCC header value; None when absent or unreadable."""
    if not value:
        return None
    envoy = _ENVOY_CERT.search(value)
    text = unquote(envoy.group(1) if envoy else value).strip()
    try:
        if "-----BEGIN CERTIFICATE-----" in text:
            return x509.load_pem_x509_certificate(text.encode()).public_bytes(Encoding.DER)
        der = base64.b64decode(text, validate=True)
        return x509.load_der_x509_certificate(der).public_bytes(Encoding.DER)
    except (ValueError, binascii.Error):
        return None
