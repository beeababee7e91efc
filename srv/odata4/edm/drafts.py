"""Draft enablement: the EDM that CAP's compiler generates for `@odata.draft.enabled`.

`enable_drafts` rewrites a service in place, as cds-compiler's `transform/draft/odata.js`
does before it renders `$metadata`:

Rule 1. Composition targets of a draft root are draft nodes, transitively (unless they are
        draft roots themselves).
Rule 2. Every draft entity gets, after its own members: key `IsActiveEntity`,
        `HasActiveEntity`, `HasDraftEntity`, the contained `DraftAdministrativeData`,
        `SiblingEntity` and the computed `DraftMessages`. All are virtual: the layer computes
        them, no column holds them.
Rule 3. Roots get the bound actions draftPrepare, draftActivate, draftEdit; nodes draftPrepare.
Rule 4. Annotations: `Common.SideEffects#alwaysFetchMessages` and `Common.Messages` on the
        type, `Common.DraftRoot`/`Common.DraftNode` and the side effects on the set,
        `Common.AddressViaNavigationPath` on the container.
Rule 5. The service gets the `DraftAdministrativeData` entity type (no entity set in the
        container: it is reached by containment only), placed after all other entity sets,
        and the complex type of draft messages.

Calling it again changes nothing: every addition is skipped when already present.
"""

from __future__ import annotations

from dataclasses import dataclass

from odata4.edm.annotations import Annotation, Collection, NavigationPropertyPath, Path, Record
from odata4.edm.model import Action, ComplexType, EntitySet, Member, NavigationProperty, Parameter, Property, Service

DRAFT_ADMIN = "DraftAdministrativeData"
DRAFT_ADMIN_TABLE = "DRAFT_DraftAdministrativeData"
DRAFT_MESSAGE = "DRAFT_DraftAdministrativeData_DraftMessage"
DRAFT_MEMBERS = ("IsActiveEntity", "HasActiveEntity", "HasDraftEntity", DRAFT_ADMIN, "SiblingEntity", "DraftMessages")


@dataclass(frozen=True)
class ExpressionPath(Path):
    """A path written as a CDS expression, `@Common.Messages: (DraftMessages)`.

    The XML is the same as for `Path`; cds-compiler renders the value as `{}` in CSDL JSON
    (it keeps the path for XML only), and the JSON writer reproduces that.
    """


_HIDDEN = Annotation("UI.Hidden", True)
_ALWAYS_FETCH_MESSAGES = Annotation(
    "Common.SideEffects",
    Record.of(
        "Common.SideEffectsType",
        SourceEntities=Collection((NavigationPropertyPath(""),)),
        TargetProperties=Collection(("DraftMessages",)),
    ),
    qualifier="alwaysFetchMessages",
)


def enable_drafts(service: Service) -> None:
    """Add what CAP adds for draft roots (`draft_enabled`) and draft nodes (`draft_node`)."""
    _mark_draft_nodes(service)
    drafts = [s for s in service.entity_sets if s.is_draft]
    if not drafts:
        return
    for entity_set in drafts:
        _add_members(service, entity_set)
        _add_annotations(service, entity_set)
        _add_actions(service, entity_set)
    _put(service.container_annotations, Annotation("Common.AddressViaNavigationPath", True))
    _add_message_type(service)
    _add_admin_data(service)


def _mark_draft_nodes(service: Service) -> None:
    pending = [s for s in service.entity_sets if s.draft_enabled]
    while pending:
        for nav in pending.pop().navigation:
            target = service.entity_set(nav.target)
            if nav.composition and target is not None and not target.is_draft:
                target.draft_node = True
                pending.append(target)


def _flag(name: str, default: bool, *, key: bool = False) -> Property:
    return Property(name, "Edm.Boolean", key=key, nullable=False, default=default, virtual=True, annotations=[_HIDDEN])


def _draft_members(service: Service, entity_set: EntitySet) -> list[Member]:
    admin_data = NavigationProperty(
        DRAFT_ADMIN, DRAFT_ADMIN, contains_target=True, virtual=True, bind_to_set=False, annotations=[_HIDDEN]
    )
    return [
        _flag("IsActiveEntity", True, key=True),
        _flag("HasActiveEntity", False),
        _flag("HasDraftEntity", False),
        admin_data,
        NavigationProperty("SiblingEntity", entity_set.name, virtual=True),
        Property(
            "DraftMessages",
            service.qualified(DRAFT_MESSAGE),
            complex_type=DRAFT_MESSAGE,
            collection=True,
            computed=True,
            virtual=True,
            annotations=[Annotation("Core.Computed", True)],
        ),
    ]


def _add_members(service: Service, entity_set: EntitySet) -> None:
    missing = [m for m in _draft_members(service, entity_set) if entity_set.member(m.name) is None]
    if missing:
        entity_set.members.extend(missing)
        entity_set.reindex()


def _draft_set_annotation(service: Service, entity_set: EntitySet) -> Annotation:
    def action(name: str) -> str:
        return service.qualified(name)

    if entity_set.draft_enabled:
        return Annotation(
            "Common.DraftRoot",
            Record.of(
                "Common.DraftRootType",
                ActivationAction=action("draftActivate"),
                EditAction=action("draftEdit"),
                PreparationAction=action("draftPrepare"),
            ),
        )
    return Annotation("Common.DraftNode", Record.of("Common.DraftNodeType", PreparationAction=action("draftPrepare")))


def _add_annotations(service: Service, entity_set: EntitySet) -> None:
    _put(entity_set.type_annotations, _ALWAYS_FETCH_MESSAGES)
    _put(entity_set.type_annotations, Annotation("Common.Messages", ExpressionPath("DraftMessages")))
    _put(entity_set.set_annotations, _draft_set_annotation(service, entity_set), replace=True)
    _put(entity_set.set_annotations, _ALWAYS_FETCH_MESSAGES)


def _draft_actions(entity_set: EntitySet) -> list[Action]:
    name = entity_set.name
    prepare = Action("draftPrepare", name, [Parameter("SideEffectsQualifier", "Edm.String")], return_set=name)
    if not entity_set.draft_enabled:
        return [prepare]
    activate = Action("draftActivate", name, return_set=name)
    edit = Action("draftEdit", name, [Parameter("PreserveChanges", "Edm.Boolean")], return_set=name)
    return [prepare, activate, edit]


def _add_actions(service: Service, entity_set: EntitySet) -> None:
    present = {(a.name, a.binding_set) for a in service.actions}
    service.actions.extend(a for a in _draft_actions(entity_set) if (a.name, a.binding_set) not in present)


def _add_message_type(service: Service) -> None:
    if any(t.name == DRAFT_MESSAGE for t in service.complex_types):
        return
    properties = [
        Property("code"),
        Property("message"),
        Property("target"),
        Property("additionalTargets", collection=True),
        Property("transition", "Edm.Boolean"),
        Property("numericSeverity", "Edm.Byte"),
        Property("longtextUrl"),
    ]
    service.complex_types.append(ComplexType(DRAFT_MESSAGE, properties))


def _label(text: str, *, hidden: bool = False) -> list[Annotation]:
    return [_HIDDEN, Annotation("Common.Label", text)] if hidden else [Annotation("Common.Label", text)]


def _admin_data() -> EntitySet:
    def user(name: str, label: str) -> Property:
        return Property(name, max_length=256, annotations=_label(label))

    def timestamp(name: str, label: str) -> Property:
        return Property(name, "Edm.DateTimeOffset", precision=7, annotations=_label(label))

    def by_me(name: str, label: str) -> Property:
        return Property(name, "Edm.Boolean", computed=True, virtual=True, annotations=_label(label, hidden=True))

    uuid_annotations = [*_label("Draft (Technical ID)", hidden=True), Annotation("Core.ComputedDefaultValue", True)]
    members: list[Member] = [
        Property("DraftUUID", "Edm.Guid", key=True, nullable=False, annotations=uuid_annotations),
        timestamp("CreationDateTime", "Draft Created On"),
        user("CreatedByUser", "Draft Created By"),
        by_me("DraftIsCreatedByMe", "Draft Created By Me"),
        timestamp("LastChangeDateTime", "Draft Last Changed On"),
        user("LastChangedByUser", "Draft Last Changed By"),
        user("InProcessByUser", "Draft In Process By"),
        by_me("DraftIsProcessedByMe", "Draft In Process By Me"),
    ]
    return EntitySet(
        DRAFT_ADMIN,
        members,
        table=DRAFT_ADMIN_TABLE,
        type_annotations=_label("Draft Administrative Data"),
        readonly=True,
        in_container=False,
    )


def _add_admin_data(service: Service) -> None:
    """Add the admin data type, or move it last (CAP generates it after all service entities)."""
    existing = service.entity_set(DRAFT_ADMIN)
    if existing is not None and service.entity_sets[-1] is existing:
        return
    if existing is not None:
        service.entity_sets.remove(existing)
    service.entity_sets.append(existing or _admin_data())
    service.reindex()


def _put(annotations: list[Annotation], annotation: Annotation, *, replace: bool = False) -> None:
    """Append `annotation` unless one with its term and qualifier is there; `replace` overwrites it."""
    for index, present in enumerate(annotations):
        if present.key == annotation.key:
            if replace:
                annotations[index] = annotation
            return
    annotations.append(annotation)
