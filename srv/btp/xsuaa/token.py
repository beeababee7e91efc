"""What a validated XSUAA access token says, typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class XsuaaToken:
    client_id: str
    zone_id: str
    scopes: frozenset[str]
    local_scopes: frozenset[str]  # this application's scopes without "<xsappname>."
    audiences: tuple[str, ...]
    expires_at: float
    grant_type: str | None = None
    user_name: str | None = None
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    origin: str | None = None
    subdomain: str | None = None  # ext_attr.zdn
    user_attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # xs.user.attributes
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def principal(self) -> str:
        """Who acts: the logon name, else the e-mail, else (client credentials) the OAuth client."""
        return self.user_name or self.email or self.client_id

    @property
    def is_client_credentials(self) -> bool:
        return self.grant_type in ("client_credentials", "client_x509")

    def has_local_scope(self, name: str) -> bool:
        return name in self.local_scopes
