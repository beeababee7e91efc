"""The mocked S/4HANA served over TLS on a Private Link host name, and our service in front of it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.server import free_port, serve

from bpverify.app import create_app
from bpverify.mock_s4 import MockConfig, MockS4
from bpverify.mock_s4 import create_app as create_mock
from bpverify.settings import Settings
from bpverify.tools.certs import self_signed, write

HOST = "s4.privatelink.test"
ROOT = "/odata/v4/business-partner-verification/"


@dataclass
class S4:
    url: str  # https://s4.privatelink.test:<port>
    cert_pem: bytes
    mock: MockS4


@contextmanager
def tls_mock(folder: Path, config: MockConfig | None = None) -> Iterator[S4]:
    pair = self_signed(HOST, days=2)
    cert = write(folder / f"{HOST}.pem", pair.cert_pem())
    key = write(folder / f"{HOST}.key", pair.key_pem(), secret=True)
    app = create_mock(config or MockConfig())
    with serve(app, ssl_certfile=str(cert), ssl_keyfile=str(key), timeout_graceful_shutdown=1) as url:
        yield S4(f"https://{HOST}:{url.rsplit(':', 1)[1]}", pair.cert_pem(), app.state.mock)


def destination(url: str, cert_pem: bytes | None = None, **extra: Any) -> dict[str, Any]:
    """A `destinations` entry as BTP writes it: PrivateLink, Basic, the certificate as truststore when given."""
    entry: dict[str, Any] = {
        "name": "BusinessPartner",
        "URL": url,
        "ProxyType": "PrivateLink",
        "Authentication": "BasicAuthentication",
        "User": "MOCKUSER",
        "Password": "mockpass",
        **extra,
    }
    if cert_pem is not None:
        entry["TrustStoreLocation"] = "s4.pem"
        entry["certificates"] = [{"Name": "s4.pem", "Content": base64.b64encode(cert_pem).decode()}]
    return entry


@contextmanager
def service(
    monkeypatch: pytest.MonkeyPatch, folder: Path, entry: dict[str, Any] | None, **settings: Any
) -> Iterator[httpx.Client]:
    """Our service on a real socket, S/4HANA through `entry` (None: no destination at all)."""
    if entry is None:
        monkeypatch.delenv("destinations", raising=False)
    else:
        monkeypatch.setenv("destinations", json.dumps([entry]))
    settings.setdefault("mock_s4", "off")
    config = Settings(db_url=f"sqlite:///{folder / 'service.sqlite'}", s4_resolve={HOST: "127.0.0.1"}, **settings)
    with ExitStack() as stack:
        url = stack.enter_context(serve(create_app(config), port=free_port(), timeout_graceful_shutdown=1))
        client = stack.enter_context(httpx.Client(base_url=url + ROOT, auth=("alice", "alice"), timeout=30))
        yield client
