"""Certificates made at test time: self-signed, private CA + leaf, wrong host, expired; every store format."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

import jks
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC)


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey = field(repr=False)
    chain: list[x509.Certificate] = field(default_factory=list)  # issuers, leaf excluded

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def key_pem(self, password: bytes | None = None) -> bytes:
        encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)

    def chain_pem(self) -> bytes:
        return self.pem + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.chain)

    def trust_p12(self, password: str) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"trust", None, None, [self.cert], serialization.BestAvailableEncryption(password.encode())
        )

    def key_p12(self, password: str) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"client", self.key, self.cert, self.chain or None, serialization.BestAvailableEncryption(password.encode())
        )

    def trust_jks(self, password: str) -> bytes:
        return bytes(jks.KeyStore.new("jks", [jks.TrustedCertEntry.new("s4", self.der)]).saves(password))

    def key_jks(self, password: str) -> bytes:
        pkcs8 = self.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        entry = jks.PrivateKeyEntry.new("client", [self.der], pkcs8, "pkcs8")
        return bytes(jks.KeyStore.new("jks", [entry]).saves(password))

    def server_files(self, folder: Path, stem: str) -> tuple[str, str]:
        cert_file, key_file = folder / f"{stem}.crt", folder / f"{stem}.key"
        cert_file.write_bytes(self.chain_pem())
        key_file.write_bytes(self.key_pem())
        return str(cert_file), str(key_file)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_cert(
    common_name: str,
    names: tuple[str, ...] = (),
    *,
    issuer: Issued | None = None,
    ca: bool = False,
    days: int = 30,
    expired: bool = False,
    client: bool = False,
) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    start, end = (
        (NOW - dt.timedelta(days=60), NOW - dt.timedelta(days=1))
        if expired
        else (NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=days))
    )
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.cert.subject if issuer else _name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if alt:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    return Issued(cert=cert, key=key, chain=[issuer.cert, *issuer.chain] if issuer else [])
