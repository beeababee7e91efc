"""Proxy types over real sockets: OnPremise through a loopback connectivity proxy, PrivateLink direct, Internet env."""

from __future__ import annotations

import pytest

from btp import BindingNotFoundError, DestinationClientFactory, TargetUnavailableError
from btp.connectivity import environment_proxy

from .conftest import World
from .fakebtp import FakeBTP
from .fixtures import BP_PATH, PL_HOST


async def test_onpremise_goes_through_the_connectivity_proxy(
    factory: DestinationClientFactory, world: World, fake: FakeBTP
) -> None:
    async with await factory.connect("BP_ONPREM_BASIC") as client:
        response = await client.get(BP_PATH)
    body = response.json()
    assert body["server"] == "http" and body["principal"] == "basic:S4USER"
    assert body["headers"]["x-via-proxy"] == "1"
    assert body["headers"]["sap-connectivity-scc-location_id"] == "LOC1"
    seen = world.proxy.seen[-1]
    assert seen["proxy-authorization"].startswith("Bearer tok-sb-connectivity-")
    assert seen["host"] == "s4-onprem.virtual:44300"
    assert fake.counts["token:sb-connectivity"] == 1


async def test_onpremise_without_location_id_sends_no_location_header(
    factory: DestinationClientFactory, world: World
) -> None:
    async with await factory.connect("BP_ONPREM_NOAUTH") as client:
        body = (await client.get(BP_PATH)).json()
    assert body["headers"]["x-via-proxy"] == "1" and "sap-connectivity-scc-location_id" not in body["headers"]
    assert "authorization" not in body["headers"]


async def test_onpremise_without_connectivity_binding_is_a_clear_error(world: World, fake: FakeBTP) -> None:
    settings = world.settings(environ={"VCAP_SERVICES": world.vcap(connectivity=False)})
    async with DestinationClientFactory(settings) as factory:
        client = await factory.connect("BP_ONPREM_BASIC")
        with pytest.raises(BindingNotFoundError, match="no binding to the connectivity service"):
            await client.get(BP_PATH)


async def test_private_link_sends_no_cloud_connector_headers_and_ignores_proxy_env(world: World, fake: FakeBTP) -> None:
    environ = {"VCAP_SERVICES": world.vcap(), "HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    async with DestinationClientFactory(world.settings(environ=environ)) as factory:
        async with await factory.connect("BusinessPartner") as client:
            body = (await client.get(BP_PATH)).json()
        assert not [h for h in body["headers"] if h.startswith("sap-connectivity") or h.startswith("proxy-")]
        async with await factory.connect("BP_INTERNET_BASIC") as client:  # Internet honours HTTPS_PROXY
            with pytest.raises(TargetUnavailableError):
                await client.get(BP_PATH)


async def test_internet_honours_no_proxy(world: World, fake: FakeBTP) -> None:
    environ = {"VCAP_SERVICES": world.vcap(), "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": f"other,.{PL_HOST}"}
    async with (
        DestinationClientFactory(world.settings(environ=environ)) as factory,
        await factory.connect("BP_INTERNET_BASIC") as client,
    ):
        assert (await client.get(BP_PATH)).json()["principal"] == "basic:S4USER"


@pytest.mark.parametrize(
    ("url", "environ", "expected"),
    [
        ("https://a.example", {}, None),
        ("https://a.example", {"HTTPS_PROXY": "http://p:1"}, "http://p:1"),
        ("https://a.example", {"https_proxy": "http://p:2", "HTTPS_PROXY": "http://p:1"}, "http://p:2"),
        ("http://a.example", {"HTTPS_PROXY": "http://p:1"}, None),
        ("http://a.example", {"HTTP_PROXY": "http://p:3"}, "http://p:3"),
        ("https://a.example", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "a.example"}, None),
        ("https://x.a.example", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".a.example"}, None),
        ("https://xa.example", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "a.example"}, "http://p:1"),
        ("https://a.example", {"HTTPS_PROXY": "http://p:1", "no_proxy": "*"}, None),
    ],
)
def test_environment_proxy(url: str, environ: dict[str, str], expected: str | None) -> None:
    import httpx

    assert environment_proxy(httpx.URL(url), environ) == expected


async def test_two_destinations_with_different_trust_run_side_by_side(factory: DestinationClientFactory) -> None:
    """The truststore of one destination does not leak into another (no global SSL state)."""
    import asyncio

    async def status(name: str) -> str:
        try:
            async with await factory.connect(name) as client:
                return str((await client.get(BP_PATH)).status_code)
        except Exception as exc:
            return type(exc).__name__

    results = await asyncio.gather(
        *(status(n) for n in ["BusinessPartner", "BP_PL_NOTRUST", "BP_PL_PRIVATECA", "BP_PL_PRIVATECA_NOTRUST"] * 3)
    )
    assert results == ["200", "CertificateVerificationError", "200", "CertificateVerificationError"] * 3
