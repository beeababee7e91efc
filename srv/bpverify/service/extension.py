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
            NavigationProperty(
                "notification", "Notifications", partner="findings", constraints=(("notification_ID", "ID"),)
            ),
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
                Collection(
                    (
                        Record.of("UI.DataField", Value=Path("addressId")),
                        Record.of("UI.DataField", Value=Path("target")),
                        Record.of("UI.DataField", Value=Path("message"), Criticality=Path("criticality")),
                    )
                ),
            ),
        ],
        readonly=True,
        restrict=(Restriction(("READ",), ("Viewer",)), Restriction(("READ",), ("Validator",))),
    )


_OPERATORS = (Restriction(("READ",), ("Validator",)),)


def _ts(name: str, title: str) -> Property:
    return element(name, "Edm.DateTimeOffset", title=title)


def _inbox() -> EntitySet:
    """Events received from Event Mesh: stored before the webhook answers, processed after."""
    return EntitySet(
        "Events",
        table="bpverify_Inbox",
        members=[
            string("eventId", 100, key=True, title="Event ID"),
            string("type", 100, title="Event Type"),
            string("businessPartnerId", 10, title="Business Partner ID"),
            _ts("receivedAt", "Received At"),
            string("state", 10, title="State"),  # pending, done, failed
            element("attempts", "Edm.Int32", title="Attempts"),
            _ts("nextAttemptAt", "Next Attempt At"),
            string("lastError", 500, title="Last Error"),
            string("result", 500, title="Result"),
            string("claimedBy", 100),
            _ts("claimedUntil", "Claimed Until"),
        ],
        readonly=True,
        restrict=_OPERATORS,
    )


def _dead_letters() -> EntitySet:
    """Messages that can never be processed (no id, unknown type, unparseable)."""
    return EntitySet(
        "DeadLetters",
        table="bpverify_DeadLetters",
        members=[
            *cuid(),
            _ts("receivedAt", "Received At"),
            string("reason", 200, title="Reason"),
            string("eventId", 100, title="Event ID"),
            string("type", 200, title="Event Type"),
            string("body", 5000, title="Message"),
        ],
        readonly=True,
        restrict=_OPERATORS,
    )


def _write_backs() -> EntitySet:
    """The transactional outbox of decisions to write back to S/4HANA, with delivery state."""
    return EntitySet(
        "WriteBacks",
        table="bpverify_WriteBacks",
        members=[
            *cuid(),
            Property("notification_ID", "Edm.Guid"),
            string("businessPartnerId", 10, title="Business Partner ID"),
            string("decision", 3, title="Decision"),
            string("payload", 5000),
            string("state", 10, title="State"),  # pending, delivered
            element("attempts", "Edm.Int32", title="Attempts"),
            _ts("nextAttemptAt", "Next Attempt At"),
            string("lastError", 500, title="Last Error"),
            string("claimedBy", 100),
            _ts("claimedUntil", "Claimed Until"),
            _ts("createdAt", "Created At"),
            _ts("deliveredAt", "Delivered At"),
        ],
        readonly=True,
        restrict=(*_OPERATORS, Restriction(("READ",), ("Viewer",))),
    )


def extend(service: Service) -> None:
    """Add Findings (with `Notifications.findings` and its Object Page section), and the
    workflow's tables: Events (inbox), DeadLetters, WriteBacks (outbox)."""
    if service.entity_set(FINDINGS) is not None:
        return
    service.entity_sets.extend([_findings(), _inbox(), _dead_letters(), _write_backs()])
    service.reindex()
    notifications = service.entity_set("Notifications")
    assert notifications is not None
    notifications.members.append(NavigationProperty("findings", FINDINGS, collection=True, partner="notification"))
    notifications.reindex()
    for annotation in notifications.type_annotations:
        if annotation.term == "UI.Facets" and isinstance(annotation.value, Collection):
            facet = Record.of(
                "UI.ReferenceFacet",
                ID="Findings",
                Label="Check Findings",
                Target=AnnotationPath("findings/@UI.LineItem"),
            )
            index = notifications.type_annotations.index(annotation)
            notifications.type_annotations[index] = Annotation(
                annotation.term, Collection((*annotation.value.items, facet)), annotation.qualifier
            )
