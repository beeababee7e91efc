"""A fake BTP as small Starlette apps served for real on 127.0.0.1: XSUAA, Destination service, S/4, proxy.

Tokens are opaque (`tok-…`), never JWTs. XSUAA tells tenants apart by the subdomain in the Host header
(`<tenant>.auth.test`). Every call is counted in `FakeBTP.counts`, e.g. `token:sb-destination`,
`find:BusinessPartner`, `cert:subaccount:s4.pem`.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

NOT_FOUND = {"ErrorMessage": "Configuration with the specified name was not found"}
S4_USER, S4_PASSWORD = "S4USER", "S4PASS-secret-1"


@dataclass
class FakeBTP:
    clients: dict[str, str] = field(default_factory=dict)  # client id → secret
    token_ttl: float = 3600.0
    destinations: dict[str, dict[str, Any]] = field(default_factory=dict)  # tenant:name or name → spec
    certificates: dict[str, dict[str, bytes]] = field(default_factory=lambda: {"subaccount": {}, "instance": {}})
    counts: Counter[str] = field(default_factory=Counter)
    tokens: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # token → client, tenant, expires
    down: bool = False
    _serial: Any = field(default_factory=itertools.count)

    # --- XSUAA ---------------------------------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        client, secret = form.get("client_id", ""), form.get("client_secret", "")
        if request.headers.get("authorization", "").startswith("Basic "):
            client, _, secret = base64.b64decode(request.headers["authorization"][6:]).decode().partition(":")
        self.counts[f"token:{client}"] += 1
        if form.get("grant_type") != "client_credentials" or self.clients.get(client) != secret:
            return JSONResponse({"error": "unauthorized", "error_description": "Bad credentials"}, status_code=401)
        tenant = request.headers.get("host", "").split(".")[0]
        value = f"tok-{client}-{next(self._serial)}"
        self.tokens[value] = (client, tenant, time.monotonic() + self.token_ttl)
        return JSONResponse({"access_token": value, "token_type": "bearer", "expires_in": self.token_ttl})

    def bearer(self, request: Request) -> tuple[str, str] | None:
        value = request.headers.get("authorization", "").removeprefix("Bearer ")
        client, tenant, expires = self.tokens.get(value, ("", "", 0.0))
        return (client, tenant) if expires > time.monotonic() else None

    # --- Destination service -------------------------------------------------------------------------------
    async def find(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.counts[f"find:{name}"] += 1
        if self.down:
            return JSONResponse({"ErrorMessage": "Service Unavailable"}, status_code=503)
        caller = self.bearer(request)
        if caller is None:
            return JSONResponse({"ErrorMessage": "Unauthorized"}, status_code=401)
        spec = self.destinations.get(f"{caller[1]}:{name}") or self.destinations.get(name)
        if spec is None:
            return JSONResponse(NOT_FOUND, status_code=404)
        if spec.get("delay"):
            await asyncio.sleep(spec["delay"])
        if spec.get("status"):
            return JSONResponse({"ErrorMessage": spec.get("error", "fixture")}, status_code=spec["status"])
        self.counts[f"skip:{request.query_params.get('$skipTokenRetrieval', 'no')}"] += 1
        return JSONResponse(_lookup_result(name, spec, request.headers.get("x-user-token")))

    async def certificate(self, request: Request) -> Response:
        level, name = request.path_params["level"].removesuffix("Certificates"), request.path_params["name"]
        self.counts[f"cert:{level}:{name}"] += 1
        if self.bearer(request) is None:
            return JSONResponse({"ErrorMessage": "Unauthorized"}, status_code=401)
        content = self.certificates.get(level, {}).get(name)
        if content is None:
            return JSONResponse({"ErrorMessage": "Certificate not found"}, status_code=404)
        return JSONResponse({"Name": name, "Type": "CERTIFICATE", "Content": base64.b64encode(content).decode()})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/oauth/token", self.token, methods=["POST"]),
                Route("/destination-configuration/v1/destinations/{name}", self.find),
                Route("/destination-configuration/v1/{level}/{name}", self.certificate),
            ]
        )


def _lookup_result(name: str, spec: dict[str, Any], user_jwt: str | None) -> dict[str, Any]:
    config = {"Name": name, "Type": "HTTP", **spec["config"]}
    owner = {"SubaccountId": "sub-1", "InstanceId": "inst-1" if spec.get("instance") else None}
    result: dict[str, Any] = {"owner": owner, "destinationConfiguration": config}
    if "authTokens" in spec:
        result["authTokens"] = spec["authTokens"]
    if spec.get("user_token_header") and user_jwt:
        result["authTokens"] = [
            {
                "type": "bearer",
                "value": f"exchanged-{len(user_jwt)}",
                "expires_in": "3600",
                "http_header": {"key": "Authorization", "value": f"Bearer exchanged-{len(user_jwt)}"},
            }
        ]
    if "certificates" in spec:
        result["certificates"] = [
            {"Name": n, "Type": "CERTIFICATE", "Content": base64.b64encode(c).decode()}
            for n, c in spec["certificates"].items()
        ]
    return result


def backend_app(label: str) -> Starlette:
    """The S/4HANA stand-in: tells who called, with which headers and query, over which server."""

    async def echo(request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        principal = "anonymous"
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if password != S4_PASSWORD:
                return JSONResponse({"error": "wrong password"}, status_code=401)
            principal = f"basic:{user}"
        elif auth.startswith("Bearer "):
            principal = f"bearer:{auth[7:]}"
        return JSONResponse(
            {
                "server": label,
                "principal": principal,
                "headers": dict(request.headers),
                "query": dict(request.query_params),
                "path": request.url.path,
                "d": {"results": [{"BusinessPartner": "17100001"}, {"BusinessPartner": "17100002"}]},
            }
        )

    async def status(request: Request) -> Response:
        return Response(status_code=int(request.path_params["code"]))

    return Starlette(
        routes=[
            Route("/status/{code:int}", status, methods=["GET", "POST", "PUT"]),
            Route("/{path:path}", echo, methods=["GET", "POST", "HEAD", "PUT"]),
        ]
    )


@dataclass
class FakeProxy:
    """The connectivity proxy + Cloud Connector: any virtual host is forwarded to `backend`."""

    backend: str = ""
    seen: list[dict[str, str]] = field(default_factory=list)

    async def forward(self, request: Request) -> Response:
        headers = dict(request.headers)
        self.seen.append(dict(headers))
        if not headers.get("proxy-authorization", "").startswith("Bearer tok-sb-connectivity"):
            return Response(status_code=407)
        headers.pop("proxy-authorization")
        headers.pop("host", None)
        headers["x-via-proxy"] = "1"
        async with httpx.AsyncClient() as client:
            answer = await client.get(
                f"{self.backend}{request.url.path}", headers=headers, params=dict(request.query_params)
            )
        return Response(answer.content, status_code=answer.status_code, media_type="application/json")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.forward)])
