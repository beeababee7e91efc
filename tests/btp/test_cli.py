"""`bpverify destination check` and `bpverify certs` end to end against the fake BTP (the CLI lives in bpverify)."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from bpverify.cli import main
from tests.support.server import serve

from .conftest import DESTINATION_SECRET, World
from .fakebtp import S4_PASSWORD, FakeBTP, backend_app
from .fixtures import PASSWORD, PL_HOST

RESOLVE = ["--resolve", f"{PL_HOST}:127.0.0.1", "--resolve", "provider.auth.test:127.0.0.1"]


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["destination", "check", *args, "--json", *RESOLVE])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def vcap(world: World, fake: FakeBTP, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCAP_SERVICES", world.vcap())
    monkeypatch.delenv("destinations", raising=False)
    monkeypatch.delenv("S4_DESTINATION", raising=False)


@pytest.mark.parametrize(
    ("name", "outcome", "failed_step"),
    [
        ("BusinessPartner", "ok", None),
        ("BP_PL_NOTRUST", "tls_error", "request"),
        ("BP_PL_P12_WRONGPW", "config_error", "trust"),
        ("BP_PL_OAUTH2CC_TOKENERROR", "auth_error", "authentication"),
        ("BP_PL_BASIC_WRONGPW", "http_401", "request"),
        ("BP_DS_500", "destination_error", "lookup"),
        ("BP_NOT_THERE", "not_found", "lookup"),
    ],
)
@pytest.mark.usefixtures("vcap")
def test_check_outcomes_and_exit_status(
    capsys: pytest.CaptureFixture[str], name: str, outcome: str, failed_step: str | None
) -> None:
    code, report = run_check(capsys, name)
    assert (report["outcome"], code) == (outcome, 0 if outcome == "ok" else 1)
    failed = [s["step"] for s in report["steps"] if not s["ok"]]  # type: ignore[union-attr, index]
    assert failed == ([failed_step] if failed_step else [])
    text = json.dumps(report)
    assert S4_PASSWORD not in text and DESTINATION_SECRET not in text and PASSWORD not in text


@pytest.mark.usefixtures("vcap")
def test_check_reports_every_step_and_the_server_certificate(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = run_check(capsys)  # default name: BusinessPartner, default path: the service root
    steps = {s["step"]: s for s in report["steps"]}  # type: ignore[union-attr]
    assert list(steps) == ["binding", "token", "lookup", "proxy", "trust", "authentication", "request"]
    assert steps["lookup"]["level"] == "subaccount" and steps["proxy"]["proxy_type"] == "PrivateLink"
    assert steps["trust"]["detail"] == "truststore s4-selfsigned.pem (pem)"
    assert steps["trust"]["certificate"]["names"] == [PL_HOST, "127.0.0.1"]
    assert steps["request"]["detail"].endswith("/sap/opu/odata/sap/API_BUSINESS_PARTNER/ -> HTTP 200")


@pytest.mark.usefixtures("vcap")
def test_check_explains_a_hostname_mismatch(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["destination", "check", "BP_PL_MISMATCH_TRUSTSTORE", *RESOLVE])
    out = capsys.readouterr().out
    assert code == 1 and "outcome: tls_error" in out
    assert f"certificate is issued for s4-wrong-host.invalid, destination URL uses {PL_HOST}" in out


def test_certs_tool_makes_material_that_verifies_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for kind, upload in (("selfsigned", f"{PL_HOST}.der"), ("ca", f"{PL_HOST}-ca.der")):
        out = tmp_path / kind
        assert main(["certs", kind, PL_HOST, "--out", str(out)]) == 0
        assert stat.S_IMODE((out / f"{PL_HOST}.key").stat().st_mode) == 0o600
        assert main(["certs", "show", str(out / upload)]) == 0
        with serve(
            backend_app(kind), ssl_certfile=str(out / f"{PL_HOST}.server.pem"), ssl_keyfile=str(out / f"{PL_HOST}.key")
        ) as url:
            port = url.rsplit(":", 1)[1]
            entry = {
                "name": "GEN",
                "url": f"https://{PL_HOST}:{port}",
                "proxyType": "PrivateLink",
                "trustStoreCertificate": {
                    "name": upload,
                    "content": base64.b64encode((out / upload).read_bytes()).decode(),
                },
            }
            monkeypatch.setenv("destinations", json.dumps([entry]))
            capsys.readouterr()
            assert main(["destination", "check", "GEN", "--json", *RESOLVE]) == 0
            assert json.loads(capsys.readouterr().out)["outcome"] == "ok"
