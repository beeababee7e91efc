"""The entity data model: declared once, everything else is derived from it.

A `Service` holds entity sets; each entity set has exactly one entity type of the same
name (as CAP generates them), so the two are one object here. Members keep their
declaration order because CSDL lists them in that order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from odata4.edm.annotations import Annotation

ManagedKind = Literal["createdAt", "createdBy", "modifiedAt", "modifiedBy"]


@dataclass
class Property:
    name: str
    type: str = "Edm.String"
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    nullable: bool = True
    key: bool = False
    default: Any = None  # applied on insert and rendered as DefaultValue
    computed: bool = False  # Core.Computed: values sent by clients are ignored
    immutable: bool = False  # Core.Immutable: set on insert, ignored on update
    managed: ManagedKind | None = None  # filled by the server from the request context
    collection: bool = False
    complex_type: str | None = None  # type name when `type` is a complex type
    virtual: bool = False  # computed by the layer, no column (e.g. draft flags)
    annotations: list[Annotation] = field(default_factory=list)
    column: str | None = None  # column name; the property name when None
    in_metadata: bool = True  # False: an internal property (e.g. a draft's admin key), never on the wire

    @property
    def column_name(self) -> str:
        return self.column or self.name


@dataclass
class NavigationProperty:
    name: str
    target: str  # name of the target entity set
    collection: bool = False
    partner: str | None = None
    # (local property, target property) pairs of a to-one association
    constraints: tuple[tuple[str, str], ...] = ()
    composition: bool = False  # OnDelete Cascade, deep insert and deep update allowed
    contains_target: bool = False
    virtual: bool = False  # resolved by the layer, not by a join on constraints
    annotations: list[Annotation] = field(default_factory=list)
    bind_to_set: bool = True  # rendered as NavigationPropertyBinding


Member = Union[Property, NavigationProperty]  # noqa: UP007 - a runtime alias with forward references


@dataclass(frozen=True)
class Restriction:
    """One entry of CAP's @restrict: `grant` events (READ, WRITE, CREATE, ..., *) to roles."""

    grant: tuple[str, ...]
    to: tuple[str, ...]


@dataclass
class EntitySet:
    name: str
    members: list[Member]
    table: str | None = None  # None: not stored in the database (remote or virtual)
    type_annotations: list[Annotation] = field(default_factory=list)
    set_annotations: list[Annotation] = field(default_factory=list)
    readonly: bool = False
    insertable: bool = True
    updatable: bool = True
    deletable: bool = True
    draft_enabled: bool = False  # draft root
    draft_node: bool = False  # part of a draft document through a composition
    requires: tuple[str, ...] = ()  # roles, any of which allows every event
    restrict: tuple[Restriction, ...] = ()
    etag: str | None = None  # @odata.etag property
    search: tuple[str, ...] | None = None  # searchable properties; None: all stored strings
    namespace: str = ""  # set by the service that holds the entity set
    indexes: tuple[tuple[str, ...], ...] = ()  # database indexes on these properties (lookups, sort orders)
    in_container: bool = True  # False: only its entity type is rendered (e.g. DraftAdministrativeData)

    def __post_init__(self) -> None:
        self._index = {m.name: m for m in self.members}

    def reindex(self) -> None:
        self._index = {m.name: m for m in self.members}

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}.{self.name}" if self.namespace else self.name

    def member(self, name: str) -> Member | None:
        return self._index.get(name)

    @property
    def properties(self) -> Iterator[Property]:
        return (m for m in self.members if isinstance(m, Property))

    @property
    def navigation(self) -> Iterator[NavigationProperty]:
        return (m for m in self.members if isinstance(m, NavigationProperty))

    @property
    def keys(self) -> list[Property]:
        return [p for p in self.properties if p.key]

    @property
    def stored_keys(self) -> list[Property]:
        return [p for p in self.keys if not p.virtual]

    @property
    def is_draft(self) -> bool:
        return self.draft_enabled or self.draft_node


@dataclass
class ComplexType:
    name: str
    properties: list[Property]


@dataclass
class Parameter:
    name: str
    type: str
    nullable: bool = True


@dataclass
class Action:
    """A bound action (draft actions, later custom ones)."""

    name: str
    binding_set: str
    parameters: list[Parameter] = field(default_factory=list)
    return_set: str | None = None
    binding_parameter: str = "in"  # name of the binding parameter (CAP calls it `in`)


@dataclass
class Service:
    namespace: str
    entity_sets: list[EntitySet]
    complex_types: list[ComplexType] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    container_annotations: list[Annotation] = field(default_factory=list)
    schema_annotations: list[Annotation] = field(default_factory=list)
    requires: tuple[str, ...] = ()  # roles for the whole service; "authenticated-user" = any user

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        self._sets = {s.name: s for s in self.entity_sets}
        for entity_set in self.entity_sets:
            entity_set.namespace = self.namespace

    def entity_set(self, name: str) -> EntitySet | None:
        return self._sets.get(name)

    def qualified(self, name: str) -> str:
        return f"{self.namespace}.{name}"
