"""What the workflow needs from S/4HANA, as an interface (the adapter speaks OData V2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class S4Unavailable(Exception):
    """S/4HANA could not be reached or answered 5xx: try again later."""


@dataclass(frozen=True)
class PartnerAddress:
    address_id: str
    country: str | None
    city: str | None
    street: str | None
    postal_code: str | None


@dataclass(frozen=True)
class Partner:
    id: str
    name: str | None
    addresses: list[PartnerAddress] = field(default_factory=list)


@dataclass(frozen=True)
class AddressCorrection:
    address_id: str
    street: str | None
    postal_code: str | None


@dataclass(frozen=True)
class Decision:
    """What S/4HANA gets when a clerk decides: SearchTerm1, blocked flag, corrected addresses."""

    business_partner: str
    search_term: str  # VERIFIED or INVALID
    blocked: bool
    addresses: list[AddressCorrection] = field(default_factory=list)


class S4Port(Protocol):
    async def get_partner(self, business_partner: str) -> Partner | None: ...

    async def write_back(self, decision: Decision) -> None: ...
