"""Our extension of the contract: the findings of the automatic address checks.

Kept apart from `definition.py` (the contract) as CAP keeps `extend` and `annotate` in
files of their own: the contract's entities keep their elements; Notifications gains
the navigation `findings`, and the Object Page a section that lists them.
"""

from __future__ import annotations

from odata4.edm.annotations import Annotation, AnnotationPath, Collection, Path, Record
from odata4.edm.cds import cuid, element, string
from odata4.edm.model import EntitySet, NavigationProperty, Property, Restriction, Service

FINDINGS = "Findings"


def _findings() -> EntitySet:
    return EntitySet(
        FINDINGS,
        table="bp_verification_Findings",
        members=[
            *cuid(),
            NavigationProperty("notification", "Notifications", partner="findings",
                               constraints=(("notification_ID", "ID"),)),
            Property("notification_ID", "Edm.Guid"),
            Property("address_ID", "Edm.Guid"),
            string("addressId", 10, title="Address ID"),
            string("target", 30, title="Field"),
            string("code", 30, title="Check"),
            string("message", 255, title="Finding"),
            element("criticality", "Edm.Int32"),
        ],
        type_annotations=[
            Annotation("UI.HeaderInfo", Record.of("UI.HeaderInfoType", TypeName="Finding", TypeNamePlural="Findings")),
            Annotation(
                "UI.LineItem",
                Collection((
                    Record.of("UI.DataField", Value=Path("addressId")),
                    Record.of("UI.DataField", Value=Path("target")),
                    Record.of("UI.DataField", Value=Path("message"), Criticality=Path("criticality")),
                )),
            ),
        ],
        readonly=True,
        restrict=(Restriction(("READ",), ("Viewer",)), Restriction(("READ",), ("Validator",))),
    )


def extend(service: Service) -> None:
    """Add the Findings entity set, `Notifications.findings` and the Object Page section."""
    if service.entity_set(FINDINGS) is not None:
        return
    service.entity_sets.append(_findings())
    service.reindex()
    notifications = service.entity_set("Notifications")
    assert notifications is not None
    notifications.members.append(NavigationProperty("findings", FINDINGS, collection=True, partner="notification"))
    notifications.reindex()
    for annotation in notifications.type_annotations:
        if annotation.term == "UI.Facets" and isinstance(annotation.value, Collection):
            facet = Record.of("UI.ReferenceFacet", ID="Findings", Label="Check Findings",
                              Target=AnnotationPath("findings/@UI.LineItem"))
            index = notifications.type_annotations.index(annotation)
            notifications.type_annotations[index] = Annotation(
                annotation.term, Collection((*annotation.value.items, facet)), annotation.qualifier
            )
