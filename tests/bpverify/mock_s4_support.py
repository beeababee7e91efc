"""Helpers for the mocked S/4HANA's tests: the app behind httpx in-process, and a CSRF token for writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from bpverify.mock_s4 import SERVICE_ROOT, MockConfig, MockS4, create_app

AUTH = ("MOCKUSER", "mockpass")


@asynccontextmanager
async def mock_client(
    config: MockConfig | None = None, **client: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, MockS4]]:
    app = create_app(config or MockConfig())
    client.setdefault("auth", AUTH)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://s4.test" + SERVICE_ROOT + "/", **client
    ) as http:
        yield http, app.state.mock
        await app.state.mock.events.aclose()


async def fetch_token(http: httpx.AsyncClient) -> str:
    """`x-csrf-token: Fetch`; the session cookie lands in the client's jar."""
    response = await http.head("", headers={"x-csrf-token": "Fetch"})
    assert response.status_code == 200, response.text
    return response.headers["x-csrf-token"]
