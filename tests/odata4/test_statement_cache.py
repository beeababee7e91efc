"""Reads reuse the statements built for an earlier request of the same shape (see
`odata4.sql.plans`): the statements are cached, never the rows they return."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from tests.odata4.conftest import Toy
from tests.odata4.test_reads import books_of, value
from tests.odata4.toy import AUTHORS

from odata4.sql.plans import PlanCache
from odata4.uri import ast
from odata4.uri.options import parse_query_options


class Executed:
    """The statement objects the engine is given, with their parameters."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.calls: list[tuple[Any, dict[str, Any]]] = []
        self.lock = threading.Lock()
        sa.event.listen(engine, "before_execute", self._record)

    def _record(self, conn: Any, clauseelement: Any, multiparams: Any, params: Any, execution_options: Any) -> None:
        with self.lock:
            given = multiparams[0] if multiparams and isinstance(multiparams[0], dict) else params
            self.calls.append((clauseelement, dict(given or {})))

    def take(self) -> list[tuple[Any, dict[str, Any]]]:
        with self.lock:
            taken, self.calls = self.calls, []
        return [(stmt, params) for stmt, params in taken if isinstance(stmt, sa.Select)]

    def close(self) -> None:
        sa.event.remove(self.engine, "before_execute", self._record)


@pytest.fixture
def executed(toy: Toy) -> Iterator[Executed]:
    recorder = Executed(toy.engine)
    yield recorder
    recorder.close()


LIST = "Authors?$count=true&$select=name&$expand=books($select=title;$orderby=title)&$orderby=ID&$top=2"


def test_a_repeated_read_executes_the_same_statements(lib: httpx.Client, executed: Executed) -> None:
    first = lib.get(LIST)
    assert first.status_code == 200, first.text
    built = executed.take()
    assert len(built) == 3  # count, page, books
    second = lib.get(LIST)
    assert second.json() == first.json()
    again = executed.take()
    assert [stmt for stmt, _ in again] == [stmt for stmt, _ in built]
    assert all(a is b for (a, _), (b, _) in zip(again, built, strict=True))


def test_the_rows_are_read_anew(toy: Toy, lib: httpx.Client) -> None:
    url = "Authors?$count=true&$filter=country eq 'XX'&$orderby=ID"
    assert lib.get(url).json()["@odata.count"] == 0
    created = lib.post("Authors", json={"ID": 9901, "name": "Cached Not", "country": "XX"})
    assert created.status_code == 201, created.text
    try:
        answer = lib.get(url).json()
        assert answer["@odata.count"] == 1
        assert [a["ID"] for a in answer["value"]] == [9901]
    finally:
        assert lib.delete("Authors(9901)").status_code == 204


def test_expansions_of_every_page_share_a_statement_with_their_own_keys(lib: httpx.Client, executed: Executed) -> None:
    """Each page's books come from one cached statement, bound to that page's authors."""
    authors = sorted(a[0] for a in AUTHORS)
    statements = set()
    for skip in range(0, len(authors), 2):
        rows = value(lib, f"Authors?$select=ID&$expand=books($select=ID;$orderby=ID)&$orderby=ID&$top=2&$skip={skip}")
        assert [r["ID"] for r in rows] == authors[skip : skip + 2]
        for row in rows:
            assert [b["ID"] for b in row["books"]] == sorted(b["ID"] for b in books_of(row["ID"]))
        (_, _page), (books, params) = executed.take()
        statements.add(id(books))
        assert sorted(params["keys"]) == authors[skip : skip + 2]
    assert len(statements) == 1


def test_other_values_are_other_statements(lib: httpx.Client, executed: Executed) -> None:
    lib.get("Books?$filter=stock eq 1")
    (one,) = executed.take()
    lib.get("Books?$filter=stock eq 2")
    (two,) = executed.take()
    assert one[0] is not two[0]
    assert value(lib, "Books?$filter=stock eq 1&$select=stock") != value(lib, "Books?$filter=stock eq 2&$select=stock")


def test_shape_tells_literal_kinds_apart_and_ignores_the_format() -> None:
    def shape(query: str) -> tuple[object, ...]:
        return ast.shape(parse_query_options(urllib.parse.parse_qsl(query)))

    assert shape("$filter=stock eq 1") != shape("$filter=stock eq 1.0")
    assert shape("$filter=available eq true") != shape("$filter=available eq 'true'")
    assert shape("$top=2&$format=json") == shape("$top=2")
    assert shape("$expand=books($top=1)") != shape("$expand=books($top=2)")
    assert shape("$expand=books($top=1)") == shape("$expand=books($top=1)")


def test_the_cache_forgets_the_least_recently_used() -> None:
    cache: PlanCache[str] = PlanCache(size=2)
    cache.get("a", lambda: "A")
    cache.get("b", lambda: "B")
    assert cache.get("a", lambda: "A2") == "A"  # a is now the most recent
    cache.get("c", lambda: "C")  # b goes
    assert cache.get("b", lambda: "B2") == "B2"
    assert cache.get("a", lambda: "A3") == "A3"  # c and b were newer
    assert len(cache) == 2


def test_a_failed_build_is_not_cached() -> None:
    cache: PlanCache[str] = PlanCache()

    def fail() -> str:
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        cache.get("k", fail)
    assert cache.get("k", lambda: "built") == "built"


def test_reads_by_key_share_a_statement_with_the_key_as_parameter(lib: httpx.Client, executed: Executed) -> None:
    authors = sorted(a[0] for a in AUTHORS)[:3]
    statements = set()
    for author in authors:
        answer = lib.get(f"Authors({author})?$select=ID,name")
        assert answer.status_code == 200, answer.text
        assert answer.json()["ID"] == author
        ((statement, params),) = executed.take()
        statements.add(id(statement))
        assert params == {"key_ID": author}
    assert len(statements) == 1
    assert lib.get("Authors(987654)").status_code == 404


def test_keys_on_both_ends_of_a_navigation(lib: httpx.Client) -> None:
    """Two key conditions in one statement (the parent's inside the navigation's subquery)."""
    author = sorted(a[0] for a in AUTHORS)[0]
    book = sorted(b["ID"] for b in books_of(author))[0]
    answer = lib.get(f"Authors({author})/books({book})?$select=ID")
    assert answer.status_code == 200, answer.text
    assert answer.json()["ID"] == book
    other = sorted(a[0] for a in AUTHORS)[1]
    assert lib.get(f"Authors({other})/books({book})").status_code == 404
