"""The part of S/4HANA's API_BUSINESS_PARTNER the mock serves, as a table.

Names, EDM types, lengths, keys and the `sap:` annotations a client can see are those of the real
metadata (`srv/external/API_BUSINESS_PARTNER.edmx` of the contract); the mock declares a subset of the
properties: everything the verification process reads or writes, and what CAP's mock data holds.
The same table renders `$metadata`, types the JSON and checks `$filter`, `$select` and writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

NAMESPACE = "API_BUSINESS_PARTNER"
SERVICE_ROOT = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "Edm.String"
    max_length: int | None = None
    label: str | None = None
    key: bool = False
    creatable: bool = True
    updatable: bool = True
    display_format: str | None = None  # sap:display-format: UpperCase, Date
    precision: int | None = None


@dataclass(frozen=True)
class Navigation:
    name: str
    target: str  # entity set
    association: str
    many: bool = True
    keys: tuple[tuple[str, str], ...] = ()  # (source property, target property): what relates the two


@dataclass(frozen=True)
class EntityDef:
    set_name: str
    type_name: str
    label: str
    fields: tuple[Field, ...]
    navigation: tuple[Navigation, ...] = ()
    etag: bool = False  # answers carry an ETag; changes need If-Match (428 without, 412 when stale)
    deletable: bool = True
    _index: Mapping[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {f.name: f for f in self.fields})

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.key)

    @property
    def qualified_type(self) -> str:
        return f"{NAMESPACE}.{self.type_name}"

    def field(self, name: str) -> Field | None:
        return self._index.get(name)

    def nav(self, name: str) -> Navigation | None:
        return next((n for n in self.navigation if n.name == name), None)


def _text(
    name: str, length: int, label: str | None = None, *, upper: bool = False, readonly: bool = False, key: bool = False
) -> Field:
    return Field(
        name,
        "Edm.String",
        length,
        label,
        key=key,
        creatable=not readonly,
        updatable=not readonly,
        display_format="UpperCase" if upper else None,
    )


def _computed(
    name: str, type_: str, label: str | None = None, *, display_format: str | None = None, precision: int | None = None
) -> Field:
    return Field(
        name, type_, label=label, creatable=False, updatable=False, display_format=display_format, precision=precision
    )


PARTNER = EntityDef(
    "A_BusinessPartner",
    "A_BusinessPartnerType",
    "Business Partner",
    (
        _text("BusinessPartner", 10, "Business Partner", upper=True, key=True),
        _text("Customer", 10, "Customer", upper=True, readonly=True),
        _text("Supplier", 10, "Supplier", upper=True, readonly=True),
        _text("AuthorizationGroup", 4, "Authorization Group", upper=True),
        _text("BusinessPartnerCategory", 1, "BP Category", upper=True),
        _text("BusinessPartnerFullName", 81, readonly=True),
        _text("BusinessPartnerGrouping", 4, "Grouping", upper=True),
        _text("BusinessPartnerName", 81, readonly=True),
        _computed("BusinessPartnerUUID", "Edm.Guid", "BP GUID"),
        _text("CorrespondenceLanguage", 2, "Correspondence lang."),
        _text("CreatedByUser", 12, "Created By", upper=True, readonly=True),
        _computed("CreationDate", "Edm.DateTime", "Created on", display_format="Date", precision=0),
        _computed("CreationTime", "Edm.Time", "Created at", precision=0),
        _text("FirstName", 40, "First Name"),
        _text("FormOfAddress", 4, "Title", upper=True),
        _text("Industry", 10, "Industry sector", upper=True),
        _text("IsNaturalPerson", 1, "Natural Person", upper=True),
        _text("Language", 2, "Language"),
        _computed("LastChangeDate", "Edm.DateTime", "Changed on", display_format="Date", precision=0),
        _computed("LastChangeTime", "Edm.Time", "Changed at", precision=0),
        _text("LastChangedByUser", 12, "Changed by", upper=True, readonly=True),
        _text("LastName", 40, "Last Name"),
        _text("LegalForm", 2, "Legal form", upper=True),
        _text("OrganizationBPName1", 40, "Name 1"),
        _text("OrganizationBPName2", 40, "Name 2"),
        _text("SearchTerm1", 20, "Search term 1", upper=True),
        Field("BusinessPartnerIsBlocked", "Edm.Boolean", label="Central Block", display_format="UpperCase"),
        _text("BusinessPartnerType", 4, "BP Type", upper=True),
        _text("ETag", 26, readonly=True),
        Field("IsMarkedForArchiving", "Edm.Boolean", label="Archiving Flag", display_format="UpperCase"),
    ),
    navigation=(
        Navigation(
            "to_BusinessPartnerAddress",
            "A_BusinessPartnerAddress",
            "assoc_6247ED959B75350E6EA6CEDD2CBEC7E7",
            keys=(("BusinessPartner", "BusinessPartner"),),
        ),
    ),
    etag=True,
    deletable=False,
)

ADDRESS = EntityDef(
    "A_BusinessPartnerAddress",
    "A_BusinessPartnerAddressType",
    "Business Partner Address",
    (
        _text("BusinessPartner", 10, "Business Partner", upper=True, key=True),
        _text("AddressID", 10, "Address Number", upper=True, key=True),
        Field("ValidityStartDate", "Edm.DateTimeOffset", label="Valid From", precision=0),
        Field("ValidityEndDate", "Edm.DateTimeOffset", label="Valid To", precision=0),
        _text("AuthorizationGroup", 4, "Authorization Group", upper=True),
        _computed("AddressUUID", "Edm.Guid", ""),
        _text("AddressTimeZone", 6, "Time zone", upper=True),
        _text("CareOfName", 40, "c/o"),
        _text("CityName", 40, "City"),
        _text("Country", 3, "Country Key", upper=True),
        _text("District", 40, "District"),
        _text("FullName", 80, "Full Name", readonly=True),
        _text("HouseNumber", 10, "House Number"),
        _text("Language", 2, "Language Key"),
        _text("POBox", 10, "PO Box", upper=True),
        _text("PostalCode", 10, "Postal Code", upper=True),
        _text("Region", 3, "Region", upper=True),
        _text("StreetName", 60, "Street"),
    ),
)

ENTITIES: dict[str, EntityDef] = {PARTNER.set_name: PARTNER, ADDRESS.set_name: ADDRESS}
