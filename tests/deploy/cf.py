"""Starting the service as Cloud Foundry does: the manifest's command in a shell, an environment of only
PORT, VCAP_APPLICATION, VCAP_SERVICES, CF_INSTANCE_INDEX and the manifest's `env`, in an empty directory.

The database is PostgreSQL through a user-provided service (tag `postgresql`), standing in for HANA; the
xsuaa binding is the fake of tests/support/xsuaa.py with the signing key's public half as `verificationkey`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.deploy.descriptors import load_yaml
from tests.support import xsuaa

VCAP_APPLICATION = {
    "application_id": "7d5b2c1e-0000-4000-8000-00000000a001",
    "application_name": "bpverify-srv",
    "application_uris": ["bpverify-srv.cfapps.example"],
    "space_id": "s-1",
    "space_name": "dev",
    "organization_id": "o-1",
    "organization_name": "acme",
    "limits": {"mem": 512, "disk": 1024},
}


def vcap_services(database_url: str, verification_key: str) -> dict[str, Any]:
    """A user-provided PostgreSQL (as BTP hands out `postgres://` URIs) and the fake xsuaa binding."""
    uri = "postgres://" + database_url.split("://", 1)[1]
    services: dict[str, Any] = xsuaa.binding(verification_key=verification_key)
    services["user-provided"] = [
        {"label": "user-provided", "name": "bpverify-db", "tags": ["postgresql"], "credentials": {"uri": uri}}
    ]
    return services


@dataclass
class CfProcess:
    process: subprocess.Popen[str]
    base_url: str
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for text in list(self.output):
            try:
                lines.append(json.loads(text))
            except json.JSONDecodeError:
                lines.append({"unparsed": text})
        return lines

    def terminate(self) -> float:
        """SIGTERM, as CF sends it; returns the seconds until the process exited (inf: killed after 15)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.close()
            return float("inf")
        return time.monotonic() - started

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.reader is not None:
            self.reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start(port: int, services: dict[str, Any], cwd: Path, *, instance: int = 1) -> CfProcess:
    [app] = load_yaml("manifest.yml")["applications"]
    env = {str(k): str(v) for k, v in app.get("env", {}).items()}
    env |= {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "PORT": str(port),
        "VCAP_APPLICATION": json.dumps(VCAP_APPLICATION),
        "VCAP_SERVICES": json.dumps(services),
        "CF_INSTANCE_INDEX": str(instance),
    }
    process = subprocess.Popen(
        ["/bin/bash", "-c", f"exec {app['command']}"],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    started = CfProcess(process, f"http://127.0.0.1:{port}")
    started.reader = threading.Thread(target=_collect, args=(process, started.output), daemon=True)
    started.reader.start()
    _wait_until_up(started)
    return started


def _collect(process: subprocess.Popen[str], output: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line.rstrip("\n"))


def _wait_until_up(started: CfProcess, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if started.process.poll() is not None:
            started.close()
            raise RuntimeError("the service exited:\n" + "\n".join(started.output))
        try:
            if httpx.get(started.base_url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    started.close()
    raise RuntimeError("the service did not come up:\n" + "\n".join(started.output))
