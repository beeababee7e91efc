"""manifest.yml (`cf push` of the service alone): what CF needs, and the same command, health check and
service bindings as the service module of mta.yaml."""

from __future__ import annotations

import re
from typing import Any

from tests.deploy.descriptors import load_yaml, module

MANIFEST = load_yaml("manifest.yml")
MTA = load_yaml("mta.yaml")
# the application attributes of the CF v3 manifest that this project may use; anything else is a typo
KNOWN = {
    "name",
    "path",
    "buildpacks",
    "command",
    "memory",
    "disk_quota",
    "instances",
    "stack",
    "env",
    "services",
    "routes",
    "no-route",
    "random-route",
    "timeout",
    "health-check-type",
    "health-check-http-endpoint",
    "health-check-invocation-timeout",
    "health-check-interval",
    "readiness-health-check-type",
    "readiness-health-check-http-endpoint",
    "readiness-health-check-invocation-timeout",
    "readiness-health-check-interval",
    "metadata",
    "processes",
    "sidecars",
    "log-rate-limit-per-second",
}
SIZE = re.compile(r"^[1-9][0-9]*(M|G)$")


def _app() -> dict[str, Any]:
    [app] = MANIFEST["applications"]
    return app


def test_manifest_has_the_fields_cf_requires() -> None:
    app = _app()
    assert set(app) <= KNOWN, set(app) - KNOWN
    assert app["name"] == "bpverify-srv"
    assert app["buildpacks"] == ["python_buildpack"]
    assert SIZE.match(app["memory"]) and SIZE.match(app["disk_quota"])
    assert isinstance(app["instances"], int) and app["instances"] >= 1


def test_manifest_starts_and_checks_the_service_as_the_mta_does() -> None:
    app, srv = _app(), module(MTA, "bpverify-srv")["parameters"]
    assert app["command"] == srv["command"]
    assert "--host 0.0.0.0" in app["command"] and "--port $PORT" in app["command"]
    assert (app["health-check-type"], app["health-check-http-endpoint"]) == ("http", "/health")
    assert (app["readiness-health-check-type"], app["readiness-health-check-http-endpoint"]) == (
        "http",
        "/health/ready",
    )
    assert app["env"]["BPVERIFY_PROFILE"] == module(MTA, "bpverify-srv")["properties"]["BPVERIFY_PROFILE"]


def test_manifest_binds_the_same_service_instances_as_the_mta() -> None:
    required = {r["name"] for r in module(MTA, "bpverify-srv")["requires"]}
    instance_names = {
        r["name"]: r["parameters"].get("service-name", r["name"]) for r in MTA["resources"] if r["name"] in required
    }
    assert sorted(_app()["services"]) == sorted(instance_names.values())
