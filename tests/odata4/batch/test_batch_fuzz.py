"""Property tests: any input either parses or raises BadRequest, never anything else."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odata4.batch import BatchRequest, ChangeSet, parse_json_batch, parse_multipart_batch
from odata4.errors import BadRequest

FRAGMENTS = [
    b"--b", b"--b--", b"--c", b"--c--", b"\r\n", b"\n", b"\r", b" ", b":", b"Content-Type:application/http",
    b"Content-Type: multipart/mixed;boundary=c", b"Content-Type: multipart/mixed", b"Content-ID: 1",
    b"Content-Transfer-Encoding: binary", b"Content-Length: 3", b"Content-Length: x", b"GET A HTTP/1.1",
    b"POST $1 HTTP/1.1", b"FOO A HTTP/1.1", b"{}", b"\xff", b"HTTP/1.1",
]  # fmt: skip
structured_bodies = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join)
content_types = st.one_of(
    st.text(max_size=60),
    st.text(max_size=20).map(lambda b: f"multipart/mixed; boundary={b}"),
    st.text(max_size=20).map(lambda b: f'multipart/mixed;boundary="{b}"'),
    st.just("multipart/mixed;boundary=b"),
)


def _parse_multipart(body: bytes, content_type: str) -> None:
    try:
        items = parse_multipart_batch(body, content_type, max_parts=50)
    except BadRequest:
        return
    for item in items:
        assert isinstance(item, BatchRequest | ChangeSet)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=2000), content_type=content_types)
def test_multipart_arbitrary_bytes(body: bytes, content_type: str) -> None:
    _parse_multipart(body, content_type)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(body=structured_bodies, content_type=st.sampled_from(["multipart/mixed;boundary=b", "multipart/mixed"]))
def test_multipart_structured_fragments(body: bytes, content_type: str) -> None:
    _parse_multipart(body, content_type)


@settings(max_examples=500)
@given(body=st.binary(max_size=2000))
def test_json_arbitrary_bytes(body: bytes) -> None:
    with contextlib.suppress(BadRequest):
        parse_json_batch(body)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
request_members = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["a", "b", "g", 1, ""]),
        "method": st.sampled_from(["GET", "post", "FOO", None]),
        "url": st.sampled_from(["A", "$a/x", "", 5]),
        "headers": st.one_of(json_values, st.just({"content-type": "text/plain"}), st.just({"content-type": "x/y"})),
        "body": json_values,
        "atomicityGroup": st.sampled_from(["g", "h", "a", 0]),
        "dependsOn": st.one_of(json_values, st.lists(st.sampled_from(["a", "b", "g", "h"]), max_size=3)),
    },
)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(requests=st.lists(st.one_of(request_members, json_values), max_size=6))
def test_json_structured_requests(requests: list[object]) -> None:
    body = json.dumps({"requests": requests}).encode()
    try:
        items = parse_json_batch(body)
    except BadRequest:
        return
    ids = [r.id for item in items for r in (item.requests if isinstance(item, ChangeSet) else [item])]
    assert len(ids) == len(set(ids)) == len(requests)
