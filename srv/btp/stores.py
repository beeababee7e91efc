"""Trust and key stores read by content, never by file name: PEM (bundles too), DER, PKCS#12/PFX, JKS/JCEKS.

The file extension is ignored (SAP Cloud SDK JS decides by extension and silently ignores all but `.pem`:
SAP/cloud-sdk-js #4817). Whatever cannot be read is an error naming the store, never a silent fallback.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from . import jks_format
from .errors import StoreFormatError, StorePasswordError

_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
_PEM_KEY = re.compile(rb"-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----.+?-----END \1-----", re.S)
_BASE64_TEXT = re.compile(rb"^[A-Za-z0-9+/=\s]+$")


@dataclass(frozen=True)
class TrustStore:
    name: str
    format: str
    certificates: tuple[x509.Certificate, ...]

    def pem(self) -> str:
        return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in self.certificates)


@dataclass(frozen=True)
class KeyStore:
    name: str
    format: str
    key: PrivateKeyTypes = field(repr=False)
    chain: tuple[x509.Certificate, ...]


def sniff(content: bytes) -> str:
    """'pem', 'jks', 'pkcs12', 'der' or 'unknown', from the bytes alone."""
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"-----BEGIN"):
        return "pem"
    if head[:4] in (jks_format.JKS_MAGIC, jks_format.JCEKS_MAGIC):
        return "jks"
    if head[:1] == b"\x30":
        return "pkcs12" if _is_pkcs12(head) else "der"
    return "unknown"


def _is_pkcs12(der: bytes) -> bool:
    """PFX ::= SEQUENCE { version INTEGER (3), ... }: an X.509 certificate starts with a SEQUENCE instead."""
    length_byte = der[1] if len(der) > 1 else 0
    offset = 2 + (length_byte & 0x7F if length_byte & 0x80 else 0)
    return der[offset : offset + 3] == b"\x02\x01\x03"


def _unwrap_base64(content: bytes) -> bytes:
    """Content that is base64 text of a binary store (some uploads are double-encoded)."""
    if sniff(content) == "unknown" and _BASE64_TEXT.match(content):
        try:
            return base64.b64decode(content, validate=False)
        except (binascii.Error, ValueError):
            return content
    return content


def _password(value: str | None) -> bytes | None:
    return value.encode("utf-8") if value else None


def load_truststore(name: str, content: bytes, password: str | None = None) -> TrustStore:
    content = _unwrap_base64(content)
    kind = sniff(content)
    if kind == "pem":
        certs = tuple(x509.load_pem_x509_certificate(m.group(0)) for m in _PEM_CERT.finditer(content))
    elif kind == "der":
        certs = _der_certificate(name, content)
    elif kind == "pkcs12":
        certs = _pkcs12(name, content, password, "truststore")[1]
    elif kind == "jks":
        certs = jks_format.trusted_certificates(name, content, password)
    else:
        raise StoreFormatError(
            f"truststore {name} is in no format we read",
            store=name,
            kind="truststore",
            hint="upload a PEM, DER (.cer/.crt/.der), PKCS#12 (.p12/.pfx) or JKS file",
        )
    if not certs:
        raise StoreFormatError(
            f"no certificate found in truststore {name}",
            store=name,
            kind="truststore",
            hint="upload the server's certificate or its CA certificate",
        )
    return TrustStore(name=name, format=kind, certificates=certs)


def _der_certificate(name: str, content: bytes) -> tuple[x509.Certificate, ...]:
    try:
        return (x509.load_der_x509_certificate(content),)
    except ValueError as exc:
        raise StoreFormatError(
            f"truststore {name} is DER but not an X.509 certificate", store=name, kind="truststore"
        ) from exc


def _pkcs12(
    name: str, content: bytes, password: str | None, kind: str
) -> tuple[PrivateKeyTypes | None, tuple[x509.Certificate, ...]]:
    label = "TrustStorePassword" if kind == "truststore" else "KeyStorePassword"
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(content, _password(password))
    except ValueError as exc:
        problem = "is wrong" if password else "is missing"
        raise StorePasswordError(
            f"cannot open PKCS#12 {kind} {name}: {label} {problem} or the file is damaged",
            store=name,
            kind=kind,
            hint=f"set {label} on the destination",
        ) from exc
    certs = ((cert,) if cert else ()) + tuple(extra)
    return key, certs


def load_keystore(name: str, content: bytes, password: str | None = None) -> KeyStore:
    content = _unwrap_base64(content)
    kind = sniff(content)
    if kind == "pkcs12":
        key, chain = _pkcs12(name, content, password, "keystore")
    elif kind == "pem":
        key, chain = (
            _pem_key(name, content, password),
            tuple(x509.load_pem_x509_certificate(m.group(0)) for m in _PEM_CERT.finditer(content)),
        )
    elif kind == "jks":
        key, chain = jks_format.first_private_key(name, content, password)
    else:
        raise StoreFormatError(
            f"the format of keystore {name} is not supported",
            store=name,
            kind="keystore",
            hint="supported: PKCS#12 (.p12/.pfx), PEM with private key and certificate, JKS",
        )
    if key is None or not chain:
        raise StoreFormatError(f"keystore {name} needs a private key and its certificate", store=name, kind="keystore")
    return KeyStore(name=name, format=kind, key=key, chain=chain)


def _pem_key(name: str, content: bytes, password: str | None) -> PrivateKeyTypes | None:
    match = _PEM_KEY.search(content)
    if match is None:
        return None
    encrypted = b"ENCRYPTED" in match.group(0)
    try:
        return serialization.load_pem_private_key(match.group(0), _password(password) if encrypted else None)
    except (ValueError, TypeError) as exc:
        problem = "is wrong" if password else "is missing"
        raise StorePasswordError(
            f"cannot decrypt the private key in keystore {name}: KeyStorePassword {problem}",
            store=name,
            kind="keystore",
            hint="set KeyStorePassword on the destination",
        ) from exc
