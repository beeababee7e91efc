"""Parsing of multipart/mixed batches: what SAPUI5 and other clients really send."""

from __future__ import annotations

import pytest

from odata4.batch import (
    BatchRequest,
    ChangeSet,
    boundary_from_content_type,
    parse_http_request_line,
    parse_multipart_batch,
)
from odata4.errors import BadRequest

# The exact request of the brief (SAPUI5 framing: no space after the colon, epilogue).
SAPUI5_BODY = (
    b"--batch_1\r\nContent-Type:application/http\r\nContent-Transfer-Encoding:binary\r\n\r\n"
    b"GET StatusValues?$top=2 HTTP/1.1\r\nAccept:application/json\r\n\r\n\r\n"
    b"--batch_1\r\nContent-Type: multipart/mixed; boundary=cs_1\r\n\r\n"
    b"--cs_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\n"
    b"PATCH Addresses(ID=58040e66-1dcd-4ffb-ab10-fdce32028b79,IsActiveEntity=true) HTTP/1.1\r\n"
    b'Content-Type: application/json\r\n\r\n{"streetName":"x"}\r\n--cs_1--\r\n\r\n--batch_1--\r\nsome epilogue'
)

# What the SAPUI5 V4 ODataModel sends for a list read plus a draft PATCH.
UI5_BOUNDARY = "batch_id-1733300000000-42"
UI5_BODY = (
    b"--batch_id-1733300000000-42\r\n"
    b"Content-Type:application/http\r\n"
    b"Content-Transfer-Encoding:binary\r\n"
    b"\r\n"
    b"GET Notifications?$count=true&$select=ID,businessPartnerName&$skip=0&$top=30 HTTP/1.1\r\n"
    b"Accept:application/json;odata.metadata=minimal;IEEE754Compatible=true\r\n"
    b"Accept-Language:en-US\r\n"
    b"X-CSRF-Token:abc\r\n"
    b"\r\n"
    b"\r\n"
    b"--batch_id-1733300000000-42\r\n"
    b"Content-Type:multipart/mixed;boundary=changeset_id-1733300000000-43\r\n"
    b"\r\n"
    b"--changeset_id-1733300000000-43\r\n"
    b"Content-Type:application/http\r\n"
    b"Content-Transfer-Encoding:binary\r\n"
    b"Content-ID:0.0\r\n"
    b"\r\n"
    b"PATCH Addresses(ID=58040e66-1dcd-4ffb-ab10-fdce32028b79,IsActiveEntity=false) HTTP/1.1\r\n"
    b"Accept:application/json;odata.metadata=minimal;IEEE754Compatible=true\r\n"
    b"Content-Type:application/json;charset=UTF-8;IEEE754Compatible=true\r\n"
    b'If-Match:W/"2024-12-04T10:00:00.000Z"\r\n'
    b"Prefer:return=minimal\r\n"
    b"\r\n"
    b'{"streetName":"Main Street 1"}\r\n'
    b"--changeset_id-1733300000000-43--\r\n"
    b"--batch_id-1733300000000-42--\r\n"
)


def _get_part(url: bytes, *, extra_headers: bytes = b"", nl: bytes = b"\r\n") -> bytes:
    return (
        b"Content-Type: application/http" + nl + b"Content-Transfer-Encoding: binary" + nl + extra_headers + nl
        + b"GET " + url + b" HTTP/1.1" + nl + b"Accept: application/json" + nl + nl
    )  # fmt: skip


def _batch(*parts: bytes, boundary: bytes = b"b", nl: bytes = b"\r\n") -> bytes:
    body = b"".join(b"--" + boundary + nl + part + nl for part in parts)
    return body + b"--" + boundary + b"--" + nl


def test_sapui5_request_of_the_brief() -> None:
    items = parse_multipart_batch(SAPUI5_BODY, "multipart/mixed;boundary=batch_1")
    assert items == [
        BatchRequest(id=None, method="GET", url="StatusValues?$top=2", headers=[("Accept", "application/json")]),
        ChangeSet(
            id="cs_1",
            requests=[
                BatchRequest(
                    id="1",
                    method="PATCH",
                    url="Addresses(ID=58040e66-1dcd-4ffb-ab10-fdce32028b79,IsActiveEntity=true)",
                    headers=[("Content-Type", "application/json")],
                    body=b'{"streetName":"x"}',
                    atomicity_group="cs_1",
                )
            ],
        ),
    ]


def test_ui5_v4_model_request() -> None:
    items = parse_multipart_batch(UI5_BODY, f"multipart/mixed;boundary={UI5_BOUNDARY}")
    get, changeset = items
    assert isinstance(get, BatchRequest) and isinstance(changeset, ChangeSet)
    assert get.url == "Notifications?$count=true&$select=ID,businessPartnerName&$skip=0&$top=30"
    assert get.header("accept-language") == "en-US"
    assert get.body == b""
    assert changeset.id == "changeset_id-1733300000000-43"
    (patch,) = changeset.requests
    assert patch.id == "0.0"
    assert patch.header("IF-MATCH") == 'W/"2024-12-04T10:00:00.000Z"'
    assert patch.header("prefer") == "return=minimal"
    assert patch.body == b'{"streetName":"Main Street 1"}'
    assert patch.atomicity_group == changeset.id


def _only(items: list[ChangeSet | BatchRequest]) -> BatchRequest:
    (item,) = items
    assert isinstance(item, BatchRequest)
    return item


# (name, body, content type, expected (method, url, body, content id) of the only request)
SINGLE_REQUEST_CASES = [
    ("lf_only_line_endings", _batch(_get_part(b"A?$top=1", nl=b"\n"), nl=b"\n"), "multipart/mixed;boundary=b",
     ("GET", "A?$top=1", b"", None)),
    ("mixed_line_endings", b"--b\nContent-Type:application/http\r\n\nGET A HTTP/1.1\r\n\n\r\n--b--\n",
     "multipart/mixed;boundary=b", ("GET", "A", b"", None)),
    ("preamble_and_epilogue", b"This is a preamble\r\n\r\n" + _batch(_get_part(b"A")) + b"epilogue\r\nmore",
     "multipart/mixed;boundary=b", ("GET", "A", b"", None)),
    ("quoted_boundary", _batch(_get_part(b"A"), boundary=b"b:1 x"), 'multipart/mixed; boundary="b:1 x"',
     ("GET", "A", b"", None)),
    ("parameters_case_and_spaces", _batch(_get_part(b"A"), boundary=b"Xy"),
     "Multipart/Mixed ; charset=utf-8 ;  BOUNDARY=Xy", ("GET", "A", b"", None)),
    ("transport_padding_after_delimiter", b"--b  \t\r\n" + _get_part(b"A") + b"\r\n--b-- \r\n",
     "multipart/mixed;boundary=b", ("GET", "A", b"", None)),
    ("content_id_on_mime_headers", _batch(_get_part(b"A", extra_headers=b"Content-ID:7\r\n")),
     "multipart/mixed;boundary=b", ("GET", "A", b"", "7")),
    ("content_id_on_inner_headers",
     _batch(b"Content-Type: application/http\r\n\r\nGET A HTTP/1.1\r\nContent-ID: inner\r\n\r\n"),
     "multipart/mixed;boundary=b", ("GET", "A", b"", "inner")),
    ("mime_content_id_wins",
     _batch(b"Content-Type: application/http\r\nContent-ID: outer\r\n\r\nGET A HTTP/1.1\r\nContent-ID: inner\r\n\r\n"),
     "multipart/mixed;boundary=b", ("GET", "A", b"", "outer")),
    ("body_up_to_delimiter_minus_crlf",
     _batch(b"Content-Type: application/http\r\n\r\nPOST A HTTP/1.1\r\nContent-Type: text/plain\r\n\r\nx\r\ny\r\n"),
     "multipart/mixed;boundary=b", ("POST", "A", b"x\r\ny\r\n", None)),
    ("body_by_content_length",
     _batch(b"Content-Type: application/http\r\n\r\nPOST A HTTP/1.1\r\nContent-Length: 4\r\n\r\n{}{}\r\n\r\n"),
     "multipart/mixed;boundary=b", ("POST", "A", b"{}{}", None)),
    ("missing_part_content_type_defaults_to_http", _batch(b"\r\nGET A HTTP/1.1\r\n\r\n"),
     "multipart/mixed;boundary=b", ("GET", "A", b"", None)),
    ("lowercase_method_is_normalised", _batch(b"Content-Type: application/http\r\n\r\ndelete A(1) HTTP/1.1\r\n"),
     "multipart/mixed;boundary=b", ("DELETE", "A(1)", b"", None)),
    ("request_line_without_version", _batch(b"Content-Type: application/http\r\n\r\nGET A\r\n\r\n"),
     "multipart/mixed;boundary=b", ("GET", "A", b"", None)),
    ("absolute_path_target", _batch(_get_part(b"/odata/v4/svc/A")), "multipart/mixed;boundary=b",
     ("GET", "/odata/v4/svc/A", b"", None)),
    ("absolute_url_target", _batch(_get_part(b"https://host/odata/v4/svc/A?$top=1")), "multipart/mixed;boundary=b",
     ("GET", "https://host/odata/v4/svc/A?$top=1", b"", None)),
    ("content_id_reference_target", _batch(_get_part(b"$1/addresses")), "multipart/mixed;boundary=b",
     ("GET", "$1/addresses", b"", None)),
    ("boundary_prefix_inside_body_is_content",
     _batch(b"Content-Type: application/http\r\n\r\nPOST A HTTP/1.1\r\n\r\n--bx\r\n--b-\r\n"),
     "multipart/mixed;boundary=b", ("POST", "A", b"--bx\r\n--b-\r\n", None)),
    ("seven_bit_transfer_encoding",
     _batch(b"Content-Type: application/http\r\nContent-Transfer-Encoding: 7BIT\r\n\r\nGET A HTTP/1.1\r\n"),
     "multipart/mixed;boundary=b", ("GET", "A", b"", None)),
    ("utf8_url", _batch(_get_part("A?$filter=name eq 'Müller'".replace(" ", "%20").encode())),
     "multipart/mixed;boundary=b", ("GET", "A?$filter=name%20eq%20'Müller'", b"", None)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [case[1:] for case in SINGLE_REQUEST_CASES],
    ids=[case[0] for case in SINGLE_REQUEST_CASES],
)
def test_single_request(body: bytes, content_type: str, expected: tuple[str, str, bytes, str | None]) -> None:
    request = _only(parse_multipart_batch(body, content_type))
    assert (request.method, request.url, request.body, request.id) == expected
    assert request.atomicity_group is None
    assert request.depends_on == ()


def test_header_folding_and_spacing() -> None:
    part = b"Content-Type: application/http\r\n\r\nGET A HTTP/1.1\r\nX-Long:  one\r\n  two\r\nX-B:c\r\n\r\n"
    request = _only(parse_multipart_batch(_batch(part), "multipart/mixed;boundary=b"))
    assert request.headers == [("X-Long", "one two"), ("X-B", "c")]


def test_nested_change_set_with_lf_only_and_several_requests() -> None:
    body = (
        b"--outer\n"
        b'Content-Type: multipart/mixed; boundary="cs 1"\n\n'
        b"preamble of the change set\n"
        b"--cs 1\nContent-Type: application/http\nContent-ID: 1\n\nPOST A HTTP/1.1\nContent-Type: application/json\n\n"
        b'{"a":1}\n'
        b"--cs 1\nContent-Type: application/http\nContent-ID: 2\n\nPATCH $1 HTTP/1.1\n\n{}\n"
        b"--cs 1--\n"
        b"--outer\nContent-Type: application/http\n\nGET B HTTP/1.1\n\n\n"
        b"--outer--\n"
    )
    changeset, get = parse_multipart_batch(body, "multipart/mixed; boundary=outer")
    assert isinstance(changeset, ChangeSet) and isinstance(get, BatchRequest)
    assert changeset.id == "cs 1"
    assert [(r.id, r.method, r.url, r.body, r.atomicity_group) for r in changeset.requests] == [
        ("1", "POST", "A", b'{"a":1}', "cs 1"),
        ("2", "PATCH", "$1", b"{}", "cs 1"),
    ]
    assert get.url == "B"


def test_empty_batch_and_empty_change_set() -> None:
    assert parse_multipart_batch(b"--b--\r\n", "multipart/mixed;boundary=b") == []
    body = _batch(b"Content-Type: multipart/mixed;boundary=c\r\n\r\n--c--")
    assert parse_multipart_batch(body, "multipart/mixed;boundary=b") == [ChangeSet(requests=[], id="c")]


def test_max_parts() -> None:
    body = _batch(*[_get_part(b"A")] * 3)
    assert len(parse_multipart_batch(body, "multipart/mixed;boundary=b", max_parts=3)) == 3
    with pytest.raises(BadRequest, match="Too many parts"):
        parse_multipart_batch(body, "multipart/mixed;boundary=b", max_parts=2)


def test_max_parts_counts_change_set_members() -> None:
    changeset = b"Content-Type: multipart/mixed;boundary=c\r\n\r\n" + _batch(*[_get_part(b"A")] * 3, boundary=b"c")
    body = _batch(changeset)
    assert len(parse_multipart_batch(body, "multipart/mixed;boundary=b", max_parts=4)) == 1
    with pytest.raises(BadRequest):
        parse_multipart_batch(body, "multipart/mixed;boundary=b", max_parts=3)


_HTTP = b"Content-Type: application/http\r\n\r\n"
_CS = b"Content-Type: multipart/mixed;boundary=c\r\n\r\n"

# (name, body, content type, message fragment)
BAD_REQUEST_CASES = [
    ("missing_boundary", _batch(_get_part(b"A")), "multipart/mixed", "No boundary"),
    ("empty_boundary", _batch(_get_part(b"A")), 'multipart/mixed; boundary=""', "No boundary"),
    ("non_ascii_boundary", _batch(_get_part(b"A")), "multipart/mixed; boundary=bö", "Invalid multipart boundary"),
    ("too_long_boundary", _batch(_get_part(b"A")), "multipart/mixed; boundary=" + "x" * 201, "Invalid"),
    ("unterminated_quote", _batch(_get_part(b"A")), 'multipart/mixed; boundary="b', "Unterminated"),
    ("not_multipart", _batch(_get_part(b"A")), "application/json", "Expected multipart/mixed"),
    ("empty_content_type", _batch(_get_part(b"A")), "", "Expected multipart/mixed"),
    ("no_delimiter", b"GET A HTTP/1.1\r\n\r\n", "multipart/mixed;boundary=b", "does not contain the boundary"),
    ("empty_body", b"", "multipart/mixed;boundary=b", "does not contain the boundary"),
    ("unterminated_batch", b"--b\r\n" + _get_part(b"A") + b"\r\n", "multipart/mixed;boundary=b", "not terminated"),
    ("unterminated_batch_two_parts", b"--b\r\n" + _get_part(b"A") + b"\r\n--b\r\n" + _get_part(b"B"),
     "multipart/mixed;boundary=b", "not terminated"),
    ("unterminated_change_set", _batch(_CS + b"--c\r\n" + _get_part(b"A")), "multipart/mixed;boundary=b",
     "not terminated"),
    ("change_set_without_boundary", _batch(b"Content-Type: multipart/mixed\r\n\r\n--c--"),
     "multipart/mixed;boundary=b", "No boundary"),
    ("nested_change_set", _batch(_CS + b"--c\r\nContent-Type: multipart/mixed;boundary=d\r\n\r\n--d--\r\n--c--"),
     "multipart/mixed;boundary=b", "must not be nested"),
    ("duplicate_content_id_in_change_set",
     _batch(_CS + b"--c\r\n" + _get_part(b"A", extra_headers=b"Content-ID: 1\r\n") + b"\r\n--c\r\n"
            + _get_part(b"B", extra_headers=b"Content-ID: 1\r\n") + b"\r\n--c--"),
     "multipart/mixed;boundary=b", "not unique"),
    ("empty_part", b"--b\r\n\r\n--b--\r\n", "multipart/mixed;boundary=b", "request line"),
    ("unsupported_part_type", _batch(b"Content-Type: text/plain\r\n\r\nhello"), "multipart/mixed;boundary=b",
     "Unsupported Content-Type"),
    ("unsupported_part_type_in_change_set", _batch(_CS + b"--c\r\nContent-Type: text/plain\r\n\r\nx\r\n--c--"),
     "multipart/mixed;boundary=b", "Unsupported Content-Type"),
    ("base64_transfer_encoding",
     _batch(b"Content-Type: application/http\r\nContent-Transfer-Encoding: base64\r\n\r\nR0VUIEEgSFRUUC8xLjE="),
     "multipart/mixed;boundary=b", "Content-Transfer-Encoding"),
    ("unknown_method", _batch(_HTTP + b"MERGE A HTTP/1.1\r\n\r\n"), "multipart/mixed;boundary=b", "not allowed"),
    ("request_line_one_token", _batch(_HTTP + b"GET\r\n\r\n"), "multipart/mixed;boundary=b", "Malformed request line"),
    ("request_line_four_tokens", _batch(_HTTP + b"GET A B HTTP/1.1\r\n\r\n"), "multipart/mixed;boundary=b",
     "Malformed request line"),
    ("bad_http_version", _batch(_HTTP + b"GET A HTTP/one\r\n\r\n"), "multipart/mixed;boundary=b", "HTTP version"),
    ("request_line_not_utf8", _batch(_HTTP + b"GET A\xff HTTP/1.1\r\n\r\n"), "multipart/mixed;boundary=b", "UTF-8"),
    ("header_without_colon", _batch(_HTTP + b"GET A HTTP/1.1\r\nAccept application/json\r\n\r\n"),
     "multipart/mixed;boundary=b", "Malformed header line"),
    ("mime_header_without_colon", _batch(b"Content-Type application/http\r\n\r\nGET A HTTP/1.1\r\n"),
     "multipart/mixed;boundary=b", "Malformed header line"),
    ("continuation_without_header", _batch(b" folded\r\n\r\nGET A HTTP/1.1\r\n"), "multipart/mixed;boundary=b",
     "continuation"),
    ("content_length_too_big", _batch(_HTTP + b"POST A HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}"),
     "multipart/mixed;boundary=b", "exceeds"),
    ("content_length_not_a_number", _batch(_HTTP + b"POST A HTTP/1.1\r\nContent-Length: -1\r\n\r\n{}"),
     "multipart/mixed;boundary=b", "Invalid Content-Length"),
    ("content_length_unicode_digits", _batch(_HTTP + "POST A HTTP/1.1\r\nContent-Length: ²\r\n\r\n{}".encode()),
     "multipart/mixed;boundary=b", "Invalid Content-Length"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [case[1:] for case in BAD_REQUEST_CASES],
    ids=[case[0] for case in BAD_REQUEST_CASES],
)
def test_bad_request(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message) as info:
        parse_multipart_batch(body, content_type)
    assert info.value.http_status == 400


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET Notifications?$top=1 HTTP/1.1", ("GET", "Notifications?$top=1", "HTTP/1.1")),
        ("patch A(1) HTTP/1.0", ("PATCH", "A(1)", "HTTP/1.0")),
        ("POST  A   HTTP/1.1 ", ("POST", "A", "HTTP/1.1")),
        ("PUT A", ("PUT", "A", "HTTP/1.1")),
        ("DELETE $1", ("DELETE", "$1", "HTTP/1.1")),
    ],
)
def test_parse_http_request_line(line: str, expected: tuple[str, str, str]) -> None:
    assert parse_http_request_line(line) == expected


@pytest.mark.parametrize("line", ["", "GET", "HEAD A HTTP/1.1", "GET A HTTP/2", "GET A B C", "OPTIONS * HTTP/1.1"])
def test_parse_http_request_line_rejects(line: str) -> None:
    with pytest.raises(BadRequest):
        parse_http_request_line(line)


@pytest.mark.parametrize(
    ("content_type", "boundary"),
    [
        ("multipart/mixed;boundary=batch_1", "batch_1"),
        ('multipart/mixed; boundary="batch_1"', "batch_1"),
        ('multipart/mixed; boundary="a\\"b"', 'a"b'),
        ("multipart/mixed; boundary=x; boundary=y", "x"),
        ('multipart/mixed; foo="a;b"; boundary=z', "z"),
    ],
)
def test_boundary_from_content_type(content_type: str, boundary: str) -> None:
    assert boundary_from_content_type(content_type) == boundary
