"""The OData V4 surface of `srv/service.cds` and `db/schema.cds`, declared in Python.

Element names, types, lengths and defaults are the contract's; the UI annotations live in
`annotations.py` beside this file, as CAP keeps them in their own CDS file.
"""

from __future__ import annotations

from bpverify.service import annotations as ui
from odata4.edm.cds import association, composition, cuid, element, managed, string
from odata4.edm.model import EntitySet, NavigationProperty, Property, Restriction, Service

NAMESPACE = "BusinessPartnerVerification"
PATH = "/odata/v4/business-partner-verification"

_VIEWER_VALIDATOR = (
    Restriction(grant=("READ",), to=("Viewer",)),
    Restriction(grant=("*",), to=("Validator",)),
)


def _status_values() -> EntitySet:
    return EntitySet(
        "StatusValues",
        table="bp_verification_StatusValues",
        members=[
            Property("code", max_length=3, key=True, nullable=False, annotations=ui.status_code()),
            string("value", 20, title="Verification Status"),
            element("criticality", "Edm.Int32"),
            element("updateCode", "Edm.Boolean"),
        ],
        readonly=True,
    )


def _notifications() -> EntitySet:
    status_code = Property("code", max_length=3)
    return EntitySet(
        "Notifications",
        table="bp_verification_Notifications",
        members=[
            *cuid(),
            *managed(),
            string("businessPartnerId", 10, title="Business Partner ID", readonly=True),
            string("businessPartnerName", 81, title="Business Partner Name", readonly=True),
            *association(
                "verificationStatus",
                "StatusValues",
                keys=[status_code],
                default="N",
                title="Verification Status",
                fk_annotations=ui.verification_status_code(),
            ),
            composition("addresses", "Addresses", partner="notification"),
        ],
        type_annotations=ui.notifications(),
        # events find a partner's notification by its ID; the list report sorts by it
        indexes=(("businessPartnerId",),),
        insertable=False,
        draft_enabled=True,
        restrict=_VIEWER_VALIDATOR,
    )


def _addresses() -> EntitySet:
    return EntitySet(
        "Addresses",
        table="bp_verification_Addresses",
        members=[
            *cuid(),
            *association("notification", "Notifications", keys=[Property("ID", "Edm.Guid")], partner="addresses"),
            string("businessPartnerId", 10, title="Business Partner ID", readonly=True),
            string("addressId", 10, title="Address ID", readonly=True),
            string("country", 3, title="Country", readonly=True),
            string("cityName", 40, title="City", readonly=True),
            string("streetName", 60, title="Street"),
            string("postalCode", 10, title="Postal Code"),
            element("isModified", "Edm.Boolean", default=False),
        ],
        type_annotations=ui.addresses(),
        draft_node=True,
        restrict=_VIEWER_VALIDATOR,
    )


def _business_partners() -> EntitySet:
    """`BusinessPartners as projection on S4.A_BusinessPartner`: read live from S/4HANA (bpverify.remote)."""
    return EntitySet(
        "BusinessPartners",
        table=None,
        members=[
            Property("businessPartnerId", max_length=10, key=True, nullable=False),
            string("businessPartnerName", 81),
            string("businessPartnerCategory", 1),
            string("searchTerm1", 20),
            element("businessPartnerIsBlocked", "Edm.Boolean"),
            NavigationProperty("addresses", "BusinessPartnerAddresses", collection=True),
        ],
        readonly=True,
    )


def _business_partner_addresses() -> EntitySet:
    """`BusinessPartnerAddresses as projection on S4.A_BusinessPartnerAddress`."""
    return EntitySet(
        "BusinessPartnerAddresses",
        table=None,
        members=[
            Property("businessPartnerId", max_length=10, key=True, nullable=False),
            Property("addressId", max_length=10, key=True, nullable=False),
            string("country", 3),
            string("cityName", 40),
            string("streetName", 60),
            string("postalCode", 10),
        ],
        readonly=True,
    )


def local_entity_sets() -> list[EntitySet]:
    return [_notifications(), _status_values(), _addresses()]


def remote_entity_sets() -> list[EntitySet]:
    return [_business_partners(), _business_partner_addresses()]


def build_service() -> Service:
    """A fresh model of the service (entity sets are mutable: never share one across apps)."""
    return Service(NAMESPACE, [*local_entity_sets(), *remote_entity_sets()], requires=("authenticated-user",))
