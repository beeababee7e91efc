"""`ODataV2Client`: one OData V2 service (e.g. S/4HANA's API_BUSINESS_PARTNER) over an `httpx.AsyncClient`.

    async with DestinationClientFactory() as factory:
        s4 = ODataV2Client(await factory.connect("BusinessPartner"), API_BUSINESS_PARTNER, sap_client="100")
        page = await s4.read("A_BusinessPartner", Query(top=50, inlinecount=True))
        partner = await s4.get("A_BusinessPartner", "1000")
        await s4.update("A_BusinessPartner", "1000", {"SearchTerm1": "X"}, etag=partner.etag)

The `httpx` client's base URL is the system (a destination's URL); any client works, e.g. one with
`httpx.BasicAuth` and a CA for local tests. Every request carries `sap-client` (header and query parameter)
when one is configured; modifying requests get an x-csrf-token (csrf.py). Answers ≥ 400 raise the error of
errors.py that fits best; transport failures raise `btp.errors.TLSError` / `TargetUnavailableError`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any

import httpx

from btp.errors import TargetUnavailableError
from btp.tls import translate_tls_error

from .codec import (
    Entity,
    EntityPage,
    EntityType,
    decode_collection,
    decode_count,
    decode_error,
    decode_single,
    encode_entity,
)
from .csrf import CsrfAuth, token_required
from .errors import CsrfTokenError, ODataV2Error, ODataV2ProtocolError, error_class
from .query import Query, resource_path

API_BUSINESS_PARTNER = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"

_HINTS = {
    401: "check user and password (or token) of the destination and its sap-client",
    412: "the entity was changed by someone else: read it again and apply the change to the current version",
    428: "send If-Match with the entity's ETag (from a GET), or * to overwrite whatever is there",
}


class ODataV2Client:
    def __init__(
        self,
        http: httpx.AsyncClient,
        service_path: str = API_BUSINESS_PARTNER,
        *,
        sap_client: str | None = None,
        language: str | None = None,
        max_pages: int = 1000,
    ) -> None:
        self.http = http
        self.service_path = "/" + service_path.strip("/")
        self.sap_client = sap_client
        self.language = language
        self.max_pages = max_pages
        self.csrf = CsrfAuth(self.service_path, inner=http.auth if not isinstance(http.auth, CsrfAuth) else None)

    # --- reads ------------------------------------------------------------------------------------------

    async def read(
        self,
        entity_set: str,
        query: Query | None = None,
        *,
        key: Any = None,
        navigation: str = "",
        entity_type: EntityType | None = None,
    ) -> EntityPage:
        """One page of a collection: `entity_set`, or `entity_set(key)/navigation`."""
        segments = (navigation,) if navigation else ()
        response = await self._send("GET", resource_path(entity_set, key, *segments), query or Query())
        return _collection(response, entity_type)

    async def pages(
        self,
        entity_set: str,
        query: Query | None = None,
        *,
        key: Any = None,
        navigation: str = "",
        entity_type: EntityType | None = None,
    ) -> AsyncGenerator[EntityPage, None]:
        """Every page, following `__next` (same origin only) up to `max_pages`."""
        page = await self.read(entity_set, query, key=key, navigation=navigation, entity_type=entity_type)
        yield page
        for _ in range(self.max_pages - 1):
            if page.next_url is None:
                return
            response = await self._send_url("GET", self._next_url(page.next_url))
            page = _collection(response, entity_type)
            yield page
        if page.next_url is not None:
            raise ODataV2ProtocolError(f"more than {self.max_pages} pages: stopped following __next")

    async def read_all(
        self,
        entity_set: str,
        query: Query | None = None,
        *,
        key: Any = None,
        navigation: str = "",
        entity_type: EntityType | None = None,
    ) -> list[Entity]:
        return [
            e
            async for page in self.pages(entity_set, query, key=key, navigation=navigation, entity_type=entity_type)
            for e in page.entities
        ]

    async def count(self, entity_set: str, filter: str | None = None, *, key: Any = None, navigation: str = "") -> int:
        segments = (navigation, "$count") if navigation else ("$count",)
        response = await self._send("GET", resource_path(entity_set, key, *segments), Query(filter=filter))
        return decode_count(response.content)

    async def get(
        self,
        entity_set: str,
        key: Any,
        *,
        select: Sequence[str] = (),
        expand: Sequence[str] = (),
        entity_type: EntityType | None = None,
    ) -> Entity:
        query = Query(select=tuple(select), expand=tuple(expand))
        response = await self._send("GET", resource_path(entity_set, key), query)
        entity = decode_single(response.content, entity_type)
        entity.etag = entity.etag or response.headers.get("etag")
        return entity

    async def metadata(self) -> bytes:
        response = await self._send("GET", "$metadata", Query(), accept="application/xml")
        return response.content

    # --- writes -----------------------------------------------------------------------------------------

    async def create(
        self,
        entity_set: str,
        values: Mapping[str, Any],
        *,
        key: Any = None,
        navigation: str = "",
        entity_type: EntityType | None = None,
    ) -> Entity:
        """POST to `entity_set` (or `entity_set(key)/navigation`); the created entity as S/4HANA answers it."""
        segments = (navigation,) if navigation else ()
        response = await self._send(
            "POST", resource_path(entity_set, key, *segments), Query(), json=encode_entity(values, entity_type)
        )
        entity = decode_single(response.content, entity_type)
        entity.etag = entity.etag or response.headers.get("etag")
        return entity

    async def update(
        self,
        entity_set: str,
        key: Any,
        changes: Mapping[str, Any],
        *,
        etag: str | None = None,
        force: bool = False,
        method: str = "PATCH",
        entity_type: EntityType | None = None,
    ) -> str | None:
        """PATCH (or MERGE/PUT) with `If-Match: etag` (`*` with `force`); the new ETag when S/4HANA sends one."""
        headers = {"if-match": etag} if etag else {"if-match": "*"} if force else {}
        response = await self._send(
            method, resource_path(entity_set, key), Query(), headers=headers, json=encode_entity(changes, entity_type)
        )
        etag_header: str | None = response.headers.get("etag")
        return etag_header

    async def update_current(
        self, entity_set: str, key: Any, changes: Mapping[str, Any], *, entity_type: EntityType | None = None
    ) -> str | None:
        """GET the entity for its ETag, then PATCH with it: a concurrent change in between raises 412."""
        keys = entity_type.keys if entity_type else ()
        current = await self.get(entity_set, key, select=keys)
        return await self.update(entity_set, key, changes, etag=current.etag, entity_type=entity_type)

    async def delete(self, entity_set: str, key: Any, *, etag: str | None = None) -> None:
        await self._send("DELETE", resource_path(entity_set, key), Query(), headers={"if-match": etag} if etag else {})

    # --- transport --------------------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        query: Query,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        accept: str = "application/json",
    ) -> httpx.Response:
        params = ([("sap-client", self.sap_client)] if self.sap_client else []) + query.params()
        url = httpx.URL(f"{self.service_path}/{path}", params=params)
        return await self._send_url(method, url, headers=headers, json=json, accept=accept)

    async def _send_url(
        self,
        method: str,
        url: httpx.URL,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        accept: str = "application/json",
    ) -> httpx.Response:
        request = self.http.build_request(method, url, headers=self._headers(accept, headers), json=json)
        try:
            response = await self.http.send(request, auth=self.csrf)
        except httpx.TransportError as exc:
            raise _transport_error(exc, request) from exc
        if response.status_code >= 400:
            raise _http_error(response)
        return response

    def _headers(self, accept: str, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"accept": accept}
        if self.sap_client:
            headers["sap-client"] = self.sap_client
        if self.language:
            headers["sap-language"] = self.language
        headers.update(extra or {})
        return headers

    def _next_url(self, next_url: str) -> httpx.URL:
        base, url = self.http.base_url, httpx.URL(next_url)
        if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            raise ODataV2ProtocolError(
                f"__next leads to another origin ({url.scheme}://{url.host}:{url.port}); not followed",
                url=str(url.copy_with(query=None)),
            )
        if self.sap_client and "sap-client" not in url.params:
            url = url.copy_merge_params({"sap-client": self.sap_client})
        return url


def _collection(response: httpx.Response, entity_type: EntityType | None) -> EntityPage:
    page = decode_collection(response.content, entity_type)
    if page.next_url is not None:  # relative to the request, as any link
        page.next_url = str(response.request.url.join(page.next_url))
    return page


def _transport_error(exc: httpx.TransportError, request: httpx.Request) -> Exception:
    url = request.url
    port = url.port or (443 if url.scheme == "https" else 80)
    tls = translate_tls_error(exc, url.host, port, trust="default")
    if tls is not None:
        return tls
    where = str(url.copy_with(query=None))
    return TargetUnavailableError(f"cannot reach {where}: {type(exc).__name__}", url=where)


def _http_error(response: httpx.Response) -> ODataV2Error:
    status = response.status_code
    info = decode_error(response.content)
    cls = CsrfTokenError if token_required(response) else error_class(status)
    text = response.text.strip()[:200] if not info else ""
    message = info.message if info and info.message else f"HTTP {status} {response.reason_phrase}: {text}".strip()
    return cls(
        message,
        status=status,
        code=info.code if info else "",
        lang=info.lang if info else "en",
        details=info.details if info else (),
        transaction_id=info.transaction_id if info else None,
        url=str(response.request.url.copy_with(query=None)),
        hint=_HINTS.get(status),
    )
