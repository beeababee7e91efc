"""mta.yaml: the MTA 3.x descriptor rules (tests/deploy/mta.schema.json), references and paths, and what
the service needs from the platform (buildpack, start command, health check, the bound services)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from bpverify.events.webhook import PATH as WEBHOOK_PATH
from tests.deploy.descriptors import ROOT, load_yaml, module, resource, schema_errors, semantic_errors

MTA = load_yaml("mta.yaml")


def test_mta_yaml_follows_the_schema() -> None:
    assert schema_errors(MTA) == []
    assert float(MTA["_schema-version"]) >= 3.1


def test_every_reference_resolves_and_every_path_exists() -> None:
    assert semantic_errors(MTA) == []


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for step in path[:-1]:
            target = target[step]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set(("_schema-version",), None), "'_schema-version' is a required property"),
        (_set(("ID",), "bp verify"), "does not match"),
        (_set(("version",), "1.0"), "does not match"),
        (_set(("version",), "v1.0.0"), "does not match"),
        (_set(("modules", 0, "type"), None), "'type' is a required property"),
        (_set(("modules", 0, "name"), None), "'name' is a required property"),
        (_set(("modules", 0, "parameters", "memory"), "512"), "does not match"),
        (_set(("modules", 0, "parameters", "health-check-type"), "tcp"), "is not one of"),
        (_set(("resources", 0, "name"), None), "'name' is a required property"),
        (_set(("modules", 0, "provides", 0, "name"), "srv api"), "does not match"),
        (_set(("modules", 0, "requires", 0, "name"), None), "'name' is a required property"),
        (_set(("modules", 0, "requirez"), []), "Additional properties are not allowed"),
    ],
)
def test_the_schema_rejects_broken_descriptors(change: Callable[[dict[str, Any]], None], expected: str) -> None:
    broken = copy.deepcopy(MTA)
    change(broken)
    assert any(expected in error for error in schema_errors(broken)), schema_errors(broken)


def test_semantic_checks_catch_duplicates_dangling_requires_and_missing_paths() -> None:
    broken = copy.deepcopy(MTA)
    broken["resources"].append({"name": "bpverify-srv", "type": "org.cloudfoundry.managed-service"})
    broken["modules"][0]["requires"].append({"name": "no-such-resource"})
    broken["modules"][1]["path"] = "no/such/dir"
    broken["resources"][0]["parameters"]["path"] = "./no-such-file.json"
    errors = semantic_errors(broken)
    assert "name used 2 times: bpverify-srv" in errors
    assert "bpverify-srv requires unknown no-such-resource" in errors
    assert "bpverify-db-deployer: no directory no/such/dir" in errors
    assert "bpverify-uaa: no file ./no-such-file.json" in errors


def test_the_service_module_runs_on_the_python_buildpack_bound_to_every_service() -> None:
    srv = module(MTA, "bpverify-srv")
    parameters = srv["parameters"]
    assert srv["type"] == "python" and parameters["buildpack"] == "python_buildpack"
    assert parameters["command"] == "bpverify serve --host 0.0.0.0 --port $PORT"
    assert (parameters["health-check-type"], parameters["health-check-http-endpoint"]) == ("http", "/health")
    required = {r["name"] for r in srv["requires"]}
    assert required == {r["name"] for r in MTA["resources"]} - {"bpverify-connectivity"}
    ignored = set(srv["build-parameters"]["ignore"])
    assert not ignored & {"pyproject.toml", "README.md", "srv/", "requirements.txt", "runtime.txt"}


def test_resources_are_the_seed_s_services() -> None:
    services = {r["name"]: (r["type"], r["parameters"]) for r in MTA["resources"]}
    assert services["bpverify-uaa"][1] | {"config": None} == {
        "service": "xsuaa",
        "service-plan": "application",
        "path": "./xs-security.json",
        "config": None,
    }
    assert services["bpverify-privatelink"] == (
        "org.cloudfoundry.existing-service",
        {"service-name": "bpverify-privatelink"},
    )
    assert services["bpverify-db"] == ("com.sap.xs.hdi-container", {"service": "hana", "service-plan": "hdi-shared"})
    assert services["bpverify-messaging"][1] == {
        "service": "enterprise-messaging",
        "service-plan": "default",
        "path": "./event-mesh.json",
    }
    assert services["bpverify-logs"][1]["service"] == "application-logs"
    assert "bpverify-connectivity" not in services  # only for OnPremise (commented out)


def test_the_destination_reaches_s4_over_private_link_with_its_own_trust_store() -> None:
    config = resource(MTA, "bpverify-destination")["parameters"]["config"]
    [destination] = config["init_data"]["instance"]["destinations"]
    assert destination["Name"] == "BusinessPartner"
    assert destination["ProxyType"] == "PrivateLink"
    assert destination["URL"].startswith("https://")
    assert destination["Authentication"] == "BasicAuthentication" and {"User", "Password"} <= set(destination)
    assert destination["TrustStoreLocation"].endswith(".pem")
    assert config["init_data"]["instance"]["existing_destinations_policy"] == "ignore"


def test_the_hana_deployer_module_carries_the_hdi_artifacts() -> None:
    db = module(MTA, "bpverify-db-deployer")
    assert (db["type"], db["path"], [r["name"] for r in db["requires"]]) == ("hdb", "db", ["bpverify-db"])
    package = json.loads((ROOT / "db" / "package.json").read_text(encoding="utf-8"))
    assert "@sap/hdi-deploy" in package["dependencies"]
    assert package["scripts"]["start"] == "node node_modules/@sap/hdi-deploy/deploy.js"
    assert (ROOT / "db" / "src" / ".hdiconfig").is_file()


def test_the_router_forwards_odata_to_the_service_with_the_users_token() -> None:
    router = module(MTA, "bpverify-router")
    assert (router["type"], router["path"]) == ("approuter.nodejs", "app/router")
    [destination] = [r for r in router["requires"] if r.get("group") == "destinations"]
    assert destination["properties"] == destination["properties"] | {
        "name": "srv-api",
        "url": "~{srv-url}",
        "forwardAuthToken": True,
    }
    routes = json.loads((ROOT / "app" / "router" / "xs-app.json").read_text(encoding="utf-8"))["routes"]
    odata = next(r for r in routes if r["source"].startswith("^/odata/"))
    assert (odata["destination"], odata["authenticationType"]) == ("srv-api", "xsuaa")
    package = json.loads((ROOT / "app" / "router" / "package.json").read_text(encoding="utf-8"))
    assert "@sap/approuter" in package["dependencies"]


def test_event_mesh_descriptor_and_webhook_point_at_our_endpoint() -> None:
    descriptor = json.loads((ROOT / "event-mesh.json").read_text(encoding="utf-8"))
    assert len(descriptor["namespace"].split("/")) == 3 and len(descriptor["namespace"]) <= 24
    for rules in descriptor["rules"].values():
        assert rules == {"publishFilter": ["${namespace}/*"], "subscribeFilter": ["${namespace}/*"]}
    webhook = json.loads((ROOT / "deploy" / "event-mesh-webhook.json").read_text(encoding="utf-8"))
    assert webhook["pushConfig"]["endpoint"].endswith(WEBHOOK_PATH)
    assert webhook["address"].startswith(f"queue:{descriptor['namespace']}/")
    assert webhook["qos"] == 1 and webhook["pushConfig"]["securitySchema"]["type"] == "oauth2"


def test_xs_security_grants_the_webhook_scope_to_the_event_mesh_instance_of_the_mta() -> None:
    text = (ROOT / "xs-security.json").read_text(encoding="utf-8")
    granted = set(re.findall(r"\$XSSERVICENAME\(([^)]+)\)", text))
    assert granted and granted <= {r["name"] for r in MTA["resources"]}
    assert "bpverify-messaging" in granted
