"""`ssl.SSLContext`s for BTP calls and destinations, certificate descriptions and TLS error translation.

Trust modes of a destination:
* default: certifi's CA bundle, chain + hostname + expiry checked.
* truststore: the store's certificates *replace* the default CAs (as the SAP Cloud SDK does); hostname and expiry
  checks stay on; any certificate in the store is a trust anchor (partial chain), so a server's own
  certificate works whether it is self-signed or issued by a private CA.
* TrustAll: no chain and no hostname check. Never used for XSUAA, Destination or connectivity service calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import secrets
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from .errors import CertificateExpiredError, CertificateVerificationError, HostnameMismatchError, TLSError
from .stores import KeyStore, TrustStore

_EXPIRED = {9, 10}  # X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED
_MISMATCH = {62, 64}  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    names: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertificateInfo:
        return cls(
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            names=subject_names(cert),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            sha256=cert.fingerprint(hashes.SHA256()).hex(),
        )

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer


def subject_names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
    return tuple(names + [str(ip) for ip in san.get_values_for_type(x509.IPAddress)])


def default_context(ca_pem: str | None = None) -> ssl.SSLContext:
    """Full verification against certifi's bundle, or against `ca_pem` only."""
    if ca_pem:
        return ssl.create_default_context(cadata=ca_pem)
    return ssl.create_default_context(cafile=certifi.where())


def truststore_context(store: TrustStore) -> ssl.SSLContext:
    context = ssl.create_default_context(cadata=store.pem())
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def trust_all_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def add_client_certificate(context: ssl.SSLContext, keystore: KeyStore) -> ssl.SSLContext:
    """Load key + chain; the key touches the disk only encrypted with a one-time password, for milliseconds."""
    one_time = secrets.token_urlsafe(24).encode()
    key_pem = keystore.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(one_time)
    )
    chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in keystore.chain)
    with tempfile.TemporaryDirectory(prefix="btp-") as folder:
        cert_file, key_file = Path(folder, "chain.pem"), Path(folder, "key.pem")
        cert_file.write_bytes(chain_pem)
        key_file.write_bytes(key_pem)
        context.load_cert_chain(cert_file, key_file, password=one_time)
    return context


def fingerprint(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


def find_ssl_error(exc: BaseException) -> ssl.SSLError | None:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


def translate_tls_error(
    exc: BaseException,
    host: str,
    port: int,
    *,
    trust: str,
    destination: str | None = None,
    peer: CertificateInfo | None = None,
) -> TLSError | None:
    """The `TLSError` for an exception caused by the TLS layer; None when TLS was not the cause."""
    found = find_ssl_error(exc)
    if found is None:
        return None
    if not isinstance(found, ssl.SSLCertVerificationError):
        hint = (
            "the server requires a client certificate: use ClientCertificateAuthentication with KeyStoreLocation"
            if "CERTIFICATE_REQUIRED" in str(found.reason or "")
            else None
        )
        return TLSError(
            f"TLS handshake with {host}:{port} failed: {found.reason or found}",
            host=host,
            port=port,
            hint=hint,
            destination=destination,
        )
    code = int(found.verify_code or 0)
    cls = (
        HostnameMismatchError
        if code in _MISMATCH
        else CertificateExpiredError
        if code in _EXPIRED
        else CertificateVerificationError
    )
    message = f"TLS certificate verification of {host}:{port} failed: {found.verify_message}"
    return cls(
        message,
        host=host,
        port=port,
        code=code,
        hint=_hint(code, host, trust, peer),
        destination=destination,
        peer=peer,
    )


def _hint(code: int, host: str, trust: str, peer: CertificateInfo | None) -> str:
    if code in _MISMATCH:
        names = ", ".join(peer.names) if peer and peer.names else "other names"
        return f"certificate is issued for {names}, destination URL uses {host}"
    if code in _EXPIRED:
        until = f" (valid until {peer.not_after:%Y-%m-%d})" if peer else ""
        return f"the certificate of {host} is expired or not yet valid{until}: renew it on the server"
    if trust.startswith("truststore"):
        return (
            f"the certificate of {host} is not signed by a certificate in the destination's {trust}: "
            "upload the server certificate or its issuing CA"
        )
    return (
        f"upload the server certificate of {host} (or its CA) to the destination's truststore "
        "and set TrustStoreLocation"
    )


async def peer_certificate(
    host: str, port: int, *, address: str | None = None, timeout: float = 3.0
) -> CertificateInfo | None:
    """The server's certificate without verifying it (diagnostics only); None when unreachable."""
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(
                address or host, port, ssl=trust_all_context(), server_hostname=host
            )
            try:
                der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
            finally:
                writer.close()
                with contextlib.suppress(OSError, ssl.SSLError):
                    await writer.wait_closed()
        return CertificateInfo.of(x509.load_der_x509_certificate(der)) if der else None
    except (OSError, TimeoutError, ValueError):
        return None


async def requires_client_certificate(
    host: str, port: int, *, address: str | None = None, timeout: float = 3.0
) -> bool:
    """Heuristic for servers that hang up without a TLS alert: a TLS 1.2 handshake without client certificate
    (where the server must decide within the handshake) is refused by an alert or a reset."""
    context = trust_all_context()
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(address or host, port, ssl=context, server_hostname=host)
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()
        return False
    except ssl.SSLError as exc:
        return any(word in str(exc).upper() for word in ("CERTIFICATE", "HANDSHAKE_FAILURE"))
    except ConnectionResetError:
        return True
    except (OSError, TimeoutError):
        return False
