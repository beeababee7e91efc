"""ASGI middleware: a correlation ID for every HTTP request, echoed in `x-correlationid`, and optionally
one request log line per request in the SAP Application Logging fields.

Connection data (client IP, port, `x-forwarded-for`) and the referer are personal data: logged as
`redacted` unless `LOG_SENSITIVE_CONNECTION_DATA=true` / `LOG_REFERER=true`, the switches SAP's logging
libraries use. The remote user is not known at this layer (authentication happens in the route).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bpverify.logs import correlation
from bpverify.logs.formatter import REQUEST, UNKNOWN, iso_utc

log = logging.getLogger("bpverify.request")
REDACTED = "redacted"


@dataclass(frozen=True)
class RequestLogOptions:
    connection_data: bool = False
    referer: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> RequestLogOptions:
        def on(name: str) -> bool:
            return environ.get(name, "").strip().lower() == "true"

        return cls(connection_data=on("LOG_SENSITIVE_CONNECTION_DATA"), referer=on("LOG_REFERER"))


@dataclass
class _Exchange:
    """What one request/response pair looked like, collected while it streams by."""

    correlation_id: str
    received: float
    started: float
    status: int = 500  # stays 500 when the application fails before answering
    size: int = 0
    content_type: str = UNKNOWN


class RequestContext:
    def __init__(self, app: ASGIApp, *, log_requests: bool = False, options: RequestLogOptions | None = None) -> None:
        self.app = app
        self.log_requests = log_requests
        self.options = options or RequestLogOptions()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(correlation.from_headers(Headers(scope=scope)), time.time(), time.perf_counter())

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if correlation.HEADER not in headers:
                    headers.append(correlation.HEADER, exchange.correlation_id)
                exchange.status = message["status"]
                exchange.content_type = headers.get("content-type", UNKNOWN)
            elif message["type"] == "http.response.body":
                exchange.size += len(message.get("body", b""))
            await send(message)

        with correlation.scope(exchange.correlation_id):
            try:
                await self.app(scope, receive, send_with_header)
            finally:
                if self.log_requests:
                    log.info(
                        "%s %s",
                        scope["method"],
                        scope["path"],
                        extra={"log_type": REQUEST, **self._fields(scope, exchange)},
                    )

    def _fields(self, scope: Scope, exchange: _Exchange) -> dict[str, object]:
        headers = Headers(scope=scope)
        query = scope.get("query_string", b"").decode("latin-1")
        client = scope.get("client") or (UNKNOWN, UNKNOWN)
        connection = self.options.connection_data
        length = headers.get("content-length", "")
        return {
            "correlation_id": exchange.correlation_id,
            "direction": "IN",
            "request": scope["path"] + (f"?{query}" if query else ""),
            "method": scope["method"],
            "protocol": f"HTTP/{scope.get('http_version', '1.1')}",
            "request_size_b": int(length) if length.isdigit() else -1,
            "response_status": exchange.status,
            "response_size_b": exchange.size,
            "response_content_type": exchange.content_type,
            "response_time_ms": round((time.perf_counter() - exchange.started) * 1000, 3),
            "request_received_at": iso_utc(exchange.received),
            "response_sent_at": iso_utc(time.time()),
            "remote_ip": str(client[0]) if connection else REDACTED,
            "remote_host": str(client[0]) if connection else REDACTED,
            "remote_port": str(client[1]) if connection else REDACTED,
            "x_forwarded_for": headers.get("x-forwarded-for", UNKNOWN) if connection else REDACTED,
            "referer": headers.get("referer", UNKNOWN) if self.options.referer else REDACTED,
            "remote_user": UNKNOWN,
        }
