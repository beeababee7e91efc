"""S/4HANA business partner events as they reach the Event Mesh webhook, parsed without I/O.

Accepted: CloudEvents 1.0 in structured mode (`application/cloudevents+json`, or a
structured body sent as `application/json`) and binary mode (`ce-*` headers), parsed with
the `cloudevents` SDK; and the legacy S/4HANA format (`{"eventType": "BO.BusinessPartner.
Created", "data": {"KEY": [{"BUSINESSPARTNER": "..."}]}}`), which the SDK rejects.

The SDK invents an `id` when a message has none; a dedup key must be the sender's, so
the raw id is required before the SDK sees the message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from cloudevents.core.bindings.http import HTTPMessage, from_http_event

CREATED = "sap.s4.beh.businesspartner.v1.BusinessPartner.Created.v1"
CHANGED = "sap.s4.beh.businesspartner.v1.BusinessPartner.Changed.v1"
_LEGACY_TYPES = {"BO.BusinessPartner.Created": CREATED, "BO.BusinessPartner.Changed": CHANGED}
Kind = Literal["created", "changed"]


@dataclass(frozen=True)
class PartnerEvent:
    id: str
    type: str
    business_partner: str

    @property
    def kind(self) -> Kind:
        return "created" if self.type == CREATED else "changed"


@dataclass(frozen=True)
class Rejected:
    """A message that can never be processed: parked in the dead-letter table, answered 2xx."""

    reason: str
    event_id: str | None = None
    type: str | None = None


def normalize_partner_id(value: Any) -> str | None:
    """S/4HANA on-premise sends zero-padded numbers ("0001000992"); alphanumeric keys stay."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or len(text) > 10:
        return None
    return (text.lstrip("0") or "0") if text.isdigit() else text


def parse_event(headers: dict[str, str], body: bytes) -> PartnerEvent | Rejected:
    headers = {k.lower(): v for k, v in headers.items()}
    if "ce-specversion" in headers:
        return _binary(headers, body)
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return Rejected("body is not JSON")
    if not isinstance(document, dict):
        return Rejected("body is not a JSON object")
    if "specversion" in document:
        return _structured(headers, body, document)
    if "eventType" in document or "KEY" in (document.get("data") or {}):
        return _legacy(document, headers)
    return Rejected("neither a CloudEvent nor a legacy S/4HANA event")


def _binary(headers: dict[str, str], body: bytes) -> PartnerEvent | Rejected:
    if not headers.get("ce-id", "").strip():
        return Rejected("CloudEvent without id", type=headers.get("ce-type"))
    return _from_sdk(headers, body)


def _structured(headers: dict[str, str], body: bytes, document: dict[str, Any]) -> PartnerEvent | Rejected:
    if not isinstance(document.get("id"), str) or not document["id"].strip():
        return Rejected("CloudEvent without id", type=_text(document.get("type")))
    return _from_sdk({**headers, "content-type": "application/cloudevents+json"}, body)


def _from_sdk(headers: dict[str, str], body: bytes) -> PartnerEvent | Rejected:
    try:
        event = from_http_event(HTTPMessage(headers=headers, body=body))
    except Exception as error:  # the SDK raises several unrelated types for bad input
        return Rejected(f"invalid CloudEvent: {type(error).__name__}", event_id=headers.get("ce-id"))
    return _partner_event(str(event.get_id()), str(event.get_type()), event.get_data())


def _legacy(document: dict[str, Any], headers: dict[str, str]) -> PartnerEvent | Rejected:
    event_id = _text(document.get("eventID") or document.get("id"))
    event_type = _LEGACY_TYPES.get(_text(document.get("eventType")) or "") or _type_from_topic(headers)
    if not event_id:
        return Rejected("legacy event without eventID", type=event_type)
    keys = (document.get("data") or {}).get("KEY")
    partner = keys[0].get("BUSINESSPARTNER") if isinstance(keys, list) and keys and isinstance(keys[0], dict) else None
    return _partner_event(event_id, event_type or "", {"BusinessPartner": partner})


def _type_from_topic(headers: dict[str, str]) -> str | None:
    topic = headers.get("x-address", "")
    if topic.endswith("/BO/BusinessPartner/Created"):
        return CREATED
    if topic.endswith("/BO/BusinessPartner/Changed"):
        return CHANGED
    return None


def _partner_event(event_id: str, event_type: str, data: Any) -> PartnerEvent | Rejected:
    if event_type not in (CREATED, CHANGED):
        return Rejected(f"unsupported event type {event_type!r}", event_id=event_id, type=event_type)
    partner = normalize_partner_id(data.get("BusinessPartner") if isinstance(data, dict) else None)
    if partner is None:
        return Rejected("event without a valid BusinessPartner", event_id=event_id, type=event_type)
    return PartnerEvent(event_id, event_type, partner)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
