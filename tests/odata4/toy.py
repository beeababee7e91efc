"""A toy OData service that proves the layer knows nothing of business partners: a library.

    Authors 1──n Books        composition (deep insert, cascading delete), `@odata.etag` modifiedAt
    Books   1──n Reviews      composition, a `before CREATE` handler checks `stars`
    Books   n──1 Genres       association; Genres is read-only and has a to-many back link
    Loans                     not insertable, requires the Librarian role

Roles: `Reader` reads (and may create reviews), `Librarian` may do everything. Users come
from HTTP Basic with the password equal to the user name (see `USERS`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest

from odata4 import asgi
from odata4.auth import ANONYMOUS, User
from odata4.batch.handler import BatchHandler
from odata4.database import Database
from odata4.dispatcher import Dispatcher
from odata4.documents import build_documents
from odata4.edm.annotations import Annotation
from odata4.edm.cds import association, composition, cuid, element, managed, string
from odata4.edm.model import EntitySet, NavigationProperty, Property, Restriction, Service
from odata4.errors import BadRequest, Unauthorized
from odata4.handlers import Context, Handlers
from odata4.sql.scope import Model
from odata4.sql.store import Store
from odata4.sql.tables import Tables
from odata4.writes import WriteOperations

NAMESPACE = "Library"
ROOT = "/odata/v4/library"

USERS: dict[str, frozenset[str]] = {
    "lib": frozenset({"Librarian", "Reader"}),
    "reader": frozenset({"Reader"}),
    "guest": frozenset(),
}

READ_WRITE = (Restriction(grant=("READ",), to=("Reader",)), Restriction(grant=("*",), to=("Librarian",)))


# --- model --------------------------------------------------------------------------------


def _authors() -> EntitySet:
    return EntitySet(
        "Authors",
        table="lib_Authors",
        members=[
            element("ID", "Edm.Int32", key=True),
            Property("name", max_length=60, nullable=False, annotations=[Annotation("Common.Label", "Name")]),
            element("born", "Edm.Date"),
            string("country", 2, default="GB"),
            *managed(),
            composition("books", "Books", partner="author"),
        ],
        restrict=READ_WRITE,
        etag="modifiedAt",
    )


def _books() -> EntitySet:
    return EntitySet(
        "Books",
        table="lib_Books",
        members=[
            *cuid(),
            Property("title", max_length=100, nullable=False),
            Property("isbn", max_length=13, immutable=True, annotations=[Annotation("Core.Immutable", True)]),
            element("stock", "Edm.Int64", default=0),
            Property("price", "Edm.Decimal", precision=9, scale=2),
            element("published", "Edm.Date"),
            element("available", "Edm.Boolean", default=True),
            element("lastSold", "Edm.DateTimeOffset"),
            element("rating", "Edm.Int32", readonly=True, default=0),
            *association("author", "Authors", keys=[Property("ID", "Edm.Int32")], partner="books"),
            *association("genre", "Genres", keys=[Property("code", max_length=3)]),
            composition("reviews", "Reviews", partner="book"),
            *managed(),
        ],
        restrict=READ_WRITE,
        etag="modifiedAt",
        search=("title", "isbn"),
    )


def _reviews() -> EntitySet:
    return EntitySet(
        "Reviews",
        table="lib_Reviews",
        members=[
            *cuid(),
            *association("book", "Books", keys=[Property("ID", "Edm.Guid")], partner="reviews"),
            element("stars", "Edm.Int32"),
            string("text", 200),
        ],
        restrict=(
            Restriction(grant=("READ", "CREATE"), to=("Reader",)),
            Restriction(grant=("*",), to=("Librarian",)),
        ),
    )


def _genres() -> EntitySet:
    return EntitySet(
        "Genres",
        table="lib_Genres",
        members=[
            Property("code", max_length=3, key=True, nullable=False),
            string("name", 40),
            NavigationProperty("books", "Books", collection=True, partner="genre"),
        ],
        readonly=True,
    )


def _loans() -> EntitySet:
    return EntitySet(
        "Loans",
        table="lib_Loans",
        members=[
            *cuid(),
            *association("book", "Books", keys=[Property("ID", "Edm.Guid")]),
            element("due", "Edm.Date"),
            element("returned", "Edm.Boolean", default=False),
        ],
        insertable=False,
        requires=("Librarian",),
    )


def build_service() -> Service:
    return Service(NAMESPACE, [_authors(), _books(), _reviews(), _genres(), _loans()], requires=("authenticated-user",))


# --- seed data ------------------------------------------------------------------------------

T0 = dt.datetime(2024, 1, 2, 3, 4, 5, 678000)
BIG_STOCK = 9007199254740993  # 2**53 + 1: not representable as an IEEE 754 double

GENRES = [("FIC", "Fiction"), ("SCI", "Science"), ("HIS", "History"), ("POE", "Poetry")]
AUTHORS = [
    (1, "Ada Lovelace", dt.date(1815, 12, 10), "GB"),
    (2, "Émile Zola", dt.date(1840, 4, 2), "FR"),
    (3, "Jorge Luis Borges", dt.date(1899, 8, 24), "AR"),
    (4, "Wisława Szymborska", dt.date(1923, 7, 2), "PL"),
    (5, "Anonymous_100%", None, None),
]


def book_id(n: int) -> str:
    return str(uuid.UUID(int=n))


def books_seed() -> list[dict[str, Any]]:
    titles = [
        "Notes on the Analytical Engine", "Germinal", "Nana", "Ficciones", "El Aleph", "Labyrinths",
        "View with a Grain of Sand", "Calling Out to Yeti", "The Ladies' Paradise", "La Bête humaine",
        "Poems New and Collected", "Miracle Fair", "The Book of Sand", "Dreamtigers", "L'Assommoir",
        "Sketch of the Analytical Engine", "Therese Raquin", "50% Off_Sale", "O'Brien's Tales", "  Spaced Out  ",
    ]  # fmt: skip
    authors = [1, 2, 2, 3, 3, 3, 4, 4, 2, 2, 4, 4, 3, 3, 2, 1, 2, 5, 5, 5]
    genres = ["SCI", "FIC", "FIC", "FIC", "FIC", "FIC", "POE", "POE", "FIC", "FIC",
              "POE", "POE", "FIC", "POE", "FIC", "SCI", "FIC", None, "HIS", None]  # fmt: skip
    rows = []
    for n, (title, author, genre) in enumerate(zip(titles, authors, genres, strict=True), start=1):
        rows.append({
            "ID": book_id(n),
            "title": title,
            "isbn": f"978{n:010d}",
            "stock": BIG_STOCK if n == 7 else n * 3 % 11,
            "price": None if n == 20 else decimal.Decimal(f"{n * 7 % 50}.{n * 13 % 100:02d}"),
            "published": dt.date(1840 + n * 9, n % 12 + 1, n % 28 + 1),
            "available": n % 3 != 0,
            "lastSold": None if n % 5 == 0 else T0 + dt.timedelta(days=n * 17, hours=n, milliseconds=n * 111),
            "rating": n % 6,
            "author_ID": author,
            "genre_code": genre,
        })  # fmt: skip
    return rows


def reviews_seed() -> list[dict[str, Any]]:
    rows = []
    for n in range(1, 31):
        book = (n * 7) % 17 + 1  # books 18..20 have no reviews
        rows.append({"ID": book_id(1000 + n), "book_ID": book_id(book), "stars": n % 5 + 1, "text": f"review {n}"})
    return rows


def seed(engine: sa.Engine, service: Service, tables: Tables) -> None:
    """Create the tables and load the rows above, with managed values as the server sets them."""
    tables.metadata.drop_all(engine)
    tables.metadata.create_all(engine)
    rows: dict[str, list[dict[str, Any]]] = {
        "Genres": [{"code": c, "name": n} for c, n in GENRES],
        "Authors": [{"ID": i, "name": n, "born": b, "country": c} for i, n, b, c in AUTHORS],
        "Books": books_seed(),
        "Reviews": reviews_seed(),
        "Loans": [
            {"ID": book_id(5001), "book_ID": book_id(1), "due": dt.date(2024, 2, 1), "returned": False},
            {"ID": book_id(5002), "book_ID": book_id(2), "due": dt.date(2024, 3, 1), "returned": True},
        ],
    }
    with engine.begin() as conn:
        for name, items in rows.items():
            entity_set = service.entity_set(name)
            assert entity_set is not None
            for prop in entity_set.properties:
                for item in items:
                    if prop.managed is not None:
                        item[prop.name] = T0 if prop.managed.endswith("At") else "seed"
            conn.execute(tables[name].insert(), items)


# --- application ------------------------------------------------------------------------------


def create_engine(url: str) -> sa.Engine:
    """A plain engine: pysqlite keeps its default transaction handling, which the layer copes with."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_size=8, max_overflow=8)
    engine = sa.create_engine(url, connect_args={"check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA case_sensitive_like = ON")  # LIKE as on PostgreSQL and HANA
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.close()

    return engine


class BasicUsers:
    """HTTP Basic, password = user name; no header is the anonymous user."""

    challenge = 'Basic realm="library"'

    async def __call__(self, request: StarletteRequest) -> User:
        header = request.headers.get("authorization")
        if not header:
            return ANONYMOUS
        scheme, _, encoded = header.partition(" ")
        try:
            name, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized("Unauthorized", code="401") from None
        if scheme.lower() != "basic" or name not in USERS or password != name:
            raise Unauthorized("Unauthorized", code="401")
        return User(name, USERS[name])


def handlers() -> Handlers:
    registry = Handlers()

    @registry.before("CREATE", "Reviews")
    def check_stars(context: Context) -> None:
        stars = context.data.get("stars")
        if stars is not None and (not isinstance(stars, int) or not 1 <= stars <= 5):
            raise BadRequest("Stars must be between 1 and 5", code="STARS", target="stars")

    return registry


def create_app(db_url: str, *, max_page_size: int = 1000, seed_data: bool = True) -> Starlette:
    service = build_service()
    tables = Tables(service)
    engine = create_engine(db_url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if seed_data:
            seed(engine, service, tables)
        yield
        engine.dispose()

    app = Starlette(lifespan=lifespan)
    dispatcher = Dispatcher(
        service, Database(engine), Store(Model(service, tables), max_page_size=max_page_size), build_documents(service)
    )
    dispatcher.batch_handler = BatchHandler(dispatcher)
    WriteOperations(dispatcher, handlers())
    users = BasicUsers()
    asgi.mount(app, ROOT, dispatcher, users, challenge=users.challenge)
    app.state.engine, app.state.tables, app.state.service = engine, tables, service
    return app
