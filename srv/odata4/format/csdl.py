"""What a CSDL document of a service contains and in which order, for both writers.

The XML and JSON writers differ in syntax only; this module decides the content the way
CAP's cds-compiler does, so both reproduce CAP's `$metadata`:

- vocabulary references: Common and Core always, others when a term, record type or enum
  of theirs is used; ordered by alias, case-insensitively;
- the schema starts with CAP's `Core.Links` watermark;
- annotation blocks: the container first, then per entity set its type, its set and its
  members (in member order), then complex type properties;
- set annotations: restrictions from `insertable/updatable/deletable=False` (CAP's explicit
  `@Capabilities`), the set's own annotations, then the `@readonly` triplet (which CAP
  appends last); the first annotation of a term and qualifier wins;
- in a draft entity, stored non-key properties are nullable (drafts may be incomplete);
- bound actions are grouped by name, in order of first appearance (overloads together).
"""

from __future__ import annotations

from collections.abc import Iterator

from odata4.edm.annotations import VOCABULARIES, Annotation, Collection, EnumMember, Record, Value, Vocabulary
from odata4.edm.model import Action, EntitySet, Property, Service

EDMX_NAMESPACE = "http://docs.oasis-open.org/odata/ns/edmx"
EDM_NAMESPACE = "http://docs.oasis-open.org/odata/ns/edm"
CONTAINER = "EntityContainer"

WATERMARK = Annotation("Core.Links", Collection((Record.of(None, rel="author", href="https://cap.cloud.sap"),)))

Target = tuple[str, list[Annotation]]


def container_name(service: Service) -> str:
    return service.qualified(CONTAINER)


def container_sets(service: Service) -> list[EntitySet]:
    return [s for s in service.entity_sets if s.in_container]


def bindings(service: Service, entity_set: EntitySet) -> list[tuple[str, str]]:
    """(path, target set) of the navigation properties bound to entity sets of the container."""
    return [
        (nav.name, nav.target)
        for nav in entity_set.navigation
        if nav.bind_to_set and not nav.contains_target and _in_container(service, nav.target)
    ]


def _in_container(service: Service, name: str) -> bool:
    target = service.entity_set(name)
    return target is not None and target.in_container


def property_type(service: Service, prop: Property) -> str:
    """The qualified type name, without `Collection(...)`."""
    return service.qualified(prop.complex_type) if prop.complex_type else prop.type


def is_nullable(prop: Property, entity_set: EntitySet | None = None) -> bool:
    draft = entity_set is not None and entity_set.is_draft
    return prop.nullable or (draft and not prop.key and not prop.virtual)


def action_groups(service: Service) -> dict[str, list[Action]]:
    groups: dict[str, list[Action]] = {}
    for action in service.actions:
        groups.setdefault(action.name, []).append(action)
    return groups


def entity_set_path(action: Action) -> str | None:
    return action.binding_parameter if action.return_set == action.binding_set else None


_READONLY = (
    ("DeleteRestrictions", "Deletable"),
    ("InsertRestrictions", "Insertable"),
    ("UpdateRestrictions", "Updatable"),
)


def _restriction(term: str, prop: str) -> Annotation:
    return Annotation(f"Capabilities.{term}", Record.of(f"Capabilities.{term}Type", **{prop: False}))


def set_annotations(entity_set: EntitySet) -> list[Annotation]:
    flags = (
        (entity_set.insertable, "InsertRestrictions", "Insertable"),
        (entity_set.updatable, "UpdateRestrictions", "Updatable"),
        (entity_set.deletable, "DeleteRestrictions", "Deletable"),
    )
    explicit = [_restriction(term, prop) for allowed, term, prop in flags if not allowed]
    readonly = [_restriction(term, prop) for term, prop in _READONLY] if entity_set.readonly else []
    return _first_per_key([*explicit, *entity_set.set_annotations, *readonly])


def _first_per_key(annotations: list[Annotation]) -> list[Annotation]:
    seen: set[str] = set()
    unique = []
    for annotation in annotations:
        if annotation.key not in seen:
            seen.add(annotation.key)
            unique.append(annotation)
    return unique


def _entity_targets(service: Service, entity_set: EntitySet) -> Iterator[Target]:
    type_name = service.qualified(entity_set.name)
    yield type_name, entity_set.type_annotations
    if entity_set.in_container:
        yield f"{container_name(service)}/{entity_set.name}", set_annotations(entity_set)
    for member in entity_set.members:
        yield f"{type_name}/{member.name}", member.annotations


def annotation_targets(service: Service) -> list[Target]:
    """The `<Annotations Target=...>` blocks in CAP's order, empty ones left out."""
    targets: list[Target] = [(container_name(service), service.container_annotations)]
    for entity_set in service.entity_sets:
        targets.extend(_entity_targets(service, entity_set))
    for complex_type in service.complex_types:
        type_name = service.qualified(complex_type.name)
        targets.extend((f"{type_name}/{p.name}", p.annotations) for p in complex_type.properties)
    return [(target, list(annotations)) for target, annotations in targets if annotations]


def used_vocabularies(service: Service) -> list[Vocabulary]:
    aliases = {"Common", "Core"}
    everything = [WATERMARK, *service.schema_annotations]
    everything.extend(a for _, annotations in annotation_targets(service) for a in annotations)
    for annotation in everything:
        aliases.update(_annotation_aliases(annotation))
    return [VOCABULARIES[a] for a in sorted(aliases, key=str.lower) if a in VOCABULARIES]


def _alias(qualified_name: str) -> str:
    return qualified_name.split(".", 1)[0]


def _annotation_aliases(annotation: Annotation) -> Iterator[str]:
    yield _alias(annotation.term)
    yield from _value_aliases(annotation.value)
    for nested in annotation.annotations:
        yield from _annotation_aliases(nested)


def _value_aliases(value: Value) -> Iterator[str]:
    if isinstance(value, Record):
        if value.type is not None:
            yield _alias(value.type)
        for _, item in value.properties:
            yield from _value_aliases(item)
    elif isinstance(value, Collection):
        for item in value.items:
            yield from _value_aliases(item)
    elif isinstance(value, EnumMember):
        yield from (_alias(member) for member in value.value.split())


def enum_members(value: EnumMember) -> list[str]:
    """The member names of a (flags) enum value such as ``UI.TextArrangementType/TextOnly``."""
    return [member.rsplit("/", 1)[-1] for member in value.value.split()]
