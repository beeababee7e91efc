"""Every error `btp` raises, with the data a caller or a person setting up BTP needs.

    BTPError                              .outcome, .hint, .destination
    ├── ConfigurationError                config_error: a binding, env var or destination property is unusable
    │   ├── BindingNotFoundError          no service binding with that label/tag in VCAP_SERVICES
    │   └── StoreError                    .store, .kind: TrustStoreLocation / KeyStoreLocation problems
    │       ├── StoreNotFoundError        the named certificate is not on the destination / subaccount / instance
    │       ├── StoreFormatError          content is no supported format or holds no certificate / key
    │       └── StorePasswordError        TrustStorePassword / KeyStorePassword missing or wrong
    ├── DestinationNotFoundError          not_found: the service answered "Configuration … not found"
    ├── DestinationServiceError           destination_error: .url, .status (None: unreachable / timeout)
    ├── TargetUnavailableError            destination_error: the destination's host did not answer (.url)
    │   └── CircuitOpenError              too many failures in a row; .retry_after seconds
    ├── AuthenticationError               auth_error
    │   ├── TokenError                    an OAuth token endpoint refused or failed: .token_url, .status
    │   ├── AuthTokenError                the destination service returned no usable authTokens
    │   └── AuthenticationConfigError     the authentication type cannot work here (missing user, JWT, proxy type)
    └── TLSError                          tls_error: .host, .port; handshake failed
        └── CertificateVerificationError  .code (OpenSSL verify code), .peer (CertificateInfo | None)
            ├── HostnameMismatchError     the certificate is not issued for the URL's host
            └── CertificateExpiredError   the certificate is expired (or not yet valid)

Foreign exceptions (httpx, ssl, cryptography, json) are translated once, where `btp` meets them, with
`raise … from exc`. Messages never contain passwords, client secrets, tokens or key material.
"""

from __future__ import annotations

from typing import ClassVar


class BTPError(Exception):
    """Base of all `btp` errors. `outcome` is a machine-readable class (for reports and connection checks)."""

    outcome: ClassVar[str] = "error"

    def __init__(self, message: str, *, hint: str | None = None, destination: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.destination = destination

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigurationError(BTPError):
    outcome = "config_error"


class BindingNotFoundError(ConfigurationError):
    def __init__(self, label: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.label = label


class StoreError(ConfigurationError):
    def __init__(
        self, message: str, *, store: str, kind: str, hint: str | None = None, destination: str | None = None
    ) -> None:
        super().__init__(message, hint=hint, destination=destination)
        self.store = store
        self.kind = kind  # "truststore" | "keystore"


class StoreNotFoundError(StoreError):
    pass


class StoreFormatError(StoreError):
    pass


class StorePasswordError(StoreError):
    pass


class DestinationNotFoundError(BTPError):
    outcome = "not_found"

    def __init__(self, name: str, *, where: str) -> None:
        super().__init__(
            f"destination {name} not found in {where}",
            hint="check the destination name (S4_DESTINATION) and the subaccount or instance that defines it",
            destination=name,
        )
        self.name = name


class DestinationServiceError(BTPError):
    outcome = "destination_error"

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        hint: str | None = None,
        destination: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, destination=destination)
        self.url = url
        self.status = status


class TargetUnavailableError(BTPError):
    outcome = "destination_error"

    def __init__(self, message: str, *, url: str, destination: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, destination=destination)
        self.url = url


class CircuitOpenError(TargetUnavailableError):
    def __init__(self, name: str, *, url: str, retry_after: float) -> None:
        super().__init__(
            f"circuit breaker for {name} is open after repeated failures; not calling {url}",
            url=url,
            destination=name,
            hint=f"retry in {retry_after:.0f} s",
        )
        self.retry_after = retry_after


class AuthenticationError(BTPError):
    outcome = "auth_error"


class TokenError(AuthenticationError):
    def __init__(self, message: str, *, token_url: str, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.token_url = token_url
        self.status = status


class AuthTokenError(AuthenticationError):
    def __init__(self, message: str, *, destination: str, errors: tuple[str, ...] = ()) -> None:
        super().__init__(
            message,
            destination=destination,
            hint="check the OAuth settings (tokenServiceURL, client, scopes) of the destination",
        )
        self.errors = errors


class AuthenticationConfigError(AuthenticationError):
    pass


class TLSError(BTPError):
    outcome = "tls_error"

    def __init__(
        self, message: str, *, host: str, port: int, hint: str | None = None, destination: str | None = None
    ) -> None:
        super().__init__(message, hint=hint, destination=destination)
        self.host = host
        self.port = port


class CertificateVerificationError(TLSError):
    def __init__(
        self,
        message: str,
        *,
        host: str,
        port: int,
        code: int,
        hint: str | None = None,
        destination: str | None = None,
        peer: object | None = None,
    ) -> None:
        super().__init__(message, host=host, port=port, hint=hint, destination=destination)
        self.code = code
        self.peer = peer  # btp.tls.CertificateInfo of the server, when it could be read


class HostnameMismatchError(CertificateVerificationError):
    pass


class CertificateExpiredError(CertificateVerificationError):
    pass
