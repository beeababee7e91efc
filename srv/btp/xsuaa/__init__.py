"""`btp.xsuaa`: validate XSUAA access tokens in asyncio services, at least as strictly as SAP's sap-xssec.

    from btp.xsuaa import XsuaaValidator, credentials_from_environ

    validator = XsuaaValidator(credentials_from_environ(os.environ))     # nothing is fetched yet
    token = await validator.validate(bearer)                            # XsuaaToken, or an XsuaaError
    token.principal, token.local_scopes                                 # "alice@example.com", {"Viewer"}
    await validator.aclose()

Modules, pure unless noted: `jose` (header rules), `trust` (uaadomain / jku / iss / key URL), `keys` (JWKS),
`jwks` (I/O: the key cache), `claims` (time, issuer, zone, audience, cnf), `scopes`, `certificate` (x5t#S256),
`credentials` (the binding), `validator` (I/O: the pipeline), `errors` (tree in its docstring).
docs/security.md compares the rules with sap-xssec 4.5 point by point.
"""

from __future__ import annotations

from .certificate import certificate_from_xfcc, thumbprint_s256
from .credentials import XsuaaCredentials, credentials_from_binding, credentials_from_environ, credentials_from_mapping
from .errors import (
    AlgorithmError,
    AudienceError,
    InvalidTokenError,
    IssuerError,
    KeyServiceError,
    MalformedTokenError,
    ProofOfPossessionError,
    SignatureError,
    TokenExpiredError,
    TokenNotYetValidError,
    UntrustedKeyError,
    XsuaaConfigError,
    XsuaaError,
)
from .jwks import CachePolicy, JwksCache
from .scopes import local_scopes, resolve_scope
from .token import XsuaaToken
from .validator import ValidationPolicy, XsuaaValidator

__all__ = [
    "AlgorithmError",
    "AudienceError",
    "CachePolicy",
    "InvalidTokenError",
    "IssuerError",
    "JwksCache",
    "KeyServiceError",
    "MalformedTokenError",
    "ProofOfPossessionError",
    "SignatureError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "UntrustedKeyError",
    "ValidationPolicy",
    "XsuaaConfigError",
    "XsuaaCredentials",
    "XsuaaError",
    "XsuaaToken",
    "XsuaaValidator",
    "certificate_from_xfcc",
    "credentials_from_binding",
    "credentials_from_environ",
    "credentials_from_mapping",
    "local_scopes",
    "resolve_scope",
    "thumbprint_s256",
]
