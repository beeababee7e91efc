"""Profiles: mocked users only in development, never silently on Cloud Foundry; XSUAA where a binding exists."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.server import free_port
from tests.support.xsuaa import binding

from bpverify.app import create_app
from bpverify.auth import MockedUsers, XsuaaAuthenticator
from bpverify.profiles import OVERRIDE, StartupRefused, choose_authenticator
from bpverify.settings import Settings

VCAP_APPLICATION = json.dumps({"application_name": "bpv-srv", "space_name": "dev", "organization_name": "o"})


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BPVERIFY_DB_URL", f"sqlite:///{tmp_path / 'bpv.sqlite'}")


def test_development_without_binding_uses_mocked_users(db: None) -> None:
    assert isinstance(choose_authenticator(Settings()), MockedUsers)


def test_an_xsuaa_binding_switches_to_tokens(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCAP_SERVICES", json.dumps(binding()))
    assert isinstance(choose_authenticator(Settings()), XsuaaAuthenticator)
    monkeypatch.setenv("BPVERIFY_AUTH", "mocked")  # explicitly mocked, locally: allowed
    assert isinstance(choose_authenticator(Settings()), MockedUsers)


def test_mocked_users_on_cloud_foundry_refuse_to_start(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCAP_APPLICATION", VCAP_APPLICATION)
    with pytest.raises(StartupRefused, match="refusing mocked authentication on Cloud Foundry"):
        create_app(Settings())


def test_the_override_starts_but_shouts(
    db: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("VCAP_APPLICATION", VCAP_APPLICATION)
    monkeypatch.setenv(OVERRIDE, "true")
    with caplog.at_level(logging.INFO, logger="bpverify.profiles"):
        app = create_app(Settings())
    assert app is not None
    critical = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert critical and "MOCKED AUTHENTICATION ON CLOUD FOUNDRY" in critical[0].getMessage()


@pytest.mark.parametrize(
    "environ",
    [
        {"BPVERIFY_PROFILE": "production"},  # production needs a binding
        {
            "BPVERIFY_PROFILE": "production",
            "BPVERIFY_AUTH": "mocked",
            OVERRIDE: "true",
            "VCAP_SERVICES": json.dumps(binding()),
        },  # never mocked in production, override or not
        {"BPVERIFY_AUTH": "xsuaa"},  # asked for XSUAA, nothing bound
        {"VCAP_APPLICATION": VCAP_APPLICATION, OVERRIDE: "false"},
    ],
)
def test_unsafe_configurations_refuse_to_start(
    db: None, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(StartupRefused):
        create_app(Settings())


def test_production_on_cloud_foundry_with_binding_starts(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCAP_APPLICATION", VCAP_APPLICATION)
    monkeypatch.setenv("VCAP_SERVICES", json.dumps(binding()))
    monkeypatch.setenv("BPVERIFY_PROFILE", "production")
    assert isinstance(choose_authenticator(Settings()), XsuaaAuthenticator)


@pytest.mark.slow
def test_the_cli_exits_instead_of_serving_mocked_users_on_cloud_foundry(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("BPVERIFY_", "VCAP_"))}
    environ.update(
        VCAP_APPLICATION=VCAP_APPLICATION,
        BPVERIFY_DB_URL=f"sqlite:///{tmp_path / 'bpv.sqlite'}",
        PYTHONPATH=os.pathsep.join(["srv", environ.get("PYTHONPATH", "")]),
    )
    done = subprocess.run(
        [sys.executable, "-m", "bpverify", "serve", "--port", str(free_port())],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
        check=False,
    )
    assert done.returncode != 0
    assert "refusing mocked authentication on Cloud Foundry" in done.stderr + done.stdout
