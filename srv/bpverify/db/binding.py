"""The database from a Cloud Foundry service binding (`VCAP_SERVICES`).

Two kinds of binding are understood, looked up by label or tag (never by instance name):

* `hana` (SAP HANA Cloud, plan `hdi-shared`): the HDI container's run-time user over TLS with
  `hdbcli` — `encrypt`, `sslValidateCertificate`, the binding's `certificate` as trust store and
  `currentSchema` = the container schema. Its user may only run DML: the tables come from the HDI
  deployer (`db/`), so nothing may create them at start-up.
* `postgresql` (a user-provided service with that tag, or SAP BTP's `postgresql-db`): the binding's
  `uri` (`postgres://user:password@host:port/db`), e.g. a stand-in for HANA in tests.

Both are "managed schemas": the application never runs DDL against them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from btp.errors import ConfigurationError
from btp.vcap import ServiceBinding, find_binding, parse_vcap_services

HANA_DEFAULT_PORT = 443
_JDBC = re.compile(r"^jdbc:sap://(?P<host>[^:/?]+)(?::(?P<port>\d+))?")


@dataclass(frozen=True)
class BoundDatabase:
    """Where the bound database is and how to connect to it."""

    url: sa.URL
    binding: str
    connect_args: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def url_text(self) -> str:
        """The URL with its password, for `create_engine` (never log this)."""
        return self.url.render_as_string(hide_password=False)


def bound_database(vcap_services: str | None) -> BoundDatabase | None:
    """The database bound to the application, or None when VCAP_SERVICES binds none."""
    bindings = parse_vcap_services(vcap_services)
    hana = find_binding(bindings, "hana")
    if hana is not None:
        return hana_database(hana)
    postgres = find_binding(bindings, "postgresql-db") or find_binding(bindings, "postgresql")
    if postgres is not None:
        return postgres_database(postgres)
    return None


def hana_database(binding: ServiceBinding) -> BoundDatabase:
    host, port = _hana_address(binding)
    schema = binding.require("schema")
    url = sa.URL.create(
        "hana+hdbcli",
        username=binding.require("user"),
        password=binding.require("password"),
        host=host,
        port=port,
    )
    connect_args: dict[str, Any] = {"encrypt": True, "sslValidateCertificate": True, "currentSchema": schema}
    certificate = binding.credential("certificate")
    if certificate:
        connect_args["sslTrustStore"] = certificate  # PEM content; without it the OS trust store is used
    return BoundDatabase(url, binding.name, connect_args)


def postgres_database(binding: ServiceBinding) -> BoundDatabase:
    uri = binding.credential("uri") or binding.credential("url")
    if not uri:
        raise ConfigurationError(
            f"binding {binding.name} ({binding.label}) has no credential 'uri'",
            hint="give the user-provided service a 'uri': postgres://user:password@host:5432/db",
        )
    url = sa.engine.make_url(uri)
    if url.get_backend_name() not in ("postgres", "postgresql"):
        raise ConfigurationError(f"binding {binding.name} ({binding.label}) is no PostgreSQL URI")
    return BoundDatabase(url.set(drivername="postgresql+psycopg"), binding.name)


def _hana_address(binding: ServiceBinding) -> tuple[str, int]:
    host, port = binding.credential("host"), binding.credential("port")
    jdbc = _JDBC.match(binding.credential("url") or "")
    if not host and jdbc:
        host, port = jdbc["host"], port or jdbc["port"]
    if not host:
        raise ConfigurationError(
            f"binding {binding.name} (hana) has neither 'host' nor a jdbc 'url'", hint="re-create the service binding"
        )
    try:
        return host, int(port) if port else HANA_DEFAULT_PORT
    except ValueError:
        raise ConfigurationError(f"binding {binding.name} (hana) has a port that is no number") from None
