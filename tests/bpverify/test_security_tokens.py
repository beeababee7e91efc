"""The real service with an xsuaa binding, its keys on a TLS server on 127.0.0.1: forged tokens, valid roles.

`create_app` gets VCAP_SERVICES with an `xsuaa` binding (uaadomain `auth.test`) and the production profile;
only the network is replaced: every `*.auth.test` connection reaches the loopback key server.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jwt
import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from tests.support.server import serve
from tests.support.xsuaa import (
    SUBDOMAIN,
    UAADOMAIN,
    XSAPPNAME,
    Issuer,
    Uaa,
    b64,
    binding,
    jwk,
    public_pem,
    rsa_key,
    running_uaa,
)

from bpverify.app import create_app
from bpverify.settings import Settings
from btp.xsuaa import thumbprint_s256

ROOT = "/odata/v4/business-partner-verification"
KEY, ATTACKER, WEAK = rsa_key(), rsa_key(), rsa_key(1024)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
ISSUER = Issuer(KEY)
NOTIFICATION = "2c728381-72ce-4fdd-8293-8add71579666"  # from db/data


def keys() -> list[dict[str, Any]]:
    return [jwk(ISSUER.kid, KEY), jwk("ec-key", EC_KEY), jwk("weak-key", WEAK)]


@pytest.fixture(scope="module")
def uaa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Uaa]:
    with running_uaa(tmp_path_factory.mktemp("uaa"), keys()) as running:
        yield running


@contextmanager
def service(uaa: Uaa, folder: Path, **settings: Any) -> Iterator[str]:
    config = Settings.model_validate(
        {
            "profile": "production",
            "db_url": f"sqlite:///{folder / 'bpv.sqlite'}",
            "VCAP_SERVICES": json.dumps(binding()),
            **settings,
        }
    )
    with serve(create_app(config, xsuaa_transport=uaa.transport())) as base:
        yield base + ROOT


@pytest.fixture(scope="module")
def base(uaa: Uaa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with service(uaa, tmp_path_factory.mktemp("bpv")) as url:
        yield url


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def get(base: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.get(f"{base}/{path}", headers=headers or {}, timeout=30)


# --- forged and broken tokens: every one 401 (or 403 where the token is fine but grants nothing) ----


def _tampered() -> str:
    header, _, signature = ISSUER.token(ISSUER.claims("Viewer")).split(".")
    richer = b64(json.dumps(ISSUER.claims("Viewer", "Validator")).encode())
    return f"{header}.{richer}.{signature}"


def _header_only(**header: Any) -> Callable[[], str]:
    return lambda: ISSUER.raw(ISSUER.header(**header), ISSUER.claims("Viewer"))


NOW = time.time()
FORGED: dict[str, tuple[Callable[[], str], int]] = {
    "alg none, no signature": (lambda: ISSUER.raw(ISSUER.header(alg="none"), ISSUER.claims("Viewer"), b""), 401),
    "alg none, with signature": (_header_only(alg="none"), 401),
    "HS256 signed with the public key": (
        lambda: ISSUER.raw(ISSUER.header(alg="HS256"), ISSUER.claims("Viewer"), hmac_secret=public_pem(KEY).encode()),
        401,
    ),
    "RS512 by the right key": (lambda: ISSUER.token(algorithm="RS512"), 401),
    "PS256 by the right key": (lambda: ISSUER.token(algorithm="PS256"), 401),
    "ES256 (wrong key type)": (lambda: ISSUER.token(key=EC_KEY, algorithm="ES256", kid="ec-key"), 401),
    "RS256 naming an EC key": (lambda: ISSUER.token(kid="ec-key"), 401),
    "RS256 by a 1024-bit key": (lambda: Issuer(WEAK).raw(ISSUER.header(kid="weak-key"), ISSUER.claims("Viewer")), 401),
    "wrong kid": (lambda: ISSUER.token(kid="no-such-key"), 401),
    "no kid": (lambda: ISSUER.token(kid=None), 401),
    "right kid, attacker's key": (lambda: Issuer(ATTACKER).token(), 401),
    "attacker's key, jku on a foreign host": (lambda: Issuer(ATTACKER).token(jku="https://evil.example/keys"), 401),
    "jku look-alike (prefix)": (lambda: ISSUER.token(jku=f"https://{SUBDOMAIN}.{UAADOMAIN}.evil.example/k"), 401),
    "jku look-alike (suffix)": (lambda: ISSUER.token(jku=f"https://evil{UAADOMAIN}/token_keys"), 401),
    "jku with user info": (lambda: ISSUER.token(jku=f"https://{UAADOMAIN}@evil.example/token_keys"), 401),
    "jku over http": (lambda: ISSUER.token(jku=f"http://{SUBDOMAIN}.{UAADOMAIN}/token_keys"), 401),
    "expired": (lambda: ISSUER.token(ISSUER.claims("Viewer", exp=int(NOW) - 120)), 401),
    "not yet valid": (lambda: ISSUER.token(ISSUER.claims("Viewer", nbf=int(NOW) + 300)), 401),
    "issued in the future": (lambda: ISSUER.token(ISSUER.claims("Viewer", iat=int(NOW) + 300)), 401),
    "no exp": (lambda: ISSUER.token(ISSUER.claims("Viewer", exp=None)), 401),
    "wrong audience": (
        lambda: ISSUER.token(ISSUER.claims("Viewer", cid="sb-other!t9", client_id="sb-other!t9", aud=["other!t9"])),
        401,
    ),
    "wrong zone": (lambda: ISSUER.token(ISSUER.claims("Viewer", zid="99999999-0000-0000-0000-000000000000")), 401),
    "no zone": (lambda: ISSUER.token(ISSUER.claims("Viewer", zid=None)), 401),
    "wrong issuer": (lambda: ISSUER.token(ISSUER.claims("Viewer", iss="https://evil.example/oauth/token")), 401),
    "tampered payload": (_tampered, 401),
    "truncated": (lambda: ISSUER.token()[:-12], 401),
    "signature removed": (lambda: ISSUER.token().rsplit(".", 1)[0] + ".", 401),
    "duplicate alg in header": (
        lambda: "eyJhbGciOiJSUzI1NiIsImFsZyI6Im5vbmUifQ." + ISSUER.token().split(".", 1)[1],
        401,
    ),
    "crit header": (_header_only(crit=["cnf"]), 401),
    "payload is a list": (lambda: ISSUER.raw(ISSUER.header(), [ISSUER.claims("Viewer")]), 401),
    "scope is a string": (lambda: ISSUER.token(ISSUER.claims(scope=f"{XSAPPNAME}.Viewer")), 401),
    "cnf without the client certificate": (lambda: ISSUER.token(ISSUER.claims("Viewer", cnf={"x5t#S256": "abc"})), 401),
    "oversized": (lambda: ISSUER.token(ISSUER.claims("Viewer", padding="x" * 20000)), 401),
    "garbage": (lambda: "garbage", 401),
    "not base64": (lambda: "@@@.@@@.@@@", 401),
    "no scope at all": (lambda: ISSUER.token(ISSUER.claims()), 403),
    "another application's scope only": (lambda: ISSUER.token(ISSUER.claims(scope=["other!t9.Viewer"])), 403),
    "event ingest scope only": (lambda: ISSUER.token(ISSUER.claims("emcallback")), 403),
}


@pytest.mark.parametrize("case", list(FORGED))
def test_forged_or_broken_token_is_refused(base: str, case: str) -> None:
    make, status = FORGED[case]
    response = get(base, "Notifications", bearer(make()))
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == str(status)
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer ")


@pytest.mark.parametrize(
    "authorization", ["Bearer", "bearer", "Basic YWxpY2U6YWxpY2U=", "Token x", "Bearer a b", "Bearer \tx", ""]
)
def test_malformed_authorization_headers(base: str, authorization: str) -> None:
    response = get(base, "Notifications", {"authorization": authorization})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer ")


def test_anonymous_is_asked_for_a_bearer_token(base: str) -> None:
    response = get(base, "Notifications")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="bpverify"'
    assert response.json()["error"]["code"] == "401"


def test_the_jwks_server_saw_only_the_binding_zone(uaa: Uaa, base: str) -> None:
    get(base, "Notifications", bearer(ISSUER.token(jku="https://evil.example/token_keys")))
    assert {host for host, _ in uaa.server.requests} <= {f"{SUBDOMAIN}.{UAADOMAIN}"}


# --- valid tokens: the contract's roles ---------------------------------------------------------------


def test_viewer_reads_but_cannot_edit(base: str) -> None:
    viewer = bearer(ISSUER.token(ISSUER.claims("Viewer")))
    response = get(base, "Notifications?$select=ID&$top=1", viewer)
    assert response.status_code == 200, response.text
    edit = httpx.post(
        f"{base}/Notifications(ID={NOTIFICATION},IsActiveEntity=true)/BusinessPartnerVerification.draftEdit",
        json={},
        headers=viewer,
        timeout=30,
    )
    assert edit.status_code == 403, edit.text


def test_validator_edits_and_the_token_user_is_recorded(base: str) -> None:
    claims = ISSUER.claims("Validator", "Viewer", user_name="val.idator@example.com", email="v@example.com")
    validator = bearer(ISSUER.token(claims))
    keys = f"ID={NOTIFICATION},IsActiveEntity"
    edit = httpx.post(
        f"{base}/Notifications({keys}=true)/BusinessPartnerVerification.draftEdit",
        json={"PreserveChanges": True},
        headers=validator,
        timeout=30,
    )
    assert edit.status_code == 201, edit.text
    admin = get(base, f"Notifications({keys}=false)/DraftAdministrativeData", validator)
    assert admin.json()["InProcessByUser"] == "val.idator@example.com"
    patch = httpx.patch(
        f"{base}/Notifications({keys}=false)", json={"verificationStatus_code": "P"}, headers=validator, timeout=30
    )
    assert patch.status_code == 200, patch.text
    activate = httpx.post(
        f"{base}/Notifications({keys}=false)/BusinessPartnerVerification.draftActivate",
        json={},
        headers=validator,
        timeout=30,
    )
    assert activate.status_code in (200, 201), activate.text
    active = get(base, f"Notifications({keys}=true)", validator).json()
    assert active["modifiedBy"] == "val.idator@example.com"  # managed: from the token's user_name


def test_metadata_needs_only_a_login(base: str) -> None:
    assert get(base, "$metadata", bearer(ISSUER.token(ISSUER.claims()))).status_code == 200


def test_clock_skew_within_the_leeway_is_accepted(base: str) -> None:
    token = ISSUER.token(ISSUER.claims("Viewer", exp=int(time.time()) - 20, iat=int(time.time()) + 20))
    assert get(base, "Notifications?$top=1", bearer(token)).status_code == 200


def test_audience_derived_from_scopes_for_a_foreign_client(base: str) -> None:
    claims = ISSUER.claims("Viewer", cid="sb-other!t9", client_id="sb-other!t9", aud=[])
    assert get(base, "Notifications?$top=1", bearer(ISSUER.token(claims))).status_code == 200


def _der(leaf: trustme.LeafCert) -> bytes:
    return x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes()).public_bytes(Encoding.DER)


def test_certificate_bound_token_with_the_forwarded_certificate(base: str) -> None:
    leaf, other = trustme.CA().issue_cert("client.example"), trustme.CA().issue_cert("other.example")
    token = bearer(ISSUER.token(ISSUER.claims("Viewer", cnf={"x5t#S256": thumbprint_s256(_der(leaf))})))
    for forwarded, status in [
        (base64.b64encode(_der(leaf)).decode(), 200),  # gorouter: base64 DER
        (f'Hash=x;Cert="{quote(leaf.cert_chain_pems[0].bytes().decode())}"', 200),  # Envoy
        (base64.b64encode(_der(other)).decode(), 401),
        ("", 401),
        ("junk", 401),
    ]:
        response = get(base, "Notifications?$top=1", {**token, "x-forwarded-client-cert": forwarded})
        assert response.status_code == status, forwarded


def test_event_mesh_client_credentials_reach_the_webhook_only(base: str) -> None:
    webhook = base.replace(ROOT, "/messaging/enterprise-messaging")
    eventmesh = ISSUER.token(
        ISSUER.claims(
            "emcallback",
            grant_type="client_credentials",
            user_name=None,
            email=None,
            cid="sb-eventmesh!b7",
            client_id="sb-eventmesh!b7",
            aud=[],
        )
    )
    assert httpx.options(webhook, headers=bearer(eventmesh)).status_code == 200
    viewer = ISSUER.token(ISSUER.claims("Viewer"))
    assert httpx.options(webhook, headers=bearer(viewer)).status_code == 403
    assert get(base, "Notifications", bearer(eventmesh)).status_code == 403


# --- the key service: one fetch for 200 requests; unavailable → 503, not 500 -----------------------


def test_200_concurrent_requests_fetch_the_keys_once(uaa: Uaa, tmp_path: Path) -> None:
    uaa.server.requests.clear()
    uaa.server.delay = 0.3
    token = bearer(ISSUER.token(ISSUER.claims("Viewer")))

    async def burst(url: str) -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            responses = await asyncio.gather(*(client.get(f"{url}/$metadata", headers=token) for _ in range(200)))
        return [r.status_code for r in responses]

    try:
        with service(uaa, tmp_path) as url:
            statuses = asyncio.run(burst(url))
    finally:
        uaa.server.delay = 0.0
    assert statuses == [200] * 200
    assert len(uaa.server.requests) == 1


def test_key_service_down_is_503_never_500(uaa: Uaa, tmp_path: Path) -> None:
    uaa.server.status = 503
    try:
        with service(uaa, tmp_path) as url:
            response = get(url, "Notifications", bearer(ISSUER.token()))
            forged = get(url, "Notifications", bearer(Issuer(ATTACKER).token(kid="x")))
    finally:
        uaa.server.status = 200
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "503"
    assert forged.status_code == 503


def test_forged_token_count_meets_the_acceptance() -> None:
    assert len(FORGED) >= 20
    assert jwt.__version__  # PyJWT signs the fixtures; the validator's own rules decide
