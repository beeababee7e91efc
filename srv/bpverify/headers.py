"""Security response headers on every HTTP response (pure ASGI middleware, no body buffering).

    X-Content-Type-Options: nosniff
    X-Frame-Options: DENY                              and CSP `frame-ancestors 'none'`: no clickjacking
    Referrer-Policy: no-referrer
    Cache-Control: no-store                            below the OData root: business data stays out of caches
    Strict-Transport-Security: max-age=31536000; includeSubDomains
                                                       when the request came over TLS (scheme https, or
                                                       X-Forwarded-Proto https from the Cloud Foundry router)

A header the application set itself is left alone.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000; includeSubDomains"
ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, no_store_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.no_store_prefixes = no_store_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = dict(ALWAYS)
        if scope["path"].startswith(self.no_store_prefixes):
            extra["cache-control"] = "no-store"
        if _over_tls(scope):
            extra["strict-transport-security"] = HSTS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _over_tls(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"
