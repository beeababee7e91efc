"""The request middleware: the correlation ID echoed in every response, and one SAP request line per
request with connection data redacted unless switched on."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bpverify.app import create_app
from bpverify.logs import correlation
from bpverify.logs.access import RequestContext, RequestLogOptions
from bpverify.logs.formatter import ApplicationLogFormatter
from bpverify.settings import Settings


async def echo(request: Request) -> Response:
    logging.getLogger("bpverify.test").info("handling")
    return JSONResponse({"correlation": correlation.current()}, status_code=201)


def _app(options: RequestLogOptions | None = None) -> Starlette:
    app = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])])
    app.add_middleware(RequestContext, log_requests=True, options=options)
    return app


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("192.0.2.10", 51234)), base_url="http://bpverify"
    )


async def test_the_callers_id_is_used_inside_and_echoed() -> None:
    async with _client(_app()) as client:
        response = await client.get("/echo", headers={"x-vcap-request-id": "vcap-77"})
    assert response.json() == {"correlation": "vcap-77"} and response.headers["x-correlationid"] == "vcap-77"


async def test_each_request_without_an_id_gets_its_own() -> None:
    async with _client(_app()) as client:
        first, second = await client.get("/echo"), await client.get("/echo")
    assert first.headers["x-correlationid"] != second.headers["x-correlationid"]
    assert first.json()["correlation"] == first.headers["x-correlationid"]


async def test_one_request_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bpverify.request")
    async with _client(_app()) as client:
        await client.post("/echo?$top=1", content=b"abc", headers={"x-correlationid": "c-1", "referer": "https://x"})
    [record] = [r for r in caplog.records if r.name == "bpverify.request"]
    line = json.loads(ApplicationLogFormatter({}).format(record))
    assert {
        k: line[k]
        for k in (
            "type",
            "correlation_id",
            "method",
            "request",
            "request_size_b",
            "response_status",
            "response_content_type",
            "direction",
        )
    } == {
        "type": "request",
        "correlation_id": "c-1",
        "method": "POST",
        "request": "/echo?$top=1",
        "request_size_b": 3,
        "response_status": 201,
        "response_content_type": "application/json",
        "direction": "IN",
    }
    assert line["response_size_b"] == len(b'{"correlation":"c-1"}') and line["response_time_ms"] >= 0
    assert (line["remote_ip"], line["x_forwarded_for"], line["referer"]) == ("redacted", "redacted", "redacted")


async def test_connection_data_is_logged_when_switched_on(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bpverify.request")
    options = RequestLogOptions.from_environ({"LOG_SENSITIVE_CONNECTION_DATA": "true", "LOG_REFERER": "TRUE"})
    async with _client(_app(options)) as client:
        await client.get("/echo", headers={"referer": "https://launchpad.example/"})
    [record] = [r for r in caplog.records if r.name == "bpverify.request"]
    assert (record.remote_ip, record.remote_port, record.referer) == (
        "192.0.2.10",
        "51234",
        "https://launchpad.example/",
    )


async def test_the_service_echoes_the_id_without_json_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'x.sqlite'}", seed=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bpverify") as client:
        response = await client.get("/health", headers={"x-correlationid": "from-approuter"})
    assert response.headers["x-correlationid"] == "from-approuter"
    assert not [r for r in caplog.records if r.name == "bpverify.request"]  # uvicorn's access log does it in text mode
