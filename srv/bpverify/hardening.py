"""The application's defensive defaults, installed by `create_app` (docs/security.md, "Hardening defaults").

* every request body is limited to `max_body_bytes` (413), whichever endpoint reads it;
* security headers on every response (`bpverify.headers`);
* CORS only for the origins in `BPVERIFY_CORS_ORIGINS` (off when empty: browsers then refuse cross-origin
  reads, the application router serves the UI from the same origin);
* secrets redacted in every log record (`bpverify.redaction`), including the binding credentials.
"""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bpverify import redaction
from bpverify.headers import SecurityHeaders
from bpverify.settings import Settings


def install(app: Starlette, settings: Settings, *, odata_root: str) -> None:
    redaction.remember(redaction.binding_secrets(settings.vcap_services))
    redaction.install()
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, no_store_prefixes=(odata_root,))
    origins = settings.cors_origin_list
    if origins:  # added last: outermost, so preflight requests are answered before anything else runs
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=[
                "authorization",
                "content-type",
                "accept",
                "if-match",
                "if-none-match",
                "odata-version",
                "odata-maxversion",
                "prefer",
                "x-csrf-token",
            ],
            expose_headers=["etag", "location", "odata-entityid", "sap-messages"],
            max_age=600,
        )


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 for a declared Content-Length above the limit; a streamed body that grows past it is cut off."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"error": {"code": "413", "message": f"Request body exceeds {self.max_bytes} bytes"}})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})
