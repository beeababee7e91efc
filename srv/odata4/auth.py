"""Who is asking, and may they: CAP's `@requires` and `@restrict` over any user source.

The layer only sees a `User`; where it comes from (mocked users in development, an XSUAA
JWT in production) is the application's business, behind one small interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from odata4.edm.model import EntitySet, NavigationProperty, Service
from odata4.errors import Forbidden, Unauthorized
from odata4.uri.ast import ExpandItem

AUTHENTICATED = "authenticated-user"
ANY = "any"
WRITE_EVENTS = {"CREATE", "UPDATE", "DELETE", "UPSERT"}


@dataclass(frozen=True)
class User:
    id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    authenticated: bool = True
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def has(self, role: str) -> bool:
        if role == ANY:
            return True
        if role == AUTHENTICATED:
            return self.authenticated
        return role in self.roles


ANONYMOUS = User("anonymous", frozenset(), authenticated=False)


def _allowed(user: User, roles: tuple[str, ...]) -> bool:
    return any(user.has(r) for r in roles)


def _grants(grant: tuple[str, ...], event: str) -> bool:
    return "*" in grant or event in grant or ("WRITE" in grant and event in WRITE_EVENTS)


def authorize(service: Service, entity_set: EntitySet | None, event: str, user: User) -> None:
    """Raise 401 for an anonymous user the service requires to log in, 403 for a missing role."""
    if service.requires and not _allowed(user, service.requires):
        raise _denied(user)
    if entity_set is None:
        return
    if entity_set.requires and not _allowed(user, entity_set.requires):
        raise _denied(user)
    if entity_set.restrict and not any(_grants(r.grant, event) and _allowed(user, r.to) for r in entity_set.restrict):
        raise _denied(user)


def authorize_expand(service: Service, entity_set: EntitySet, expand: Sequence[ExpandItem], user: User) -> None:
    """READ on every entity set `$expand` reaches, at any depth: expanding must not reveal
    rows of a set the user may not read directly (CAP checks them too)."""
    for item in expand:
        if item.path == ("*",):
            navs = list(entity_set.navigation)
        else:
            member = entity_set.member(item.path[0]) if item.path else None
            navs = [member] if isinstance(member, NavigationProperty) else []
        for nav in navs:
            target = service.entity_set(nav.target)
            if target is not None:
                authorize(service, target, "READ", user)
                authorize_expand(service, target, item.options.expand, user)


def _denied(user: User) -> Unauthorized | Forbidden:
    if not user.authenticated:
        return Unauthorized("Unauthorized", code="401")
    return Forbidden("Forbidden", code="403")
