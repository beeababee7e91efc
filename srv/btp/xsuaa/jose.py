"""A compact JWS, taken apart before anything is trusted. Pure.

    JWS = BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)      (RFC 7515 §7.1)

Rule 1: `alg` must be RS256: `none`, HS* (the "public key as HMAC secret" confusion), ES*, PS* are refused.
Rule 2: `crit` is refused (we understand no extension), so is `b64: false` (RFC 7797 detached payloads).
Rule 3: `kid` must be a short string; keys are looked up by it.
Rule 4: header and payload are JSON objects without duplicate names (no parser differentials); the token
        is ASCII and at most `max_bytes` long.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import AlgorithmError, MalformedTokenError, UntrustedKeyError

ALGORITHM = "RS256"
MAX_TOKEN_BYTES = 16 * 1024
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
_KID = re.compile(r"[\x21-\x7e]{1,128}")


@dataclass(frozen=True)
class CompactJws:
    header: Mapping[str, Any]
    claims: Mapping[str, Any] = field(repr=False)  # not verified yet
    kid: str


def parse_compact(token: str, *, max_bytes: int = MAX_TOKEN_BYTES) -> CompactJws:
    if not token or len(token) > max_bytes or not token.isascii():
        raise MalformedTokenError("the token is empty, too long or not ASCII")
    parts = token.split(".")
    if len(parts) != 3 or not all(_SEGMENT.fullmatch(p) for p in parts) or not parts[2]:
        raise MalformedTokenError("the token is not a compact JWS of three base64url parts")
    header, claims = _json_object(parts[0], "header"), _json_object(parts[1], "payload")
    return CompactJws(header, claims, check_header(header))


def check_header(header: Mapping[str, Any]) -> str:
    """Rules 1-3; returns the kid."""
    if header.get("alg") != ALGORITHM:
        raise AlgorithmError("the token's alg is not RS256")
    if "crit" in header or header.get("b64", True) is not True:
        raise MalformedTokenError("the token uses JWS extensions (crit / b64)")
    kid = header.get("kid")
    if not isinstance(kid, str) or _KID.fullmatch(kid) is None:
        raise UntrustedKeyError("the token names no usable kid", reason="kid")
    return kid


def _json_object(segment: str, what: str) -> Mapping[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(raw, object_pairs_hook=_unique_keys)
    except (binascii.Error, ValueError, RecursionError):
        raise MalformedTokenError(f"the token's {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise MalformedTokenError(f"the token's {what} is not a JSON object")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member name")
    return result
