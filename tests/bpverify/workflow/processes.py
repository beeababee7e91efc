"""Real processes for the crash and scale-out tests: `bpverify mock-s4` (TLS, a self-signed certificate for
localhost) and `bpverify serve` instances reaching it through a `destinations` entry (ProxyType PrivateLink,
the certificate as truststore), as on BTP. Output goes to log files in the test's folder, never to pipes
that could fill up and stall a process."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
from tests.bpverify.workflow.process import MOCK_AUTH, V2_ROOT, MockApi, trust
from tests.support.server import free_port

from bpverify.tools.certs import self_signed, write


@dataclass
class Process:
    name: str
    url: str
    popen: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown, no lifespan end, claims left behind."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def wait_until(self, path: str, seconds: float = 30, **client: object) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if self.popen.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.popen.returncode}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(self.url + path, timeout=2, **client).status_code < 500:  # type: ignore[arg-type]
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{self.name} did not come up:\n{self.log.read_text()[-3000:]}"
            time.sleep(0.1)


def _start(stack: ExitStack, name: str, url: str, args: list[str], env: dict[str, str], folder: Path) -> Process:
    log = folder / f"{name}.log"
    with log.open("ab") as out:
        popen = subprocess.Popen([sys.executable, "-m", "bpverify", *args], env=env, stdout=out, stderr=out)
    process = Process(name, url, popen, log)
    stack.callback(process.stop)
    return process


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BPVERIFY_") and k != "destinations"}


@dataclass
class MockProcess:
    process: Process
    cert: Path
    api: MockApi

    def destinations(self) -> str:
        return destinations(self.process.url, self.cert)


def destinations(url: str, cert: Path) -> str:
    """The `destinations` variable of a service that reaches the mock at `url` as S/4HANA."""
    entry = {
        "name": "BusinessPartner",
        "URL": url,
        "ProxyType": "PrivateLink",
        "Authentication": "BasicAuthentication",
        "User": MOCK_AUTH[0],
        "Password": MOCK_AUTH[1],
        "TrustStoreLocation": "s4.pem",
        "certificates": [{"Name": "s4.pem", "Content": base64.b64encode(cert.read_bytes()).decode()}],
    }
    return json.dumps([entry])


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost (and 127.0.0.1) and its key."""
    pair = self_signed("localhost", days=2, extra_names=("127.0.0.1",))
    return write(folder / "s4.pem", pair.cert_pem()), write(folder / "s4.key", pair.key_pem(), secret=True)


def start_mock_s4(stack: ExitStack, folder: Path, *flags: str) -> MockProcess:
    cert, key = certificate(folder)
    port = free_port()
    args = ["mock-s4", "--port", str(port), "--tls-cert", str(cert), "--tls-key", str(key), "--log-level", "warning"]
    process = _start(stack, "mock-s4", f"https://localhost:{port}", [*args, *flags], clean_env(), folder)
    process.wait_until(V2_ROOT + "/", auth=MOCK_AUTH, verify=trust(cert))
    api = MockApi(process.url, cert)
    stack.callback(api.close)
    return MockProcess(process, cert, api)


def start_service(
    stack: ExitStack,
    folder: Path,
    name: str,
    db_url: str,
    mock: MockProcess,
    port: int | None = None,
    ready: bool = True,
    **env: str,
) -> Process:
    """`bpverify serve` with the workflow on, S/4HANA through the destination to `mock`; `ready`: wait until
    it answers (its tables deployed)."""
    port = port or free_port()
    environ = clean_env() | {
        "destinations": mock.destinations(),
        "BPVERIFY_MOCK_S4": "off",
        "BPVERIFY_WORKER_POLL": "0.2",
        "BPVERIFY_WORKER_BACKOFF": "0.5",
        "BPVERIFY_WORKER_BACKOFF_MAX": "4",
        **{f"BPVERIFY_{k.upper()}": v for k, v in env.items()},
    }
    args = ["serve", "--port", str(port), "--db", db_url, "--log-level", "warning"]
    process = _start(stack, name, f"http://127.0.0.1:{port}", args, environ, folder)
    if ready:
        process.wait_until("/health/ready")
    return process
