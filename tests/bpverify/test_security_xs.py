"""xs-security.json matches the service: every role the contract uses is a scope, every reference resolves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bpverify.auth import EVENT_INGEST_ROLE, MOCKED_USERS
from bpverify.service.definition import build_service

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def xs() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((ROOT / "xs-security.json").read_text())
    return document


def contract_roles() -> set[str]:
    service = build_service()
    roles = {role for entity_set in service.entity_sets for r in entity_set.restrict for role in r.to}
    roles |= {role for entity_set in service.entity_sets for role in entity_set.requires}
    return roles - {"authenticated-user", "any"}


def test_every_contract_role_and_the_event_scope_are_scopes(xs: dict[str, Any]) -> None:
    scopes = {s["name"] for s in xs["scopes"]}
    assert {f"$XSAPPNAME.{role}" for role in contract_roles()} | {f"$XSAPPNAME.{EVENT_INGEST_ROLE}"} == scopes
    assert contract_roles() == {"Viewer", "Validator"}
    mocked = {role for roles in MOCKED_USERS.values() for role in roles}
    assert {s.removeprefix("$XSAPPNAME.") for s in scopes} == mocked  # development knows the same roles


def test_the_event_scope_is_granted_to_the_event_mesh_instance_of_the_mta(xs: dict[str, Any]) -> None:
    [event] = [s for s in xs["scopes"] if s["name"] == f"$XSAPPNAME.{EVENT_INGEST_ROLE}"]
    [granted] = event["grant-as-authority-to-apps"]
    instance = granted.removeprefix("$XSSERVICENAME(").removesuffix(")")
    mta = yaml.safe_load((ROOT / "mta.yaml").read_text())
    [resource] = [r for r in mta["resources"] if r["name"] == instance]
    assert resource["parameters"]["service"] == "enterprise-messaging"
    mesh = json.loads((ROOT / resource["parameters"]["path"]).read_text())
    assert "$ACCEPT_GRANTED_AUTHORITIES" in mesh["xs-security"]["authorities"]
    templates = {s for t in xs["role-templates"] for s in t["scope-references"]}
    assert event["name"] not in templates  # no human gets the event scope


def test_references_resolve(xs: dict[str, Any]) -> None:
    scopes = {s["name"] for s in xs["scopes"]}
    templates = {t["name"] for t in xs["role-templates"]}
    for template in xs["role-templates"]:
        assert set(template["scope-references"]) <= scopes
    for collection in xs["role-collections"]:
        assert {r.removeprefix("$XSAPPNAME.") for r in collection["role-template-references"]} <= templates
    assert xs["oauth2-configuration"]["redirect-uris"] == ["https://*.cfapps.*.hana.ondemand.com/**"]
