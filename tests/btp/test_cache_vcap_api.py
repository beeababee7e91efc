"""Single-flight cache, VCAP_SERVICES parsing and the public API list."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

import btp
from btp import BindingNotFoundError, ConfigurationError
from btp.cache import SingleFlightCache
from btp.vcap import find_binding, parse_vcap_services, require_binding


async def test_concurrent_misses_share_one_load_and_failures_are_not_cached() -> None:
    cache: SingleFlightCache[str, int] = SingleFlightCache()
    loads = 0

    async def load() -> tuple[int, float]:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        if loads == 1:
            raise RuntimeError("first load fails")
        return loads, asyncio.get_running_loop().time() + 60

    results = await asyncio.gather(*(cache.get("k", load) for _ in range(10)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results) and loads == 1
    assert await asyncio.gather(*(cache.get("k", load) for _ in range(10))) == [2] * 10 and loads == 2


async def test_expired_entries_are_reloaded_and_a_cancelled_waiter_does_not_cancel_the_load() -> None:
    now = [0.0]
    cache: SingleFlightCache[str, str] = SingleFlightCache(clock=lambda: now[0])

    async def load() -> tuple[str, float]:
        await asyncio.sleep(0.01)
        return "v", now[0] + 5

    waiter = asyncio.ensure_future(cache.get("k", load))
    await asyncio.sleep(0)
    waiter.cancel()
    assert await cache.get("k", load) == "v" and cache.loads == 1
    now[0] = 6
    assert await cache.get("k", load) == "v" and cache.loads == 2


VCAP = {
    "destination": [
        {"name": "d1", "label": "destination", "credentials": {"clientid": "c"}},
        {"name": "d2", "label": "destination", "credentials": {}},
    ],
    "user-provided": [{"name": "ups", "label": "user-provided", "tags": ["connectivity"], "credentials": {}}],
}


def test_bindings_by_label_tag_and_name(caplog: pytest.LogCaptureFixture) -> None:
    bindings = parse_vcap_services(json.dumps(VCAP))
    with caplog.at_level(logging.WARNING):
        assert find_binding(bindings, "destination").name == "d1"  # type: ignore[union-attr]
    assert "found 2 bindings for service 'destination'" in caplog.text
    assert find_binding(bindings, "destination", name="d2").name == "d2"  # type: ignore[union-attr]
    assert find_binding(bindings, "connectivity").name == "ups"  # type: ignore[union-attr]
    assert parse_vcap_services(None) == [] and parse_vcap_services("  ") == []
    with pytest.raises(BindingNotFoundError, match="xsuaa"):
        require_binding(bindings, "xsuaa", purpose="tests")
    with pytest.raises(ConfigurationError, match="credential 'clientsecret'"):
        bindings[1].require("clientsecret")


@pytest.mark.parametrize("text", ["{", "[]"])
def test_bad_vcap_services(text: str) -> None:
    with pytest.raises(ConfigurationError, match="VCAP_SERVICES"):
        parse_vcap_services(text)


def test_public_api_is_pinned() -> None:
    assert sorted(btp.__all__) == [
        "AuthTokenError",
        "AuthenticationConfigError",
        "AuthenticationError",
        "BTPError",
        "BindingNotFoundError",
        "BreakerPolicy",
        "CertificateExpiredError",
        "CertificateInfo",
        "CertificateVerificationError",
        "CircuitOpenError",
        "ConfigurationError",
        "ConnectivitySettings",
        "Destination",
        "DestinationClientFactory",
        "DestinationNotFoundError",
        "DestinationServiceError",
        "HostnameMismatchError",
        "KeyStore",
        "ProxyType",
        "ResolvedDestination",
        "RetryPolicy",
        "StoreError",
        "StoreFormatError",
        "StoreNotFoundError",
        "StorePasswordError",
        "TLSError",
        "TargetUnavailableError",
        "Timeouts",
        "TokenError",
        "TrustStore",
        "connect",
        "load_keystore",
        "load_truststore",
        "peer_certificate",
    ]
    for name in btp.__all__:
        assert getattr(btp, name) is not None
    assert all(issubclass(getattr(btp, n), btp.BTPError) for n in btp.__all__ if n.endswith("Error"))


def test_btp_imports_nothing_of_the_application() -> None:
    import ast
    import pathlib

    for path in pathlib.Path(btp.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not [n for n in names if n.split(".")[0] in ("bpverify", "odata4")], path
