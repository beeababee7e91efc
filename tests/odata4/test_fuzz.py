"""Property tests through the whole stack: no URL, query option or body makes a server error.

Requests go in-process (httpx's ASGI transport, lifespan run by hand) to the toy library
and to the bpverify app, on SQLite and PostgreSQL. Inputs come from `st.text()` and from
grammar-aware strategies built from the model's names, OData's operators, canonical
functions and literals, so most of them parse and reach the SQL translator.

Examples are derandomized by default, so CI sees the same inputs on every run; set
`ODATA4_FUZZ=explore` (and optionally `ODATA4_FUZZ_EXAMPLES`) to search with fresh ones.
"""

from __future__ import annotations

import functools
import json
import os
import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.odata4.toy import ROOT, book_id
from tests.odata4.toy import create_app as create_toy_app
from tests.support.asgi import AsgiClient

from bpverify.app import create_app as create_bpverify_app
from bpverify.service.definition import PATH as BPVERIFY_ROOT
from bpverify.settings import Settings
from odata4.uri.filter import ARITY

# the grammar's strategies are large: their repr is only wanted when a test fails
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")

EXPLORE = os.environ.get("ODATA4_FUZZ") == "explore"
EXAMPLES = int(os.environ.get("ODATA4_FUZZ_EXAMPLES", "2000" if EXPLORE else "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not EXPLORE,
    database=None if not EXPLORE else settings.default.database,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def toy_app(module_db_url: str) -> Iterator[AsgiClient]:
    client = AsgiClient(create_toy_app(module_db_url, max_page_size=5), f"http://test{ROOT}/", ("lib", "lib"))
    yield client
    client.close()


@pytest.fixture(scope="module")
def bp_app(module_db_url: str) -> Iterator[AsgiClient]:
    client = AsgiClient(
        create_bpverify_app(Settings(db_url=module_db_url, max_page_size=5)),
        f"http://test{BPVERIFY_ROOT}/",
        ("alice", "alice"),
    )
    yield client
    client.close()


def check(response: httpx.Response) -> None:
    """No server error. 501 is no failure: it answers valid OData this server does not implement
    (`$format=xml`, `matchesPattern`), as an OData error, the way CAP does."""
    failure = (response.request.method, str(response.request.url), response.text)
    assert response.status_code < 500 or response.status_code == 501, failure
    if response.request.method == "HEAD":
        return
    if response.status_code == 501:
        assert response.json()["error"]["message"], failure
    if response.headers.get("content-type", "").startswith("application/json"):
        json.loads(response.content)  # whatever the status, the body is valid JSON


# --- strategies: text and literals -------------------------------------------------------------

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
names_toy = {
    "Authors": ["ID", "name", "born", "country", "createdAt", "createdBy", "modifiedAt", "modifiedBy"],
    "Books": [
        "ID",
        "title",
        "isbn",
        "stock",
        "price",
        "published",
        "available",
        "lastSold",
        "rating",
        "author_ID",
        "genre_code",
        "createdAt",
        "modifiedBy",
    ],
    "Reviews": ["ID", "book_ID", "stars", "text"],
    "Genres": ["code", "name"],
    "Loans": ["ID", "book_ID", "due", "returned"],
}
navs_toy = {
    "Authors": {"books": "Books"},
    "Books": {"author": "Authors", "genre": "Genres", "reviews": "Reviews"},
    "Reviews": {"book": "Books"},
    "Genres": {"books": "Books"},
    "Loans": {"book": "Books"},
}
COLLECTION_NAVS = {"books", "reviews", "addresses"}
names_bp = {
    "Notifications": [
        "ID",
        "businessPartnerId",
        "businessPartnerName",
        "verificationStatus_code",
        "createdAt",
        "modifiedBy",
        "IsActiveEntity",
        "HasActiveEntity",
        "HasDraftEntity",
    ],
    "Addresses": [
        "ID",
        "notification_ID",
        "businessPartnerId",
        "addressId",
        "country",
        "cityName",
        "streetName",
        "postalCode",
        "isModified",
        "IsActiveEntity",
        "HasDraftEntity",
    ],
    "StatusValues": ["code", "value", "criticality", "updateCode"],
}
navs_bp = {
    "Notifications": {
        "verificationStatus": "StatusValues",
        "addresses": "Addresses",
        "DraftAdministrativeData": "",
        "SiblingEntity": "Notifications",
    },
    "Addresses": {"notification": "Notifications", "DraftAdministrativeData": "", "SiblingEntity": "Addresses"},
    "StatusValues": {},
}


def _quoted(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


literals = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).replace("inf", "INF").replace("nan", "NaN")),
    st.sampled_from(["1e308", "-1e400", "1E-5", "0.0", "-0", "2147483648", "9223372036854775808", "1.5e3m", "12.5d"]),
    texts.map(_quoted),
    st.sampled_from(["''", "'O''Brien'", "'%'", "'_'", "'\\'", "'É'", "'a b'"]),
    st.uuids().map(str),
    st.dates().map(str),
    st.datetimes(timezones=st.just(__import__("datetime").timezone.utc)).map(
        lambda d: d.isoformat().replace("+00:00", "Z")
    ),
    st.sampled_from(
        [
            "2024-02-30",
            "2024-13-01",
            "24:00:00",
            "12:30:00",
            "2024-01-01T25:00:00Z",
            "duration'P1D'",
            "true",
            "false",
            "null",
            "INF",
            "-INF",
            "NaN",
            "binary'AAE='",
            "Library.Color'Red'",
            "geography'POINT(1 2)'",
        ]
    ),
)


searches = st.one_of(
    texts,
    st.lists(
        st.sampled_from(["a", "the", "AND", "OR", "NOT", "(", ")", '"', '"book of"', "É", "%", "_", "-x", "engine"]),
        max_size=8,
    ).map(" ".join),
)
counts = st.one_of(st.sampled_from(["true", "false", "True", "1", ""]), texts)
numbers = st.one_of(st.integers(min_value=-5, max_value=2**70).map(str), texts)


class Grammar:
    """Strategies for the query options of one service, built once per entity set (hypothesis
    draws fast from a fixed strategy, slowly from ones made anew in `flatmap`)."""

    def __init__(self, names: dict[str, list[str]], navs: dict[str, dict[str, str]]) -> None:
        self.names, self.navs = names, navs

    @functools.cache  # noqa: B019 - two instances live as long as the module
    def members(self, entity: str, depth: int = 2) -> st.SearchStrategy[str]:
        """Property paths of `entity`, through to-one navigation up to `depth` steps."""
        own = st.sampled_from([*self.names.get(entity, ["x"]), "nope", "$it", "$this"])
        steps = [(n, t) for n, t in self.navs.get(entity, {}).items() if n not in COLLECTION_NAVS and t]
        if depth == 0 or not steps:
            return own
        through = [self.members(t, depth - 1).map(lambda rest, n=n: f"{n}/{rest}") for n, t in steps]
        return st.one_of(own, own, *through)

    @functools.cache  # noqa: B019
    def filters(self, entity: str) -> st.SearchStrategy[str]:
        base = st.one_of(self.members(entity), literals)
        collections = [n for n in self.navs.get(entity, {}) if n in COLLECTION_NAVS]

        def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
            binary = st.tuples(
                children,
                st.sampled_from(
                    ["eq", "ne", "gt", "ge", "lt", "le", "and", "or", "add", "sub", "mul", "div", "divby", "mod", "has"]
                ),
                children,
            ).map(" ".join)
            unary = st.tuples(st.sampled_from(["not ", "-", "not(", "- "]), children).map(
                lambda t: f"{t[0]}{t[1]}" + (")" if t[0].endswith("(") else "")
            )
            call = st.tuples(st.sampled_from(sorted(ARITY)), st.lists(children, max_size=3)).map(
                lambda t: f"{t[0]}({','.join(t[1])})"
            )
            in_list = st.tuples(children, st.lists(children, max_size=3)).map(lambda t: f"{t[0]} in ({','.join(t[1])})")
            options = [binary, binary, unary, call, call, in_list, children.map(lambda c: f"({c})")]
            if collections:
                lambda_ = st.tuples(
                    st.sampled_from(collections),
                    st.sampled_from(["any", "all"]),
                    st.sampled_from(["x", "r", "$it"]),
                    children,
                ).map(lambda t: f"{t[0]}/{t[1]}({t[2]}: {t[3].replace('$it/', t[2] + '/')})")
                options += [lambda_, st.sampled_from(collections).map(lambda c: f"{c}/any()")]
            return st.one_of(*options)

        return st.recursive(base, extend, max_leaves=12)

    @functools.cache  # noqa: B019
    def orderbys(self, entity: str) -> st.SearchStrategy[str]:
        item = st.tuples(
            st.one_of(self.members(entity), self.filters(entity)), st.sampled_from(["", " asc", " desc", " up"])
        )
        return st.lists(item.map("".join), min_size=1, max_size=3).map(",".join)

    @functools.cache  # noqa: B019
    def selects(self, entity: str) -> st.SearchStrategy[str]:
        named = [*self.names.get(entity, []), *self.navs.get(entity, {}), "*", "nope", "a/b", "Ns.*", ""]
        return st.lists(st.one_of(st.sampled_from(named), texts), min_size=1, max_size=4).map(",".join)

    @functools.cache  # noqa: B019
    def expands(self, entity: str, depth: int = 2) -> st.SearchStrategy[str]:
        items = [self._expand_item(nav, target, depth) for nav, target in sorted(self.navs.get(entity, {}).items())]
        junk = st.sampled_from(["*", "nope", "*($levels=2)", "books/$ref", "a/b"])
        return st.lists(st.one_of(*items, junk) if items else junk, min_size=1, max_size=3).map(",".join)

    def _expand_item(self, nav: str, target: str, depth: int) -> st.SearchStrategy[str]:
        if depth == 0 or not target:
            return st.just(nav)
        nested = st.lists(
            st.one_of(
                self.filters(target).map(lambda f: f"$filter={f}"),
                self.orderbys(target).map(lambda o: f"$orderby={o}"),
                self.selects(target).map(lambda s: f"$select={s}"),
                self.expands(target, depth - 1).map(lambda e: f"$expand={e}"),
                st.sampled_from(
                    ["$top=1", "$skip=1", "$count=true", "$top=-1", "$levels=2", "$search=a", "$nope=1", "$top=x"]
                ),
            ),
            max_size=3,
        )
        return nested.map(lambda opts: nav if not opts else f"{nav}({';'.join(opts)})")

    @functools.cache  # noqa: B019
    def options(self, entity: str) -> st.SearchStrategy[list[tuple[str, str]]]:
        each = {
            "$filter": st.one_of(self.filters(entity), texts),
            "$orderby": st.one_of(self.orderbys(entity), texts),
            "$select": st.one_of(self.selects(entity), texts),
            "$expand": st.one_of(self.expands(entity), texts),
            "$top": numbers,
            "$skip": numbers,
            "$skiptoken": numbers,
            "$search": searches,
            "$count": counts,
            "$format": st.sampled_from(["json", "xml", "application/json;odata.metadata=full", ""]),
            "$apply": st.sampled_from(
                ["groupby((title))", "aggregate(stock with sum as s)", "filter(stock gt 1)", "x"]
            ),
        }
        pairs = [v.map(lambda value, k=k: (k, value)) for k, v in sorted(each.items())]
        return st.lists(st.one_of(*pairs), max_size=4, unique_by=lambda kv: kv[0])


TOY = Grammar(names_toy, navs_toy)
BP = Grammar(names_bp, navs_bp)


# --- toy: query options, paths, bodies ---------------------------------------------------------

TOY_TARGETS = [
    "Books",
    "Authors",
    "Reviews",
    "Genres",
    "Loans",
    "Authors(2)/books",
    "Genres('FIC')/books",
    f"Books({book_id(4)})/reviews",
    f"Books({book_id(4)})",
    "Authors(3)",
]
TOY_ENTITY = {
    "Authors(2)/books": "Books",
    "Genres('FIC')/books": "Books",
    f"Books({book_id(4)})/reviews": "Reviews",
    f"Books({book_id(4)})": "Books",
    "Authors(3)": "Authors",
}


@FUZZ
@given(data=st.data())
def test_query_options_from_the_grammar(toy_app: AsgiClient, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(TOY_TARGETS))
    entity = TOY_ENTITY.get(target, target)
    params = data.draw(TOY.options(entity))
    check(toy_app.request("GET", target, params=params))


@FUZZ
@given(
    name=st.sampled_from(
        [
            "$filter",
            "$orderby",
            "$select",
            "$expand",
            "$top",
            "$skip",
            "$search",
            "$count",
            "$skiptoken",
            "$levels",
            "$apply",
            "$compute",
            "@p",
            "x",
            "$FILTER",
        ]
    ),
    value=texts,
    target=st.sampled_from(["Books", "Authors(1)/books", "Books/$count", "Authors(1)"]),
)
def test_query_options_from_arbitrary_text(toy_app: AsgiClient, name: str, value: str, target: str) -> None:
    check(toy_app.request("GET", target, params=[(name, value)]))


@FUZZ
@given(data=st.data())
def test_filters_count_the_same_as_they_list(toy_app: AsgiClient, data: st.DataObject) -> None:
    """A filter that succeeds gives as many rows as its $count and /$count say."""
    entity = data.draw(st.sampled_from(["Books", "Authors", "Reviews"]))
    expr = data.draw(TOY.filters(entity))
    listed = toy_app.request("GET", entity, params={"$filter": expr, "$count": "true", "$top": "1000"})
    check(listed)
    counted = toy_app.request("GET", f"{entity}/$count", params={"$filter": expr})
    check(counted)
    assert (listed.status_code == 200) == (counted.status_code == 200)
    if listed.status_code == 200:
        doc = listed.json()
        rows = list(doc["value"])
        while "@odata.nextLink" in doc:
            doc = toy_app.request("GET", doc["@odata.nextLink"]).json()
            rows += doc["value"]
        assert doc["@odata.count"] == len(rows) == int(counted.text)


segments = st.one_of(
    st.sampled_from(
        [
            "Books",
            "Authors",
            "Reviews",
            "Genres",
            "Loans",
            "books",
            "author",
            "genre",
            "reviews",
            "title",
            "$value",
            "$count",
            "$ref",
            "$batch",
            "$metadata",
            "$all",
            "Library.draftEdit",
            "ID",
            "name",
            "",
            "..",
        ]
    ),
    texts.map(lambda t: t.replace("/", "")),
)
keys = st.one_of(
    literals,
    st.sampled_from(
        [
            "1",
            "ID=1",
            f"{book_id(4)}",
            f"ID={book_id(4)}",
            "'FIC'",
            "code='FIC'",
            "",
            "1,2",
            "ID=1,ID=2",
            "(",
            "x=",
            "ID=(1)",
            "'",
            "ID='1'",
            "IsActiveEntity=true",
        ]
    ),
    texts,
)
path_segments = st.tuples(segments, st.one_of(st.none(), keys)).map(
    lambda t: t[0] if t[1] is None else f"{t[0]}({t[1]})"
)
paths = st.lists(path_segments, min_size=1, max_size=4).map("/".join)
METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]


def _encode_path(path: str) -> str:
    """Percent-encoded, and never read as a scheme (`a:b`) or a host (`//x`) by the client."""
    return quote(path, safe="/()',=$@*!;-._~").lstrip("/")


@FUZZ
@given(
    method=st.sampled_from(METHODS),
    path=paths,
    body=st.one_of(st.none(), st.just({"title": "x"}), st.binary(max_size=50)),
)
def test_arbitrary_resource_paths_and_keys(toy_app: AsgiClient, method: str, path: str, body: Any) -> None:
    kwargs: dict[str, Any] = {"json": body} if isinstance(body, dict) else {"content": body or b""}
    check(toy_app.request(method, _encode_path(path), **kwargs))


json_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        texts,
        st.sampled_from(["2024-01-01", "2024-01-01T00:00:00Z", "1.5", "abc", book_id(4), "9223372036854775808"]),
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.one_of(texts, st.sampled_from(["ID", "title", "name", "books", "reviews", "stars"])),
            children,
            max_size=3,
        )
    ),
    max_leaves=12,
)


def bodies(fields: list[str]) -> st.SearchStrategy[Any]:
    entity_like = st.dictionaries(st.sampled_from([*fields, "@odata.type", "nope"]), json_values, max_size=6)
    return st.one_of(entity_like, entity_like, json_values)


TOY_FIELDS = sorted({n for names in names_toy.values() for n in names} | {"books", "reviews", "author", "genre"})
TOY_WRITE_TARGETS = [
    "Authors",
    "Authors(2)/books",
    f"Books({book_id(5)})",
    f"Books({book_id(5)})/reviews",
    "Authors(4)",
    "Genres('FIC')",
    f"Loans({book_id(5001)})",
    f"Reviews({book_id(1001)})",
    f"Books({book_id(6)})/author",
]


@FUZZ
@given(
    method=st.sampled_from(["POST", "PATCH", "PUT"]),
    target=st.sampled_from(TOY_WRITE_TARGETS),
    body=bodies(TOY_FIELDS),
    ieee754=st.booleans(),
    if_match=st.one_of(
        st.none(), st.sampled_from(["*", 'W/"x"', "", '"', "W/", 'W/"1", *']), st.text(string.printable, max_size=20)
    ),
)
def test_arbitrary_json_bodies(
    toy_app: AsgiClient, method: str, target: str, body: Any, ieee754: bool, if_match: str | None
) -> None:
    headers = {"content-type": "application/json" + (";IEEE754Compatible=true" if ieee754 else "")}
    if if_match is not None:
        headers["if-match"] = if_match.strip()
    check(toy_app.request(method, target, content=json.dumps(body).encode(), headers=headers))


@FUZZ
@given(
    method=st.sampled_from(["POST", "PATCH", "PUT", "DELETE"]),
    target=st.sampled_from([*TOY_WRITE_TARGETS, "$batch"]),
    body=st.binary(max_size=300),
    content_type=st.sampled_from(
        ["application/json", "multipart/mixed;boundary=b", "text/plain", "application/json;charset=latin-1"]
    ),
)
def test_arbitrary_bytes_bodies(toy_app: AsgiClient, method: str, target: str, body: bytes, content_type: str) -> None:
    check(toy_app.request(method, target, content=body, headers={"content-type": content_type}))


# --- $batch ---------------------------------------------------------------------------------------

batch_urls = st.one_of(
    st.sampled_from(
        [
            *TOY_TARGETS,
            *TOY_WRITE_TARGETS,
            "$1",
            "$1/books",
            "$2/reviews",
            "$x",
            "$batch",
            "$metadata",
            "/x",
            "http://other/odata/v4/library/Books",
            f"{ROOT}/Books",
            "Books?$top=1",
            "Books?$filter=nope",
        ]
    ),
    texts.map(_encode_path),
)


def _part(method: str, url: str, body: Any, cid: str | None) -> str:
    payload = "" if body is None else json.dumps(body)
    head = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
    head += f"Content-ID: {cid}\r\n" if cid else ""
    ctype = "Content-Type: application/json\r\n" if body is not None else ""
    return f"{head}\r\n{method} {url} HTTP/1.1\r\n{ctype}\r\n{payload}"


batch_parts = st.tuples(
    st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE", "FOO"]),
    batch_urls,
    st.one_of(st.none(), bodies(TOY_FIELDS)),
    st.sampled_from([None, "1", "2", "x"]),
).map(lambda t: _part(*t))


def _multipart(items: list[str | list[str]]) -> bytes:
    out = ""
    for n, item in enumerate(items):
        if isinstance(item, list):
            inner = "".join(f"--cs{n}\r\n{p}\r\n" for p in item) + f"--cs{n}--\r\n"
            item = f"Content-Type: multipart/mixed; boundary=cs{n}\r\n\r\n{inner}"
        out += f"--b\r\n{item}\r\n"
    return (out + "--b--\r\n").encode("utf-8")


@FUZZ
@given(
    items=st.lists(st.one_of(batch_parts, st.lists(batch_parts, min_size=1, max_size=3)), max_size=4),
    prefer=st.sampled_from(["", "odata.continue-on-error"]),
)
def test_multipart_batches_of_real_requests(toy_app: AsgiClient, items: list[str | list[str]], prefer: str) -> None:
    check(
        toy_app.request(
            "POST",
            "$batch",
            content=_multipart(items),
            headers={"content-type": "multipart/mixed;boundary=b", "prefer": prefer},
        )
    )


json_requests = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["a", "b", "c", "1"]),
        "method": st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT"]),
        "url": batch_urls,
    },
    optional={
        "body": bodies(TOY_FIELDS),
        "atomicityGroup": st.sampled_from(["g", "h"]),
        "dependsOn": st.lists(st.sampled_from(["a", "b", "g", "h", "z"]), max_size=2),
        "headers": st.sampled_from(
            [{"content-type": "application/json"}, {"content-type": "text/plain"}, {}, {"if-match": "*"}]
        ),
    },
)


@FUZZ
@given(requests=st.lists(json_requests, max_size=5))
def test_json_batches_of_real_requests(toy_app: AsgiClient, requests: list[dict[str, Any]]) -> None:
    check(toy_app.request("POST", "$batch", json={"requests": requests}))


# --- bpverify: the contract's entities, drafts included -----------------------------------------

NOTIFICATION = "2c728381-72ce-4fdd-8293-8add71579666"
ADDRESS = "58040e66-1dcd-4ffb-ab10-fdce32028b79"
BP_TARGETS = [
    "Notifications",
    "Addresses",
    "StatusValues",
    f"Notifications(ID={NOTIFICATION},IsActiveEntity=true)",
    f"Notifications(ID={NOTIFICATION},IsActiveEntity=true)/addresses",
    "StatusValues('N')",
    f"Addresses(ID={ADDRESS},IsActiveEntity=true)",
    f"Notifications(ID={NOTIFICATION},IsActiveEntity=false)",
]
BP_ENTITY = {t: t.split("(")[0] for t in BP_TARGETS} | {BP_TARGETS[4]: "Addresses"}
ACTIONS = [
    "BusinessPartnerVerification.draftEdit",
    "BusinessPartnerVerification.draftPrepare",
    "BusinessPartnerVerification.draftActivate",
]


@FUZZ
@given(data=st.data())
def test_bpverify_query_options(bp_app: AsgiClient, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(BP_TARGETS))
    params = data.draw(BP.options(BP_ENTITY[target]))
    check(bp_app.request("GET", target, params=params))


BP_FIELDS = sorted(
    {n for names in names_bp.values() for n in names} | {"addresses", "verificationStatus", "SiblingEntity"}
)


@FUZZ
@given(
    method=st.sampled_from(["POST", "PATCH", "PUT", "DELETE"]),
    target=st.one_of(
        st.sampled_from(BP_TARGETS),
        st.tuples(st.sampled_from(BP_TARGETS[3:]), st.sampled_from(ACTIONS)).map("/".join),
        paths.map(_encode_path),
    ),
    body=st.one_of(st.none(), bodies(BP_FIELDS)),
)
def test_bpverify_writes_and_draft_actions(bp_app: AsgiClient, method: str, target: str, body: Any) -> None:
    kwargs: dict[str, Any] = (
        {} if body is None else {"content": json.dumps(body).encode(), "headers": {"content-type": "application/json"}}
    )
    check(bp_app.request(method, target, **kwargs))


@FUZZ
@given(
    requests=st.lists(
        st.fixed_dictionaries(
            {
                "id": st.sampled_from(["a", "b", "c"]),
                "method": st.sampled_from(["GET", "POST", "PATCH", "DELETE"]),
                "url": st.one_of(
                    st.sampled_from(BP_TARGETS),
                    st.tuples(st.sampled_from(["$a", "$b", *BP_TARGETS[3:]]), st.sampled_from(ACTIONS)).map("/".join),
                ),
            },
            optional={
                "body": bodies(BP_FIELDS),
                "atomicityGroup": st.sampled_from(["g"]),
                "headers": st.just({"content-type": "application/json"}),
            },
        ),
        max_size=4,
    )
)
def test_bpverify_json_batches(bp_app: AsgiClient, requests: list[dict[str, Any]]) -> None:
    check(bp_app.request("POST", "$batch", json={"requests": requests}))


def test_alphabet_is_printable() -> None:
    """The grammar strategies only emit what a URL can carry once percent-encoded."""
    assert set(_encode_path("Books('a b')/x")) <= set(string.printable)
