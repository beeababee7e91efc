"""Service bindings from `VCAP_SERVICES` (Cloud Foundry): find by label or tag, read credentials.

`VCAP_SERVICES` is `{"<label>": [{"name", "label", "tags", "plan", "credentials": {...}}, ...], ...}`;
user-provided services all sit under `user-provided`, so a binding is also found by one of its `tags`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import BindingNotFoundError, ConfigurationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceBinding:
    label: str
    name: str
    tags: tuple[str, ...] = ()
    plan: str | None = None
    credentials: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def credential(self, key: str) -> str | None:
        value = self.credentials.get(key)
        return None if value is None else str(value)

    def require(self, key: str) -> str:
        value = self.credential(key)
        if not value:
            raise ConfigurationError(
                f"binding {self.name} ({self.label}) has no credential '{key}'",
                hint="re-create the service key / binding",
            )
        return value


def parse_vcap_services(text: str | None) -> list[ServiceBinding]:
    """All bindings in `VCAP_SERVICES` text, in document order; [] when unset or empty."""
    if not text or not text.strip():
        return []
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"VCAP_SERVICES is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    if not isinstance(document, dict):
        raise ConfigurationError("VCAP_SERVICES must be a JSON object of label → list of bindings")
    return [
        _binding(label, entry)
        for label, entries in document.items()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]


def _binding(label: str, entry: Mapping[str, Any]) -> ServiceBinding:
    credentials = entry.get("credentials")
    return ServiceBinding(
        label=str(entry.get("label") or label),
        name=str(entry.get("name") or entry.get("instance_name") or label),
        tags=tuple(str(tag) for tag in entry.get("tags") or ()),
        plan=entry.get("plan"),
        credentials=credentials if isinstance(credentials, dict) else {},
    )


def find_binding(bindings: list[ServiceBinding], label: str, *, name: str | None = None) -> ServiceBinding | None:
    """The binding with this label (or tag); by instance `name` when given. Several → the first, with a warning."""
    matches = [b for b in bindings if b.label == label or label in b.tags]
    if name is not None:
        matches = [b for b in matches if b.name == name]
    if len(matches) > 1:
        log.warning("found %d bindings for service '%s'; using '%s'", len(matches), label, matches[0].name)
    return matches[0] if matches else None


def require_binding(bindings: list[ServiceBinding], label: str, *, purpose: str) -> ServiceBinding:
    binding = find_binding(bindings, label)
    if binding is None:
        raise BindingNotFoundError(
            label,
            f"no binding to the {label} service in VCAP_SERVICES; it is needed for {purpose}",
            hint=f"bind a '{label}' service instance to the application (mta.yaml `requires`)",
        )
    return binding
