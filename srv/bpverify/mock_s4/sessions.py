"""Logon and CSRF protection of the mock, as SAP NetWeaver does them.

Rules:
1. A request logs on with HTTP Basic (user, password) in the configured client (`sap-client` query parameter
   or header; the default client when neither is given), or with a session cookie from an earlier logon.
2. `x-csrf-token: Fetch` on a GET/HEAD answers a token bound to the session; a new session sets the cookies
   `SAP_SESSIONID_<SID>_<client>` and `sap-usercontext`.
3. Every other method needs the session cookie and its token; otherwise 403 with `x-csrf-token: Required`
   and the text "CSRF token validation failed".
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping


class Sessions:
    def __init__(self, system_id: str, client: str, user: str, password: str) -> None:
        self.cookie = f"SAP_SESSIONID_{system_id}_{client}"
        self.client = client
        self._credentials = (user, password)
        self._tokens: dict[str, str] = {}  # session id → CSRF token

    def logon(self, authorization: str | None, cookies: Mapping[str, str], client: str | None) -> bool:
        if client not in (None, "", self.client):
            return False
        if cookies.get(self.cookie) in self._tokens:
            return True
        return self._basic(authorization)

    def _basic(self, authorization: str | None) -> bool:
        scheme, _, encoded = (authorization or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        expected_user, expected_password = self._credentials
        return user.upper() == expected_user.upper() and secrets.compare_digest(password, expected_password)

    def fetch(self, cookies: Mapping[str, str]) -> tuple[str, str, bool]:
        """(session id, token, whether the session is new)."""
        session = cookies.get(self.cookie)
        if session in self._tokens:
            return session, self._tokens[session], False
        session, token = secrets.token_urlsafe(24), secrets.token_urlsafe(16) + "=="
        self._tokens[session] = token
        return session, token, True

    def check(self, cookies: Mapping[str, str], token: str | None) -> bool:
        expected = self._tokens.get(cookies.get(self.cookie, ""))
        return expected is not None and token is not None and secrets.compare_digest(token, expected)

    def set_cookies(self, session: str, *, secure: bool) -> list[str]:
        flags = "; secure; HttpOnly" if secure else "; HttpOnly"
        return [f"{self.cookie}={session}; path=/{flags}", f"sap-usercontext=sap-client={self.client}; path=/"]

    def expire(self) -> None:
        self._tokens.clear()
