"""Hypothesis sends arbitrary V4 query options to BusinessPartners (real sockets, mocked S/4HANA over TLS).

Never a 5xx other than 502/503/504 (an S/4HANA fault), and never a query S/4HANA refuses: what we cannot
translate is a 400 or 501 of our own, not a 400 relayed from S/4HANA ("S/4HANA rejected …").
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.bpverify.remote_support import S4, destination, service, tls_mock

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"),
]

EXPLORE = os.environ.get("ODATA4_FUZZ") == "explore"
FUZZ = settings(
    max_examples=int(os.environ.get("ODATA4_FUZZ_EXAMPLES", "1500" if EXPLORE else "200")),
    deadline=None,
    derandomize=not EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PARTNER = [
    "businessPartnerId",
    "businessPartnerName",
    "businessPartnerCategory",
    "searchTerm1",
    "businessPartnerIsBlocked",
]
ADDRESS = ["businessPartnerId", "addressId", "country", "cityName", "streetName", "postalCode"]
PATHS = [
    "BusinessPartners",
    "BusinessPartners('17100003')",
    "BusinessPartners('17100003')/addresses",
    "BusinessPartnerAddresses",
    "BusinessPartners/$count",
    "BusinessPartners('nope')",
    "BusinessPartners('17100003')/addresses(businessPartnerId='17100003',addressId='124464')",
    "BusinessPartners('17100001')/searchTerm1",
    "BusinessPartners('17100003')/addresses/$count",
]

names = st.sampled_from([*PARTNER, *ADDRESS, "addresses", "nope", "$it"])
literals = st.one_of(
    st.sampled_from(
        [
            "'DE1'",
            "'17100003'",
            "''",
            "'O''Neil'",
            "true",
            "false",
            "null",
            "0",
            "-1",
            "2147483648",
            "1.5",
            "2e3",
            "2020-01-01",
            "2020-01-01T00:00:00Z",
            "10:00:00",
            "duration'P1D'",
            "01234567-89ab-cdef-0123-456789abcdef",
        ]
    ),
    st.text("abcDE1 '", max_size=6).map(lambda t: "'" + t.replace("'", "''") + "'"),
    st.integers(-5, 40).map(str),
)
FUNCTIONS = [
    "contains",
    "startswith",
    "endswith",
    "tolower",
    "toupper",
    "trim",
    "length",
    "indexof",
    "substring",
    "concat",
    "year",
    "month",
    "hour",
    "round",
    "floor",
    "ceiling",
    "matchesPattern",
    "now",
    "cast",
]


def expressions() -> st.SearchStrategy[str]:
    base = st.one_of(names, literals)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(
            inner,
            st.sampled_from(
                [
                    "eq",
                    "ne",
                    "gt",
                    "ge",
                    "lt",
                    "le",
                    "and",
                    "or",
                    "add",
                    "sub",
                    "mul",
                    "div",
                    "mod",
                    "divby",
                    "has",
                    "in",
                ]
            ),
            inner,
        )
        call = st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, min_size=0, max_size=3))
        return st.one_of(
            binary.map(lambda b: f"{b[0]} {b[1]} ({b[2]})" if b[1] == "in" else f"{b[0]} {b[1]} {b[2]}"),
            call.map(lambda c: f"{c[0]}({','.join(c[1])})"),
            inner.map(lambda e: f"not ({e})"),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"addresses/any(a:a/country eq {e})"),
        )

    return st.recursive(base, extend, max_leaves=6)


def options() -> st.SearchStrategy[dict[str, str]]:
    field_list = st.lists(names, min_size=1, max_size=3).map(",".join)
    values: dict[str, st.SearchStrategy[str]] = {
        "$filter": expressions(),
        "$select": st.one_of(field_list, st.just("*")),
        "$orderby": st.lists(
            st.tuples(st.one_of(names, expressions()), st.sampled_from(["", " asc", " desc"])), min_size=1, max_size=2
        ).map(lambda items: ",".join(a + b for a, b in items)),
        "$expand": st.sampled_from(
            [
                "addresses",
                "*",
                "addresses($select=cityName)",
                "addresses($top=1)",
                "addresses($filter=country eq 'DE')",
                "nope",
                "addresses($expand=x)",
            ]
        ),
        "$top": st.one_of(st.integers(-1, 60).map(str), st.sampled_from(["abc", "99999999999"])),
        "$skip": st.one_of(st.integers(-1, 40).map(str), st.sampled_from(["x", "4294967296"])),
        "$count": st.sampled_from(["true", "false", "maybe"]),
        "$search": st.sampled_from(["de", "DE OR us", "NOT schmidt", '"New York"', "a AND", ""]),
        "$skiptoken": st.sampled_from(["5", "x", "1000"]),
        "$format": st.sampled_from(["json", "xml"]),
        "$apply": st.just("groupby((country))"),
        "sap-client": st.just("100"),
    }
    return st.dictionaries(st.sampled_from(list(values)), st.just(""), max_size=4).flatmap(
        lambda chosen: st.fixed_dictionaries({k: values[k] for k in chosen})
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, S4]]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    monkeypatch = pytest.MonkeyPatch()
    with tls_mock(folder) as s4, service(monkeypatch, folder, destination(s4.url, s4.cert_pem)) as http:
        yield http, s4
    monkeypatch.undo()


@pytest.fixture
def client(world: tuple[httpx.Client, S4]) -> httpx.Client:
    world[1].mock.knobs.update({"error_rate": 0.0, "outage": False})
    return world[0]


@FUZZ
@given(path=st.sampled_from(PATHS), params=options())
def test_no_server_errors_and_no_query_s4_refuses(client: httpx.Client, path: str, params: dict[str, str]) -> None:
    response = client.get(path, params=params)
    failure = (path, params, response.status_code, response.text[:500])
    assert response.status_code < 500 or response.status_code in (501, 502, 503, 504), failure
    if response.headers.get("content-type", "").startswith("application/json"):
        body = json.loads(response.content)
        if response.status_code >= 400:
            assert "S/4HANA rejected" not in body["error"]["message"], failure
    assert response.status_code not in (502, 503, 504), failure  # the mock is healthy here: no S/4HANA fault


@settings(FUZZ, max_examples=60)
@given(
    path=st.sampled_from(PATHS),
    params=options(),
    status=st.sampled_from([500, 502, 503, 504, 429]),
    rate=st.sampled_from([0.3, 1.0]),
)
def test_s4_faults_are_502_503_504(
    world: tuple[httpx.Client, S4], path: str, params: dict[str, str], status: int, rate: float
) -> None:
    client, s4 = world
    s4.mock.knobs.update({"error_rate": rate, "error_status": status})
    try:
        response = client.get(path, params=params)
    finally:
        s4.mock.knobs.update({"error_rate": 0.0})
    failure = (path, params, status, response.status_code, response.text[:300])
    assert response.status_code < 500 or response.status_code in (501, 502, 503, 504), failure
