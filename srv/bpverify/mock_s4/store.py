"""The mock's data: business partners and their addresses in memory, with S/4HANA's write rules.

Rules:
1. String properties are never null: S/4HANA (ABAP) answers "" for an empty one.
2. A partner's full name is derived: `FirstName LastName` for a person (category 1), `OrganizationBPName1
   OrganizationBPName2` for an organization (2) or group (3); it cannot be written.
3. Every change of a partner or of one of its addresses moves the partner's change time; its ETag is that
   time (`W/"datetimeoffset'…'"`), strictly increasing, so a stale ETag never matches again.
4. Keys are given by the system when a create leaves them out (partners from 17100100, addresses from 200000).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from . import seed
from .schema import ADDRESS, PARTNER, EntityDef
from .values import InvalidValue, coerce

Row = dict[str, Any]
AddressKey = tuple[str, str]


class StoreError(Exception):
    """A write S/4HANA refuses: `status` and a Gateway-style message."""

    def __init__(self, status: int, message: str, *, code: str = "/IWBEP/CM_MGW_RT/000", target: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.target = status, message, code, target


def _iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def etag_of(row: Row) -> str:
    changed: dt.datetime = row["_changed"]
    stamp = changed.strftime("%Y-%m-%dT%H%%3A%M%%3A%S") + f".{changed.microsecond:06d}0Z"
    return f"W/\"datetimeoffset'{stamp}'\""


class Store:
    def __init__(self, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC), user: str = "MOCKUSER"):
        self._clock = clock
        self._user = user.upper()[:12]
        self.partners: dict[str, Row] = {}
        self.addresses: dict[AddressKey, Row] = {}
        self.reset()

    def reset(self) -> None:
        self.partners.clear()
        self.addresses.clear()
        base = dt.datetime(2024, 5, 6, 10, 11, 12, 123456, tzinfo=dt.UTC)
        for index, (bp, name, category, term, blocked) in enumerate(seed.PARTNERS):
            self.partners[bp] = _seed_partner(bp, name, category, term, blocked, base + dt.timedelta(minutes=index))
        for bp, address_id, country, city, street, house, postal, start in seed.ADDRESSES:
            row = _blank(ADDRESS) | {
                "BusinessPartner": bp,
                "AddressID": address_id,
                "Country": country,
                "CityName": city,
                "StreetName": street,
                "HouseNumber": house,
                "PostalCode": postal,
                "ValidityStartDate": _iso(start),
                "ValidityEndDate": _iso(seed.VALIDITY_END),
                "Language": "EN",
                "AddressUUID": uuid.uuid5(uuid.NAMESPACE_OID, f"{bp}/{address_id}"),
            }
            row["FullName"] = self.partners[bp]["BusinessPartnerFullName"]
            self.addresses[(bp, address_id)] = row

    # --- reads ------------------------------------------------------------------------------------------

    def rows(self, entity: EntityDef) -> list[Row]:
        table: Mapping[Any, Row] = self.partners if entity is PARTNER else self.addresses
        return [table[k] for k in sorted(table)]

    def find(self, entity: EntityDef, key: Mapping[str, Any]) -> Row | None:
        if entity is PARTNER:
            return self.partners.get(str(key.get("BusinessPartner")))
        return self.addresses.get((str(key.get("BusinessPartner")), str(key.get("AddressID"))))

    def addresses_of(self, bp: str) -> list[Row]:
        return [self.addresses[k] for k in sorted(self.addresses) if k[0] == bp]

    # --- writes -----------------------------------------------------------------------------------------

    def create_partner(self, values: Mapping[str, Any]) -> Row:
        row = _blank(PARTNER) | _writable(PARTNER, values, creating=True)
        bp = row["BusinessPartner"] or self._next_partner()
        if bp in self.partners:
            raise StoreError(400, f"Business partner {bp} already exists", code="R11/051")
        if row["BusinessPartnerCategory"] not in ("1", "2", "3"):
            raise StoreError(
                400,
                "Enter a valid business partner category (1, 2 or 3)",
                code="R1/153",
                target="BusinessPartnerCategory",
            )
        now = self._now()
        row |= {
            "BusinessPartner": bp,
            "BusinessPartnerUUID": uuid.uuid4(),
            "CreatedByUser": self._user,
            "CreationDate": _date(now),
            "CreationTime": now.time().replace(microsecond=0, tzinfo=None),
        }
        self.partners[bp] = row
        self._touch(row, now)
        return row

    def update_partner(self, bp: str, changes: Mapping[str, Any], *, replace: bool = False) -> Row:
        row = self._partner(bp)
        if replace:
            row |= {f.name: _empty(f.type) for f in PARTNER.fields if f.updatable and not f.key}
        row |= _writable(PARTNER, changes, creating=False)
        self._touch(row, self._now())
        return row

    def create_address(self, bp: str, values: Mapping[str, Any]) -> Row:
        partner = self._partner(bp)
        row = _blank(ADDRESS) | _writable(ADDRESS, values, creating=True) | {"BusinessPartner": bp}
        address_id = row["AddressID"] or self._next_address()
        if (bp, address_id) in self.addresses:
            raise StoreError(400, f"Address {address_id} of business partner {bp} already exists")
        row |= {"AddressID": address_id, "AddressUUID": uuid.uuid4(), "FullName": partner["BusinessPartnerFullName"]}
        self.addresses[(bp, address_id)] = row
        self._touch(partner, self._now())
        return row

    def update_address(self, key: AddressKey, changes: Mapping[str, Any], *, replace: bool = False) -> Row:
        row = self.addresses.get(key)
        if row is None:
            raise StoreError(
                404, "Resource not found for segment 'A_BusinessPartnerAddressType'", code="/IWBEP/CM_MGW_RT/020"
            )
        if replace:
            row |= {f.name: _empty(f.type) for f in ADDRESS.fields if f.updatable and not f.key}
        row |= _writable(ADDRESS, changes, creating=False)
        self._touch(self.partners[key[0]], self._now())
        return row

    def delete_address(self, key: AddressKey) -> None:
        if self.addresses.pop(key, None) is None:
            raise StoreError(
                404, "Resource not found for segment 'A_BusinessPartnerAddressType'", code="/IWBEP/CM_MGW_RT/020"
            )
        self._touch(self.partners[key[0]], self._now())

    # --- helpers ----------------------------------------------------------------------------------------

    def _partner(self, bp: str) -> Row:
        row = self.partners.get(bp)
        if row is None:
            raise StoreError(404, "Resource not found for segment 'A_BusinessPartnerType'", code="/IWBEP/CM_MGW_RT/020")
        return row

    def _touch(self, partner: Row, now: dt.datetime) -> None:
        previous: dt.datetime | None = partner.get("_changed")
        if previous is not None and now <= previous:
            now = previous + dt.timedelta(microseconds=1)  # rule 3: strictly increasing
        _derive_names(partner)
        partner |= {
            "_changed": now,
            "LastChangeDate": _date(now),
            "LastChangedByUser": self._user,
            "LastChangeTime": now.time().replace(microsecond=0, tzinfo=None),
            "ETag": now.strftime("%Y%m%d%H%M%S") + f".{now.microsecond:06d}0",
        }
        for key, address in self.addresses.items():
            if key[0] == partner["BusinessPartner"]:
                address["FullName"] = partner["BusinessPartnerFullName"]

    def _now(self) -> dt.datetime:
        return self._clock()

    def _next_partner(self) -> str:
        numeric = [int(k) for k in self.partners if k.isdigit()]
        return str(max([17100099, *numeric]) + 1)

    def _next_address(self) -> str:
        numeric = [int(k[1]) for k in self.addresses if k[1].isdigit()]
        return str(max([199999, *numeric]) + 1)


def _empty(edm_type: str) -> Any:
    return "" if edm_type == "Edm.String" else None


def _blank(entity: EntityDef) -> Row:
    return {f.name: _empty(f.type) for f in entity.fields}


def _date(moment: dt.datetime) -> dt.datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _writable(entity: EntityDef, values: Mapping[str, Any], *, creating: bool) -> Row:
    """Rule 1 and the sap:creatable/updatable flags: read-only properties are ignored, unknown ones refused."""
    row: Row = {}
    for name, value in values.items():
        field = entity.field(name)
        if field is None:
            if entity.nav(name) is not None or name == "__metadata":
                continue
            raise StoreError(400, f"Property '{name}' is invalid", code="/IWBEP/CM_MGW_RT/021", target=name)
        if (creating and not field.creatable) or (not creating and (not field.updatable or field.key)):
            continue
        try:
            row[name] = coerce(field, value)
        except InvalidValue as exc:
            raise StoreError(400, str(exc), code="/IWBEP/CM_MGW_RT/021", target=name) from None
    return row


def _derive_names(partner: Row) -> None:
    if partner["BusinessPartnerCategory"] == "1":
        name = f"{partner['FirstName']} {partner['LastName']}".strip()
    else:
        name = f"{partner['OrganizationBPName1']} {partner['OrganizationBPName2']}".strip()
    partner["BusinessPartnerFullName"] = partner["BusinessPartnerName"] = name


def _seed_partner(bp: str, name: str, category: str, term: str, blocked: bool, changed: dt.datetime) -> Row:
    first, _, last = name.partition(" ") if category == "1" else ("", "", "")
    row = _blank(PARTNER) | {
        "BusinessPartner": bp,
        "BusinessPartnerCategory": category,
        "SearchTerm1": term,
        "BusinessPartnerIsBlocked": blocked,
        "IsMarkedForArchiving": False,
        "FirstName": first,
        "LastName": last,
        "OrganizationBPName1": name if category != "1" else "",
        "BusinessPartnerGrouping": "BP02",
        "CorrespondenceLanguage": "EN",
        "Language": "EN",
        "IsNaturalPerson": "X" if category == "1" else "",
        "BusinessPartnerUUID": uuid.uuid5(uuid.NAMESPACE_OID, bp),
        "CreatedByUser": "CB9980000010",
        "CreationDate": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        "CreationTime": dt.time(9, 0),
    }
    _derive_names(row)
    row |= {
        "_changed": changed,
        "LastChangeDate": _date(changed),
        "LastChangeTime": changed.time().replace(microsecond=0, tzinfo=None),
        "LastChangedByUser": "CB9980000010",
        "ETag": changed.strftime("%Y%m%d%H%M%S") + f".{changed.microsecond:06d}0",
    }
    return row
