"""XSUAA and Destination service authentication: secret and X.509 bindings, wrong secrets, missing bindings."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator

import pytest

from btp import BindingNotFoundError, ConfigurationError, DestinationClientFactory, TokenError
from btp.oauth import credentials_from_binding, parse_token_response, tenant_url
from btp.vcap import ServiceBinding
from tests.support.server import serve

from .certs import make_cert
from .conftest import World
from .fakebtp import FakeBTP


async def test_wrong_client_secret_is_a_token_error_and_no_destination_call(world: World, fake: FakeBTP) -> None:
    vcap = json.loads(world.vcap())
    vcap["destination"][0]["credentials"]["clientsecret"] = "wrong-secret-99"
    async with DestinationClientFactory(world.settings(environ={"VCAP_SERVICES": json.dumps(vcap)})) as factory:
        with pytest.raises(TokenError, match="answered HTTP 401") as caught:
            await factory.resolve("BusinessPartner")
    assert caught.value.token_url.endswith("/oauth/token") and caught.value.outcome == "auth_error"
    assert "clientsecret" in str(caught.value) and "wrong-secret-99" not in str(caught.value)
    assert fake.counts["find:BusinessPartner"] == 0


async def test_no_binding_and_no_env_entry_is_a_clear_error(world: World, fake: FakeBTP) -> None:
    async with DestinationClientFactory(world.settings(environ={})) as factory:
        with pytest.raises(BindingNotFoundError, match="no binding to the destination service") as caught:
            await factory.connect("BusinessPartner")
    assert caught.value.outcome == "config_error"


async def test_environment_entry_wins_over_the_service(world: World, fake: FakeBTP) -> None:
    entry = {"name": "BusinessPartner", "url": "https://env.example", "proxyType": "Internet"}
    environ = {"VCAP_SERVICES": world.vcap(), "destinations": json.dumps([entry])}
    async with DestinationClientFactory(world.settings(environ=environ)) as factory:
        resolved = await factory.resolve("BusinessPartner")
    assert (resolved.url, resolved.destination.source) == ("https://env.example", "environment")
    assert fake.counts["find:BusinessPartner"] == 0


async def test_invalid_destinations_variable_is_a_clear_error(world: World, fake: FakeBTP) -> None:
    environ = {"VCAP_SERVICES": world.vcap(), "destinations": "[{oops"}
    async with DestinationClientFactory(world.settings(environ=environ)) as factory:
        with pytest.raises(ConfigurationError, match="not valid JSON"):
            await factory.resolve("BusinessPartner")


async def test_local_oauth2_client_credentials_destination_fetches_its_own_token(world: World, fake: FakeBTP) -> None:
    fake.clients["s4-client"] = "s4-client-secret-77"
    entry = {
        "name": "LOCAL",
        "url": f"https://s4.privatelink.test:{world.ports.selfsigned}",
        "isTrustingAllCertificates": True,
        "authentication": "OAuth2ClientCredentials",
        "tokenServiceUrl": f"{world.btp_url}/oauth/token",
        "clientId": "s4-client",
        "clientSecret": "s4-client-secret-77",
    }
    async with DestinationClientFactory(world.settings(environ={"destinations": json.dumps([entry])})) as factory:
        client = await factory.connect("LOCAL")
        for _ in range(3):
            assert (await client.get("/x")).json()["principal"].startswith("bearer:tok-s4-client-")
    assert fake.counts["token:s4-client"] == 1


def test_token_response_parsing_needs_no_jwt() -> None:
    token = parse_token_response({"access_token": "opaque", "expires_in": 10}, now=5)
    assert (token.value, token.expires_at) == ("opaque", 15) and "opaque" not in repr(token)
    assert token.fresh(13.9, leeway=60) and not token.fresh(14.1, leeway=60)  # leeway ≤ 10 % of lifetime
    assert parse_token_response({"access_token": "o"}, now=0).expires_at == 300
    with pytest.raises(ValueError, match="access_token"):
        parse_token_response({"error": "x"}, now=0)


@pytest.mark.parametrize(
    ("url", "zone", "tenant", "expected"),
    [
        ("https://prov.auth.eu10.hana.ondemand.com", "prov", "sub1", "https://sub1.auth.eu10.hana.ondemand.com"),
        ("https://prov.auth.test:8443", "prov", "sub1", "https://sub1.auth.test:8443"),
        ("https://prov.auth.test", "prov", None, "https://prov.auth.test"),
        ("https://other.auth.test", "prov", "sub1", "https://other.auth.test"),
    ],
)
def test_tenant_token_url(url: str, zone: str, tenant: str | None, expected: str) -> None:
    assert tenant_url(url, zone, tenant) == expected


def test_x509_binding_uses_certurl_and_no_secret() -> None:
    binding = ServiceBinding(
        "destination",
        "d",
        credentials={
            "clientid": "c",
            "credential-type": "x509",
            "certificate": "CERT",
            "key": "KEY",
            "url": "https://p.authentication.test",
            "certurl": "https://p.authentication.cert.test",
            "identityzone": "p",
        },
    )
    credentials = credentials_from_binding(binding, tenant="t")
    assert credentials.token_url == "https://t.authentication.cert.test/oauth/token"
    assert credentials.uses_certificate and credentials.client_secret is None and "KEY" not in repr(credentials)


@pytest.fixture
def mtls_xsuaa(world: World, fake: FakeBTP) -> Iterator[tuple[str, str, str, str]]:
    ca, client_ca = make_cert("XSUAA CA", ca=True), make_cert("Binding CA", ca=True)
    server = make_cert("provider.auth-cert.test", ("provider.auth-cert.test",), issuer=ca)
    client = make_cert("sb-x509", issuer=client_ca, client=True)
    cert_file, key_file = server.server_files(world.tmp, "xsuaa-cert")
    (world.tmp / "binding-ca.pem").write_bytes(client_ca.pem)
    fake.clients["sb-x509"] = ""
    with serve(
        fake.app(),
        ssl_certfile=cert_file,
        ssl_keyfile=key_file,
        ssl_cert_reqs=ssl.CERT_REQUIRED,
        ssl_ca_certs=str(world.tmp / "binding-ca.pem"),
    ) as url:
        yield (
            url.replace("127.0.0.1", "provider.auth-cert.test").replace("http:", "https:"),
            ca.pem.decode(),
            client.chain_pem().decode(),
            client.key_pem().decode(),
        )


async def test_x509_binding_fetches_its_token_over_mutual_tls(
    world: World, fake: FakeBTP, mtls_xsuaa: tuple[str, str, str, str]
) -> None:
    certurl, ca_pem, certificate, key = mtls_xsuaa
    vcap = json.loads(world.vcap())
    vcap["destination"][0]["credentials"] = {
        "clientid": "sb-x509",
        "credential-type": "x509",
        "certificate": certificate,
        "key": key,
        "certurl": certurl,
        "url": "https://unused.invalid",
        "uri": world.btp_url,
        "identityzone": "provider",
    }
    settings = world.settings(
        environ={"VCAP_SERVICES": json.dumps(vcap)},
        service_ca_pem=ca_pem,
        resolve={"provider.auth-cert.test": "127.0.0.1", "s4.privatelink.test": "127.0.0.1"},
    )
    async with DestinationClientFactory(settings) as factory:
        resolved = await factory.resolve("BusinessPartner")
    assert resolved.destination.level == "subaccount" and fake.counts["token:sb-x509"] == 1
