"""Loading the deployment descriptors, and the MTA rules a JSON schema cannot express."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
MTA_SCHEMA = json.loads(Path(__file__).with_name("mta.schema.json").read_text(encoding="utf-8"))


def load_yaml(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    return document


def schema_errors(mta: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(MTA_SCHEMA)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(mta))


def semantic_errors(mta: dict[str, Any], root: Path = ROOT) -> list[str]:
    """Unique names across modules, provided sets and resources; every `requires` resolves; every `path` exists."""
    modules, resources = mta.get("modules", []), mta.get("resources", [])
    provided = [p["name"] for m in modules for p in m.get("provides", [])]
    names = [m["name"] for m in modules] + provided + [r["name"] for r in resources]
    errors = [f"name used {n} times: {name}" for name, n in Counter(names).items() if n > 1]
    targets = set(provided) | {r["name"] for r in resources}
    for owner in modules + resources:
        errors += [
            f"{owner['name']} requires unknown {r['name']}"
            for r in owner.get("requires", [])
            if r["name"] not in targets
        ]
    for item in modules:
        if "path" in item and not (root / item["path"]).is_dir():
            errors.append(f"{item['name']}: no directory {item['path']}")
    for resource in resources:
        path = resource.get("parameters", {}).get("path")
        if path is not None and not (root / path).is_file():
            errors.append(f"{resource['name']}: no file {path}")
    return errors


def module(mta: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in mta["modules"] if m["name"] == name)


def resource(mta: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in mta["resources"] if r["name"] == name)
