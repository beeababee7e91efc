"""Remote entity sets: BusinessPartners and BusinessPartnerAddresses, served live from S/4HANA's
API_BUSINESS_PARTNER (OData V2) behind our OData V4 service.

    backend = S4Backend(settings)                      # destination, or the local mock in development
    dispatcher.remotes.update(backend.sources(service))
    ...
    await backend.aclose()                             # at shutdown

mapping.py (the projection as a table) · path.py (what a request addresses) · filter.py and query.py (V4 query
options → V2, pure) · rows.py (V2 entities → our rows) · errors.py (S/4HANA failures → 502/503/504) ·
source.py (the RemoteSource) · backend.py and local.py (where S/4HANA is).
"""

from __future__ import annotations

from .backend import S4Backend
from .source import S4Source

__all__ = ["S4Backend", "S4Source"]
