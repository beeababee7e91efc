"""`bpverify certs selfsigned|ca|show`: TLS material for a Private Link host name (see certs/README.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from btp import BTPError, CertificateInfo, load_truststore

from .certs import Pair, private_ca, self_signed, write


def register(commands: argparse._SubParsersAction[Any]) -> None:
    certs = commands.add_parser("certs", help="create and inspect TLS certificates for Private Link hosts")
    actions = certs.add_subparsers(dest="certs_command", required=True)
    for name, help_text in (
        ("selfsigned", "a key and a self-signed certificate for HOST"),
        ("ca", "a private CA and a server certificate for HOST issued by it"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("host", help="the Private Link host name (CN and SAN), e.g. s4.privatelink.test")
        action.add_argument("--name", action="append", default=[], help="another SAN (DNS name or IP); repeatable")
        action.add_argument("--out", type=Path, default=Path("certs"), help="output folder (default: certs)")
        action.add_argument("--days", type=int, default=365)
        action.set_defaults(run=_selfsigned if name == "selfsigned" else _ca)
    show = actions.add_parser("show", help="read a truststore file by content (PEM, DER, PKCS#12, JKS)")
    show.add_argument("file", type=Path)
    show.add_argument("--password", help="TrustStorePassword for PKCS#12 / JKS")
    show.set_defaults(run=_show)


def _server_files(out: Path, host: str, server: Pair, chain: bytes) -> list[Path]:
    return [write(out / f"{host}.server.pem", chain), write(out / f"{host}.key", server.key_pem(), secret=True)]


def _selfsigned(args: argparse.Namespace) -> int:
    pair = self_signed(args.host, days=args.days, extra_names=tuple(args.name))
    upload = [
        write(args.out / f"{args.host}.pem", pair.cert_pem()),
        write(args.out / f"{args.host}.der", pair.cert_der()),
    ]
    _report(upload, _server_files(args.out, args.host, pair, pair.cert_pem()), pair)
    return 0


def _ca(args: argparse.Namespace) -> int:
    ca, server = private_ca(args.host, days=args.days, extra_names=tuple(args.name))
    upload = [
        write(args.out / f"{args.host}-ca.pem", ca.cert_pem()),
        write(args.out / f"{args.host}-ca.der", ca.cert_der()),
    ]
    write(args.out / f"{args.host}-ca.key", ca.key_pem(), secret=True)
    _report(upload, _server_files(args.out, args.host, server, server.cert_pem() + ca.cert_pem()), server)
    return 0


def _report(upload: list[Path], serve: list[Path], server: Pair) -> None:
    info = CertificateInfo.of(server.cert)
    print(f"certificate for {', '.join(info.names)} valid until {info.not_after:%Y-%m-%d}, sha256 {info.sha256}")
    print("upload to the destination's truststore (Destinations > Certificates), set TrustStoreLocation to its name:")
    for path in upload:
        print(f"  {path}")
    print("serve with the TLS server (certificate chain, private key - never commit the key):")
    for path in serve:
        print(f"  {path}")


def _show(args: argparse.Namespace) -> int:
    try:
        store = load_truststore(args.file.name, args.file.read_bytes(), args.password)
    except (OSError, BTPError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.file}: {store.format}, {len(store.certificates)} certificate(s)")
    for cert in store.certificates:
        info = CertificateInfo.of(cert)
        print(
            f"  subject {info.subject}\n  issuer  {info.issuer}\n  names   {', '.join(info.names) or '-'}\n"
            f"  valid   {info.not_before:%Y-%m-%d} .. {info.not_after:%Y-%m-%d}\n  sha256  {info.sha256}"
        )
    return 0
