"""ODataV2Client against tiny fake servers (httpx.MockTransport): CSRF, ETag, paging, sap-client, errors.

The cases of docs/platform notes section 5, one test each.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from btp import TargetUnavailableError
from btp.odata2 import (
    AuthorizationError,
    CsrfTokenError,
    EntityNotFoundError,
    ETagMismatchError,
    ODataV2Client,
    ODataV2ProtocolError,
    ODataV2ServerError,
    PreconditionRequiredError,
    Query,
)

ROOT = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"
ETAG = "W/\"datetimeoffset'2024-05-06T10%3A11%3A12.1234560Z'\""
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A fake S/4HANA made of a handler function; remembers every request."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def methods(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


def _client(handler: Handler, **kwargs: Any) -> tuple[ODataV2Client, Recorder]:
    recorder = Recorder(handler)
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(recorder), base_url="https://s4.test", auth=kwargs.pop("auth", None)
    )
    return ODataV2Client(http, ROOT, **kwargs), recorder


def _json(doc: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=doc, headers=headers)


def _token_server(*, required: int = 0, slash_token: bool = True) -> Handler:
    """HEAD hands out token `abc` with a session cookie; a PATCH gets `Required` `required` times, then 204."""
    state = {"required": required}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            if request.url.path.endswith("/") and not slash_token:
                return httpx.Response(200)
            return httpx.Response(
                200,
                headers=[
                    ("x-csrf-token", "abc"),
                    ("set-cookie", "SAP_SESSIONID_X=1; path=/"),
                    ("set-cookie", "sap-usercontext=sap-client=100; path=/"),
                ],
            )
        if request.method == "GET":
            return _json({"d": {"__metadata": {"etag": ETAG}, "BusinessPartner": "1"}}, etag=ETAG)
        if state["required"] > 0:
            state["required"] -= 1
            return httpx.Response(403, text="CSRF token validation failed", headers={"x-csrf-token": "Required"})
        return httpx.Response(204, headers={"etag": 'W/"new"'})

    return handle


async def test_write_fetches_a_token_with_head_and_sends_it_with_the_session_cookie() -> None:
    client, fake = _client(_token_server())
    assert await client.update("A_BusinessPartner", "1", {"SearchTerm1": "X"}, etag=ETAG) == 'W/"new"'
    head, patch = fake.requests
    assert (head.method, head.url.path, head.headers["x-csrf-token"]) == ("HEAD", ROOT + "/", "Fetch")
    assert patch.method == "PATCH" and patch.headers["x-csrf-token"] == "abc"
    cookie = patch.headers["cookie"]
    assert "SAP_SESSIONID_X=1" in cookie and "sap-usercontext=sap-client=100" in cookie
    assert patch.headers["if-match"] == ETAG
    assert json.loads(patch.content) == {"SearchTerm1": "X"}


async def test_token_is_cached_and_reads_never_fetch_one() -> None:
    client, fake = _client(_token_server())
    await client.get("A_BusinessPartner", "1")
    await client.update("A_BusinessPartner", "1", {"A": "1"}, force=True)
    await client.update("A_BusinessPartner", "1", {"A": "2"}, force=True)
    assert [r.method for r in fake.requests] == ["GET", "HEAD", "PATCH", "PATCH"]
    assert client.csrf.fetches == 1


async def test_service_root_without_slash_when_the_slash_gives_no_token() -> None:
    client, fake = _client(_token_server(slash_token=False))
    await client.update("A_BusinessPartner", "1", {"A": "1"}, force=True)
    assert fake.methods() == [f"HEAD {ROOT}/", f"HEAD {ROOT}", f"PATCH {ROOT}/A_BusinessPartner('1')"]
    assert fake.requests[-1].headers["x-csrf-token"] == "abc"


async def test_required_is_retried_once_with_a_fresh_token() -> None:
    client, fake = _client(_token_server(required=1))
    await client.update("A_BusinessPartner", "1", {"A": "1"}, etag=ETAG)
    assert [r.method for r in fake.requests] == ["HEAD", "PATCH", "HEAD", "PATCH"]


async def test_required_twice_is_a_csrf_error() -> None:
    client, fake = _client(_token_server(required=2))
    with pytest.raises(CsrfTokenError) as caught:
        await client.update("A_BusinessPartner", "1", {"A": "1"}, etag=ETAG)
    assert caught.value.status == 403
    assert [r.method for r in fake.requests] == ["HEAD", "PATCH", "HEAD", "PATCH"]


async def test_update_current_sends_the_etag_it_read() -> None:
    client, fake = _client(_token_server())
    await client.update_current("A_BusinessPartner", "1", {"SearchTerm1": "X"})
    assert fake.requests[0].method == "GET" and fake.requests[-1].headers["if-match"] == ETAG


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (412, ETagMismatchError),
        (428, PreconditionRequiredError),
        (404, EntityNotFoundError),
        (401, AuthorizationError),
        (503, ODataV2ServerError),
    ],
)
async def test_statuses_become_our_errors(status: int, error: type[Exception]) -> None:
    body = {"error": {"code": "BP/001", "message": {"lang": "en", "value": "Postal code invalid"}}}
    client, _ = _client(
        lambda r: httpx.Response(200, headers={"x-csrf-token": "t"}) if r.method == "HEAD" else _json(body, status)
    )
    with pytest.raises(error) as caught:
        await client.update("A_BusinessPartner", "1", {"A": "1"}, etag=ETAG)
    assert caught.value.code == "BP/001" and caught.value.text == "Postal code invalid"  # type: ignore[attr-defined]
    assert caught.value.status == status  # type: ignore[attr-defined]


async def test_an_error_without_envelope_keeps_status_and_text() -> None:
    client, _ = _client(lambda r: httpx.Response(502, text="<html>Bad Gateway</html>"))
    with pytest.raises(ODataV2ServerError, match="HTTP 502"):
        await client.read("A_BusinessPartner")


async def test_sap_client_on_every_request_including_the_token_fetch() -> None:
    client, fake = _client(_token_server(), sap_client="100", language="EN")
    await client.get("A_BusinessPartner", "1")
    await client.update("A_BusinessPartner", "1", {"A": "1"}, force=True)
    for request in fake.requests:
        assert request.url.params["sap-client"] == "100", request.url
        assert request.headers["sap-client"] == "100"
    assert fake.requests[0].headers["sap-language"] == "EN"


async def test_basic_auth_of_the_http_client_is_kept_on_every_request() -> None:
    client, fake = _client(_token_server(), auth=httpx.BasicAuth("U", "P"))
    await client.update("A_BusinessPartner", "1", {"A": "1"}, force=True)
    assert all(r.headers["authorization"].startswith("Basic ") for r in fake.requests)


def _paged(request: httpx.Request) -> httpx.Response:
    token = request.url.params.get("$skiptoken")
    if token is None:
        return _json(
            {
                "d": {
                    "results": [{"BusinessPartner": "1"}],
                    "__count": "3",
                    "__next": f"https://s4.test{ROOT}/A_BusinessPartner?$skiptoken=1",
                }
            }
        )
    if token == "1":  # a relative link, as some servers write it
        return _json({"d": {"results": [{"BusinessPartner": "2"}], "__next": "A_BusinessPartner?$skiptoken=2"}})
    return _json({"d": {"results": [{"BusinessPartner": "3"}]}})


async def test_paging_follows_next_until_there_is_none() -> None:
    client, fake = _client(_paged, sap_client="100")
    entities = await client.read_all("A_BusinessPartner", Query(inlinecount=True))
    assert [e.values["BusinessPartner"] for e in entities] == ["1", "2", "3"]
    assert [r.url.params.get("$skiptoken") for r in fake.requests] == [None, "1", "2"]
    assert all(r.url.params["sap-client"] == "100" for r in fake.requests)


async def test_next_to_another_origin_is_not_followed() -> None:
    client, fake = _client(lambda r: _json({"d": {"results": [], "__next": "https://evil.test/steal?x=1"}}))
    with pytest.raises(ODataV2ProtocolError, match="another origin"):
        await client.read_all("A_BusinessPartner")
    assert len(fake.requests) == 1


async def test_page_limit() -> None:
    client, _ = _client(
        lambda r: _json({"d": {"results": [], "__next": f"{ROOT}/A_BusinessPartner?$skiptoken=1"}}), max_pages=3
    )
    with pytest.raises(ODataV2ProtocolError, match="more than 3 pages"):
        await client.read_all("A_BusinessPartner")


async def test_query_count_and_navigation_urls() -> None:
    client, fake = _client(
        lambda r: httpx.Response(200, text="7") if r.url.path.endswith("$count") else _json({"d": {"results": []}})
    )
    assert (
        await client.count(
            "A_BusinessPartner", "BusinessPartnerIsBlocked eq true", key="1", navigation="to_BusinessPartnerAddress"
        )
        == 7
    )
    await client.read(
        "A_BusinessPartner",
        Query(filter="SearchTerm1 eq 'A B'", top=2),
        key="1",
        navigation="to_BusinessPartnerAddress",
    )
    count, read = fake.requests
    assert count.url.path == f"{ROOT}/A_BusinessPartner('1')/to_BusinessPartnerAddress/$count"
    assert count.url.params["$filter"] == "BusinessPartnerIsBlocked eq true"
    assert read.url.params["$filter"] == "SearchTerm1 eq 'A B'" and read.url.params["$top"] == "2"
    assert read.headers["accept"] == "application/json"


async def test_create_posts_v2_json_and_returns_the_entity() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(200, headers={"x-csrf-token": "t"})
        return _json({"d": {**json.loads(request.content), "BusinessPartner": "9"}}, 201, etag='W/"1"')

    client, fake = _client(handle)
    created = await client.create("A_BusinessPartner", {"OrganizationBPName1": "X"})
    assert created.values == {"OrganizationBPName1": "X", "BusinessPartner": "9"} and created.etag == 'W/"1"'
    assert fake.requests[-1].headers["content-type"] == "application/json"


async def test_unreachable_is_target_unavailable() -> None:
    http = httpx.AsyncClient(base_url="http://127.0.0.1:9")  # discard port: nothing listens
    client = ODataV2Client(http)
    with pytest.raises(TargetUnavailableError, match="cannot reach"):
        await client.read("A_BusinessPartner")
    await http.aclose()
