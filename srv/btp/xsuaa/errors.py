"""Every error `btp.xsuaa` raises. A caller needs two branches: 401 for a bad token, 503 for a key service
that cannot be reached (the token may be fine).

    BTPError (btp.errors)
    └── XsuaaError                      .reason: a short machine-readable code, safe to log
        ├── XsuaaConfigError            the xsuaa binding is unusable (no clientid, uaadomain, ...)
        ├── InvalidTokenError           → 401: the token is not acceptable
        │   ├── MalformedTokenError     not a compact JWS; bad base64, JSON or claim types; too long
        │   ├── AlgorithmError          alg is not RS256 (none, HS*, ES*, PS*) or the key is no RSA key
        │   ├── UntrustedKeyError       no kid, kid unknown after a refresh, jku outside the uaadomain
        │   ├── SignatureError          the signature does not verify with the zone's key
        │   ├── TokenExpiredError       exp (+ leeway) has passed
        │   ├── TokenNotYetValidError   nbf or iat (- leeway) lies in the future
        │   ├── AudienceError           neither cid, aud nor the scopes name this application
        │   ├── IssuerError             iss outside the uaadomain, or zid of another identity zone
        │   └── ProofOfPossessionError  cnf x5t#S256 without a matching client certificate
        └── KeyServiceError             → 503: token_keys failed; .url, .status (None: no answer)

Messages and reasons never contain the token, its claims' values or key material: they name the rule
that failed. Foreign errors (httpx, jwt, cryptography, json) are translated here once, `raise … from exc`.
"""

from __future__ import annotations

from typing import ClassVar

from btp.errors import BTPError, ConfigurationError


class XsuaaError(BTPError):
    outcome: ClassVar[str] = "auth_error"

    def __init__(self, message: str, *, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class XsuaaConfigError(XsuaaError, ConfigurationError):
    outcome = "config_error"

    def __init__(self, message: str, *, hint: str | None = "check the xsuaa binding in VCAP_SERVICES") -> None:
        super().__init__(message, reason="config", hint=hint)


class InvalidTokenError(XsuaaError):
    outcome = "invalid_token"
    default_reason: ClassVar[str] = "invalid_token"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message, reason=reason or self.default_reason)


class MalformedTokenError(InvalidTokenError):
    default_reason = "malformed"


class AlgorithmError(InvalidTokenError):
    default_reason = "algorithm"


class UntrustedKeyError(InvalidTokenError):
    default_reason = "untrusted_key"


class SignatureError(InvalidTokenError):
    default_reason = "signature"


class TokenExpiredError(InvalidTokenError):
    default_reason = "expired"


class TokenNotYetValidError(InvalidTokenError):
    default_reason = "not_yet_valid"


class AudienceError(InvalidTokenError):
    default_reason = "audience"


class IssuerError(InvalidTokenError):
    default_reason = "issuer"


class ProofOfPossessionError(InvalidTokenError):
    default_reason = "proof_of_possession"


class KeyServiceError(XsuaaError):
    outcome = "auth_unavailable"

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message, reason="key_service", hint="XSUAA token_keys did not answer; retry later")
        self.url = url
        self.status = status
