"""Caching over real servers: single-flight, TTL, outage after a lookup, authTokens expiry, tenants, tokens."""

from __future__ import annotations

import asyncio
import time

import pytest

from btp import DestinationClientFactory, DestinationServiceError

from .conftest import World
from .fakebtp import FakeBTP
from .fixtures import BP_PATH


async def test_100_concurrent_first_requests_make_one_token_and_one_destination_fetch(
    factory: DestinationClientFactory, fake: FakeBTP
) -> None:
    async def call() -> int:
        async with await factory.connect("BusinessPartner") as client:
            return (await client.get(BP_PATH)).status_code

    statuses = await asyncio.gather(*(call() for _ in range(100)))
    assert statuses == [200] * 100
    assert fake.counts["token:sb-destination"] == 1
    assert fake.counts["find:BusinessPartner"] == 1
    assert fake.counts["cert:subaccount:s4-selfsigned.pem"] == 1


async def test_the_lookup_runs_the_destination_oauth_flow_in_one_call(
    factory: DestinationClientFactory, fake: FakeBTP
) -> None:
    await factory.resolve("BP_PL_OAUTH2CC")
    assert fake.counts["find:BP_PL_OAUTH2CC"] == 1 and fake.counts["skip:no"] == 1  # no $skipTokenRetrieval


async def test_cached_destination_survives_an_outage_until_its_ttl(world: World, fake: FakeBTP) -> None:
    async with DestinationClientFactory(world.settings(destination_ttl=0.6)) as factory:
        client = await factory.connect("BusinessPartner")
        assert (await client.get(BP_PATH)).status_code == 200
        fake.down = True
        assert (await client.get(BP_PATH)).status_code == 200  # from the cache
        await asyncio.sleep(0.7)
        with pytest.raises(DestinationServiceError, match="HTTP 503") as caught:
            await client.get(BP_PATH)
        assert caught.value.status == 503 and caught.value.outcome == "destination_error"


async def test_without_cache_an_unreachable_service_fails_within_the_timeout(world: World, fake: FakeBTP) -> None:
    settings = world.settings()
    async with DestinationClientFactory(settings) as factory:
        started = time.monotonic()
        with pytest.raises(DestinationServiceError, match=r"timed out after 0\.5 s") as caught:
            await factory.connect("BP_DS_SLOW")
        assert time.monotonic() - started < 1.4
        assert "/destination-configuration/v1/destinations/BP_DS_SLOW" in caught.value.url


async def test_auth_token_expiry_shortens_the_cache(factory: DestinationClientFactory, fake: FakeBTP) -> None:
    fake.destinations["BP_PL_OAUTH2CC"]["authTokens"][0]["expires_in"] = "1"
    client = await factory.connect("BP_PL_OAUTH2CC")
    await client.get(BP_PATH)
    await client.get(BP_PATH)
    assert fake.counts["find:BP_PL_OAUTH2CC"] == 1
    await asyncio.sleep(1.0)
    await client.get(BP_PATH)
    assert fake.counts["find:BP_PL_OAUTH2CC"] == 2


async def test_saml_assertion_destinations_are_never_cached(factory: DestinationClientFactory, fake: FakeBTP) -> None:
    fake.destinations["SAML"] = {**fake.destinations["BP_PL_OAUTH2CC"]}
    fake.destinations["SAML"]["config"] = {**fake.destinations["SAML"]["config"], "Authentication": "SAMLAssertion"}
    client = await factory.connect("SAML")
    body = (await client.get(BP_PATH)).json()
    assert body["headers"]["x-sap-security-session"] == "create"
    assert fake.counts["find:SAML"] == 2


async def test_tenants_are_isolated(factory: DestinationClientFactory, fake: FakeBTP) -> None:
    fake.destinations["tenant-a:BusinessPartner"] = {
        "config": {**fake.destinations["BusinessPartner"]["config"], "sap-client": "200"}
    }
    provider = await factory.resolve("BusinessPartner")
    tenant = await factory.resolve("BusinessPartner", tenant="tenant-a")
    assert provider.headers.get("sap-client") is None and tenant.headers["sap-client"] == "200"
    assert fake.counts["token:sb-destination"] == 2  # one token per tenant (tenant-a.auth.test)
    assert await factory.resolve("BusinessPartner", tenant="tenant-a") is tenant


async def test_service_token_is_cached_and_renewed_before_expiry(world: World, fake: FakeBTP) -> None:
    async with DestinationClientFactory(world.settings(destination_ttl=0)) as factory:
        for _ in range(20):
            await factory.resolve("BusinessPartner")
        assert fake.counts["token:sb-destination"] == 1 and fake.counts["find:BusinessPartner"] == 20
        fake.tokens.clear()  # XSUAA forgets its tokens: the destination service answers 401 once
        await factory.resolve("BusinessPartner")
        assert fake.counts["token:sb-destination"] == 2


async def test_short_lived_tokens_are_renewed(world: World, fake: FakeBTP) -> None:
    fake.token_ttl = 0.5
    async with DestinationClientFactory(world.settings(destination_ttl=0)) as factory:
        await factory.resolve("BusinessPartner")
        await asyncio.sleep(0.6)
        await factory.resolve("BusinessPartner")
    assert fake.counts["token:sb-destination"] == 2
