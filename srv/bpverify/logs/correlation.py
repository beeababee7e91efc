"""The correlation ID of the current request: taken from the caller, made up when missing, passed on.

SAP's convention (Application Logging, application router, CAP): the header `x-correlationid`; when
none came along, the Cloud Foundry router's `x-vcap-request-id`. The ID lives in a context variable for
the duration of a request (anyio copies it into the database worker threads), appears in every JSON
log line as `correlation_id`, goes back to the caller as `x-correlationid`, and goes out with every
call made through an httpx client that has the hook:

    httpx.AsyncClient(event_hooks={"request": [correlation.propagate]})
    httpx.Client(event_hooks={"request": [correlation.propagate_sync]})
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

HEADER = "x-correlationid"
INCOMING = (HEADER, "x-correlation-id", "x-vcap-request-id")
# what we take over from a caller; anything else (too long, control characters, JSON) is replaced
_ACCEPTABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")

_current: ContextVar[str | None] = ContextVar("bpverify-correlation-id", default=None)


def current() -> str | None:
    """The correlation ID of the request being handled, None outside of one."""
    return _current.get()


def from_headers(headers: Mapping[str, str]) -> str:
    """The caller's correlation ID (first of `INCOMING` present and well-formed), else a new UUID."""
    for name in INCOMING:
        value = headers.get(name, "").strip()
        if _ACCEPTABLE.fullmatch(value):
            return value
    return str(uuid.uuid4())


@contextmanager
def scope(correlation_id: str) -> Iterator[str]:
    token = _current.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _current.reset(token)


def outgoing_headers() -> dict[str, str]:
    """Headers to send on an outbound call (empty outside of a request)."""
    value = current()
    return {HEADER: value} if value else {}


def propagate_sync(request: httpx.Request) -> None:
    """httpx request hook: add `x-correlationid` unless the caller set one."""
    value = current()
    if value and HEADER not in request.headers:
        request.headers[HEADER] = value


async def propagate(request: httpx.Request) -> None:
    """`propagate_sync` for `httpx.AsyncClient` (its hooks must be coroutines)."""
    propagate_sync(request)
