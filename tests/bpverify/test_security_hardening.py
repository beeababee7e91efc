"""Hardening defaults of the running service: body and $batch limits, $top / $expand limits, CORS, headers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.server import serve

from bpverify.app import create_app
from bpverify.settings import Settings

ROOT = "/odata/v4/business-partner-verification"
ALICE = ("alice", "alice")
UI = "https://bpv-ui.cfapps.eu10.hana.ondemand.com"


@contextmanager
def running(folder: Path, **settings: Any) -> Iterator[httpx.Client]:
    config = Settings(db_url=f"sqlite:///{folder / 'bpv.sqlite'}", **settings)
    with serve(create_app(config)) as base, httpx.Client(base_url=base, auth=ALICE, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def hardened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with running(
        tmp_path_factory.mktemp("hardened"),
        max_body_bytes=64 * 1024,
        max_batch_parts=5,
        max_top=100,
        max_expand_depth=2,
        cors_origins=f"{UI}, https://other.example",
    ) as client:
        yield client


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with running(tmp_path_factory.mktemp("default")) as client:
        yield client


def error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    message: str = response.json()["error"]["message"]
    return message


# --- request size -----------------------------------------------------------------------------------


def test_declared_body_above_the_limit_is_413(hardened: httpx.Client) -> None:
    big = json.dumps({"businessPartnerName": "x" * 70_000})
    response = hardened.post(f"{ROOT}/Notifications", content=big, headers={"content-type": "application/json"})
    assert "exceeds" in error(response, 413)


def test_streamed_body_above_the_limit_is_413_on_every_endpoint(hardened: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    for path in (f"{ROOT}/$batch", "/messaging/enterprise-messaging"):
        response = hardened.post(
            path,
            content=chunks(),
            headers={"content-type": "application/json"},
            auth=("eventmesh", "eventmesh") if "messaging" in path else ALICE,
        )
        assert response.status_code == 413, (path, response.text)


def test_batch_part_limit(hardened: httpx.Client) -> None:
    def batch(parts: int) -> httpx.Response:
        body = {"requests": [{"id": str(i), "method": "GET", "url": "StatusValues"} for i in range(parts)]}
        return hardened.post(f"{ROOT}/$batch", json=body)

    assert batch(5).status_code == 200
    assert "Too many" in error(batch(6), 400)


# --- how much one request may ask for -------------------------------------------------------------------


def test_top_limit(hardened: httpx.Client) -> None:
    assert hardened.get(f"{ROOT}/Notifications?$top=100").status_code == 200
    assert error(hardened.get(f"{ROOT}/Notifications?$top=101"), 400) == "$top must not exceed 100"
    nested = hardened.get(f"{ROOT}/Notifications?$expand=addresses($top=1000)")
    assert error(nested, 400) == "$top must not exceed 100"


def test_expand_depth_limit(hardened: httpx.Client) -> None:
    assert hardened.get(f"{ROOT}/Addresses?$expand=notification($expand=verificationStatus)").status_code == 200
    deep = hardened.get(f"{ROOT}/Addresses?$expand=notification($expand=addresses($expand=notification))")
    assert error(deep, 400) == "$expand is nested deeper than the allowed 2 levels"


def test_limits_apply_inside_batch(hardened: httpx.Client) -> None:
    body = {"requests": [{"id": "1", "method": "GET", "url": "Notifications?$top=500"}]}
    answer = hardened.post(f"{ROOT}/$batch", json=body).json()["responses"][0]
    assert answer["status"] == 400


def nested_expand(depth: int) -> str:
    """From Addresses: notification($expand=addresses($expand=notification(...))), `depth` levels."""
    names = ["notification", "addresses"] * depth
    text = names[depth - 1]
    for name in reversed(names[: depth - 1]):
        text = f"{name}($expand={text})"
    return text


def test_defaults_accept_what_cap_accepts(default: httpx.Client) -> None:
    assert default.get(f"{ROOT}/StatusValues?$top=1000000").status_code == 200  # CAP pages, it does not refuse
    assert default.get(f"{ROOT}/Addresses?$expand={nested_expand(5)}").status_code == 200
    too_deep = default.get(f"{ROOT}/Addresses?$expand={nested_expand(6)}")
    assert error(too_deep, 400) == "$expand is nested deeper than the allowed 5 levels"


# --- CORS --------------------------------------------------------------------------------------------


def test_cors_is_off_by_default(default: httpx.Client) -> None:
    response = default.get(f"{ROOT}/StatusValues", headers={"origin": UI})
    assert "access-control-allow-origin" not in response.headers
    preflight = default.options(f"{ROOT}/StatusValues", headers={"origin": UI, "access-control-request-method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_for_configured_origins_only(hardened: httpx.Client) -> None:
    preflight = hardened.options(
        f"{ROOT}/Notifications",
        headers={
            "origin": UI,
            "access-control-request-method": "PATCH",
            "access-control-request-headers": "authorization, content-type, if-match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == UI
    assert hardened.get(f"{ROOT}/StatusValues", headers={"origin": UI}).headers["access-control-allow-origin"] == UI
    foreign = hardened.get(f"{ROOT}/StatusValues", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


# --- security headers --------------------------------------------------------------------------------


def test_security_headers_on_odata(default: httpx.Client) -> None:
    headers = default.get(f"{ROOT}/StatusValues").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "frame-ancestors 'none'"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in headers  # plain http on 127.0.0.1


def test_security_headers_on_errors_and_health(default: httpx.Client) -> None:
    unauthorized = default.get(f"{ROOT}/StatusValues", auth=None)
    assert unauthorized.status_code == 401 and unauthorized.headers["x-content-type-options"] == "nosniff"
    health = default.get("/health")
    assert health.headers["x-frame-options"] == "DENY" and "no-store" not in health.headers.get("cache-control", "")


def test_hsts_behind_the_tls_terminating_router(default: httpx.Client) -> None:
    headers = default.get(f"{ROOT}/StatusValues", headers={"x-forwarded-proto": "https"}).headers
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
