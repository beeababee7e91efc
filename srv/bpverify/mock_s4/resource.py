"""The resource path of a V2 request below the service root, e.g. `A_BusinessPartner('1')/to_BusinessPartnerAddress`.

    path     := entitySet [key] ["/" navigation] ["/$count"] | entitySet key "/" property ["/$value"]
    key      := "(" literal ")" | "(" name "=" literal ("," name "=" literal)* ")"
Pure; `ResourceError` carries the status SAP Gateway answers (400 or 404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .schema import ENTITIES, EntityDef

_SEGMENT = re.compile(r"^([A-Za-z_]\w*|\$count|\$value)(\((.*)\))?$", re.S)
_PAIR = re.compile(r"\s*(?:([A-Za-z_]\w*)\s*=\s*)?('(?:[^']|'')*')\s*(?:,|$)")


class ResourceError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Resource:
    entity: EntityDef
    key: dict[str, str] | None = None
    navigation: str | None = None  # to-many navigation of the keyed entity
    prop: str | None = None
    count: bool = False
    value: bool = False

    @property
    def target(self) -> EntityDef:
        if self.navigation is None:
            return self.entity
        nav = self.entity.nav(self.navigation)
        assert nav is not None
        return ENTITIES[nav.target]

    @property
    def is_collection(self) -> bool:
        return self.key is None or self.navigation is not None


def _split(path: str) -> list[str]:
    """Segments split at "/" outside quotes and parentheses."""
    parts, depth, quoted, current = [], 0, False, ""
    for char in path:
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        if char == "/" and not quoted and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def parse_key(text: str, entity: EntityDef) -> dict[str, str]:
    pairs, pos = [], 0
    while pos < len(text):
        match = _PAIR.match(text, pos)
        if match is None or match.end() == pos:
            raise ResourceError(400, f"Invalid key predicate ({text}) for '{entity.type_name}'")
        pairs.append((match.group(1), match.group(2)[1:-1].replace("''", "'")))
        pos = match.end()
    if len(pairs) == 1 and pairs[0][0] is None and len(entity.keys) == 1:
        return {entity.keys[0]: pairs[0][1]}
    key = {name: value for name, value in pairs if name is not None}
    if sorted(key) != sorted(entity.keys) or len(pairs) != len(entity.keys):
        raise ResourceError(400, f"Invalid key predicate ({text}) for '{entity.type_name}'")
    return key


def parse_resource(path: str) -> Resource:
    segments = _split(unquote(path).strip("/"))
    first = _SEGMENT.match(segments[0])
    entity = ENTITIES.get(first.group(1)) if first else None
    if first is None or entity is None:
        raise ResourceError(404, f"Resource not found for segment '{segments[0]}'")
    resource = Resource(entity, key=parse_key(first.group(3), entity) if first.group(2) else None)
    for segment in segments[1:]:
        _step(resource, segment)
    return resource


def _step(resource: Resource, segment: str) -> None:
    if resource.count or resource.value:
        raise ResourceError(400, f"Nothing may follow $count or $value (found '{segment}')")
    if segment == "$count":
        if not resource.is_collection:
            raise ResourceError(400, "$count applies to collections only")
        resource.count = True
    elif segment == "$value" and resource.prop is not None:
        resource.value = True
    elif resource.key is None or resource.navigation is not None or resource.prop is not None:
        raise ResourceError(400, f"Segment '{segment}' needs a single entity before it")
    elif resource.entity.nav(segment) is not None:
        resource.navigation = segment
    elif resource.entity.field(segment) is not None:
        resource.prop = segment
    else:
        raise ResourceError(404, f"Resource not found for segment '{segment}'")
