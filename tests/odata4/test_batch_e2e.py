"""`$batch` end to end on the toy library: change sets are atomic (checked in the database),
content-ID references work inside a change set, JSON batches honour atomicityGroup and dependsOn.

Responses are parsed with the standard library's MIME parser, not with the layer's own codec.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.odata4.conftest import Toy
from tests.odata4.toy import book_id

_ids = itertools.count(5000)
BOUNDARY = "batch_1"


@dataclass
class Part:
    status: int
    headers: dict[str, str]
    body: Any
    content_id: str | None = None


def request_part(method: str, url: str, body: Any = None, content_id: str | None = None, headers: str = "") -> str:
    cid = f"Content-ID: {content_id}\r\n" if content_id else ""
    payload = "" if body is None else json.dumps(body)
    ctype = "Content-Type: application/json\r\n" if body is not None else ""
    return (
        f"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n{cid}\r\n"
        f"{method} {url} HTTP/1.1\r\n{ctype}{headers}\r\n{payload}"
    )


def changeset(name: str, *parts: str) -> str:
    inner = "".join(f"--{name}\r\n{p}\r\n" for p in parts) + f"--{name}--\r\n"
    return f"Content-Type: multipart/mixed; boundary={name}\r\n\r\n{inner}"


def batch(*parts: str) -> bytes:
    return ("".join(f"--{BOUNDARY}\r\n{p}\r\n" for p in parts) + f"--{BOUNDARY}--\r\n").encode()


def post_batch(client: httpx.Client, body: bytes, **headers: str) -> list[Part | list[Part]]:
    response = client.post(
        "$batch", content=body, headers={"content-type": f"multipart/mixed; boundary={BOUNDARY}", **headers}
    )
    assert response.status_code == 200, response.text
    return parse_multipart(response.headers["content-type"], response.content)


def parse_multipart(content_type: str, body: bytes) -> list[Part | list[Part]]:
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    return [_part(p) for p in message.iter_parts()]  # type: ignore[attr-defined]


def _part(mime: Any) -> Part | list[Part]:
    if mime.get_content_type() == "multipart/mixed":
        return [_part(p) for p in mime.iter_parts()]  # type: ignore[misc]
    raw: bytes = mime.get_payload(decode=True)
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    parsed = (
        json.loads(body) if body and headers.get("content-type", "").startswith("application/json") else body.decode()
    )
    return Part(int(status_line.split()[1]), headers, parsed, mime.get("content-id"))


# --- multipart -------------------------------------------------------------------------------


def test_change_set_with_content_id_references(toy: Toy, lib: httpx.Client) -> None:
    author = next(_ids)
    body = batch(
        request_part("GET", "Authors(1)"),
        changeset(
            "cs_1",
            request_part("POST", "Authors", {"ID": author, "name": "Batched"}, "1"),
            request_part("POST", "$1/books", {"title": "Via reference", "stock": 3}, "2"),
            request_part("PATCH", "$2", {"stock": 4}, "3"),
            request_part("POST", "$2/reviews", {"stars": 5}, "4"),
        ),
        request_part("GET", f"Authors({author})?$expand=books($expand=reviews)"),
    )
    first, group, last = post_batch(lib, body)
    assert isinstance(first, Part) and first.status == 200 and first.body["ID"] == 1
    assert isinstance(group, list) and [p.status for p in group] == [201, 201, 200, 201]
    assert [p.content_id for p in group] == ["1", "2", "3", "4"]
    assert group[0].headers["location"] == f"Authors({author})"
    assert isinstance(last, Part) and last.status == 200
    (book,) = last.body["books"]
    assert book["title"] == "Via reference" and book["stock"] == 4 and len(book["reviews"]) == 1
    assert toy.rows('SELECT "stock" FROM "lib_Books" WHERE "author_ID" = :a', a=author) == [{"stock": 4}]


@pytest.mark.parametrize("failure", ["validation", "constraint", "not_found", "forbidden_later"])
def test_a_failing_request_rolls_back_its_whole_change_set(toy: Toy, lib: httpx.Client, failure: str) -> None:
    author = next(_ids)
    failing = {
        "validation": request_part("POST", "$1/books", {"title": "x" * 101}, "2"),
        "constraint": request_part("POST", "Authors", {"ID": author, "name": "twice"}, "2"),
        "not_found": request_part("PATCH", "Authors(424242)", {"name": "x"}, "2"),
        "forbidden_later": request_part("PATCH", "Genres('FIC')", {"name": "x"}, "2"),
    }[failure]
    body = batch(
        changeset(
            "cs_a",
            request_part("POST", "Authors", {"ID": author, "name": "Doomed", "books": [{"title": "gone"}]}, "1"),
            request_part("PATCH", "Authors(1)", {"name": "Ada Lovelace (changed)"}, "3"),
            failing,
        ),
        request_part("GET", "Authors(1)"),
    )
    results = post_batch(lib, body)
    assert len(results) == 1  # the batch stops at a failed change set
    (answer,) = results
    assert isinstance(answer, Part) and 400 <= answer.status < 500
    assert answer.body["error"]["@Core.ContentID"] == "2"
    assert toy.rows('SELECT 1 FROM "lib_Authors" WHERE "ID" = :a', a=author) == []
    assert toy.rows('SELECT 1 FROM "lib_Books" WHERE "author_ID" = :a', a=author) == []
    assert toy.rows('SELECT "name" FROM "lib_Authors" WHERE "ID" = 1') == [{"name": "Ada Lovelace"}]


def test_continue_on_error_keeps_other_change_sets(toy: Toy, lib: httpx.Client) -> None:
    kept, lost = next(_ids), next(_ids)
    body = batch(
        changeset("cs_1", request_part("POST", "Authors", {"ID": kept, "name": "Kept"}, "1")),
        changeset(
            "cs_2",
            request_part("POST", "Authors", {"ID": lost, "name": "Lost"}, "2"),
            request_part("POST", "Authors", {"ID": lost, "name": "Lost again"}, "3"),
        ),
        request_part("GET", f"Authors({kept})"),
    )
    first, second, third = post_batch(lib, body, prefer="odata.continue-on-error")
    assert isinstance(first, list) and first[0].status == 201
    assert isinstance(second, Part) and second.status in (400, 409)
    assert isinstance(third, Part) and third.status == 200
    assert toy.rows('SELECT "ID" FROM "lib_Authors" WHERE "ID" IN (:a, :b)', a=kept, b=lost) == [{"ID": kept}]


def test_parts_are_authorized_one_by_one(toy: Toy) -> None:
    reader = toy.client("reader")
    body = batch(
        request_part("GET", "Books/$count"),
        changeset("cs_1", request_part("POST", "Authors", {"ID": next(_ids), "name": "x"}, "1")),
    )
    first, second = post_batch(reader, body, prefer="odata.continue-on-error")
    assert (isinstance(first, Part) and first.status == 200 and first.body == "20") or int(first.body) > 0  # type: ignore[union-attr]
    assert isinstance(second, Part) and second.status == 403
    assert (
        toy.client(None)
        .post("$batch", content=body, headers={"content-type": f"multipart/mixed; boundary={BOUNDARY}"})
        .status_code
        == 401
    )


@pytest.mark.parametrize(
    ("method", "content_type", "body", "status"),
    [("GET", None, b"", 405), ("POST", "text/plain", b"x", 415), ("POST", "multipart/mixed", b"--x--", 400),
     ("POST", f"multipart/mixed; boundary={BOUNDARY}", b"garbage", 400)],
)  # fmt: skip
def test_malformed_batches(lib: httpx.Client, method: str, content_type: str | None, body: bytes, status: int) -> None:
    headers = {"content-type": content_type} if content_type else {}
    assert lib.request(method, "$batch", content=body, headers=headers).status_code == status


def test_nested_batch_and_foreign_urls_are_rejected(lib: httpx.Client) -> None:
    (answer,) = post_batch(lib, batch(request_part("GET", "/somewhere/else/Authors")))
    assert isinstance(answer, Part) and answer.status in (400, 404)
    (answer,) = post_batch(lib, batch(request_part("POST", "$batch", {})))
    assert isinstance(answer, Part) and answer.status == 400


# --- JSON ------------------------------------------------------------------------------------


def post_json_batch(client: httpx.Client, requests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    response = client.post("$batch", json={"requests": requests})
    assert response.status_code == 200, response.text
    return {r["id"]: r for r in response.json()["responses"]}


def test_json_batch_atomicity_groups_and_dependencies(toy: Toy, lib: httpx.Client) -> None:
    good, bad = next(_ids), next(_ids)
    headers = {"content-type": "application/json"}
    answers = post_json_batch(lib, [
        {"id": "a1", "method": "POST", "url": "Authors", "atomicityGroup": "g1", "headers": headers,
         "body": {"ID": good, "name": "Grouped"}},
        {"id": "a2", "method": "POST", "url": "$a1/books", "atomicityGroup": "g1", "dependsOn": ["a1"],
         "headers": headers, "body": {"title": "Grouped book"}},
        {"id": "b1", "method": "POST", "url": "Authors", "atomicityGroup": "g2", "headers": headers,
         "body": {"ID": bad, "name": "Never"}},
        {"id": "b2", "method": "POST", "url": "Authors", "atomicityGroup": "g2", "headers": headers,
         "body": {"ID": bad, "name": None}},
        {"id": "r1", "method": "GET", "url": f"Authors({good})?$expand=books", "dependsOn": ["g1"]},
        {"id": "r2", "method": "GET", "url": f"Authors({bad})", "dependsOn": ["g2"]},
        {"id": "r3", "method": "GET", "url": "Genres/$count"},
    ])  # fmt: skip
    assert answers["a1"]["status"] == 201 and answers["a2"]["status"] == 201
    assert answers["r1"]["status"] == 200 and [b["title"] for b in answers["r1"]["body"]["books"]] == ["Grouped book"]
    assert answers["r2"]["status"] == 424
    assert answers["r3"]["status"] == 200 and str(answers["r3"]["body"]) == "4"
    failed = [answers[i] for i in ("b1", "b2") if i in answers]
    assert failed and all(a["status"] >= 400 for a in failed)
    assert toy.rows('SELECT "ID" FROM "lib_Authors" WHERE "ID" IN (:a, :b)', a=good, b=bad) == [{"ID": good}]


def test_json_batch_reference_to_a_patched_entity(lib: httpx.Client) -> None:
    author = next(_ids)
    headers = {"content-type": "application/json"}
    answers = post_json_batch(lib, [
        {"id": "1", "method": "POST", "url": "Authors", "atomicityGroup": "g", "headers": headers,
         "body": {"ID": author, "name": "Ref"}},
        {"id": "2", "method": "PATCH", "url": "$1", "atomicityGroup": "g", "headers": headers,
         "body": {"country": "DE"}},
        {"id": "3", "method": "GET", "url": f"Authors({author})/country", "dependsOn": ["g"]},
        {"id": "4", "method": "GET", "url": f"Books({book_id(1)})/title"},
    ])  # fmt: skip
    assert answers["2"]["status"] == 200 and answers["2"]["body"]["country"] == "DE"
    assert answers["3"]["body"]["value"] == "DE"
    assert answers["4"]["body"]["value"] == "Notes on the Analytical Engine"
