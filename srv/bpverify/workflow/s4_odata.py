"""The workflow's S/4HANA port over OData V2 (`API_BUSINESS_PARTNER`) through a destination.

Transient trouble (unreachable, TLS, 5xx, destination service down) becomes
`S4Unavailable`, so the worker retries with backoff; a missing partner is None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bpverify.workflow.ports import Decision, Partner, PartnerAddress, S4Unavailable
from btp.errors import BTPError
from btp.odata2.client import ODataV2Client
from btp.odata2.errors import EntityNotFoundError, ODataV2ClientError

PARTNER = "A_BusinessPartner"
ADDRESS = "A_BusinessPartnerAddress"
ADDRESSES = "to_BusinessPartnerAddress"
Connect = Callable[[], Awaitable[ODataV2Client]]


class ODataS4:
    def __init__(self, connect: Connect) -> None:
        self._connect = connect

    async def get_partner(self, business_partner: str) -> Partner | None:
        try:
            client = await self._connect()
            entity = await client.get(PARTNER, business_partner, expand=(ADDRESSES,))
        except EntityNotFoundError:
            return None
        except ODataV2ClientError:
            raise
        except BTPError as error:
            raise S4Unavailable(str(error)) from error
        values = entity.values
        return Partner(
            id=business_partner,
            name=values.get("BusinessPartnerFullName") or values.get("BusinessPartnerName"),
            addresses=[_address(a) for a in _results(values.get(ADDRESSES))],
        )

    async def write_back(self, decision: Decision) -> None:
        try:
            client = await self._connect()
            await client.update_current(
                PARTNER,
                decision.business_partner,
                {
                    "SearchTerm1": decision.search_term,
                    "BusinessPartnerIsBlocked": decision.blocked,
                },
            )
            for address in decision.addresses:
                changes = {k: v for k, v in (("StreetName", address.street), ("PostalCode", address.postal_code)) if v}
                key = {"BusinessPartner": decision.business_partner, "AddressID": address.address_id}
                await client.update_current(ADDRESS, key, changes)
        except ODataV2ClientError:
            raise
        except BTPError as error:
            raise S4Unavailable(str(error)) from error


def _results(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        value = value.get("results", [])
    return [v if isinstance(v, dict) else getattr(v, "values", {}) for v in value or []]


def _address(values: dict[str, Any]) -> PartnerAddress:
    return PartnerAddress(
        address_id=str(values.get("AddressID") or ""),
        country=values.get("Country"),
        city=values.get("CityName"),
        street=values.get("StreetName"),
        postal_code=values.get("PostalCode"),
    )
