"""The database from VCAP_SERVICES: HANA Cloud over TLS with the binding's schema, PostgreSQL by URI,
and the settings that follow from a bound database (no seeding, no CREATE TABLE)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy_hana.dialect import HANAHDBCLIDialect

from bpverify.db.binding import bound_database
from bpverify.settings import Settings
from btp.errors import ConfigurationError

CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIDrzCCApegAwIBAgIQCDvgVpBCRrGhdWrJWZHHSj\n-----END CERTIFICATE-----"
PASSWORD = "Pa@ss/w:rd%1"  # URL-special characters on purpose


def hana(**changes: Any) -> dict[str, Any]:
    credentials = {
        "host": "0f0e.hana.prod-eu10.hanacloud.ondemand.com",
        "port": "443",
        "driver": "com.sap.db.jdbc.Driver",
        "url": "jdbc:sap://0f0e.hana.prod-eu10.hanacloud.ondemand.com:443?encrypt=true&validateCertificate=true"
        "&currentschema=BPV_HDI",
        "schema": "BPV_HDI",
        "user": "BPV_HDI_RT",
        "password": PASSWORD,
        "hdi_user": "BPV_HDI_DT",
        "hdi_password": "design-time-secret",
        "certificate": CERTIFICATE,
    }
    credentials.update(changes)
    binding = {
        "label": "hana",
        "name": "bpverify-db",
        "plan": "hdi-shared",
        "tags": ["hana", "database", "relational"],
        "credentials": {k: v for k, v in credentials.items() if v is not None},
    }
    return {"hana": [binding]}


def postgres(uri: str) -> dict[str, Any]:
    return {
        "user-provided": [
            {"label": "user-provided", "name": "bpverify-db", "tags": ["postgresql"], "credentials": {"uri": uri}}
        ]
    }


def test_hana_binding_connects_with_tls_to_the_container_schema_as_the_runtime_user() -> None:
    bound = bound_database(json.dumps(hana()))
    assert bound is not None
    assert (bound.url.drivername, bound.url.host, bound.url.port) == (
        "hana+hdbcli",
        "0f0e.hana.prod-eu10.hanacloud.ondemand.com",
        443,
    )
    assert (bound.url.username, bound.url.password) == ("BPV_HDI_RT", PASSWORD)
    assert bound.connect_args == {
        "encrypt": True,
        "sslValidateCertificate": True,
        "currentSchema": "BPV_HDI",
        "sslTrustStore": CERTIFICATE,
    }


def test_the_url_survives_special_characters_in_the_password_into_hdbcli_arguments() -> None:
    bound = bound_database(json.dumps(hana()))
    assert bound is not None
    _, kwargs = HANAHDBCLIDialect().create_connect_args(sa.engine.make_url(bound.url_text))
    assert kwargs | {"vectoroutputtype": None} == {
        "address": "0f0e.hana.prod-eu10.hanacloud.ondemand.com",
        "port": 443,
        "user": "BPV_HDI_RT",
        "password": PASSWORD,
        "vectoroutputtype": None,
    }
    assert PASSWORD not in repr(bound)


def test_without_certificate_the_system_trust_store_is_used() -> None:
    bound = bound_database(json.dumps(hana(certificate=None)))
    assert bound is not None and "sslTrustStore" not in bound.connect_args
    assert bound.connect_args["encrypt"] is True


def test_host_and_port_come_from_the_jdbc_url_when_missing() -> None:
    bound = bound_database(json.dumps(hana(host=None, port=None)))
    assert bound is not None and (bound.url.host, bound.url.port) == ("0f0e.hana.prod-eu10.hanacloud.ondemand.com", 443)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schema": None}, "no credential 'schema'"),
        ({"password": None}, "no credential 'password'"),
        ({"host": None, "url": None}, "neither 'host' nor a jdbc 'url'"),
        ({"port": "https"}, "port that is no number"),
    ],
)
def test_broken_hana_bindings_say_what_is_missing(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as error:
        bound_database(json.dumps(hana(**changes)))
    assert PASSWORD not in str(error.value)


def test_a_user_provided_postgresql_uri_is_used_with_psycopg() -> None:
    bound = bound_database(json.dumps(postgres("postgres://bpv:secret@db.internal:5432/bpv?sslmode=require")))
    assert bound is not None
    assert bound.url.drivername == "postgresql+psycopg" and bound.url.query == {"sslmode": "require"}
    with pytest.raises(ConfigurationError, match="no PostgreSQL URI"):
        bound_database(json.dumps(postgres("mysql://x@y/z")))


def test_no_database_binding_means_none() -> None:
    assert bound_database(None) is None
    assert bound_database(json.dumps({"xsuaa": [{"label": "xsuaa", "credentials": {}}]})) is None


def test_settings_use_a_bound_database_and_never_seed_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCAP_SERVICES", json.dumps(hana()))
    settings = Settings()
    assert settings.db_url.startswith("hana+hdbcli://BPV_HDI_RT:") and settings.seed is False
    assert settings.db_connect_args["currentSchema"] == "BPV_HDI"
    assert PASSWORD not in repr(settings)


def test_an_explicit_database_url_wins_over_the_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCAP_SERVICES", json.dumps(hana()))
    monkeypatch.setenv("BPVERIFY_DB_URL", "sqlite://")
    settings = Settings()
    assert (settings.db_url, settings.db_connect_args, settings.seed) == ("sqlite://", {}, True)


def test_without_bindings_the_local_defaults_stay() -> None:
    settings = Settings()
    assert settings.db_url == "sqlite:///bpverify.sqlite" and settings.seed is True
    assert not settings.on_cloud_foundry and not settings.json_logs
