import json

import pytest

from bpverify.events.parsing import CHANGED, CREATED, PartnerEvent, Rejected, normalize_partner_id, parse_event

STRUCTURED = {
    "type": CREATED,
    "specversion": "1.0",
    "source": "/default/sap.s4.beh/730431274",
    "id": "1fad4742-d03c-1edd-aeb8-ebbdc1e74ef9",
    "time": "2023-03-03T13:29:05Z",
    "datacontenttype": "application/json",
    "data": {"BusinessPartner": "1000992"},
}


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize("content_type", ["application/cloudevents+json", "application/json"])
def test_structured_mode(content_type: str) -> None:
    assert parse_event({"Content-Type": content_type}, _json(STRUCTURED)) == PartnerEvent(
        "1fad4742-d03c-1edd-aeb8-ebbdc1e74ef9", CREATED, "1000992"
    )


def test_binary_mode_with_leading_zeros() -> None:
    headers = {
        "ce-specversion": "1.0",
        "ce-type": CHANGED,
        "ce-source": "/s4",
        "ce-id": "b-1",
        "content-type": "application/json",
    }
    assert parse_event(headers, b'{"BusinessPartner": "0001000992"}') == PartnerEvent("b-1", CHANGED, "1000992")


def test_legacy_format_by_event_type_and_by_topic() -> None:
    legacy = {
        "eventType": "BO.BusinessPartner.Created",
        "cloudEventsVersion": "0.1",
        "eventID": "L-1",
        "data": {"KEY": [{"BUSINESSPARTNER": "0000001000"}]},
    }
    assert parse_event({}, _json(legacy)) == PartnerEvent("L-1", CREATED, "1000")
    untyped = {"eventID": "L-2", "data": {"KEY": [{"BUSINESSPARTNER": "42"}]}}
    topic = {"x-address": "topic:sap/s4/BO/BusinessPartner/Changed"}
    assert parse_event(topic, _json(untyped)) == PartnerEvent("L-2", CHANGED, "42")


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        ({}, b"not json", "not JSON"),
        ({}, b"[1, 2]", "not a JSON object"),
        ({}, b"{}", "neither"),
        ({}, _json({**STRUCTURED, "id": None}), "without id"),
        ({}, _json({k: v for k, v in STRUCTURED.items() if k != "id"}), "without id"),
        ({"ce-specversion": "1.0", "ce-type": CREATED, "ce-source": "/s"}, b"{}", "without id"),
        ({}, _json({**STRUCTURED, "type": "sap.s4.beh.salesorder.v1.SalesOrder.Created.v1"}), "unsupported event type"),
        ({}, _json({**STRUCTURED, "data": {}}), "without a valid BusinessPartner"),
        ({}, _json({**STRUCTURED, "data": {"BusinessPartner": "12345678901"}}), "without a valid BusinessPartner"),
        ({}, _json({"eventType": "BO.BusinessPartner.Created", "data": {"KEY": []}}), "without eventID"),
        ({}, _json({**STRUCTURED, "specversion": "9.9"}), "invalid CloudEvent"),
        ({}, _json({k: v for k, v in STRUCTURED.items() if k != "source"}), "invalid CloudEvent"),
        ({}, _json({**STRUCTURED, "time": "garbage"}), "invalid CloudEvent"),
    ],
)
def test_poison_messages_are_rejected_with_a_reason(headers: dict[str, str], body: bytes, reason: str) -> None:
    parsed = parse_event(headers, body)
    assert isinstance(parsed, Rejected) and reason in parsed.reason


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("0001000992", "1000992"),
        ("1000992", "1000992"),
        ("0000000000", "0"),
        ("BP-42", "BP-42"),
        (" 17 ", "17"),
        (1000992, "1000992"),
        ("", None),
        (None, None),
        (True, None),
        ("12345678901", None),
    ],
)
def test_partner_id(raw: object, normalized: str | None) -> None:
    assert normalize_partner_id(raw) == normalized
