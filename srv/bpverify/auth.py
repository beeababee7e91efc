"""Who calls: mocked users over HTTP Basic in development (CAP's `auth.kind: mocked`), XSUAA JWTs in production.

`Authenticator` is one coroutine that turns an HTTP request into an `odata4.auth.User`; the OData layer then
enforces `@requires` / `@restrict` the same way for both. No Authorization header → the anonymous user (401
where the service requires a login); a header that does not authenticate → 401 at once. Which authenticator
runs is decided by `bpverify.profiles`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from typing import Protocol

from starlette.requests import Request

from btp.xsuaa import InvalidTokenError, KeyServiceError, XsuaaToken, XsuaaValidator, certificate_from_xfcc
from odata4.auth import ANONYMOUS, User
from odata4.errors import ODataError, Unauthorized

log = logging.getLogger(__name__)

EVENT_INGEST_ROLE = "emcallback"

MOCKED_USERS: dict[str, frozenset[str]] = {
    "alice": frozenset({"Validator", "Viewer"}),
    "bob": frozenset({"Viewer"}),
    "carol": frozenset(),
    # Event Mesh's webhook calls: only the event-ingest scope (CAP's emcallback)
    "eventmesh": frozenset({EVENT_INGEST_ROLE}),
}

BASIC_CHALLENGE = 'Basic realm="Users"'
BEARER_CHALLENGE = 'Bearer realm="bpverify"'
SYSTEM_USER = "system-user"  # CAP: a client-credentials token
INTERNAL_USER = "internal-user"  # CAP: a client-credentials token of this application's own OAuth client


class Authenticator(Protocol):
    challenge: str

    async def __call__(self, request: Request) -> User: ...


class MockedUsers:
    """HTTP Basic with password = user name, for the users CAP's mocked auth knows."""

    challenge = BASIC_CHALLENGE

    def __init__(self, users: dict[str, frozenset[str]] | None = None) -> None:
        self.users = MOCKED_USERS if users is None else users

    async def __call__(self, request: Request) -> User:
        header = request.headers.get("authorization")
        if not header:
            return ANONYMOUS
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            raise Unauthorized("Unauthorized", code="401")
        try:
            name, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized("Unauthorized", code="401") from None
        roles = self.users.get(name)
        if roles is None or not hmac.compare_digest(password.encode(), name.encode()):
            raise Unauthorized("Unauthorized", code="401")
        return User(name, roles)


class XsuaaAuthenticator:
    """`Authorization: Bearer <XSUAA access token>`; roles are the token's scopes of this application."""

    challenge = BEARER_CHALLENGE

    def __init__(self, validator: XsuaaValidator) -> None:
        self.validator = validator

    async def __call__(self, request: Request) -> User:
        header = request.headers.get("authorization")
        if header is None:
            return ANONYMOUS
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Unauthorized", code="401")
        certificate = certificate_from_xfcc(request.headers.get("x-forwarded-client-cert"))
        try:
            validated = await self.validator.validate(token.strip(), client_certificate=certificate)
        except InvalidTokenError as error:
            log.info("bearer token rejected: %s", error.reason)
            raise Unauthorized("Unauthorized", code="401") from None
        except KeyServiceError as error:
            log.warning("bearer token not checked, XSUAA keys unavailable (status %s)", error.status)
            raise ODataError("Authentication is temporarily unavailable", code="503", status=503) from None
        return user_from_token(validated, own_client_id=self.validator.credentials.clientid)

    async def aclose(self) -> None:
        await self.validator.aclose()


def user_from_token(token: XsuaaToken, *, own_client_id: str) -> User:
    """The OData user: id = logon name / e-mail / client id (fills createdBy/modifiedBy), roles = local scopes."""
    roles = set(token.local_scopes)
    if token.is_client_credentials:
        roles.add(SYSTEM_USER)
        if token.client_id == own_client_id:
            roles.add(INTERNAL_USER)
    attributes = {
        "email": token.email,
        "given_name": token.given_name,
        "family_name": token.family_name,
        "origin": token.origin,
        "tenant": token.zone_id,
        "subdomain": token.subdomain,
        "client_id": token.client_id,
        "grant_type": token.grant_type,
    }
    return User(token.principal, frozenset(roles), attributes={k: v for k, v in attributes.items() if v})
