"""The SAP HANA path without a HANA: every statement the layer runs, compiled for HANA.

Representative requests run against the toy library (and the bpverify app, for drafts) on
SQLite, while SQLAlchemy's `before_execute` event records the statement objects the layer
builds — the very objects a HANA connection would get. Each is then compiled with the
HANA dialect of `sqlalchemy-hana`, with literal values inlined where the dialect can, and
a few fragments prove that the HANA spelling of functions and paging is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.elements import ClauseElement
from tests.odata4.test_reads import AUTHOR_FILTERS, BOOK_FILTERS
from tests.odata4.toy import ROOT, book_id
from tests.odata4.toy import create_app as create_toy_app
from tests.support.asgi import AsgiClient

from bpverify.app import create_app as create_bpverify_app
from bpverify.service.definition import PATH as BPVERIFY_ROOT
from bpverify.settings import Settings

HANA: Dialect = sa.dialects.registry.load("hana")()


class Recorder:
    """Collects the statements an engine executes; `take()` hands over what came since."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements: list[ClauseElement] = []
        sa.event.listen(engine, "before_execute", self._record)

    def _record(self, conn: Any, clauseelement: Any, multiparams: Any, params: Any, execution_options: Any) -> None:
        element = clauseelement
        if isinstance(element, ClauseElement):
            # cached statements take some values as parameters at execution: bind them for the compile
            values = dict(params or {})
            if isinstance(multiparams, list | tuple) and len(multiparams) == 1 and isinstance(multiparams[0], dict):
                values.update(multiparams[0])
            bind = values and isinstance(element, sa.Select)  # DML keeps its values apart, compiled as parameters
            self.statements.append(element.params(values) if bind else element)

    def take(self) -> list[ClauseElement]:
        taken, self.statements = self.statements, []
        return taken


def hana_sql(statement: ClauseElement) -> str:
    """HANA SQL with literal values where the dialect can render them, else with parameters."""
    try:
        return str(statement.compile(dialect=HANA, compile_kwargs={"literal_binds": True}))
    except (sa.exc.CompileError, NotImplementedError):
        return str(statement.compile(dialect=HANA))


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AsgiClient, Recorder]]:
    app = create_toy_app(f"sqlite:///{tmp_path_factory.mktemp('hana') / 'toy.sqlite'}", max_page_size=4)
    client = AsgiClient(app, f"http://test{ROOT}/", ("lib", "lib"))
    recorder = Recorder(app.state.engine)
    recorder.take()  # the seed's statements are not the layer's
    yield client, recorder
    client.close()


def run(toy: tuple[AsgiClient, Recorder], method: str, url: str, **kwargs: Any) -> list[str]:
    """The request's statements, compiled for HANA; the request itself must have worked."""
    client, recorder = toy
    recorder.take()
    response = client.request(method, url, **kwargs)
    assert response.status_code < 400, (url, response.text)
    statements = recorder.take()
    assert statements, url
    return [hana_sql(s) for s in statements]


READS = [
    *(f"Books?$filter={f}" for f, _ in BOOK_FILTERS),
    *(f"Authors?$filter={f}" for f, _ in AUTHOR_FILTERS),
    "Books?$orderby=price desc,author/name,genre/name desc&$top=3&$skip=2&$count=true",
    "Books?$orderby=stock mod 5,length(title) desc&$select=title,price",
    "Authors?$expand=books($filter=price gt 10;$orderby=price desc;$top=2;$skip=1;$count=true;$expand=reviews,genre)",
    "Genres?$expand=books($count=true;$select=title)&$filter=books/any(b: b/stock gt 9)",
    "Books?$search=analytical AND NOT sketch OR \"book of\"", "Authors?$search=zola", "Books/$count?$filter=available",
    "Authors(2)/books/$count", f"Books({book_id(4)})/author/books?$orderby=title", f"Books({book_id(4)})/title/$value",
    "Reviews?$filter=book/author/country eq 'PL'&$orderby=book/author/name desc,stars", "Books?$skiptoken=4",
]  # fmt: skip


@pytest.mark.parametrize("url", READS)
def test_reads_compile_for_hana(toy: tuple[AsgiClient, Recorder], url: str) -> None:
    for sql in run(toy, "GET", url):
        assert "SELECT" in sql


def test_writes_compile_for_hana(toy: tuple[AsgiClient, Recorder]) -> None:
    deep = {"ID": 900, "name": "Hana", "born": "1900-01-01",
            "books": [{"title": "t", "price": 1.5, "stock": 3, "lastSold": "2024-01-01T00:00:00Z",
                       "reviews": [{"stars": 1}]}]}  # fmt: skip
    statements = run(toy, "POST", "Authors", json=deep)
    assert sum(s.startswith("INSERT INTO") for s in statements) == 3
    book = toy[0].get("Authors(900)/books").json()["value"][0]["ID"]
    assert any(
        s.startswith("UPDATE") for s in run(toy, "PATCH", f"Books({book})", json={"title": "u", "available": False})
    )
    etag = toy[0].get("Authors(900)").headers["etag"]
    run(toy, "PUT", "Authors(900)", json={"name": "put"}, headers={"if-match": etag})
    run(toy, "PATCH", f"Books({book})/author", json={"country": "DE"})
    deleted = run(toy, "DELETE", "Authors(900)")
    assert sum(s.startswith("DELETE FROM") for s in deleted) == 3  # reviews, books, the author


def test_batch_change_set_compiles_for_hana(toy: tuple[AsgiClient, Recorder]) -> None:
    requests = [
        {"id": "1", "method": "POST", "url": "Authors", "atomicityGroup": "g", "body": {"ID": 901, "name": "B"},
         "headers": {"content-type": "application/json"}},
        {"id": "2", "method": "POST", "url": "$1/books", "atomicityGroup": "g", "body": {"title": "b"},
         "headers": {"content-type": "application/json"}},
    ]  # fmt: skip
    statements = run(toy, "POST", "$batch", json={"requests": requests})
    assert any("SAVEPOINT" in s or s.startswith("INSERT") for s in statements)


@pytest.mark.parametrize(
    ("url", "fragments"),
    [("Books?$filter=indexof(title,'Aleph') eq 3", ["LOCATE(", "- 1"]),
     ("Books?$filter=substring(title,1,3) eq 'erm'", ["SUBSTRING(", "CAST(1 AS INTEGER)) + 1"]),
     ("Books?$orderby=ID&$top=3&$skip=2", ["LIMIT 4 OFFSET 2"]),
     ("Books?$orderby=price desc,lastSold", ["DESC NULLS LAST", "ASC NULLS FIRST"]),
     ("Books?$filter=second(lastSold) eq 5", ["FLOOR(EXTRACT(SECOND FROM"]),
     ("Books?$filter=year(published) eq 1849", ["EXTRACT(YEAR FROM"]),
     ("Books?$filter=stock div 2 eq 3", ["FLOOR("]),
     ("Books?$filter=ceiling(price) eq 8 and floor(price) eq 7", ["CEIL(", "floor("]),
     ("Books?$filter=contains(title,'50%')", ["LIKE", "ESCAPE"]),
     ("Books?$filter=reviews/any(r: r/stars eq 5)", ["EXISTS (SELECT"]),
     ("Books?$filter=author/name eq 'x'", ["LIMIT 1"]),
     ("Books?$filter=concat(title,'!') eq 'Nana!'", ["||"]),
     ("Books?$search=engine", ["lower(", "LIKE"])],
)  # fmt: skip
def test_hana_spelling(toy: tuple[AsgiClient, Recorder], url: str, fragments: list[str]) -> None:
    sql = "\n".join(run(toy, "GET", url)).upper()  # SQLAlchemy spells some keywords in lower case
    for fragment in fragments:
        assert fragment.upper() in sql, (fragment, sql)
    assert "INSTR(" not in sql and "STRPOS(" not in sql and "SUBSTR(" not in sql and "STRFTIME" not in sql


def test_tables_compile_for_hana(toy: tuple[AsgiClient, Recorder]) -> None:
    client, _ = toy
    metadata = client.loop.run_until_complete(_metadata(client))
    for table in metadata.sorted_tables:
        ddl = str(sa.schema.CreateTable(table).compile(dialect=HANA))
        assert ddl.startswith("\nCREATE TABLE") or ddl.startswith("CREATE TABLE")
    for table in metadata.sorted_tables:
        for index in table.indexes:
            assert "CREATE INDEX" in str(sa.schema.CreateIndex(index).compile(dialect=HANA))


async def _metadata(client: AsgiClient) -> sa.MetaData:
    app = client.client._transport.app  # type: ignore[attr-defined]
    metadata: sa.MetaData = app.state.tables.metadata
    return metadata


# --- drafts (bpverify) -------------------------------------------------------------------------

NOTIFICATION = "2c728381-72ce-4fdd-8293-8add71579666"


@pytest.fixture(scope="module")
def bpverify(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AsgiClient, Recorder]]:
    app = create_bpverify_app(Settings(db_url=f"sqlite:///{Path(tmp_path_factory.mktemp('hana')) / 'bp.sqlite'}"))
    client = AsgiClient(app, f"http://test{BPVERIFY_ROOT}/", ("alice", "alice"))
    recorder = Recorder(app.state.engine)
    yield client, recorder
    client.close()


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [("GET", "Notifications?$filter=(IsActiveEntity eq false or SiblingEntity/IsActiveEntity eq null)"
              "&$expand=DraftAdministrativeData,verificationStatus,addresses&$count=true"
              "&$orderby=businessPartnerId", None),
     ("POST", f"Notifications(ID={NOTIFICATION},IsActiveEntity=true)/BusinessPartnerVerification.draftEdit", {}),
     ("GET", f"Notifications(ID={NOTIFICATION},IsActiveEntity=false)?$expand=addresses", None),
     ("PATCH", f"Notifications(ID={NOTIFICATION},IsActiveEntity=false)", {"verificationStatus_code": "P"}),
     ("POST", f"Notifications(ID={NOTIFICATION},IsActiveEntity=false)/BusinessPartnerVerification.draftActivate", {})],
)  # fmt: skip
def test_draft_statements_compile_for_hana(
    bpverify: tuple[AsgiClient, Recorder], method: str, url: str, body: Any
) -> None:
    kwargs = {} if body is None else {"json": body}
    for sql in run(bpverify, method, url, **kwargs):
        assert sql.strip()
