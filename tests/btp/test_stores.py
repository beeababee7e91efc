"""Trust and key stores read by content: every format, the wrong password, garbage — no server needed."""

from __future__ import annotations

import base64

import pytest

from btp import StoreFormatError, StorePasswordError, load_keystore, load_truststore
from btp.stores import sniff

from .certs import Issued, make_cert

PW = "changeit"


@pytest.fixture(scope="module")
def leaf() -> Issued:
    return make_cert("s4.privatelink.test", ("s4.privatelink.test",), issuer=make_cert("CA", ca=True))


@pytest.mark.parametrize(
    ("build", "kind", "count"),
    [
        (lambda c: c.pem, "pem", 1),
        (lambda c: b"\xef\xbb\xbf\r\n" + c.chain_pem(), "pem", 2),
        (lambda c: c.der, "der", 1),
        (lambda c: base64.b64encode(c.der), "der", 1),
        (lambda c: c.trust_p12(PW), "pkcs12", 1),
        (lambda c: c.trust_jks(PW), "jks", 1),
        (lambda c: c.key_jks(PW), "jks", 1),
    ],
)
def test_truststore_formats(leaf: Issued, build: object, kind: str, count: int) -> None:
    store = load_truststore("any.name.EXT", build(leaf), PW)  # type: ignore[operator]
    assert (store.format, len(store.certificates)) == (kind, count)
    assert store.certificates[0] == leaf.cert
    assert store.pem().count("BEGIN CERTIFICATE") == count


@pytest.mark.parametrize("content", [b"-----BEGIN NOTHING-----\nx\n", b"hello world!", b"\x00\x01\x02"])
def test_truststore_without_certificate_is_an_error(content: bytes) -> None:
    with pytest.raises(StoreFormatError, match=r"truststore x\.pem"):
        load_truststore("x.pem", content)


@pytest.mark.parametrize(("kind", "password"), [("p12", "wrong"), ("p12", None), ("jks", "wrong"), ("jks", None)])
def test_truststore_password(leaf: Issued, kind: str, password: str | None) -> None:
    content = leaf.trust_p12(PW) if kind == "p12" else leaf.trust_jks(PW)
    with pytest.raises(StorePasswordError, match="TrustStorePassword") as caught:
        load_truststore(f"s4.{kind}", content, password)
    assert caught.value.store == f"s4.{kind}" and caught.value.outcome == "config_error"


@pytest.fixture(scope="module")
def client() -> Issued:
    return make_cert("client", issuer=make_cert("Client CA", ca=True), client=True)


@pytest.mark.parametrize(
    ("build", "kind"),
    [
        (lambda c: c.key_p12(PW), "pkcs12"),
        (lambda c: c.key_pem(PW.encode()) + c.chain_pem(), "pem"),
        (lambda c: c.key_pem() + c.pem, "pem"),
        (lambda c: c.key_jks(PW), "jks"),
    ],
)
def test_keystore_formats(client: Issued, build: object, kind: str) -> None:
    store = load_keystore("client.any", build(client), PW)  # type: ignore[operator]
    assert store.format == kind and store.chain[0] == client.cert
    assert "key" not in repr(store).replace("KeyStore", "")


@pytest.mark.parametrize(
    "build", [lambda c: c.key_p12(PW), lambda c: c.key_pem(PW.encode()) + c.pem, lambda c: c.key_jks(PW)]
)
def test_keystore_wrong_password(client: Issued, build: object) -> None:
    with pytest.raises(StorePasswordError, match="KeyStorePassword"):
        load_keystore("client.ks", build(client), "not-it")  # type: ignore[operator]


@pytest.mark.parametrize("build", [lambda c: c.der, lambda c: c.pem, lambda c: b"garbage"])
def test_keystore_without_key_or_in_unknown_format(client: Issued, build: object) -> None:
    with pytest.raises(StoreFormatError, match=r"client\.der"):
        load_keystore("client.der", build(client), PW)  # type: ignore[operator]


def test_sniff_ignores_names_and_reads_bytes(leaf: Issued) -> None:
    assert [sniff(leaf.pem), sniff(leaf.der), sniff(leaf.trust_p12(PW)), sniff(leaf.trust_jks(PW)), sniff(b"x")] == [
        "pem",
        "der",
        "pkcs12",
        "jks",
        "unknown",
    ]
