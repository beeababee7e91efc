"""POST, PATCH/MERGE/PUT and DELETE on the mock, with S/4HANA's ETag rules and its business events.

Rules:
1. Partners carry an ETag: a change without If-Match is answered 428, one with a stale ETag 412, `*` always
   matches. Addresses carry none (whether they do depends on the S/4HANA release; clients must handle both).
2. Partners cannot be deleted (sap:deletable="false"): 405.
3. A created partner (deep insert of `to_BusinessPartnerAddress` included) sends `BusinessPartner.Created`;
   a changed partner and any change to its addresses send `BusinessPartner.Changed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .events import EventSender
from .format import entity_json, entity_uri
from .query import Selection
from .reads import Answer, Reader
from .resource import Resource
from .schema import ADDRESS, ENTITIES, PARTNER, EntityDef
from .store import Row, Store, StoreError, etag_of


def _check_etag(entity: EntityDef, row: Row, if_match: str | None) -> None:
    if not entity.etag:
        return
    if if_match is None:
        raise StoreError(
            428,
            "Precondition required: send If-Match with the ETag of the entity (If-Match missing)",
            code="/IWBEP/CM_MGW_RT/428",
        )
    tags = [t.strip() for t in if_match.split(",")]
    if "*" not in tags and etag_of(row) not in tags:
        raise StoreError(
            412,
            "Precondition failed: the entity was changed in the meantime (ETag mismatch)",
            code="/IWBEP/CM_MGW_RT/412",
        )


def _items(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping) and "results" in value:
        value = value["results"]
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise StoreError(400, "to_BusinessPartnerAddress must be a list of addresses", code="/IWBEP/CM_MGW_RT/021")
    return value


class Writer:
    def __init__(self, store: Store, reader: Reader, events: EventSender) -> None:
        self.store = store
        self.reader = reader
        self.events = events

    def create(self, resource: Resource, body: Mapping[str, Any], root: str) -> Answer:
        if resource.key is not None and resource.navigation is None:
            raise StoreError(405, "POST is not allowed on a single entity", code="/IWBEP/CM_MGW_RT/405")
        if resource.target is PARTNER:
            row = self._create_partner(body)
        else:
            bp = resource.key["BusinessPartner"] if resource.key else str(body.get("BusinessPartner") or "")
            row = self.store.create_address(bp, body)
            self.events.emit("Changed", bp)
        entity = resource.target
        doc = entity_json(entity, row, root, Selection(), self.reader.related, ENTITIES)
        headers = {"location": entity_uri(root, entity, row)}
        if entity.etag:
            headers["etag"] = etag_of(row)
        return Answer(201, {"d": doc}, headers)

    def _create_partner(self, body: Mapping[str, Any]) -> Row:
        addresses = _items(body.get("to_BusinessPartnerAddress", []))
        row = self.store.create_partner(body)
        for address in addresses:
            self.store.create_address(row["BusinessPartner"], address)
        self.events.emit("Created", row["BusinessPartner"])
        return row

    def update(self, resource: Resource, body: Mapping[str, Any], if_match: str | None, *, replace: bool) -> Answer:
        entity, key = self._single(resource)
        row = self.reader.row_of(entity, key)
        _check_etag(entity, row, if_match)
        if entity is PARTNER:
            row = self.store.update_partner(key["BusinessPartner"], body, replace=replace)
        else:
            row = self.store.update_address((key["BusinessPartner"], key["AddressID"]), body, replace=replace)
        self.events.emit("Changed", key["BusinessPartner"])
        return Answer(204, None, {"etag": etag_of(row)} if entity.etag else {})

    def delete(self, resource: Resource, if_match: str | None) -> Answer:
        entity, key = self._single(resource)
        if entity is not ADDRESS:
            raise StoreError(
                405,
                "Business partners cannot be deleted; block them instead (BusinessPartnerIsBlocked)",
                code="/IWBEP/CM_MGW_RT/405",
            )
        self.store.delete_address((key["BusinessPartner"], key["AddressID"]))
        self.events.emit("Changed", key["BusinessPartner"])
        return Answer(204)

    @staticmethod
    def _single(resource: Resource) -> tuple[EntityDef, dict[str, str]]:
        if resource.key is None or resource.navigation is not None or resource.prop is not None or resource.count:
            raise StoreError(405, "Changes need the URL of a single entity", code="/IWBEP/CM_MGW_RT/405")
        return resource.entity, resource.key
