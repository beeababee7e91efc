"""The pure rules of btp.xsuaa: header, trust (jku / iss / key URL), keys, claims, audience, scopes, x5t."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from btp.xsuaa import (
    AlgorithmError,
    AudienceError,
    IssuerError,
    MalformedTokenError,
    ProofOfPossessionError,
    TokenExpiredError,
    TokenNotYetValidError,
    UntrustedKeyError,
    XsuaaConfigError,
    certificate_from_xfcc,
    credentials_from_mapping,
    local_scopes,
    resolve_scope,
    thumbprint_s256,
)
from btp.xsuaa.claims import validate_claims
from btp.xsuaa.jose import parse_compact
from btp.xsuaa.keys import parse_jwks
from btp.xsuaa.scopes import audience_matches
from btp.xsuaa.trust import check_issuer, check_jku, key_url
from tests.support.xsuaa import (
    CLIENT_ID,
    SUBDOMAIN,
    UAADOMAIN,
    XSAPPNAME,
    ZONE_ID,
    Issuer,
    binding,
    jwk,
    public_pem,
    rsa_key,
)

KEY = rsa_key()
ISSUER = Issuer(KEY)
CREDENTIALS = credentials_from_mapping(binding()["xsuaa"][0]["credentials"])


# --- jku and iss: inside the uaadomain, nothing else ---------------------------------------------


@pytest.mark.parametrize(
    "jku",
    [
        f"https://{SUBDOMAIN}.{UAADOMAIN}/token_keys",
        f"https://{UAADOMAIN}/token_keys?zid={ZONE_ID}",
        f"https://OTHER-zone.{UAADOMAIN.upper()}:443/token_keys",
    ],
)
def test_jku_inside_the_uaadomain_is_accepted(jku: str) -> None:
    check_jku(jku, UAADOMAIN)


@pytest.mark.parametrize(
    "jku",
    [
        "https://evil.example/token_keys",
        f"https://{SUBDOMAIN}.{UAADOMAIN}.evil.example/token_keys",  # look-alike: our domain as a prefix
        f"https://evil{UAADOMAIN}/token_keys",  # look-alike: suffix without the dot
        f"https://{SUBDOMAIN}-{UAADOMAIN}/token_keys",
        f"https://{UAADOMAIN}@evil.example/token_keys",  # user info
        f"https://evil.example\\@{SUBDOMAIN}.{UAADOMAIN}/token_keys",
        f"http://{SUBDOMAIN}.{UAADOMAIN}/token_keys",  # not TLS
        f"https://{SUBDOMAIN}.{UAADOMAIN}:8443/token_keys",  # another port
        f"https://{SUBDOMAIN}.\u0430uth.test/token_keys",  # Cyrillic a: a homoglyph
        f"https://{SUBDOMAIN}%2e{UAADOMAIN}/token_keys",
        "https://127.0.0.1/token_keys",
        f"//{SUBDOMAIN}.{UAADOMAIN}/token_keys",
        "",
        42,
    ],
)
def test_jku_outside_or_looking_alike_is_refused(jku: Any) -> None:
    with pytest.raises(UntrustedKeyError):
        check_jku(jku, UAADOMAIN)


def test_issuer_must_be_inside_the_uaadomain() -> None:
    check_issuer(f"https://{SUBDOMAIN}.{UAADOMAIN}/oauth/token", UAADOMAIN)
    for bad in ("https://evil.example/oauth/token", f"http://{SUBDOMAIN}.{UAADOMAIN}/oauth/token", None):
        with pytest.raises(IssuerError):
            check_issuer(bad, UAADOMAIN)


def test_key_url_is_built_from_the_binding_never_from_the_token() -> None:
    assert key_url(UAADOMAIN, SUBDOMAIN, ZONE_ID) == f"https://{SUBDOMAIN}.{UAADOMAIN}/token_keys?zid={ZONE_ID}"
    assert key_url(UAADOMAIN, "evil.example#", "z") == f"https://{UAADOMAIN}/token_keys?zid=z"
    assert key_url(UAADOMAIN, None, "a&b=c") == f"https://{UAADOMAIN}/token_keys?zid=a%26b%3Dc"


# --- the header -----------------------------------------------------------------------------------


def test_a_valid_token_is_taken_apart() -> None:
    jws = parse_compact(ISSUER.token())
    assert jws.kid == ISSUER.kid
    assert jws.claims["zid"] == ZONE_ID


@pytest.mark.parametrize(
    ("header", "error"),
    [
        ({"alg": "none"}, AlgorithmError),
        ({"alg": "HS256"}, AlgorithmError),
        ({"alg": "RS512"}, AlgorithmError),
        ({"alg": "PS256"}, AlgorithmError),
        ({"alg": "ES256"}, AlgorithmError),
        ({"alg": "rs256"}, AlgorithmError),
        ({"kid": None}, UntrustedKeyError),
        ({"kid": 7}, UntrustedKeyError),
        ({"kid": "x" * 200}, UntrustedKeyError),
        ({"crit": ["exp"]}, MalformedTokenError),
        ({"b64": False}, MalformedTokenError),
    ],
)
def test_header_rules(header: dict[str, Any], error: type[Exception]) -> None:
    token = ISSUER.raw(ISSUER.header(**header), ISSUER.claims("Viewer"))
    with pytest.raises(error):
        parse_compact(token)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a.b",
        "a.b.c.d",
        "e30.e30.",
        "!!!.e30.c2ln",
        "W10.e30.c2ln",
        "e30.W10.c2ln",
        "eyJhbGciOiJSUzI1NiIsImFsZyI6Im5vbmUifQ.e30.c2ln",  # duplicate "alg"
        "x" * 20000,
        "é.é.é",
    ],
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises((MalformedTokenError, AlgorithmError)):
        parse_compact(token)


# --- keys -----------------------------------------------------------------------------------------


def test_jwks_keeps_rsa_keys_and_marks_other_types() -> None:
    keys = parse_jwks(
        {
            "keys": [
                jwk("rsa", KEY),
                jwk("ec", ec.generate_private_key(ec.SECP256R1())),
                jwk("weak", rsa_key(1024)),
                {"kid": "oct", "kty": "oct", "k": "c2VjcmV0"},
                {"kid": "enc", **{k: v for k, v in jwk("x", KEY).items() if k != "kid"}, "use": "enc"},
                {"kty": "RSA"},
                "junk",
            ]
        }
    )
    assert set(keys.rsa) == {"rsa"}
    assert keys.key("rsa").public_numbers() == KEY.public_key().public_numbers()
    for kid in ("ec", "weak", "oct", "enc"):
        with pytest.raises(AlgorithmError):
            keys.key(kid)
    with pytest.raises(UntrustedKeyError):
        keys.key("unknown")


def test_jwks_from_pem_value_only() -> None:
    keys = parse_jwks({"keys": [{"kid": "k", "kty": "RSA", "value": public_pem(KEY)}]})
    assert "k" in keys.rsa


@pytest.mark.parametrize("document", [None, [], {"keys": "x"}, {}])
def test_not_a_jwks(document: Any) -> None:
    with pytest.raises(ValueError, match="JWKS"):
        parse_jwks(document)


# --- claims ---------------------------------------------------------------------------------------


def validate(claims: dict[str, Any], **kwargs: Any) -> Any:
    return validate_claims(claims, CREDENTIALS, now=time.time(), **kwargs)


def test_valid_claims_give_a_typed_token() -> None:
    token = validate(ISSUER.claims("Viewer", "Validator"))
    assert token.local_scopes == {"Viewer", "Validator"}
    assert token.principal == "vera@example.com"
    assert (token.zone_id, token.subdomain, token.origin) == (ZONE_ID, SUBDOMAIN, "sap.default")
    assert token.user_attributes == {"country": ("DE",)}


def test_client_credentials_token_names_the_client() -> None:
    token = validate(ISSUER.claims("emcallback", user_name=None, email=None, grant_type="client_credentials"))
    assert token.principal == CLIENT_ID and token.is_client_credentials


def test_time_rules_with_leeway() -> None:
    now = time.time()
    validate(ISSUER.claims(exp=now - 30))  # within the 60 s leeway
    validate(ISSUER.claims(nbf=now + 30, iat=now + 30))
    for claims, error in [
        (ISSUER.claims(exp=now - 61), TokenExpiredError),
        (ISSUER.claims(nbf=now + 300), TokenNotYetValidError),
        (ISSUER.claims(iat=now + 300), TokenNotYetValidError),
        (ISSUER.claims(exp=None), MalformedTokenError),
        (ISSUER.claims(exp="tomorrow"), MalformedTokenError),
        (ISSUER.claims(exp=True), MalformedTokenError),
    ]:
        with pytest.raises(error):
            validate(claims)
    with pytest.raises(TokenExpiredError):
        validate(ISSUER.claims(exp=now - 1), leeway=0)


def test_zone_and_issuer() -> None:
    for claims, error in [
        (ISSUER.claims(zid="99999999-0000-0000-0000-000000000000"), IssuerError),
        (ISSUER.claims(zid=None), MalformedTokenError),
        (ISSUER.claims(zid="../x"), MalformedTokenError),
        (ISSUER.claims(iss="https://evil.example/oauth/token"), IssuerError),
        (ISSUER.claims(iss=None), IssuerError),
    ]:
        with pytest.raises(error):
            validate(claims)


def test_a_shared_binding_accepts_subscriber_zones() -> None:
    shared = credentials_from_mapping(binding(tenant_mode="shared")["xsuaa"][0]["credentials"])
    claims = ISSUER.claims("Viewer", zid="99999999-0000-0000-0000-000000000000")
    assert validate_claims(claims, shared, now=time.time()).zone_id.startswith("9999")


@pytest.mark.parametrize(
    "changes",
    [
        {"scope": "bpv!t123.Viewer"},
        {"scope": [1]},
        {"aud": [1]},
        {"cid": 5},
        {"cid": None, "client_id": None},
        {"ext_attr": "x"},
        {"xs.user.attributes": []},
    ],
)
def test_claim_types(changes: dict[str, Any]) -> None:
    with pytest.raises(MalformedTokenError):
        validate(ISSUER.claims("Viewer", **changes))


# --- audience (sap-xssec's rule) ------------------------------------------------------------------

TRUSTED = (CLIENT_ID, XSAPPNAME)


@pytest.mark.parametrize(
    ("cid", "aud", "scopes", "accepted"),
    [
        (CLIENT_ID, [], [], True),  # (a) our own client
        ("sb-other!t9", [XSAPPNAME], [], True),  # (c) aud names our xsappname
        ("sb-other!t9", [f"{XSAPPNAME}.Viewer"], [], True),  # (c) cut at the first "."
        ("sb-other!t9", [], [f"{XSAPPNAME}.Viewer"], True),  # (c) no aud: derived from the scopes
        ("sb-other!t9", ["other!t9"], [f"{XSAPPNAME}.Viewer"], False),  # aud given: scopes do not count
        ("sb-other!t9", [], ["other!t9.Viewer"], False),
        ("sb-other!t9", ["bpv!t1230"], [], False),  # prefix of another app's name
    ],
)
def test_audience(cid: str, aud: list[str], scopes: list[str], accepted: bool) -> None:
    assert audience_matches(TRUSTED, cid=cid, aud=aud, scopes=scopes) is accepted


def test_broker_clone_audience() -> None:
    trusted = ("sb-bpv!b42", "bpv!b42")
    assert audience_matches(trusted, cid="sb-clone", aud=["sb-clone!b7|bpv!b42"], scopes=[])
    assert not audience_matches(TRUSTED, cid="sb-clone", aud=["sb-clone!b7|bpv!t123"], scopes=[])


def test_audience_error_from_claims() -> None:
    with pytest.raises(AudienceError):
        validate(ISSUER.claims("Viewer", cid="sb-other!t9", aud=["other!t9"]))


def test_scopes() -> None:
    assert resolve_scope("$XSAPPNAME.Viewer", XSAPPNAME) == "bpv!t123.Viewer"
    assert resolve_scope("openid", XSAPPNAME) == "openid"
    scopes = ["bpv!t123.Viewer", "bpv!t1234.Validator", "other!t9.Validator", "bpv!t123.", "openid"]
    assert local_scopes(scopes, XSAPPNAME) == {"Viewer"}


# --- proof of possession (x5t#S256) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def client_cert() -> trustme.LeafCert:
    return trustme.CA().issue_cert("client.example")


def test_cnf_bound_token_needs_the_certificate(client_cert: trustme.LeafCert) -> None:
    der = x509.load_pem_x509_certificate(client_cert.cert_chain_pems[0].bytes()).public_bytes(Encoding.DER)
    claims = ISSUER.claims("Viewer", cnf={"x5t#S256": thumbprint_s256(der)})
    assert validate(claims, client_certificate=der).local_scopes == {"Viewer"}
    for presented in (None, b"other"):
        with pytest.raises(ProofOfPossessionError):
            validate(claims, client_certificate=presented)
    with pytest.raises(MalformedTokenError):
        validate(ISSUER.claims("Viewer", cnf={"jkt": "x"}))


def test_xfcc_formats(client_cert: trustme.LeafCert) -> None:
    pem = client_cert.cert_chain_pems[0].bytes().decode()
    der = certificate_from_xfcc(pem)
    assert der is not None
    body = "".join(pem.strip().splitlines()[1:-1])
    assert certificate_from_xfcc(body) == der  # gorouter: base64 DER
    assert certificate_from_xfcc(f'Hash=abc;Cert="{quote(pem)}";Subject="CN=x"') == der  # Envoy
    assert certificate_from_xfcc(quote(pem)) == der
    assert certificate_from_xfcc("garbage") is None
    assert certificate_from_xfcc(None) is None


# --- the binding ----------------------------------------------------------------------------------


def test_binding_parsing() -> None:
    assert CREDENTIALS.uaadomain == UAADOMAIN
    assert CREDENTIALS.zone_id == ZONE_ID and CREDENTIALS.tenant_mode == "dedicated"
    assert "secret" not in repr(CREDENTIALS)
    derived = credentials_from_mapping(
        {"clientid": "c", "xsappname": "x", "url": f"https://{SUBDOMAIN}.{UAADOMAIN}", "identityzone": SUBDOMAIN}
    )
    assert derived.uaadomain == UAADOMAIN  # no uaadomain: derived from url, as sap-xssec does


def test_single_line_verification_key() -> None:
    pem = public_pem(KEY)
    one_line = pem.replace("\n", "")
    credentials = credentials_from_mapping({**binding()["xsuaa"][0]["credentials"], "verificationkey": one_line})
    assert credentials.verification_key is not None
    assert credentials.verification_key.public_numbers() == KEY.public_key().public_numbers()


@pytest.mark.parametrize(
    "changes",
    [
        {"clientid": None},
        {"xsappname": ""},
        {"uaadomain": "not a host"},
        {"verificationkey": "nope"},
        {"verificationkey": "-----BEGIN PUBLIC KEY-----AAAA-----END PUBLIC KEY-----"},
    ],
)
def test_unusable_bindings(changes: dict[str, Any]) -> None:
    with pytest.raises(XsuaaConfigError):
        credentials_from_mapping({**binding()["xsuaa"][0]["credentials"], **changes})
