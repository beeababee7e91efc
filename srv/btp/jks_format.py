"""Java keystores (JKS, JCEKS) through `pyjks`, kept behind two functions so the rest of `btp` stays typed."""

from __future__ import annotations

from typing import Any

import jks  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from .errors import StoreFormatError, StorePasswordError

JKS_MAGIC = b"\xfe\xed\xfe\xed"
JCEKS_MAGIC = b"\xce\xce\xce\xce"


def _open(name: str, content: bytes, password: str | None, kind: str) -> Any:
    label = "TrustStorePassword" if kind == "truststore" else "KeyStorePassword"
    if not password:
        raise StorePasswordError(
            f"JKS {kind} {name} needs {label}", store=name, kind=kind, hint=f"set {label} on the destination"
        )
    try:
        return jks.KeyStore.loads(content, password)
    except jks.util.KeystoreSignatureException as exc:
        raise StorePasswordError(
            f"cannot open JKS {kind} {name}: {label} is wrong",
            store=name,
            kind=kind,
            hint=f"check {label} on the destination",
        ) from exc
    except (jks.util.BadKeystoreFormatException, jks.util.UnsupportedKeystoreVersionException, ValueError) as exc:
        raise StoreFormatError(
            f"JKS {kind} {name} is damaged or of an unsupported version", store=name, kind=kind
        ) from exc


def trusted_certificates(name: str, content: bytes, password: str | None) -> tuple[x509.Certificate, ...]:
    """Trusted-certificate entries, then the certificates of key entries (Java trusts both)."""
    store = _open(name, content, password, "truststore")
    ders = [entry.cert for entry in store.certs.values()]
    ders += [cert for entry in store.private_keys.values() for _, cert in entry.cert_chain]
    return tuple(x509.load_der_x509_certificate(der) for der in ders)


def first_private_key(
    name: str, content: bytes, password: str | None
) -> tuple[PrivateKeyTypes | None, tuple[x509.Certificate, ...]]:
    """The first private-key entry (as the SAP Cloud SDK takes the first alias); its key must use the store password."""
    store = _open(name, content, password, "keystore")
    for entry in store.private_keys.values():
        if not entry.is_decrypted():
            raise StorePasswordError(
                f"the key in JKS keystore {name} has a password other than KeyStorePassword",
                store=name,
                kind="keystore",
            )
        key = serialization.load_der_private_key(entry.pkey_pkcs8, None)
        chain = tuple(x509.load_der_x509_certificate(cert) for _, cert in entry.cert_chain)
        return key, chain
    return None, ()
