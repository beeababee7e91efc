"""Parsing of JSON batches (OData JSON Format 4.01 section 19)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from odata4.batch import BatchRequest, ChangeSet, parse_json_batch
from odata4.errors import BadRequest


def _body(*requests: dict[str, Any]) -> bytes:
    return json.dumps({"requests": list(requests)}).encode()


def _get(rid: str, **extra: Any) -> dict[str, Any]:
    return {"id": rid, "method": "GET", "url": "StatusValues", **extra}


def test_single_get_with_headers() -> None:
    body = _body(_get("r1", url="StatusValues?$top=1", headers={"Accept": "application/json", "X-A": "b"}))
    assert parse_json_batch(body) == [
        BatchRequest(
            id="r1",
            method="GET",
            url="StatusValues?$top=1",
            headers=[("Accept", "application/json"), ("X-A", "b")],
        )
    ]


def test_atomicity_group_and_depends_on() -> None:
    body = _body(
        _get("r1"),
        {"id": "p1", "method": "post", "url": "Notifications", "atomicityGroup": "g1",
         "headers": {"content-type": "application/json"}, "body": {"name": "ä", "n": 1.50}},
        {"id": "p2", "method": "PATCH", "url": "$p1", "atomicityGroup": "g1", "dependsOn": ["p1"],
         "headers": {"content-type": "application/json"}, "body": {"x": None}},
        _get("r2", dependsOn=["g1", "r1"]),
    )  # fmt: skip
    r1, changeset, r2 = parse_json_batch(body)
    assert isinstance(changeset, ChangeSet) and isinstance(r2, BatchRequest)
    assert changeset.id == "g1"
    p1, p2 = changeset.requests
    assert (p1.method, p1.atomicity_group, p1.body) == ("POST", "g1", '{"name":"ä","n":1.5}'.encode())
    assert (p2.url, p2.depends_on, p2.body) == ("$p1", ("p1",), b'{"x":null}')
    assert r2.depends_on == ("g1", "r1")
    assert r1 == BatchRequest(id="r1", method="GET", url="StatusValues")


def test_numbers_are_kept_exactly() -> None:
    raw = (
        b'{"requests":[{"id":"1","method":"POST","url":"A","body":{"d":12345678901234567890.12345,"i":1e400,"z":-0}}]}'
    )
    (request,) = parse_json_batch(raw)
    assert isinstance(request, BatchRequest)
    assert request.body == b'{"d":12345678901234567890.12345,"i":1e400,"z":-0}'


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({}, {"a": [1, True, None]}, b'{"a":[1,true,null]}'),
        ({"Content-Type": "application/json;odata.metadata=minimal"}, "text", b'"text"'),
        ({"content-type": "application/merge-patch+json"}, [1], b"[1]"),
        ({"content-type": "text/plain"}, "Grüße", "Grüße".encode()),
        ({"content-type": "application/octet-stream"}, "__4A", b"\xff\xfe\x00"),
        ({"content-type": "application/octet-stream"}, "//4A", b"\xff\xfe\x00"),
        ({"content-type": "image/png"}, "AAE=", b"\x00\x01"),
        ({"content-type": "text/plain"}, 5, b"5"),
        ({"content-type": "application/json"}, None, b""),
    ],
)
def test_body_encoding(headers: dict[str, str], body: Any, expected: bytes) -> None:
    (request,) = parse_json_batch(_body({"id": "1", "method": "POST", "url": "A", "headers": headers, "body": body}))
    assert isinstance(request, BatchRequest)
    assert request.body == expected


def test_max_requests() -> None:
    body = _body(*[_get(str(i)) for i in range(3)])
    assert len(parse_json_batch(body, max_requests=3)) == 3
    with pytest.raises(BadRequest, match="Too many"):
        parse_json_batch(body, max_requests=2)


def test_unknown_members_are_ignored() -> None:
    body = json.dumps({"requests": [_get("1", **{"if": "x", "extra": 1})], "other": True}).encode()
    assert len(parse_json_batch(body)) == 1


# (name, body, message fragment)
BAD_CASES = [
    ("not_json", b"{", "not valid JSON"),
    ("not_utf8", b'{"requests":[]}\xff', "not valid JSON"),
    ("nan", b'{"requests":[{"id":"1","method":"POST","url":"A","body":NaN}]}', "not valid JSON"),
    ("not_an_object", b"[]", "'requests' array"),
    ("requests_not_a_list", b'{"requests":{}}', "'requests' array"),
    ("no_requests", b"{}", "'requests' array"),
    ("request_not_an_object", _body("x"), "JSON object"),  # type: ignore[arg-type]
    ("missing_id", _body({"method": "GET", "url": "A"}), "Parameter 'id' must not be undefined"),
    ("numeric_id", _body({"id": 1, "method": "GET", "url": "A"}), "non-empty string"),
    ("empty_id", _body({"id": "", "method": "GET", "url": "A"}), "non-empty string"),
    ("duplicate_id", _body(_get("a"), _get("a")), "Request ID 'a' is not unique"),
    ("missing_method", _body({"id": "1", "url": "A"}), "'method'"),
    ("bad_method", _body({"id": "1", "method": "FOO", "url": "A"}), "Method 'FOO' is not allowed"),
    ("head_method", _body({"id": "1", "method": "HEAD", "url": "A"}), "not allowed"),
    ("missing_url", _body({"id": "1", "method": "GET"}), "'url'"),
    ("url_not_string", _body({"id": "1", "method": "GET", "url": ["A"]}), "'url'"),
    ("headers_not_object", _body(_get("1", headers=["a"])), "'headers' must be an object"),
    ("header_value_not_string", _body(_get("1", headers={"a": 1})), "string value"),
    ("bad_depends_on", _body(_get("a"), _get("b", dependsOn=["zz"])),
     "'zz' does not match the id or atomicity group of any preceding request"),
    ("forward_depends_on", _body(_get("a", dependsOn=["b"]), _get("b")), "does not match"),
    ("self_depends_on", _body(_get("a", dependsOn=["a"])), "does not match"),
    ("depends_on_not_list", _body(_get("a"), _get("b", dependsOn="a")), "array of strings"),
    ("depends_on_not_strings", _body(_get("a"), _get("b", dependsOn=[1])), "array of strings"),
    ("group_not_adjacent", _body(_get("1", atomicityGroup="g"), _get("2"), _get("3", atomicityGroup="g")),
     "Atomicity group ID 'g' is not unique"),
    ("group_not_string", _body(_get("1", atomicityGroup=3)), "'atomicityGroup'"),
    ("group_equals_request_id", _body(_get("g"), _get("1", atomicityGroup="g")), "both a request id"),
    ("request_id_equals_earlier_group", _body(_get("1", atomicityGroup="g"), _get("g")), "both a request id"),
    ("bad_base64url", _body({"id": "1", "method": "POST", "url": "A", "headers": {"content-type": "image/png"},
                             "body": "a"}), "cannot be encoded"),
    ("non_ascii_base64url", _body({"id": "1", "method": "POST", "url": "A",
                                   "headers": {"content-type": "image/png"}, "body": "ü"}), "cannot be encoded"),
    ("lone_surrogate_body", b'{"requests":[{"id":"1","method":"POST","url":"A","body":"\\ud800"}]}',
     "cannot be encoded"),
    ("deeply_nested_body", b'{"requests":[{"id":"1","method":"POST","url":"A","body":' + b"[" * 100_000 + b"]" * 100_000
     + b"}]}", "not valid JSON|nested too deeply"),
    ("moderately_nested_body", b'{"requests":[{"id":"1","method":"POST","url":"A","body":' + b"[" * 700 + b"]" * 700
     + b"}]}", "not valid JSON|nested too deeply"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_bad_request(body: bytes, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_json_batch(body)
