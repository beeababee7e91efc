"""The HTTP adapter: mounts a `Dispatcher` on a Starlette/FastAPI application.

The only module of the layer that knows the web framework. It is a plain Starlette
route rather than a FastAPI endpoint: OData parses its own URL and body, and skipping
FastAPI's dependency resolution saves time on every request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse

from odata4.auth import User
from odata4.dispatcher import Dispatcher, error_response
from odata4.errors import ODataError, PayloadTooLarge
from odata4.http import Headers, Request, Response

Authenticate = Callable[[StarletteRequest], Awaitable[User]]

METHODS = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]


def mount(
    app: Starlette,
    root: str,
    dispatcher: Dispatcher,
    authenticate: Authenticate,
    challenge: str | None = None,
    max_body: int = 10 * 1024 * 1024,
) -> None:
    """Serve `dispatcher` below `root` (e.g. `/odata/v4/my-service`)."""
    root = root.rstrip("/")

    async def endpoint(http: StarletteRequest) -> StarletteResponse:
        try:
            user = await authenticate(http)
            body = await _read_body(http, max_body)
        except ODataError as error:  # 401, 413, or 503 when the authenticator's key service is down
            return _to_starlette(error_response(error), challenge)
        raw_path = http.scope.get("raw_path") or http.url.path.encode()
        path = raw_path.decode("latin-1")[len(root) :].lstrip("/")
        query = parse_qsl(http.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        request = Request(
            method=http.method,
            path=path,
            query=[(unquote(k, "utf-8") if "%" in k else k, v) for k, v in query],
            headers=Headers(http.headers.items()),
            body=body,
            user=user,
            root=root + "/",
        )
        response = await dispatcher.handle(request)
        if http.method == "HEAD":
            response.body = b""
        return _to_starlette(response, challenge)

    app.router.add_route(root, endpoint, methods=METHODS, include_in_schema=False)
    app.router.add_route(root + "/{rest:path}", endpoint, methods=METHODS, include_in_schema=False)


async def _read_body(http: StarletteRequest, limit: int) -> bytes:
    declared = http.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"Request body exceeds {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in http.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _to_starlette(response: Response, challenge: str | None) -> StarletteResponse:
    headers = dict(response.headers)
    if response.status == 401 and challenge:
        headers["www-authenticate"] = challenge
    media_type = headers.pop("content-type", None)
    return StarletteResponse(response.body, status_code=response.status, headers=headers, media_type=media_type)
