"""The correlation ID: taken from the caller (SAP's header first, then the CF router's), made up when
missing or malformed, and sent along on outbound httpx calls."""

from __future__ import annotations

import uuid

import anyio.to_thread
import httpx
import pytest

from bpverify.logs import correlation


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-correlationid": "abc-123", "x-vcap-request-id": "vcap-1"}, "abc-123"),
        ({"x-vcap-request-id": "5d1e2f3a-0000-4000-8000-000000000001"}, "5d1e2f3a-0000-4000-8000-000000000001"),
        ({"x-correlation-id": "from-elsewhere"}, "from-elsewhere"),
        ({"x-correlationid": "", "x-vcap-request-id": "vcap-2"}, "vcap-2"),
    ],
)
def test_the_callers_id_is_kept(headers: dict[str, str], expected: str) -> None:
    assert correlation.from_headers(headers) == expected


@pytest.mark.parametrize("value", ["", "has space", "x" * 129, '{"json": 1}', "line\nbreak", "-leading-dash"])
def test_a_missing_or_malformed_id_is_replaced_by_a_uuid(value: str) -> None:
    made = correlation.from_headers({"x-correlationid": value})
    assert made != value and uuid.UUID(made).version == 4


async def test_outbound_calls_carry_the_id_of_the_current_request() -> None:
    seen: list[str | None] = []

    def s4(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-correlationid"))
        return httpx.Response(200)

    hooks = {"request": [correlation.propagate]}
    async with httpx.AsyncClient(transport=httpx.MockTransport(s4), event_hooks=hooks) as client:
        with correlation.scope("req-7"):
            await client.get("https://s4.example/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner")
            await client.get("https://s4.example/x", headers={"x-correlationid": "explicit"})
        await client.get("https://s4.example/outside")
    assert seen == ["req-7", "explicit", None]


def test_the_sync_hook_and_the_header_helper() -> None:
    with (
        correlation.scope("req-8"),
        httpx.Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, text=r.headers["x-correlationid"])),
            event_hooks={"request": [correlation.propagate_sync]},
        ) as client,
    ):
        assert client.get("https://s4.example/").text == "req-8"
        assert correlation.outgoing_headers() == {"x-correlationid": "req-8"}
    assert correlation.outgoing_headers() == {}


async def test_database_worker_threads_see_the_id() -> None:
    with correlation.scope("req-9"):
        assert await anyio.to_thread.run_sync(correlation.current) == "req-9"
