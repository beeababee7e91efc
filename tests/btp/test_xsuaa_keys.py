"""Keys over real TLS: a JWKS server on 127.0.0.1 with a generated CA; cache, refresh, single flight, fallback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import trustme

from btp.xsuaa import (
    CachePolicy,
    JwksCache,
    KeyServiceError,
    SignatureError,
    UntrustedKeyError,
    ValidationPolicy,
    XsuaaValidator,
    credentials_from_mapping,
)
from tests.support.xsuaa import (
    SUBDOMAIN,
    UAADOMAIN,
    ZONE_ID,
    Issuer,
    KeyServer,
    LoopbackBackend,
    LoopbackTransport,
    Uaa,
    binding,
    jwk,
    public_pem,
    rsa_key,
    running_uaa,
)

KEY, ROTATED = rsa_key(), rsa_key()
ISSUER = Issuer(KEY)
KEY_URL = f"https://{SUBDOMAIN}.{UAADOMAIN}/token_keys?zid={ZONE_ID}"


@pytest.fixture(scope="module")
def uaa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Uaa]:
    with running_uaa(tmp_path_factory.mktemp("uaa")) as running:
        yield running


@pytest.fixture
def server(uaa: Uaa) -> KeyServer:
    uaa.server.keys = [jwk(ISSUER.kid, KEY)]
    uaa.server.requests.clear()
    uaa.server.delay, uaa.server.status = 0.0, 200
    return uaa.server


@pytest.fixture
def backend(uaa: Uaa) -> LoopbackBackend:
    return LoopbackBackend(uaa.port)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def cache(uaa: Uaa, backend: LoopbackBackend) -> AsyncIterator[tuple[JwksCache, Clock]]:
    clock = Clock()
    async with httpx.AsyncClient(transport=LoopbackTransport(backend, uaa.ca)) as client:
        yield JwksCache(client, CachePolicy(ttl=900, refresh_interval=30, stale_if_error=600), clock), clock


def validator(uaa: Uaa, backend: LoopbackBackend, **credentials: str) -> XsuaaValidator:
    values = {**binding()["xsuaa"][0]["credentials"], **credentials}
    return XsuaaValidator(
        credentials_from_mapping(values),
        ValidationPolicy(keys=CachePolicy(attempts=1)),
        transport=LoopbackTransport(backend, uaa.ca),
    )


async def test_keys_come_from_the_binding_zone_over_tls(uaa: Uaa, server: KeyServer, backend: LoopbackBackend) -> None:
    check = validator(uaa, backend)
    try:
        token = await check.validate(ISSUER.token(ISSUER.claims("Viewer"), jku=f"https://other.{UAADOMAIN}/keys"))
    finally:
        await check.aclose()
    assert token.local_scopes == {"Viewer"}
    assert server.requests == [(f"{SUBDOMAIN}.{UAADOMAIN}", ZONE_ID)]
    assert backend.hosts == [f"{SUBDOMAIN}.{UAADOMAIN}"]  # the token's jku was never contacted


async def test_200_concurrent_validations_fetch_once(uaa: Uaa, server: KeyServer, backend: LoopbackBackend) -> None:
    server.delay = 0.2
    check = validator(uaa, backend)
    try:
        tokens = await asyncio.gather(*(check.validate(ISSUER.token()) for _ in range(200)))
    finally:
        await check.aclose()
    assert len(tokens) == 200
    assert len(server.requests) == 1 and check.keys.fetches == 1


async def test_a_known_kid_is_served_from_memory_until_the_ttl(
    server: KeyServer, cache: tuple[JwksCache, Clock]
) -> None:
    keys, clock = cache
    await keys.key(KEY_URL, ISSUER.kid)
    clock.now += 899
    await keys.key(KEY_URL, ISSUER.kid)
    assert len(server.requests) == 1
    clock.now += 2
    await keys.key(KEY_URL, ISSUER.kid)
    assert len(server.requests) == 2


async def test_an_unknown_kid_refreshes_at_most_once_per_interval(
    server: KeyServer, cache: tuple[JwksCache, Clock]
) -> None:
    keys, clock = cache
    await keys.key(KEY_URL, ISSUER.kid)
    for _ in range(50):  # forged kids right after a fetch: no refresh at all
        with pytest.raises(UntrustedKeyError):
            await keys.key(KEY_URL, "forged")
    assert len(server.requests) == 1
    server.keys = [jwk(ISSUER.kid, KEY), jwk("rotated", ROTATED)]
    clock.now += 31
    assert await keys.key(KEY_URL, "rotated")  # key rotation: found after one refresh
    assert len(server.requests) == 2
    clock.now += 31
    await asyncio.gather(*(asyncio.create_task(_refused(keys, "forged")) for _ in range(100)))
    assert len(server.requests) == 3  # one refresh for 100 concurrent forged kids


async def _refused(keys: JwksCache, kid: str) -> None:
    with pytest.raises(UntrustedKeyError):
        await keys.key(KEY_URL, kid)


async def test_a_failing_key_service_is_not_hammered_and_stale_keys_bridge_it(
    server: KeyServer, cache: tuple[JwksCache, Clock]
) -> None:
    keys, clock = cache
    await keys.key(KEY_URL, ISSUER.kid)
    server.status = 503
    clock.now += 901  # expired: a refresh fails, the stale key is used
    assert await keys.key(KEY_URL, ISSUER.kid)
    assert await keys.key(KEY_URL, ISSUER.kid)
    assert len(server.requests) == 3  # 1 + 2 attempts; the second call did not retry (interval)
    clock.now += 601  # beyond stale_if_error
    with pytest.raises(KeyServiceError) as caught:
        await keys.key(KEY_URL, ISSUER.kid)
    assert caught.value.status == 503 and caught.value.url == KEY_URL


async def test_no_keys_and_no_key_service(server: KeyServer, cache: tuple[JwksCache, Clock]) -> None:
    keys, _ = cache
    server.status = 404
    with pytest.raises(KeyServiceError):
        await keys.key(KEY_URL, ISSUER.kid)
    assert len(server.requests) == 1  # 4xx: not retried
    with pytest.raises(KeyServiceError):
        await keys.key(KEY_URL, ISSUER.kid)  # within the interval: not even asked
    assert len(server.requests) == 1


async def test_verification_key_fallback_when_token_keys_fail(
    uaa: Uaa, server: KeyServer, backend: LoopbackBackend
) -> None:
    server.status = 500
    check = validator(uaa, backend, verificationkey=public_pem(KEY))
    try:
        assert (await check.validate(ISSUER.token())).local_scopes == {"Viewer"}
        with pytest.raises(SignatureError):
            await check.validate(Issuer(ROTATED).token())
    finally:
        await check.aclose()


async def test_an_untrusted_server_certificate_is_a_key_service_error(
    uaa: Uaa, server: KeyServer, backend: LoopbackBackend
) -> None:
    values = binding()["xsuaa"][0]["credentials"]
    check = XsuaaValidator(credentials_from_mapping(values), transport=LoopbackTransport(backend, trustme.CA()))
    try:
        with pytest.raises(KeyServiceError):
            await check.validate(ISSUER.token())
    finally:
        await check.aclose()
    assert server.requests == []
