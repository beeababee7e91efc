"""The mocked S/4HANA for local development, reached exactly as S/4HANA is on BTP.

It runs in this process on a local port with TLS; a `destinations` entry (service format: ProxyType
PrivateLink, BasicAuthentication, the mock's certificate as truststore `mock-s4.pem`) points at it, so the
service goes through the same destination, trust and connection-pool code as in production.

On first start a key and a self-signed certificate for `host` (plus localhost and 127.0.0.1) are made with
`bpverify.tools.certs` into `folder` (which gets a .gitignore of its own); later starts reuse them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509

from bpverify.mock_s4 import SERVICE_ROOT, MockConfig, create_app
from bpverify.tools.certs import self_signed, write

log = logging.getLogger(__name__)
TRUSTSTORE = "mock-s4.pem"


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server inside another one's event loop: the outer server keeps the signal handlers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def certificate_files(folder: Path, host: str) -> tuple[Path, Path]:
    """(certificate, key) for `host` in `folder`, made when missing, for another host, or expiring soon."""
    cert_file, key_file = folder / f"{host}.pem", folder / f"{host}.key"
    if not (cert_file.exists() and key_file.exists() and _usable(cert_file.read_bytes())):
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# made by bpverify for the local mocked S/4HANA: never commit\n*\n")
        pair = self_signed(host, days=365, extra_names=tuple(n for n in ("localhost", "127.0.0.1") if n != host))
        write(cert_file, pair.cert_pem())
        write(key_file, pair.key_pem(), secret=True)
        log.info("made a self-signed certificate for the mocked S/4HANA: %s", cert_file)
    return cert_file, key_file


def _usable(pem: bytes) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        return False
    return cert.not_valid_after_utc - dt.datetime.now(dt.UTC) > dt.timedelta(days=7)


def destination_entry(name: str, url: str, cert_pem: bytes, config: MockConfig) -> dict[str, Any]:
    """A `destinations` entry in the Destination service's format."""
    return {
        "name": name,
        "URL": url,
        "Type": "HTTP",
        "ProxyType": "PrivateLink",
        "Authentication": "BasicAuthentication",
        "User": config.user,
        "Password": config.password,
        "sap-client": config.sap_client,
        "TrustStoreLocation": TRUSTSTORE,
        "certificates": [
            {"Name": TRUSTSTORE, "Type": "CERTIFICATE", "Content": base64.b64encode(cert_pem).decode("ascii")}
        ],
    }


@dataclass
class LocalS4:
    url: str
    destination: dict[str, Any]
    resolve: dict[str, str]  # host → address, for the connection pool
    server: uvicorn.Server
    task: asyncio.Task[None]
    app: Any

    async def stop(self) -> None:
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, timeout=10)


def _bound_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


async def start_local_s4(name: str, *, host: str, port: int, folder: Path, config: MockConfig | None = None) -> LocalS4:
    config = config or MockConfig()
    cert_file, key_file = certificate_files(folder, host)
    sock = _bound_socket(port)
    app = create_app(config)
    server = _EmbeddedServer(
        uvicorn.Config(app, ssl_certfile=str(cert_file), ssl_keyfile=str(key_file), log_level="warning", lifespan="on")
    )
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it
            raise RuntimeError("the mocked S/4HANA did not start")
        await asyncio.sleep(0.01)
    url = f"https://{host}:{sock.getsockname()[1]}"
    log.warning(
        "S/4HANA: destination %s is not configured; using the mocked S/4HANA at %s%s/ (development)",
        name,
        url,
        SERVICE_ROOT,
    )
    return LocalS4(
        url, destination_entry(name, url, cert_file.read_bytes(), config), {host: "127.0.0.1"}, server, task, app
    )
