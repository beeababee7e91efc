"""POST, PATCH, PUT and DELETE on the toy library over a real socket, checked in the database."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

import httpx
import pytest
from tests.odata4.conftest import Toy
from tests.odata4.toy import BIG_STOCK, book_id

_ids = itertools.count(1000)
IEEE754_JSON = {"content-type": "application/json;IEEE754Compatible=true"}


def new_author(lib: httpx.Client, **extra: Any) -> int:
    author_id = next(_ids)
    response = lib.post("Authors", json={"ID": author_id, "name": f"Author {author_id}", **extra})
    assert response.status_code == 201, response.text
    return author_id


def new_book(lib: httpx.Client, author: int, **extra: Any) -> dict[str, Any]:
    response = lib.post(f"Authors({author})/books", json={"title": "A book", **extra})
    assert response.status_code == 201, response.text
    book: dict[str, Any] = response.json()
    return book


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    inner: dict[str, Any] = response.json()["error"]
    return inner


# --- POST --------------------------------------------------------------------------------------


def test_deep_insert_through_compositions(toy: Toy, lib: httpx.Client) -> None:
    author_id = next(_ids)
    body = {
        "ID": author_id,
        "name": "Deep",
        "createdBy": "mallory",  # managed: the server decides
        "books": [
            {"title": "One", "rating": 5, "reviews": [{"stars": 4, "text": "fine"}, {"stars": 2}]},
            {"title": "Two", "price": 12.5, "stock": "7"},
        ],
    }
    response = lib.post("Authors", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"Authors({author_id})"
    doc = response.json()
    assert doc["@odata.context"] == "$metadata#Authors/$entity"
    assert doc["country"] == "GB"  # default
    assert doc["createdBy"] == doc["modifiedBy"] == "lib"
    created = dt.datetime.fromisoformat(doc["createdAt"].replace("Z", "+00:00"))
    assert abs(created - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert "books" not in doc
    books = toy.rows('SELECT * FROM "lib_Books" WHERE "author_ID" = :a ORDER BY "title"', a=author_id)
    assert [b["title"] for b in books] == ["One", "Two"]
    one, two = books
    assert one["rating"] == 0 and one["stock"] == 0 and one["available"] in (True, 1)  # computed ignored, defaults
    assert two["stock"] == 7 and float(two["price"]) == 12.5
    assert uuid.UUID(one["ID"]) and one["createdBy"] == "lib"
    reviews = toy.rows('SELECT * FROM "lib_Reviews" WHERE "book_ID" = :b ORDER BY "stars"', b=one["ID"])
    assert [(r["stars"], r["text"]) for r in reviews] == [(2, None), (4, "fine")]
    expanded = lib.get(f"Authors({author_id})?$expand=books($expand=reviews)").json()
    assert sorted(len(b["reviews"]) for b in expanded["books"]) == [0, 2]


def test_post_answers_with_the_etag_and_honours_ieee754(lib: httpx.Client) -> None:
    author = new_author(lib)
    response = lib.post(
        f"Authors({author})/books", content=f'{{"title":"Big","stock":"{BIG_STOCK}","price":"1234567.89"}}',
        headers=IEEE754_JSON | {"accept": "application/json;IEEE754Compatible=true"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    doc = response.json()
    assert doc["stock"] == str(BIG_STOCK) and doc["price"] == "1234567.89"
    assert response.headers["location"] == f"Books({doc['ID']})"
    assert response.headers.get("etag") == lib.get(f"Books({doc['ID']})").headers["etag"]
    assert lib.get(f"Books({doc['ID']})/stock/$value").text == str(BIG_STOCK)


def test_client_keys_are_kept_and_duplicates_rejected(lib: httpx.Client) -> None:
    key = str(uuid.uuid4())
    author = new_author(lib)
    assert new_book(lib, author, ID=key)["ID"] == key
    assert lib.post(f"Authors({author})/books", json={"ID": key, "title": "again"}).status_code in (400, 409)
    assert lib.post("Authors", json={"ID": author, "name": "again"}).status_code in (400, 409)
    error(lib.post("Authors", json={"name": "no key"}), 400)


def test_prefer_return_minimal(lib: httpx.Client) -> None:
    author_id = next(_ids)
    response = lib.post("Authors", json={"ID": author_id, "name": "Min"}, headers={"prefer": "return=minimal"})
    assert response.status_code == 204 and response.content == b""
    assert response.headers["preference-applied"] == "return=minimal"
    assert response.headers["location"] == f"Authors({author_id})"
    response = lib.patch(f"Authors({author_id})", json={"name": "Min2"}, headers={"prefer": "return=minimal"})
    assert response.status_code == 204 and response.headers["preference-applied"] == "return=minimal"
    assert lib.get(f"Authors({author_id})/name").json()["value"] == "Min2"


@pytest.mark.parametrize(
    ("body", "target"),
    [({"stock": "abc"}, "stock"), ({"stock": 1.5}, "stock"), ({"stock": 2**63}, "stock"), ({"price": "x"}, "price"),
     ({"price": True}, "price"), ({"price": 12345678.5}, "price"), ({"published": "2024-13-01"}, "published"),
     ({"published": 20240101}, "published"), ({"available": "yes"}, "available"), ({"title": "x" * 101}, "title"),
     ({"title": 5}, "title"), ({"title": None}, "title"), ({"isbn": "1" * 14}, "isbn"),
     ({"lastSold": "soon"}, "lastSold"),
     ({"ID": "not-a-guid"}, "ID"), ({"genre_code": "TOOLONG"}, "genre_code"), ({"nope": 1}, "nope"),
     ({"author": {"ID": 1}}, "author")],
)  # fmt: skip
def test_type_errors_are_400_with_a_target(toy: Toy, lib: httpx.Client, body: dict[str, Any], target: str) -> None:
    author = new_author(lib)
    inner = error(lib.post(f"Authors({author})/books", json={"title": "t", **body}), 400)
    assert inner["target"] == target
    assert toy.rows('SELECT "ID" FROM "lib_Books" WHERE "author_ID" = :a', a=author) == []


def test_missing_mandatory_property_is_400(lib: httpx.Client) -> None:
    author = new_author(lib)
    assert error(lib.post(f"Authors({author})/books", json={"stock": 1}), 400)["target"] == "title"
    assert error(lib.post("Authors", json={"ID": next(_ids)}), 400)["target"] == "name"


def test_failed_deep_insert_persists_nothing(toy: Toy, lib: httpx.Client) -> None:
    author_id = next(_ids)
    body = {"ID": author_id, "name": "Half", "books": [{"title": "ok"}, {"title": "x" * 101}]}
    assert error(lib.post("Authors", json=body), 400)["target"].endswith("title")
    assert toy.rows('SELECT 1 FROM "lib_Authors" WHERE "ID" = :a', a=author_id) == []
    assert toy.rows('SELECT 1 FROM "lib_Books" WHERE "author_ID" = :a', a=author_id) == []


def test_handler_errors_carry_their_target(lib: httpx.Client) -> None:
    book = new_book(lib, new_author(lib))
    inner = error(lib.post(f"Books({book['ID']})/reviews", json={"stars": 9}), 400)
    assert inner == {"message": "Stars must be between 1 and 5", "code": "STARS", "target": "stars",
                     "@Common.numericSeverity": 4}  # fmt: skip
    assert lib.post(f"Books({book['ID']})/reviews", json={"stars": 5}).status_code == 201


@pytest.mark.parametrize(
    ("headers", "content", "status"),
    [({"content-type": "text/plain"}, b"{}", 415), ({}, b"{}", 415), ({"content-type": "application/json"}, b"{", 400),
     ({"content-type": "application/json"}, b"[]", 400), ({"content-type": "application/json"}, b"null", 400),
     ({"content-type": "application/json"}, b"\xff", 400), ({"content-type": "application/json"}, b"", 400)],
)  # fmt: skip
def test_body_errors(lib: httpx.Client, headers: dict[str, str], content: bytes, status: int) -> None:
    assert lib.post("Authors", content=content, headers=headers).status_code == status


def test_create_rules_per_entity_set(lib: httpx.Client) -> None:
    assert error(lib.post("Genres", json={"code": "NEW", "name": "n"}), 405)["code"] == "ENTITY_IS_READ_ONLY"
    assert lib.post("Loans", json={"due": "2024-01-01"}).status_code == 405
    assert lib.post("Authors(424242)/books", json={"title": "orphan"}).status_code == 404
    assert lib.post(f"Authors(1)/books({book_id(1)})", json={"title": "x"}).status_code == 405


# --- PATCH, PUT ------------------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent(toy: Toy, lib: httpx.Client) -> None:
    author = new_author(lib)
    book = new_book(lib, author, isbn="111", price=3.5, stock=4)
    before = toy.rows('SELECT * FROM "lib_Books" WHERE "ID" = :b', b=book["ID"])[0]
    response = toy.client("reader").patch(f"Books({book['ID']})", json={"title": "nope"})
    assert response.status_code == 403
    body = {
        "title": "Changed",
        "ID": str(uuid.uuid4()),
        "isbn": "222",
        "rating": 4,
        "createdBy": "x",
        "genre_code": "POE",
    }
    response = lib.patch(f"Books({book['ID']})", json=body)
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["ID"] == book["ID"] and doc["title"] == "Changed" and doc["genre_code"] == "POE"
    assert doc["isbn"] == "111" and doc["rating"] == 0 and doc["price"] == 3.5 and doc["stock"] == 4
    after = toy.rows('SELECT * FROM "lib_Books" WHERE "ID" = :b', b=book["ID"])[0]
    assert after["createdAt"] == before["createdAt"] and after["createdBy"] == "lib"
    assert after["modifiedAt"] > before["modifiedAt"]
    assert response.headers.get("etag") == lib.get(f"Books({book['ID']})").headers["etag"]


def test_patch_errors(lib: httpx.Client) -> None:
    author = new_author(lib)
    book = new_book(lib, author)
    assert lib.patch(f"Books({uuid.uuid4()})", json={"title": "x"}).status_code == 404
    assert error(lib.patch(f"Books({book['ID']})", json={"title": None}), 400)["target"] == "title"
    assert error(lib.patch(f"Books({book['ID']})", json={"stock": "x"}), 400)["target"] == "stock"
    assert lib.patch(f"Books({book['ID']})", json={"reviews": [{"stars": 1}]}).status_code == 400
    assert lib.patch("Books", json={"title": "x"}).status_code == 405
    assert lib.patch("Genres('FIC')", json={"name": "x"}).status_code == 405


def test_patch_and_delete_through_a_to_one_navigation(toy: Toy, lib: httpx.Client) -> None:
    author = new_author(lib)
    book = new_book(lib, author)
    response = lib.patch(f"Books({book['ID']})/author", json={"name": "Renamed"})
    assert response.status_code == 200, response.text
    assert response.json()["ID"] == author and response.json()["name"] == "Renamed"
    assert lib.patch(f"Authors({author})/books({book['ID']})", json={"stock": 2}).json()["stock"] == 2
    assert lib.delete(f"Books({book['ID']})/author").status_code == 204
    assert toy.rows('SELECT 1 FROM "lib_Authors" WHERE "ID" = :a', a=author) == []


def test_put_resets_what_is_not_sent(toy: Toy, lib: httpx.Client) -> None:
    author = new_author(lib)
    book = new_book(lib, author, isbn="333", price=9.99, stock=5, available=False, published="2001-01-01")
    response = lib.put(f"Books({book['ID']})", json={"title": "Replaced", "author_ID": author})
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["title"] == "Replaced" and doc["isbn"] == "333"  # immutable stays
    assert doc["price"] is None and doc["published"] is None
    assert doc["stock"] == 0 and doc["available"] is True  # defaults again
    assert doc["createdBy"] == "lib"
    assert error(lib.put(f"Books({book['ID']})", json={"stock": 1, "author_ID": author}), 400)["target"] == "title"
    assert lib.put(f"Books({uuid.uuid4()})", json={"title": "x"}).status_code == 404
    assert lib.put("Books", json={"title": "x"}).status_code == 405


# --- ETags ----------------------------------------------------------------------------------------


def test_if_match(toy: Toy, lib: httpx.Client) -> None:
    author = new_author(lib)
    etag = lib.get(f"Authors({author})").headers["etag"]
    assert lib.patch(f"Authors({author})", json={"name": "x"}, headers={"if-match": 'W/"stale"'}).status_code == 412
    response = lib.patch(f"Authors({author})", json={"name": "y"}, headers={"if-match": etag})
    assert response.status_code == 200
    assert lib.get(f"Authors({author})").headers["etag"] != etag
    assert lib.patch(f"Authors({author})", json={"name": "z"}, headers={"if-match": etag}).status_code == 412
    assert lib.patch(f"Authors({author})", json={"name": "z"}, headers={"if-match": "*"}).status_code == 200
    assert lib.delete(f"Authors({author})", headers={"if-match": etag}).status_code == 412
    assert toy.rows('SELECT "name" FROM "lib_Authors" WHERE "ID" = :a', a=author) == [{"name": "z"}]
    current = lib.get(f"Authors({author})").headers["etag"]
    assert (
        lib.put(f"Authors({author})", json={"name": "p"}, headers={"if-match": f'W/"x", {current}'}).status_code == 200
    )
    assert lib.patch("Authors(424242)", json={"name": "x"}, headers={"if-match": "*"}).status_code == 404
    assert (
        lib.delete(
            f"Authors({author})", headers={"if-match": lib.get(f"Authors({author})").headers["etag"]}
        ).status_code
        == 204
    )


def test_if_none_match(lib: httpx.Client) -> None:
    author = new_author(lib)
    etag = lib.get(f"Authors({author})").headers["etag"]
    assert lib.patch(f"Authors({author})", json={"name": "x"}, headers={"if-none-match": "*"}).status_code == 412
    assert lib.patch(f"Authors({author})", json={"name": "x"}, headers={"if-none-match": etag}).status_code == 412
    assert (
        lib.patch(f"Authors({author})", json={"name": "x"}, headers={"if-none-match": 'W/"other"'}).status_code == 200
    )


def test_etag_is_in_payloads_too(lib: httpx.Client) -> None:
    author = new_author(lib)
    one = lib.get(f"Authors({author})")
    assert one.json()["@odata.etag"] == one.headers["etag"]
    rows = lib.get(f"Authors?$filter=ID eq {author}&$select=name").json()["value"]
    assert rows[0]["@odata.etag"] == one.headers["etag"]
    assert lib.get(f"Authors({author})?$select=name").headers["etag"] == one.headers["etag"]


# --- DELETE ---------------------------------------------------------------------------------------


def test_delete_cascades_through_compositions(toy: Toy, lib: httpx.Client) -> None:
    author = new_author(lib)
    books = [new_book(lib, author)["ID"] for _ in range(3)]
    for book in books:
        assert lib.post(f"Books({book})/reviews", json={"stars": 3}).status_code == 201
    other = new_author(lib)
    kept = new_book(lib, other)["ID"]
    assert lib.post(f"Books({kept})/reviews", json={"stars": 3}).status_code == 201
    assert toy.client("reader").delete(f"Authors({author})").status_code == 403
    assert lib.delete(f"Authors({author})").status_code == 204
    assert toy.rows('SELECT 1 FROM "lib_Authors" WHERE "ID" = :a', a=author) == []
    assert toy.rows('SELECT 1 FROM "lib_Books" WHERE "author_ID" = :a', a=author) == []
    placeholders = ",".join(f"'{b}'" for b in books)
    assert toy.rows(f'SELECT 1 FROM "lib_Reviews" WHERE "book_ID" IN ({placeholders})') == []
    assert len(toy.rows('SELECT 1 FROM "lib_Reviews" WHERE "book_ID" = :b', b=kept)) == 1
    assert lib.delete(f"Authors({author})").status_code == 404
    assert lib.get(f"Books({books[0]})").status_code == 404


def test_delete_rules(lib: httpx.Client) -> None:
    assert lib.delete("Genres('FIC')").status_code == 405
    assert lib.delete("Authors").status_code == 405
    assert lib.delete(f"Books({uuid.uuid4()})").status_code == 404


# --- authorization ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "method", "path", "body", "status"),
    [(None, "POST", "Authors", {"ID": 1, "name": "x"}, 401),
     ("guest", "POST", "Authors", {"ID": 1, "name": "x"}, 403),
     ("reader", "POST", "Authors", {"ID": 1, "name": "x"}, 403),
     ("reader", "POST", f"Books({book_id(1)})/reviews", {"stars": 2}, 201),
     ("guest", "POST", f"Books({book_id(1)})/reviews", {"stars": 2}, 403),
     ("reader", "PATCH", f"Reviews({book_id(1001)})", {"stars": 2}, 403),
     ("reader", "DELETE", f"Reviews({book_id(1001)})", None, 403),
     ("reader", "PATCH", f"Loans({book_id(5001)})", {"returned": True}, 403),
     ("lib", "PATCH", f"Loans({book_id(5001)})", {"returned": True}, 200),
     ("reader", "DELETE", "Genres('FIC')", None, 405),
     ("guest", "POST", "Loans", {}, 403)],
)  # fmt: skip
def test_write_restrictions(toy: Toy, user: str | None, method: str, path: str, body: Any, status: int) -> None:
    response = toy.client(user).request(method, path, json=body)
    assert response.status_code == status, response.text
