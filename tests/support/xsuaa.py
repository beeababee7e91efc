"""A fake XSUAA for token tests: RSA keys made at test time, a token factory, a JWKS server over real TLS.

The JWKS app runs on 127.0.0.1 behind a trustme CA certificate for `*.auth.test`; `LoopbackBackend`
connects every `https://<anything>.auth.test` to it, so TLS still checks the certificate against the host
name the validator asked for, and records which hosts were asked (a token's `jku` must never be one).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import ssl
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpcore
import httpx
import jwt
import trustme
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.server import serve

UAADOMAIN = "auth.test"
SUBDOMAIN = "bpv-sub"
ZONE_ID = "11111111-2222-3333-4444-555555555555"
XSAPPNAME = "bpv!t123"
CLIENT_ID = "sb-bpv!t123"
CLIENT_SECRET = "xsuaa-fixture-client-secret-7f3a"  # a fixture secret: must never be logged
KID = "default-jwt-key-test-1"


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def jwk(kid: str, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads(
        jwt.algorithms.get_default_algorithms()["RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"].to_jwk(
            key.public_key()
        )
    )
    entry.update(kid=kid, use="sig")
    if isinstance(key, rsa.RSAPrivateKey):
        entry.update(alg="RS256", value=public_pem(key))
    return entry


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def binding(
    *, url_host: str = f"{SUBDOMAIN}.{UAADOMAIN}", verification_key: str | None = None, tenant_mode: str = "dedicated"
) -> dict[str, Any]:
    credentials = {
        "clientid": CLIENT_ID,
        "clientsecret": CLIENT_SECRET,
        "xsappname": XSAPPNAME,
        "uaadomain": UAADOMAIN,
        "url": f"https://{url_host}",
        "identityzone": SUBDOMAIN,
        "identityzoneid": ZONE_ID,
        "tenantid": ZONE_ID,
        "tenantmode": tenant_mode,
        "credential-type": "binding-secret",
    }
    if verification_key:
        credentials["verificationkey"] = verification_key
    return {
        "xsuaa": [
            {"label": "xsuaa", "name": "bpv-uaa", "plan": "application", "tags": ["xsuaa"], "credentials": credentials}
        ]
    }


@dataclass
class Issuer:
    """Makes XSUAA-shaped tokens; `claims()` is a valid user token of the binding above."""

    key: rsa.RSAPrivateKey
    kid: str = KID

    def claims(self, *scopes: str, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "jti": "0c1e",
            "ext_attr": {"enhancer": "XSUAA", "subaccountid": "sa-1", "zdn": SUBDOMAIN},
            "xs.system.attributes": {"xs.rolecollections": ["BPV_Viewer"]},
            "given_name": "Vera",
            "family_name": "Viewer",
            "xs.user.attributes": {"country": ["DE"]},
            "sub": "u-1",
            "scope": [f"{XSAPPNAME}.{s}" for s in scopes] + ["openid"],
            "client_id": CLIENT_ID,
            "cid": CLIENT_ID,
            "azp": CLIENT_ID,
            "grant_type": "authorization_code",
            "user_id": "u-1",
            "origin": "sap.default",
            "user_name": "vera@example.com",
            "email": "vera@example.com",
            "auth_time": now,
            "rev_sig": "abc",
            "iat": now,
            "exp": now + 600,
            "iss": f"https://{SUBDOMAIN}.{UAADOMAIN}/oauth/token",
            "zid": ZONE_ID,
            "aud": [f"{XSAPPNAME}.{s}" for s in scopes] + [CLIENT_ID, "openid"],
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def header(self, **changes: Any) -> dict[str, Any]:
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT", "jku": f"https://{SUBDOMAIN}.{UAADOMAIN}/token_keys"}
        header.update(changes)
        return {k: v for k, v in header.items() if v is not None}

    def token(
        self, claims: dict[str, Any] | None = None, *, key: Any = None, algorithm: str = "RS256", **header: Any
    ) -> str:
        headers = self.header(**header)
        headers.pop("alg", None)
        return jwt.encode(
            self.claims("Viewer") if claims is None else claims, key or self.key, algorithm=algorithm, headers=headers
        )

    def raw(
        self, header: dict[str, Any], claims: Any, signature: bytes | None = None, *, hmac_secret: bytes | None = None
    ) -> str:
        """Hand-made compact JWS: any header, any payload, RS256-signed unless told otherwise."""
        signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
        if hmac_secret is not None:
            signature = hmac.new(hmac_secret, signing_input.encode(), hashlib.sha256).digest()
        elif signature is None:
            algorithm = jwt.algorithms.get_default_algorithms()["RS256"]
            signature = algorithm.sign(signing_input.encode(), self.key)
        return f"{signing_input}.{b64(signature)}"


@dataclass
class KeyServer:
    """The `/token_keys` endpoint; `keys` can be changed per test, `requests` tells what was asked."""

    keys: list[dict[str, Any]]
    delay: float = 0.0
    status: int = 200
    requests: list[tuple[str, str]] = field(default_factory=list)  # (host, zid)

    def app(self) -> Starlette:
        async def token_keys(request: Request) -> Response:
            self.requests.append((request.headers.get("host", ""), request.query_params.get("zid", "")))
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.status != 200:
                return JSONResponse({"error": "unavailable"}, status_code=self.status)
            return JSONResponse({"keys": self.keys})

        return Starlette(routes=[Route("/token_keys", token_keys)])


class LoopbackBackend(httpcore.AsyncNetworkBackend):
    """Every TCP connection goes to 127.0.0.1:`port`; the host names asked for are recorded."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.hosts: list[str] = []
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        return await self._inner.connect_tcp(
            "127.0.0.1", self.port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class LoopbackTransport(httpx.AsyncHTTPTransport):
    def __init__(self, backend: LoopbackBackend, ca: trustme.CA) -> None:
        context = ssl.create_default_context()
        ca.configure_trust(context)
        super().__init__(verify=context)
        self._pool = httpcore.AsyncConnectionPool(ssl_context=context, network_backend=backend)


@dataclass
class Uaa:
    """A running key server: its state, the CA its certificate chains to, and its port on 127.0.0.1."""

    server: KeyServer
    ca: trustme.CA
    port: int

    def transport(self, backend: LoopbackBackend | None = None) -> LoopbackTransport:
        return LoopbackTransport(backend or LoopbackBackend(self.port), self.ca)


@contextmanager
def running_uaa(folder: Path, keys: list[dict[str, Any]] | None = None) -> Iterator[Uaa]:
    """`KeyServer` over TLS (certificate for `*.auth.test` from a fresh trustme CA) until the block ends."""
    ca = trustme.CA()
    leaf = ca.issue_cert(f"*.{UAADOMAIN}", UAADOMAIN)
    cert, key = folder / "uaa.crt", folder / "uaa.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    server = KeyServer(keys=keys or [])
    with serve(server.app(), ssl_certfile=str(cert), ssl_keyfile=str(key)) as url:
        yield Uaa(server, ca, int(url.rsplit(":", 1)[1]))
