"""Real servers on 127.0.0.1 for the whole btp suite: fake BTP, TLS backends (4 kinds of certificate), proxy."""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from btp import ConnectivitySettings, DestinationClientFactory
from btp.resilience import RetryPolicy, Timeouts
from tests.support.server import free_port, serve

from .certs import make_cert
from .fakebtp import FakeBTP, FakeProxy, backend_app
from .fixtures import (
    PL_HOST,
    Certs,
    Ports,
    client_keystores,
    environment_destinations,
    instance_certificates,
    service_destinations,
    subaccount_certificates,
)

DESTINATION_SECRET = "fake-destination-secret-42"
CONNECTIVITY_SECRET = "fake-connectivity-secret-43"


@dataclass
class World:
    btp: FakeBTP
    proxy: FakeProxy
    certs: Certs
    ports: Ports
    btp_url: str
    proxy_port: int
    tmp: Path

    def vcap(self, *, connectivity: bool = True, destination: bool = True) -> str:
        services: dict[str, Any] = {}
        if destination:
            services["destination"] = [
                {
                    "label": "destination",
                    "name": "bpv-destination",
                    "tags": ["destination"],
                    "credentials": {
                        "clientid": "sb-destination",
                        "clientsecret": DESTINATION_SECRET,
                        "url": f"http://provider.auth.test:{self.btp_port}",
                        "uri": self.btp_url,
                        "identityzone": "provider",
                        "uaadomain": "auth.test",
                    },
                }
            ]
        if connectivity:
            services["connectivity"] = [
                {
                    "label": "connectivity",
                    "name": "bpv-connectivity",
                    "credentials": {
                        "clientid": "sb-connectivity",
                        "clientsecret": CONNECTIVITY_SECRET,
                        "url": f"http://provider.auth.test:{self.btp_port}",
                        "identityzone": "provider",
                        "onpremise_proxy_host": "127.0.0.1",
                        "onpremise_proxy_http_port": str(self.proxy_port),
                        "onpremise_proxy_port": "1",
                    },
                }
            ]
        return json.dumps(services)

    @property
    def btp_port(self) -> int:
        return int(self.btp_url.rsplit(":", 1)[1])

    def settings(self, **changes: Any) -> ConnectivitySettings:
        environ = {"VCAP_SERVICES": self.vcap(), "destinations": environment_destinations(self.ports, self.certs)}
        base = ConnectivitySettings(
            environ=environ,
            resolve={PL_HOST: "127.0.0.1", "provider.auth.test": "127.0.0.1", "tenant-a.auth.test": "127.0.0.1"},
            service_timeouts=Timeouts(connect=2.0, read=0.5, write=2.0, pool=2.0),
            target_timeouts=Timeouts(connect=2.0, read=5.0, write=5.0, pool=2.0),
            target_retry=RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05),
        )
        return replace(base, **changes)


def _make_certs() -> Certs:
    ca = make_cert("Private Test CA", ca=True, days=365)
    client_ca = make_cert("Client Test CA", ca=True, days=365)
    return Certs(
        selfsigned=make_cert(PL_HOST, (PL_HOST, "127.0.0.1")),
        ca=ca,
        privateca_leaf=make_cert(PL_HOST, (PL_HOST,), issuer=ca),
        mismatch=make_cert("s4-wrong-host.invalid", ("s4-wrong-host.invalid",)),
        expired=make_cert(PL_HOST, (PL_HOST,), expired=True),
        other=make_cert("other", ("other.test",)),
        client_ca=client_ca,
        client=make_cert("fakebtp-client", issuer=client_ca, client=True),
    )


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp, certs = tmp_path_factory.mktemp("btp"), _make_certs()
    btp = FakeBTP(clients={"sb-destination": DESTINATION_SECRET, "sb-connectivity": CONNECTIVITY_SECRET})
    ports = Ports(*(free_port() for _ in range(6)))
    client_ca_file = tmp / "client-ca.pem"
    client_ca_file.write_bytes(certs.client_ca.pem)
    proxy = FakeProxy()
    with ExitStack() as stack:

        def tls(label: str, issued: Any, port: int, **extra: Any) -> None:
            cert_file, key_file = issued.server_files(tmp, label)
            stack.enter_context(
                serve(backend_app(label), port=port, ssl_certfile=cert_file, ssl_keyfile=key_file, **extra)
            )

        tls("selfsigned", certs.selfsigned, ports.selfsigned)
        tls("privateca", certs.privateca_leaf, ports.privateca)
        tls("mismatch", certs.mismatch, ports.mismatch)
        tls("expired", certs.expired, ports.expired)
        tls("mtls", certs.privateca_leaf, ports.mtls, ssl_ca_certs=str(client_ca_file), ssl_cert_reqs=ssl.CERT_REQUIRED)
        proxy.backend = stack.enter_context(serve(backend_app("http"), port=ports.http))
        proxy_url = stack.enter_context(serve(proxy.app()))
        btp_url = stack.enter_context(serve(btp.app()))
        yield World(
            btp=btp,
            proxy=proxy,
            certs=certs,
            ports=ports,
            btp_url=btp_url,
            proxy_port=int(proxy_url.rsplit(":", 1)[1]),
            tmp=tmp,
        )


@pytest.fixture
def fake(world: World) -> Iterator[FakeBTP]:
    """The fake BTP with the notes' fixtures, reset for each test."""
    btp = world.btp
    btp.destinations = service_destinations(world.ports)
    for spec in btp.destinations.values():
        if spec.get("certificates") == "client":
            spec["certificates"] = client_keystores(world.certs.client)
    btp.certificates = {
        "subaccount": subaccount_certificates(world.certs),
        "instance": instance_certificates(world.certs),
    }
    btp.counts.clear()
    btp.tokens.clear()
    btp.down, btp.token_ttl = False, 3600.0
    world.proxy.seen.clear()
    yield btp


@pytest.fixture
async def factory(world: World, fake: FakeBTP) -> AsyncIterator[DestinationClientFactory]:
    async with DestinationClientFactory(world.settings()) as made:
        yield made
