"""Server-driven paging: follow `@odata.nextLink` until it ends; every row comes exactly once.

The server here answers at most `PAGE` rows at a time. A next link is relative to the
service root (the base of the context URL `$metadata#...`), as OData's JSON format says.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from tests.odata4.toy import AUTHORS, book_id, books_seed

PAGE = 4
TOY_OPTIONS = {"max_page_size": PAGE}
BOOKS = books_seed()


def pages(client: httpx.Client, url: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every page of a collection read, by following the next links."""
    docs = []
    for _ in range(100):
        response = client.get(url, params=params)
        params = None  # a next link carries them
        assert response.status_code == 200, response.text
        doc = response.json()
        assert len(doc["value"]) <= PAGE
        docs.append(doc)
        url = doc.get("@odata.nextLink")
        if url is None:
            return docs
        assert not url.startswith("/") and "://" not in url
    raise AssertionError("the next links never end")


def rows(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for doc in docs for row in doc["value"]]


def test_all_rows_once_in_key_order(lib: httpx.Client) -> None:
    docs = pages(lib, "Books?$select=title")
    assert len(docs) == 5 and [len(d["value"]) for d in docs] == [4, 4, 4, 4, 4]
    assert [r["ID"] for r in rows(docs)] == sorted(b["ID"] for b in BOOKS)
    assert "@odata.nextLink" not in docs[-1]


@pytest.mark.parametrize(
    "orderby", ["available", "price desc", "genre/name,published desc", "author/name desc,stock", "lastSold"]
)
def test_no_duplicates_or_gaps_with_non_unique_orderings(lib: httpx.Client, orderby: str) -> None:
    everything = lib.get(f"Books?$orderby={orderby}&$top=100").json()["value"]
    assert len(everything) == PAGE  # $top does not lift the server's page size...
    paged = rows(pages(lib, f"Books?$orderby={orderby}"))
    assert len(paged) == len(BOOKS) and len({r["ID"] for r in paged}) == len(BOOKS)
    assert paged[:PAGE] == everything  # ...and the first page is the same either way


def test_top_counts_across_pages(lib: httpx.Client) -> None:
    for top in (1, 3, 4, 5, 8, 10, 19, 20, 25):
        got = [r["ID"] for r in rows(pages(lib, f"Books?$top={top}&$orderby=ID"))]
        assert got == sorted(b["ID"] for b in BOOKS)[:top], top


def test_skip_with_paging(lib: httpx.Client) -> None:
    for skip, top in ((5, None), (5, 6), (18, None), (0, 9), (30, None)):
        query = f"Books?$orderby=ID&$skip={skip}" + ("" if top is None else f"&$top={top}")
        got = [r["ID"] for r in rows(pages(lib, query))]
        expected = sorted(b["ID"] for b in BOOKS)[skip:]
        assert got == (expected if top is None else expected[:top]), query


def test_count_filter_search_expand_survive_the_link(lib: httpx.Client) -> None:
    params = {"$count": "true", "$filter": "stock ge 0 and title ne 'x&y'", "$search": "a",
              "$expand": "author($select=name)", "sap-language": "EN"}  # fmt: skip
    docs = pages(lib, "Books", params)
    expected = {b["ID"] for b in BOOKS if "a" in (b["title"] + b["isbn"]).lower()}
    assert {d["@odata.count"] for d in docs} == {len(expected)}
    assert {r["ID"] for r in rows(docs)} == expected and len(rows(docs)) == len(expected)
    assert all(r["author"]["name"] for r in rows(docs))
    query = dict(parse_qsl(urlsplit(docs[0]["@odata.nextLink"]).query))
    assert query["$filter"] == "stock ge 0 and title ne 'x&y'" and query["sap-language"] == "EN"


def test_special_characters_in_options_survive_the_link(lib: httpx.Client) -> None:
    params = {"$filter": "author/name ne 'Émile Zola' and not contains(title,'%') and title ne 'a+b#c;d=e/f?'",
              "$search": '"e"'}  # fmt: skip
    got = rows(pages(lib, "Books", params))
    expected = {
        b["ID"]
        for b in BOOKS
        if b["author_ID"] != 2 and "%" not in b["title"] and "e" in (b["title"] + b["isbn"]).lower()
    }
    assert {r["ID"] for r in got} == expected and len(got) == len(expected)


def test_navigation_collections_page_too(lib: httpx.Client) -> None:
    docs = pages(lib, "Authors(2)/books?$orderby=title")
    got = [r["title"] for r in rows(docs)]
    assert got == sorted(b["title"] for b in BOOKS if b["author_ID"] == 2)
    assert len(docs) == 2 and docs[0]["@odata.nextLink"].startswith("Authors(2)/books?")


def test_expanded_collections_are_not_cut_at_the_page_size(lib: httpx.Client) -> None:
    author = lib.get("Authors(2)?$expand=books").json()
    assert len(author["books"]) == sum(1 for b in BOOKS if b["author_ID"] == 2) > PAGE
    assert len(rows(pages(lib, "Authors?$expand=books"))) == len(AUTHORS)


def test_small_results_have_no_link(lib: httpx.Client) -> None:
    assert "@odata.nextLink" not in lib.get(f"Books?$top={PAGE}").json()
    assert "@odata.nextLink" not in lib.get("Books?$filter=author_ID eq 1").json()
    assert "@odata.nextLink" not in lib.get(f"Books?$skip={len(BOOKS) - PAGE}").json()
    assert lib.get(f"Books({book_id(1)})").status_code == 200


@pytest.mark.parametrize("token", ["x", "-1", "1.5", "", "²", "9223372036854775808", "99999999999999999999999"])
def test_invalid_skiptoken_is_400(lib: httpx.Client, token: str) -> None:
    assert lib.get(f"Books?$skiptoken={token}").status_code == 400
    assert lib.get("Books?$skip=9223372036854775807&$skiptoken=1").status_code == 400
