"""Every destination fixture of the notes, end to end over real sockets: outcome as the notes expect (or better)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from btp import BTPError, DestinationClientFactory, errors

from .fakebtp import FakeBTP
from .fixtures import BP_PATH, EXPECTED


async def outcome(factory: DestinationClientFactory, name: str) -> tuple[str, Any]:
    try:
        async with await factory.connect(name) as client:
            response = await client.get(BP_PATH)
    except BTPError as exc:
        return exc.outcome, exc
    return ("ok" if response.is_success else f"http_{response.status_code}"), response


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_fixture_outcome(factory: DestinationClientFactory, fake: FakeBTP, name: str) -> None:
    result, detail = await outcome(factory, name)
    assert result == EXPECTED[name], detail
    if isinstance(detail, httpx.Response) and detail.is_success:
        assert detail.json()["d"]["results"][0]["BusinessPartner"] == "17100001"


@pytest.mark.parametrize(
    ("name", "server", "principal"),
    [
        ("BusinessPartner", "selfsigned", "anonymous"),
        ("BP_PL_MISMATCH_TRUSTALL", "mismatch", "anonymous"),
        ("BP_PL_EXPIRED_TRUSTALL", "expired", "anonymous"),
        ("BP_PL_PRIVATECA", "privateca", "anonymous"),
        ("BP_PL_BASIC", "selfsigned", "basic:S4USER"),
        ("BP_PL_OAUTH2CC", "selfsigned", "bearer:s4-oauth-client"),
        ("BP_ONPREM_BASIC", "http", "basic:S4USER"),
        ("BP_CLIENTCERT_JKS", "mtls", "anonymous"),
        ("ENV_BASIC", "selfsigned", "basic:S4USER"),
    ],
)
async def test_server_and_principal(factory: DestinationClientFactory, name: str, server: str, principal: str) -> None:
    _, response = await outcome(factory, name)
    assert (response.json()["server"], response.json()["principal"]) == (server, principal)


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        (
            "BP_PL_NOTRUST",
            errors.CertificateVerificationError,
            ["s4.privatelink.test", "upload the server certificate"],
        ),
        (
            "BP_PL_MISMATCH_TRUSTSTORE",
            errors.HostnameMismatchError,
            ["issued for s4-wrong-host.invalid", "destination URL uses s4.privatelink.test"],
        ),
        ("BP_PL_EXPIRED_TRUSTSTORE", errors.CertificateExpiredError, ["expired"]),
        ("BP_PL_PRIVATECA_NOTRUST", errors.CertificateVerificationError, ["truststore"]),
        ("BP_PL_P12_WRONGPW", errors.StorePasswordError, ["TrustStorePassword", "s4-truststore.p12"]),
        ("BP_PL_MISSING_CERT", errors.StoreNotFoundError, ["does-not-exist.pem not found"]),
        ("BP_PL_GARBAGE_PEM", errors.StoreFormatError, ["no certificate found in truststore not-a-cert.pem"]),
        (
            "BP_PL_OAUTH2CC_TOKENERROR",
            errors.AuthTokenError,
            ["Retrieval of OAuthToken failed due to: 401 Unauthorized"],
        ),
        ("BP_PL_PRINCIPALPROP", errors.AuthenticationConfigError, ["PrincipalPropagation", "OnPremise"]),
        ("BP_DS_500", errors.DestinationServiceError, ["HTTP 500", "Internal Server Error (fixture)"]),
        ("BP_DS_SLOW", errors.DestinationServiceError, ["timed out", "/destination-configuration/v1/destinations/"]),
        ("BP_CLIENTCERT_WRONGPW", errors.StorePasswordError, ["KeyStorePassword"]),
        ("BP_CLIENTCERT_MISSING", errors.StoreNotFoundError, ["no certificate with name nope.p12"]),
        ("BP_CLIENTCERT_DER", errors.StoreFormatError, ["not supported", "client-keystore.der"]),
        ("BP_MTLS_NOCLIENTCERT", errors.TLSError, ["client certificate"]),
        ("BP_NOT_THERE", errors.DestinationNotFoundError, ["destination BP_NOT_THERE not found"]),
        ("ENV_UPPER_TRUSTSTORE_LOCATION", errors.StoreNotFoundError, ["s4-selfsigned.pem"]),
    ],
)
async def test_error_is_specific_and_actionable(
    factory: DestinationClientFactory, name: str, error: type[Exception], words: list[str]
) -> None:
    _, exc = await outcome(factory, name)
    assert isinstance(exc, error), exc
    for word in words:
        assert word in str(exc)
