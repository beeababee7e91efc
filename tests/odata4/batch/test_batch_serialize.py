"""Serialization must rebuild CAP's recorded $batch responses byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odata4.batch import (
    BatchResponse,
    multipart_content_type,
    parse_multipart_batch,
    reason_phrase,
    serialize_json_batch,
    serialize_multipart_batch,
)

RECORDINGS = Path(__file__).parent / "cap_recordings"
JSON_UTF8 = ("content-type", "application/json; charset=utf-8")
ODATA_VERSION = ("odata-version", "4.0")

DRAFT_1 = (
    b'{"@odata.context":"../$metadata#Notifications/$entity","ID":"16f00c9c-323f-4ce4-876f-efaefe1c6f69",'
    b'"createdAt":"2026-12-04T20:49:20.456Z","createdBy":"anonymous","modifiedAt":"2026-12-04T20:49:20.456Z",'
    b'"modifiedBy":"anonymous","businessPartnerId":"17100003","businessPartnerName":"Domestic US Customer 3",'
    b'"verificationStatus_code":"P","HasActiveEntity":true,"DraftMessages":[],"HasDraftEntity":false,'
    b'"IsActiveEntity":false}'
)
DRAFT_2 = (
    b'{"@odata.context":"../$metadata#Notifications/$entity","ID":"2c728381-72ce-4fdd-8293-8add71579666",'
    b'"createdAt":"2026-12-04T20:49:20.456Z","createdBy":"anonymous","modifiedAt":"2026-12-04T20:49:20.456Z",'
    b'"modifiedBy":"anonymous","businessPartnerId":"17100001","businessPartnerName":"Inlandskunde DE 1",'
    b'"verificationStatus_code":"N","HasActiveEntity":true,"DraftMessages":[],"HasDraftEntity":false,'
    b'"IsActiveEntity":false}'
)
STATUS_1 = b'{"@odata.context":"$metadata#StatusValues","value":[{"code":"C","value":"COMPLETED","criticality":3,"updateCode":true}]}'  # noqa: E501
STATUS_2 = (
    b'{"@odata.context":"$metadata#StatusValues","value":[{"code":"C","value":"COMPLETED","criticality":3,'
    b'"updateCode":true},{"code":"INV","value":"INVALID","criticality":1,"updateCode":false}]}'
)
BYPASS = (
    "`cds.env.fiori.bypass_draft` must be enabled or the entity must be annotated with `@odata.draft.bypass`"
    " to support direct modifications of active instances."
)
BatchResult = BatchResponse | list[BatchResponse]
NOPE = 'Invalid resource path \\"BusinessPartnerVerification.Nope\\"'


def _json(status: int, body: bytes, *, cid: str | None = None, group: str | None = None) -> BatchResponse:
    headers = [ODATA_VERSION, JSON_UTF8, ("content-length", str(len(body)))]
    return BatchResponse(id=cid, status=status, headers=headers, body=body, atomicity_group=group)


def _created(cid: str, key: str, body: bytes) -> BatchResponse:
    location = ("location", f"../Notifications(ID={key},IsActiveEntity=false)")
    headers = [ODATA_VERSION, location, JSON_UTF8, ("content-length", str(len(body)))]
    return BatchResponse(id=cid, status=201, headers=headers, body=body, atomicity_group="cs_1")


def _error(code: int, message: str, cid: str | None = None) -> bytes:
    suffix = f',"@Core.ContentID":"{cid}"' if cid else ""
    return f'{{"error":{{"message":"{message}","code":"{code}","@Common.numericSeverity":4{suffix}}}}}'.encode()


def test_successful_change_set_nested_like_cap() -> None:
    responses: list[BatchResult] = [
        [
            _created("1", "16f00c9c-323f-4ce4-876f-efaefe1c6f69", DRAFT_1),
            _created("2", "2c728381-72ce-4fdd-8293-8add71579666", DRAFT_2),
        ],
        _json(200, STATUS_1),
    ]
    expected = (RECORDINGS / "multipart_changeset.bin").read_bytes()
    assert serialize_multipart_batch(responses, "batch_1") == expected


def test_failed_change_set_is_one_part_like_cap() -> None:
    responses = [_json(200, STATUS_2), _json(501, _error(501, BYPASS, "1"), cid="1")]
    expected = (RECORDINGS / "multipart_failed_changeset.bin").read_bytes()
    assert serialize_multipart_batch(responses, "batch_1") == expected


def test_no_content_and_content_id_like_cap() -> None:
    responses = [
        BatchResponse(id=None, status=204, headers=[ODATA_VERSION]),
        _json(404, _error(404, NOPE, "g1"), cid="g1"),
    ]
    expected = (RECORDINGS / "multipart_204_then_404.bin").read_bytes()
    assert serialize_multipart_batch(responses, "batch_1") == expected


def test_continue_on_error_like_cap() -> None:
    responses = [_json(404, _error(404, NOPE)), BatchResponse(id=None, status=204, headers=[ODATA_VERSION])]
    expected = (RECORDINGS / "multipart_continue_on_error.bin").read_bytes()
    assert serialize_multipart_batch(responses, "batch_1") == expected


def test_header_names_lower_cased_in_given_order() -> None:
    response = BatchResponse(id="x", status=200, headers=[("OData-Version", "4.0"), ("ETag", 'W/"1"')], body=b"5")
    assert serialize_multipart_batch([response], "b") == (
        b"--b\r\ncontent-type: application/http\r\ncontent-transfer-encoding: binary\r\ncontent-id: x\r\n\r\n"
        b'HTTP/1.1 200 OK\r\nodata-version: 4.0\r\netag: W/"1"\r\n\r\n5\r\n--b--\r\n'
    )


@pytest.mark.parametrize(
    ("groups", "outer", "expected"),
    [
        (["cs_1", "cs_1"], "batch_1", b"cs_1"),
        ([None, None], "batch_1", b"changeset_1"),
        (["batch_1_x", None], "batch_1", b"changeset_1"),  # would clash with the outer boundary
        ([None], "changeset_1", b"xchangeset_1"),
        (["bad\nboundary"], "b", b"changeset_1"),
    ],
)
def test_change_set_boundary(groups: list[str | None], outer: str, expected: bytes) -> None:
    responses = [BatchResponse(id=str(i), status=204, atomicity_group=g) for i, g in enumerate(groups)]
    output = serialize_multipart_batch([responses], outer)
    assert b"content-type: multipart/mixed;boundary=" + expected + b"\r\n\r\n--" + expected + b"\r\n" in output
    assert output.endswith(b"--" + expected + b"--\r\n--" + outer.encode() + b"--\r\n")


def test_empty_batch_and_empty_change_set() -> None:
    assert serialize_multipart_batch([], "b") == b"--b--\r\n"
    assert serialize_multipart_batch([[]], "b") == (
        b"--b\r\ncontent-type: multipart/mixed;boundary=changeset_1\r\n\r\n--changeset_1--\r\n--b--\r\n"
    )


def test_serialized_framing_is_parseable_by_our_multipart_splitter() -> None:
    # The response framing uses the same MIME structure as requests; re-read it as a sanity check
    # by swapping the status lines for request lines.
    output = serialize_multipart_batch([[_json(200, b"{}", cid="1")], _json(200, b"{}")], "b")
    as_requests = output.replace(b"HTTP/1.1 200 OK", b"GET A HTTP/1.1")
    items = parse_multipart_batch(as_requests, multipart_content_type("b"))
    assert len(items) == 2


@pytest.mark.parametrize("boundary", ["", "a\r\nb", "x" * 201, "é"])
def test_invalid_response_boundary_is_a_programming_error(boundary: str) -> None:
    with pytest.raises(ValueError, match="invalid multipart boundary"):
        serialize_multipart_batch([], boundary)


@pytest.mark.parametrize(
    ("boundary", "content_type"),
    [("batch_1", "multipart/mixed;boundary=batch_1"), ("a b", 'multipart/mixed;boundary="a b"')],
)
def test_multipart_content_type(boundary: str, content_type: str) -> None:
    assert multipart_content_type(boundary) == content_type


@pytest.mark.parametrize(
    ("status", "phrase"),
    [(200, "OK"), (201, "Created"), (204, "No Content"), (413, "Payload Too Large"), (424, "Failed Dependency"),
     (501, "Not Implemented"), (299, "unknown")],
)  # fmt: skip
def test_reason_phrase(status: int, phrase: str) -> None:
    assert reason_phrase(status) == phrase


# --------------------------------------------------------------------------- JSON


def test_json_failures_like_cap() -> None:
    failed_dependency = (
        b'{"error":{"innererror":{"status":501,"message":"' + BYPASS.encode() + b'"},'
        b'"code":"424","message":"Failed Dependency","@Common.numericSeverity":4}}'
    )
    responses: list[BatchResult] = [
        _json(200, STATUS_1, cid="r1"),
        _json(404, _error(404, NOPE), cid="r2"),
        [_json(501, _error(501, BYPASS), cid="r3", group="g1")],
        BatchResponse(id="r4", status=424, headers=[("content-type", "application/json")], body=failed_dependency),
    ]
    assert serialize_json_batch(responses) == (RECORDINGS / "json_failures.json").read_bytes()


def test_json_group_and_text_like_cap() -> None:
    text = [ODATA_VERSION, ("content-type", "text/plain; charset=utf-8"), ("content-length", "1")]
    e1 = _created("e1", "16f00c9c-323f-4ce4-876f-efaefe1c6f69", DRAFT_1)
    e2 = _created("e2", "2c728381-72ce-4fdd-8293-8add71579666", DRAFT_2)
    responses: list[BatchResult] = [
        BatchResponse(id="c", status=200, headers=text, body=b"5"),
        [
            BatchResponse(e1.id, e1.status, e1.headers, e1.body, "g1"),
            BatchResponse(e2.id, e2.status, e2.headers, e2.body, "g1"),
        ],
    ]
    assert serialize_json_batch(responses) == (RECORDINGS / "json_group_and_text.json").read_bytes()


def test_json_no_content_group_like_cap() -> None:
    responses = [[BatchResponse(id=f"d{i}", status=204, headers=[ODATA_VERSION], atomicity_group="g2") for i in (1, 2)]]
    assert serialize_json_batch(responses) == (RECORDINGS / "json_204_group.json").read_bytes()


@pytest.mark.parametrize(
    ("headers", "body", "expected_body"),
    [
        ([("Content-Type", "application/json")], b'{\n  "price": 12345678901234567890.123\n}\n',
         '{\n  "price": 12345678901234567890.123\n}'),
        ([("Content-Type", "text/plain")], "Grüße\n".encode(), '"Grüße\\n"'),
        ([("Content-Type", "application/octet-stream")], b"\xff\xfe\x00", '"__4A"'),
        ([("Content-Type", "application/json")], b"not json", '"not json"'),
        ([("Content-Type", "application/json")], b"\xff", '"_w"'),
        ([("Content-Type", "application/json")], b"NaN", '"NaN"'),
        ([], b"[1,2]", "[1,2]"),
        ([("Content-Type", "application/xml")], b"<a/>", '"PGEvPg"'),
    ],
)  # fmt: skip
def test_json_body_encoding(headers: list[tuple[str, str]], body: bytes, expected_body: str) -> None:
    output = serialize_json_batch([BatchResponse(id="1", status=200, headers=headers, body=body)])
    text = output.decode("utf-8")
    assert text.endswith(f',"body":{expected_body}}}]}}')
    json.loads(text)


def test_json_headers_lower_cased_and_duplicates_joined() -> None:
    response = BatchResponse(id=None, status=200, headers=[("Vary", "a"), ("VARY", "b"), ("X-Ü", "ü")])
    expected = '{"responses":[{"status":200,"headers":{"vary":"a, b","x-ü":"ü"}}]}'
    assert serialize_json_batch([response]) == expected.encode()
