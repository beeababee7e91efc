"""The toy library service on a real socket, once per test module and database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
from tests.odata4.toy import ROOT, create_app
from tests.support.server import serve


@dataclass
class Toy:
    url: str  # the service root, without a trailing slash
    engine: sa.Engine
    client: Callable[[str | None], httpx.Client]

    def rows(self, sql: str, **params: object) -> list[dict[str, object]]:
        """Rows straight from the database, to check what a request really persisted."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


@pytest.fixture(scope="module")
def toy(module_db_url: str, request: pytest.FixtureRequest) -> Iterator[Toy]:
    """The toy app; a test module may set `TOY_OPTIONS` (e.g. a small `max_page_size`)."""
    app = create_app(module_db_url, **getattr(request.module, "TOY_OPTIONS", {}))
    clients: list[httpx.Client] = []
    with serve(app) as base:

        def client(user: str | None = "lib") -> httpx.Client:
            made = httpx.Client(base_url=base + ROOT + "/", auth=(user, user) if user else None, timeout=30)
            clients.append(made)
            return made

        yield Toy(base + ROOT, app.state.engine, client)
        for made in clients:
            made.close()


@pytest.fixture(scope="module")
def lib(toy: Toy) -> httpx.Client:
    return toy.client("lib")


@pytest.fixture(scope="module")
def reader(toy: Toy) -> httpx.Client:
    return toy.client("reader")
