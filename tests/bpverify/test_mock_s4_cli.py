"""`bpverify mock-s4`: flags become the mock's configuration; the command serves https with the given certificate."""

from __future__ import annotations

import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.support.server import free_port

from bpverify.cli import build_parser
from bpverify.mock_s4.cli import config_from
from bpverify.tools.certs import private_ca, write


def test_flags_become_the_configuration() -> None:
    args = build_parser().parse_args(
        [
            "mock-s4",
            "--port",
            "4100",
            "--webhook",
            "http://127.0.0.1:4004/hook",
            "--latency-ms",
            "25",
            "--error-rate",
            "0.5",
            "--outage",
            "--page-size",
            "10",
        ]
    )
    config = config_from(args)
    assert (args.port, config.webhook_url, config.webhook_user, config.webhook_password) == (
        4100,
        "http://127.0.0.1:4004/hook",
        "eventmesh",
        "eventmesh",
    )
    assert config.knobs.as_dict() == {
        "latency_ms": 25.0,
        "jitter_ms": 0.0,
        "error_rate": 0.5,
        "error_status": 500,
        "outage": True,
        "page_size": 10,
    }


def test_bad_knobs_are_refused() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        config_from(build_parser().parse_args(["mock-s4", "--error-rate", "3"]))


@pytest.mark.slow
def test_serves_https(tmp_path: Path) -> None:
    ca, server = private_ca("localhost", days=2)
    cert = write(tmp_path / "s4.pem", server.cert_pem() + ca.cert_pem())
    key = write(tmp_path / "s4.key", server.key_pem(), secret=True)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "bpverify",
        "mock-s4",
        "--port",
        str(port),
        "--tls-cert",
        str(cert),
        "--tls-key",
        str(key),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"https://localhost:{port}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner/$count"
        trust = ssl.create_default_context(cafile=str(write(tmp_path / "ca.pem", ca.cert_pem())))
        for _ in range(100):
            try:
                response = httpx.get(
                    url,
                    auth=("MOCKUSER", "mockpass"),
                    verify=trust,
                    trust_env=False,
                )
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert response.status_code == 200 and response.text == "28"
    finally:
        process.terminate()
        process.wait(10)
        assert process.stderr is not None
        process.stderr.close()


def test_half_a_certificate_is_refused() -> None:
    args = build_parser().parse_args(["mock-s4", "--tls-cert", "x.pem"])
    with pytest.raises(SystemExit, match="both --tls-cert and --tls-key"):
        args.run(args)
