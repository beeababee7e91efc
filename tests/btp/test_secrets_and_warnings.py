"""No secret of the fixtures appears in any log line or error text; TrustAll warns once per destination."""

from __future__ import annotations

import base64
import logging

import pytest

from btp import BTPError, DestinationClientFactory

from .conftest import CONNECTIVITY_SECRET, DESTINATION_SECRET, World
from .fakebtp import S4_PASSWORD, FakeBTP
from .fixtures import BP_PATH, EXPECTED, PASSWORD


def secrets(world: World, fake: FakeBTP) -> list[str]:
    found = [
        S4_PASSWORD,
        DESTINATION_SECRET,
        CONNECTIVITY_SECRET,
        PASSWORD,
        "wrong-pw-7",
        "wrong-S4-password",
        "s4-oauth-client",
        "PRIVATE KEY",
        base64.b64encode(f"S4USER:{S4_PASSWORD}".encode()).decode(),
    ]
    found += list(fake.tokens)  # every access token XSUAA handed out
    found += [base64.b64encode(c).decode()[:40] for c in (world.certs.client.key_p12(PASSWORD),)]
    return found


async def test_no_secret_in_logs_or_errors(world: World, fake: FakeBTP, caplog: pytest.LogCaptureFixture) -> None:
    texts: list[str] = []
    caplog.set_level(logging.DEBUG)
    async with DestinationClientFactory(world.settings()) as factory:
        for name in sorted(EXPECTED):
            try:
                async with await factory.connect(name) as client:
                    await client.get(BP_PATH)
                resolved = await factory.resolve(name)
                texts += [repr(resolved), repr(resolved.destination), repr(resolved.keystore)]
            except BTPError as exc:
                texts += [str(exc), repr(exc), exc.hint or "", repr(exc.__dict__)]
    texts += [record.getMessage() for record in caplog.records]
    assert fake.tokens and len(caplog.records) > 50
    leaked = [s for s in secrets(world, fake) for text in texts if s in text]
    assert leaked == []


async def test_trust_all_warns_once_per_destination(
    world: World, fake: FakeBTP, caplog: pytest.LogCaptureFixture
) -> None:
    async with DestinationClientFactory(world.settings(destination_ttl=0)) as factory:
        for _ in range(3):
            async with await factory.connect("BP_PL_TRUSTALL") as client:
                await client.get(BP_PATH)
        await factory.resolve("BusinessPartner")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "TrustAll" in r.getMessage()]
    assert len(warnings) == 1 and "BP_PL_TRUSTALL" in warnings[0].getMessage()
    assert "Never use this in production" in warnings[0].getMessage()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("BP_PL_HTTP_TRUSTALL", "no effect for an http:// URL"),
    ],
)
async def test_trust_all_extra_warnings(
    factory: DestinationClientFactory, caplog: pytest.LogCaptureFixture, name: str, words: str
) -> None:
    await factory.resolve(name)
    assert words in caplog.text


async def test_trust_all_with_truststore_wins_with_a_redundancy_warning(
    factory: DestinationClientFactory, fake: FakeBTP, caplog: pytest.LogCaptureFixture
) -> None:
    fake.destinations["BOTH"] = {
        "config": {**fake.destinations["BP_PL_MISMATCH_TRUSTALL"]["config"], "TrustStoreLocation": "s4-selfsigned.pem"}
    }
    async with await factory.connect("BOTH") as client:
        assert (await client.get(BP_PATH)).json()["server"] == "mismatch"
    assert "redundant" in caplog.text and fake.counts["cert:subaccount:s4-selfsigned.pem"] == 0
