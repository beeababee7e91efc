"""The batch model: header look-up and Content-ID references."""

from __future__ import annotations

import pytest

from odata4.batch import BatchRequest, BatchResponse, find_header, resolve_content_id_reference

IDS = {"1": "Notifications(ID=7,IsActiveEntity=false)", "id-17.0": "Addresses(ID=1)", "a/b": "X"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("$1", "Notifications(ID=7,IsActiveEntity=false)"),
        ("$1/addresses", "Notifications(ID=7,IsActiveEntity=false)/addresses"),
        ("$1?$select=ID", "Notifications(ID=7,IsActiveEntity=false)?$select=ID"),
        ("$id-17.0/streetName/$value", "Addresses(ID=1)/streetName/$value"),
        ("$2/addresses", "$2/addresses"),
        ("$metadata", "$metadata"),
        ("$batch", "$batch"),
        ("Notifications", "Notifications"),
        ("/odata/v4/svc/$1", "/odata/v4/svc/$1"),
        ("$", "$"),
        ("", ""),
    ],
)
def test_resolve_content_id_reference(url: str, expected: str) -> None:
    assert resolve_content_id_reference(url, IDS) == expected


def test_header_lookup_is_case_insensitive_and_first_wins() -> None:
    request = BatchRequest(id=None, method="GET", url="A", headers=[("Content-Type", "a"), ("content-type", "b")])
    assert request.header("CONTENT-TYPE") == "a"
    assert request.header("Accept") is None
    response = BatchResponse(id=None, status=200, headers=[("ETag", "x")])
    assert response.header("etag") == "x"
    assert find_header([], "x") is None
