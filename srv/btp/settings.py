"""Every knob of `btp` in one immutable object; the defaults are the documented ones (docs/connectivity.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .resilience import BreakerPolicy, RetryPolicy, Timeouts

SERVICE_TIMEOUTS = Timeouts(connect=5.0, read=10.0, write=10.0, pool=5.0)
SERVICE_RETRY = RetryPolicy(attempts=2)


@dataclass(frozen=True)
class ConnectivitySettings:
    """How `btp` talks to XSUAA, the Destination service and the destinations' hosts.

    `destination_ttl`: seconds a looked-up destination is reused (SAP Cloud SDK: 300); entries whose
    `authTokens` expire earlier are dropped before the token expires.
    `token_leeway`: a cached OAuth token is renewed this many seconds before its `expires_in`.
    `service_*`: calls to XSUAA, the Destination and connectivity services; `target_*`: calls to destinations.
    `resolve`: host → IP address overrides for every connection (like `curl --resolve`); TLS still checks the
    certificate against the host name. For local checks of private hostnames and for tests.
    `service_ca_pem`: trust these CA certificates (PEM) instead of certifi's for the BTP service calls.
    `environ`: the environment to read `VCAP_SERVICES`, `destinations` and proxy variables from
    (default: `os.environ` when the factory is created).
    """

    destination_ttl: float = 300.0
    token_leeway: float = 60.0
    service_timeouts: Timeouts = SERVICE_TIMEOUTS
    service_retry: RetryPolicy = SERVICE_RETRY
    target_timeouts: Timeouts = field(default_factory=Timeouts)
    target_retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: BreakerPolicy = field(default_factory=BreakerPolicy)
    max_connections: int = 100
    max_keepalive_connections: int = 20
    keepalive_expiry: float = 30.0
    max_cached_destinations: int = 1000
    resolve: Mapping[str, str] = field(default_factory=dict)
    service_ca_pem: str | None = None
    environ: Mapping[str, str] | None = None
