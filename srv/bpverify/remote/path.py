"""What a request on a remote entity set addresses, in S/4HANA's terms.

    BusinessPartners                                   A_BusinessPartner
    BusinessPartners('1')  (/businessPartnerName)      A_BusinessPartner('1')
    BusinessPartners('1')/addresses                    A_BusinessPartner('1')/to_BusinessPartnerAddress
    BusinessPartners('1')/addresses(businessPartnerId='1',addressId='2')
                                                       A_BusinessPartnerAddress(BusinessPartner='1',AddressID='2')
    BusinessPartnerAddresses(businessPartnerId='1',addressId='2')   the same

The dispatcher's `Resolved` keeps the keys of the last keyed segment only; the key of the partner a navigation
starts from is read again from the path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from odata4.edm.model import Service
from odata4.http import Request
from odata4.resolve import Resolved, key_values
from odata4.uri.resource_path import parse_resource_path

from .mapping import REMOTE_SETS, RemoteNavigation, RemoteSet


@dataclass(frozen=True)
class Location:
    remote_set: RemoteSet  # whose rows are read
    key: dict[str, Any] | None = None  # our key of a single entity
    parent: RemoteSet | None = None  # the set a navigation starts from
    parent_key: dict[str, Any] | None = None
    navigation: RemoteNavigation | None = None

    @property
    def single(self) -> bool:
        return self.key is not None

    @property
    def remote_entity_set(self) -> str:
        """The V2 entity set the request URL starts with."""
        return self.parent.remote if self.parent is not None and self.key is None else self.remote_set.remote

    def remote_key(self) -> Any:
        assert self.key is not None
        return _remote_key(self.remote_set, self.key)

    def collection_path(self) -> dict[str, Any]:
        """`key=` and `navigation=` for the client, when the collection is reached through a navigation."""
        if self.parent is None or self.navigation is None or self.parent_key is None:
            return {}
        return {"key": _remote_key(self.parent, self.parent_key), "navigation": self.navigation.remote}

    def consistent(self) -> bool:
        """An address reached through a partner must belong to it."""
        if self.parent_key is None or self.key is None:
            return True
        return all(self.key.get(name) == value for name, value in self.parent_key.items())


def _remote_key(remote_set: RemoteSet, key: dict[str, Any]) -> Any:
    names = {p.name: p.remote for p in remote_set.properties}
    if len(remote_set.keys) == 1:
        return key[remote_set.keys[0]]
    return {names[k]: key[k] for k in remote_set.keys}


def locate(service: Service, request: Request, resolved: Resolved) -> Location:
    remote_set = REMOTE_SETS[resolved.entity_set.name]
    key = dict(resolved.keys) if resolved.keys else None
    if resolved.via is None:
        return Location(remote_set, key)
    first = parse_resource_path(request.path.strip("/"))[0]
    parent_set = service.entity_set(first.name)
    assert parent_set is not None and first.key is not None
    parent = REMOTE_SETS[parent_set.name]
    navigation = parent.nav(resolved.via.name)
    assert navigation is not None
    return Location(remote_set, key, parent, key_values(parent_set, first.key), navigation)
