"""How our remote entity sets map onto S/4HANA's API_BUSINESS_PARTNER: one table, used in both directions.

BusinessPartners          ← A_BusinessPartner          (srv/service.cds: projection with renames)
BusinessPartnerAddresses  ← A_BusinessPartnerAddress
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from btp.odata2 import EntityType


@dataclass(frozen=True)
class RemoteProperty:
    name: str  # V4 (ours)
    remote: str  # V2 (S/4HANA)
    type: str  # the EDM type on both sides


@dataclass(frozen=True)
class RemoteNavigation:
    name: str
    remote: str
    target: str  # our entity set


@dataclass(frozen=True)
class RemoteSet:
    name: str
    remote: str
    remote_type: str
    properties: tuple[RemoteProperty, ...]
    keys: tuple[str, ...]
    navigation: tuple[RemoteNavigation, ...] = ()
    _by_name: Mapping[str, RemoteProperty] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {p.name: p for p in self.properties})

    def prop(self, name: str) -> RemoteProperty | None:
        return self._by_name.get(name)

    def nav(self, name: str) -> RemoteNavigation | None:
        return next((n for n in self.navigation if n.name == name), None)

    @property
    def remote_keys(self) -> tuple[str, ...]:
        return tuple(self._by_name[k].remote for k in self.keys)


def _p(name: str, remote: str, type_: str = "Edm.String") -> RemoteProperty:
    return RemoteProperty(name, remote, type_)


ADDRESSES = RemoteSet(
    "BusinessPartnerAddresses",
    "A_BusinessPartnerAddress",
    "API_BUSINESS_PARTNER.A_BusinessPartnerAddressType",
    (
        _p("businessPartnerId", "BusinessPartner"),
        _p("addressId", "AddressID"),
        _p("country", "Country"),
        _p("cityName", "CityName"),
        _p("streetName", "StreetName"),
        _p("postalCode", "PostalCode"),
    ),
    keys=("businessPartnerId", "addressId"),
)

PARTNERS = RemoteSet(
    "BusinessPartners",
    "A_BusinessPartner",
    "API_BUSINESS_PARTNER.A_BusinessPartnerType",
    (
        _p("businessPartnerId", "BusinessPartner"),
        _p("businessPartnerName", "BusinessPartnerFullName"),
        _p("businessPartnerCategory", "BusinessPartnerCategory"),
        _p("searchTerm1", "SearchTerm1"),
        _p("businessPartnerIsBlocked", "BusinessPartnerIsBlocked", "Edm.Boolean"),
    ),
    keys=("businessPartnerId",),
    navigation=(RemoteNavigation("addresses", "to_BusinessPartnerAddress", "BusinessPartnerAddresses"),),
)

REMOTE_SETS: dict[str, RemoteSet] = {s.name: s for s in (PARTNERS, ADDRESSES)}


def remote_type(remote_set: RemoteSet) -> EntityType:
    """The codec's view of the V2 entity type: remote names → EDM types, expandable navigation."""
    navigation = {n.remote: remote_type(REMOTE_SETS[n.target]) for n in remote_set.navigation}
    return EntityType(
        remote_set.remote_type,
        {p.remote: p.type for p in remote_set.properties},
        keys=remote_set.remote_keys,
        navigation=navigation,
    )
