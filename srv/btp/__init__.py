"""`btp`: SAP BTP connectivity for asyncio services — destinations as ready, pooled `httpx.AsyncClient`s.

The Python counterpart of the SAP Cloud SDK's `@sap-cloud-sdk/connectivity` + `http-client`; it needs nothing
else of this project. Details and the property table: docs/connectivity.md.

Use it:

    from btp import DestinationClientFactory

    async with DestinationClientFactory() as factory:              # reads VCAP_SERVICES / destinations now
        client = await factory.connect("BusinessPartner")           # lookup errors are raised here
        response = await client.get("/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner")

    async with btp.connect("BusinessPartner") as client:            # one destination, one block
        ...

    resolved = await factory.resolve("BusinessPartner")             # ResolvedDestination: where, how, trust mode

Public names:
* `DestinationClientFactory(settings=None)`: `connect(name, *, tenant=None, user_jwt=None, sap_client_query=False,
  **httpx_client_options)`, `resolve(name, *, tenant=None, user_jwt=None, use_cache=True)`, `aclose()`.
* `connect(name, *, settings=None, tenant=None, user_jwt=None, **httpx_client_options)`: async context manager.
* `ConnectivitySettings`, `Timeouts`, `RetryPolicy`, `BreakerPolicy`: configuration (defaults in the docs).
* `Destination`, `ResolvedDestination`, `ProxyType`, `CertificateInfo`: what a lookup tells.
* `load_truststore`, `load_keystore`, `TrustStore`, `KeyStore`: read PEM / DER / PKCS#12 / JKS by content.
* `peer_certificate(host, port, *, address=None)`: the server certificate, unverified, for diagnostics.
* the errors of `btp.errors` (tree in its docstring), all subclasses of `BTPError`.
"""

from __future__ import annotations

from .client import DestinationClientFactory, connect
from .destination import Destination, ProxyType
from .destinations import ResolvedDestination
from .errors import (
    AuthenticationConfigError,
    AuthenticationError,
    AuthTokenError,
    BindingNotFoundError,
    BTPError,
    CertificateExpiredError,
    CertificateVerificationError,
    CircuitOpenError,
    ConfigurationError,
    DestinationNotFoundError,
    DestinationServiceError,
    HostnameMismatchError,
    StoreError,
    StoreFormatError,
    StoreNotFoundError,
    StorePasswordError,
    TargetUnavailableError,
    TLSError,
    TokenError,
)
from .resilience import BreakerPolicy, RetryPolicy, Timeouts
from .settings import ConnectivitySettings
from .stores import KeyStore, TrustStore, load_keystore, load_truststore
from .tls import CertificateInfo, peer_certificate

__all__ = [
    "AuthTokenError",
    "AuthenticationConfigError",
    "AuthenticationError",
    "BTPError",
    "BindingNotFoundError",
    "BreakerPolicy",
    "CertificateExpiredError",
    "CertificateInfo",
    "CertificateVerificationError",
    "CircuitOpenError",
    "ConfigurationError",
    "ConnectivitySettings",
    "Destination",
    "DestinationClientFactory",
    "DestinationNotFoundError",
    "DestinationServiceError",
    "HostnameMismatchError",
    "KeyStore",
    "ProxyType",
    "ResolvedDestination",
    "RetryPolicy",
    "StoreError",
    "StoreFormatError",
    "StoreNotFoundError",
    "StorePasswordError",
    "TLSError",
    "TargetUnavailableError",
    "Timeouts",
    "TokenError",
    "TrustStore",
    "connect",
    "load_keystore",
    "load_truststore",
    "peer_certificate",
]
