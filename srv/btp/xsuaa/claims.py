"""The claim rules, applied to a payload whose signature has been verified. Pure: claims + clock in, token out.

Rule 1 (time): `exp` is required; rejected when now ≥ exp + leeway; `nbf` and `iat`, when present, must not
        lie more than `leeway` seconds in the future. sap-xssec uses no leeway at all.
Rule 2 (issuer): `iss` is an https URL inside the binding's uaadomain (trust.py). sap-xssec does not check it.
Rule 3 (zone): `zid` is required; a dedicated (single-tenant) binding accepts its own identity zone only.
        sap-xssec only checks that `zid` exists.
Rule 4 (audience): scopes.py, as sap-xssec applies it.
Rule 5 (proof of possession): a token with `cnf.x5t#S256` is accepted only together with the client
        certificate it was issued to (certificate.py). sap-xssec ignores `cnf`.
Rule 6 (types): `cid` (or `client_id`), `scope` (list of strings), `aud` (string or list), `ext_attr` and
        `xs.user.attributes` must have their documented shapes; anything else is a malformed token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .certificate import matches
from .credentials import XsuaaCredentials
from .errors import (
    AudienceError,
    IssuerError,
    MalformedTokenError,
    ProofOfPossessionError,
    TokenExpiredError,
    TokenNotYetValidError,
)
from .scopes import audience_matches, local_scopes
from .token import XsuaaToken
from .trust import check_issuer, is_zone_id

DEFAULT_LEEWAY = 60.0


def validate_claims(
    claims: Mapping[str, Any],
    credentials: XsuaaCredentials,
    *,
    now: float,
    leeway: float = DEFAULT_LEEWAY,
    client_certificate: bytes | None = None,
) -> XsuaaToken:
    expires_at = check_time(claims, now=now, leeway=leeway)
    check_issuer(claims.get("iss"), credentials.uaadomain)
    zone_id = check_zone(claims, credentials)
    cid = _text(claims, "cid") or _text(claims, "client_id")
    if not cid:
        raise MalformedTokenError("the token names no client (cid)")
    scopes, aud = _strings(claims, "scope"), _audiences(claims)
    if not audience_matches(credentials.trusted_client_ids, cid=cid, aud=aud, scopes=scopes):
        raise AudienceError("the token is not issued for this application")
    check_possession(claims, client_certificate)
    ext = _object(claims, "ext_attr")
    return XsuaaToken(
        client_id=cid,
        zone_id=zone_id,
        scopes=frozenset(scopes),
        local_scopes=local_scopes(scopes, credentials.xsappname),
        audiences=tuple(aud),
        expires_at=expires_at,
        grant_type=_text(claims, "grant_type"),
        user_name=_text(claims, "user_name"),
        email=_text(claims, "email"),
        given_name=_text(claims, "given_name"),
        family_name=_text(claims, "family_name"),
        origin=_text(claims, "origin"),
        subdomain=_text(ext, "zdn"),
        user_attributes=_attributes(claims),
        claims=claims,
    )


def check_time(claims: Mapping[str, Any], *, now: float, leeway: float) -> float:
    exp = _number(claims, "exp")
    if exp is None:
        raise MalformedTokenError("the token has no exp")
    if now >= exp + leeway:
        raise TokenExpiredError("the token has expired")
    for name in ("nbf", "iat"):
        value = _number(claims, name)
        if value is not None and value > now + leeway:
            raise TokenNotYetValidError(f"the token's {name} lies in the future")
    return exp


def check_zone(claims: Mapping[str, Any], credentials: XsuaaCredentials) -> str:
    zid = _text(claims, "zid")
    if not zid or not is_zone_id(zid):
        raise MalformedTokenError("the token has no usable zid")
    if credentials.tenant_mode == "dedicated" and credentials.zone_id and zid != credentials.zone_id:
        raise IssuerError("the token is issued by another identity zone", reason="zone")
    return zid


def check_possession(claims: Mapping[str, Any], client_certificate: bytes | None) -> None:
    cnf = claims.get("cnf")
    if cnf is None:
        return
    thumbprint = cnf.get("x5t#S256") if isinstance(cnf, dict) else None
    if not isinstance(thumbprint, str):
        raise MalformedTokenError("the token's cnf has no x5t#S256")
    if not matches(thumbprint, client_certificate):
        raise ProofOfPossessionError("the token is bound to a client certificate the caller did not present")


def _number(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedTokenError(f"the token's {name} is not a number")
    return float(value)


def _text(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedTokenError(f"the token's {name} is not a string")
    return value


def _strings(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MalformedTokenError(f"the token's {name} is not a list of strings")
    return value


def _audiences(claims: Mapping[str, Any]) -> Sequence[str]:
    aud = claims.get("aud")
    return [aud] if isinstance(aud, str) else _strings(claims, "aud")


def _object(claims: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = claims.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedTokenError(f"the token's {name} is not an object")
    return value


def _attributes(claims: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    raw = _object(claims, "xs.user.attributes")
    return {k: tuple(v) for k, v in raw.items() if isinstance(v, list) and all(isinstance(i, str) for i in v)}
