"""Resource path → what it addresses: an entity set narrowed by keys and navigation,
then possibly a property, `$value`, `$count` or a bound action.

Key values are checked and converted to column values here, so a malformed key is a 400
before any SQL exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from odata4.edm.model import EntitySet, NavigationProperty, Property, Service
from odata4.errors import BadRequest, NotFound
from odata4.sql.filter import _coerce
from odata4.sql.store import Target, key_condition, navigation_condition
from odata4.uri import ast
from odata4.uri.resource_path import Segment

Kind = Literal["collection", "entity", "property", "value", "count", "action"]


@dataclass
class Resolved:
    kind: Kind
    target: Target
    entity_set: EntitySet
    depth: int  # path segments after the first: the context URL climbs that many levels
    keys: dict[str, Any] = field(default_factory=dict)  # of the last keyed segment
    prop: Property | None = None
    parent: Target | None = None  # for POST to a navigation collection
    via: NavigationProperty | None = None
    action: str | None = None

    @property
    def context_prefix(self) -> str:
        return "../" * self.depth


def resolve(service: Service, segments: list[Segment]) -> Resolved:
    first, *rest = segments
    entity_set = service.entity_set(first.name)
    if entity_set is None or not entity_set.in_container:
        raise NotFound(f'Invalid resource path "{service.namespace}.{first.name}"', code="404")
    target = Target(entity_set)
    resolved = Resolved("collection", target, entity_set, depth=len(rest))
    if first.key is not None:
        _apply_key(resolved, first.key)
    for segment in rest:
        _step(service, resolved, segment)
    return resolved


def _apply_key(resolved: Resolved, key: ast.Literal | dict[str, ast.Literal]) -> None:
    values = key_values(resolved.entity_set, key)
    view = resolved.target.view
    if resolved.entity_set.is_draft and "IsActiveEntity" in values:
        view = "active" if values["IsActiveEntity"] else "draft"
    conditions = [*resolved.target.conditions, key_condition(resolved.entity_set, values)]
    resolved.target = Target(resolved.entity_set, conditions, single=True, view=view)
    resolved.kind = "entity"
    resolved.keys = values


def key_values(entity_set: EntitySet, key: ast.Literal | dict[str, ast.Literal]) -> dict[str, Any]:
    keys = entity_set.keys
    qualified = f"{_namespace_hint(entity_set)}"
    if isinstance(key, ast.Literal):
        if len(keys) != 1:
            missing = keys[-1].name if len(keys) > 1 else "?"
            raise BadRequest(f'Key "{missing}" is missing for entity "{qualified}"')
        key = {keys[0].name: key}
    values: dict[str, Any] = {}
    for prop in keys:
        if prop.name not in key:
            raise BadRequest(f'Key "{prop.name}" is missing for entity "{qualified}"')
        values[prop.name] = _key_value(prop, key[prop.name])
    unknown = set(key) - {p.name for p in keys}
    if unknown:
        raise BadRequest(f'"{sorted(unknown)[0]}" is not a key of "{qualified}"')
    return values


def _key_value(prop: Property, literal: ast.Literal) -> Any:
    if prop.type == "Edm.Boolean" and literal.kind == "string" and literal.value in ("true", "false"):
        return literal.value == "true"
    if literal.kind == "null":
        raise BadRequest(f'Key "{prop.name}" must not be null')
    return _coerce(literal, prop.type)


def _namespace_hint(entity_set: EntitySet) -> str:
    return entity_set.qualified_name


def _step(service: Service, resolved: Resolved, segment: Segment) -> None:
    if resolved.kind in ("value", "count", "action"):
        raise BadRequest(f"nothing may follow {resolved.kind}")
    name = segment.name
    if name == "$count":
        if resolved.kind != "collection" or segment.key is not None:
            raise BadRequest("$count applies to collections only")
        resolved.kind = "count"
        return
    if name == "$value":
        if resolved.kind != "property":
            raise BadRequest("$value applies to properties only")
        resolved.kind = "value"
        return
    if resolved.kind == "collection":
        raise BadRequest(f'Key for "{resolved.entity_set.qualified_name}" is missing before "{name}"')
    if resolved.kind == "property":
        raise NotFound(f'Invalid resource path "{resolved.entity_set.qualified_name}:{name}"', code="404")
    if "." in name and segment.key is None:
        resolved.kind = "action"
        resolved.action = name
        return
    member = resolved.entity_set.member(name)
    if isinstance(member, Property) and segment.key is None:
        resolved.kind = "property"
        resolved.prop = member
        return
    if not isinstance(member, NavigationProperty) or member.virtual:
        raise NotFound(f'Invalid resource path "{resolved.entity_set.qualified_name}:{name}"', code="404")
    _navigate(service, resolved, member, segment)


def _navigate(service: Service, resolved: Resolved, nav: NavigationProperty, segment: Segment) -> None:
    target_set = service.entity_set(nav.target)
    assert target_set is not None
    parent = resolved.target
    resolved.parent, resolved.via = parent, nav
    resolved.keys = {}  # the parent's keys do not identify the target's rows
    resolved.entity_set = target_set
    # navigation inside a draft document stays on the side the path started on
    view = parent.view if parent.entity_set.is_draft and target_set.is_draft else None
    resolved.target = Target(target_set, [navigation_condition(parent, nav)], single=not nav.collection, view=view)
    resolved.kind = "collection" if nav.collection else "entity"
    if segment.key is not None:
        if not nav.collection:
            raise BadRequest(f"navigation property {nav.name!r} is single-valued and takes no key")
        _apply_key(resolved, segment.key)
