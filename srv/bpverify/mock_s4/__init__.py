"""A mocked SAP S/4HANA for local development and tests: API_BUSINESS_PARTNER as OData V2, the way a client sees
the real one (V2 JSON, paging, CSRF, ETags, errors, Basic logon, sap-client, TLS), plus the business partner
events S/4HANA sends through Event Mesh, and knobs for latency, errors and outages.

    app = create_app(MockConfig(webhook_url=...))       # an ASGI app; `bpverify mock-s4` serves it
"""

from __future__ import annotations

from .app import MockS4, create_app
from .cli import register
from .config import Knobs, MockConfig
from .schema import SERVICE_ROOT

__all__ = ["SERVICE_ROOT", "Knobs", "MockConfig", "MockS4", "create_app", "register"]
