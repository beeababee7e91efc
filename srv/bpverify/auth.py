"""Who calls: mocked users over HTTP Basic in development (CAP's `auth.kind: mocked`).

The seam the XSUAA JWT authenticator plugs into later is `Authenticator`: one coroutine
that turns an HTTP request into an `odata4.auth.User`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Protocol

from starlette.requests import Request

from odata4.auth import ANONYMOUS, User
from odata4.errors import Unauthorized

MOCKED_USERS: dict[str, frozenset[str]] = {
    "alice": frozenset({"Validator", "Viewer"}),
    "bob": frozenset({"Viewer"}),
    "carol": frozenset(),
}

BASIC_CHALLENGE = 'Basic realm="Users"'


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
