"""Errors of the OData V2 client, under `btp`'s one base `BTPError` (btp.errors).

    BTPError
    └── ODataV2Error                        .status, .code, .text, .lang, .details, .transaction_id, .url
        ├── ODataV2ClientError              4xx: the request is wrong or not allowed
        │   ├── AuthorizationError          401, 403 (not CSRF): user, password, sap-client or authorization
        │   ├── CsrfTokenError              403 `x-csrf-token: Required` even with a freshly fetched token
        │   ├── EntityNotFoundError         404
        │   ├── ETagMismatchError           412: the entity changed since it was read; re-read, never overwrite
        │   └── PreconditionRequiredError   428: a change without If-Match (a bug of the caller)
        ├── ODataV2ServerError              5xx answered by S/4HANA (or its Web Dispatcher)
        └── ODataV2ProtocolError            an answer that is no OData V2 JSON, or a `__next` to another origin

Transport failures are not in this tree: they are `btp.errors.TLSError` and `TargetUnavailableError`
(raised by a destination's transport, or translated once in `client.py` for a plain `httpx` client).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from btp.errors import BTPError


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of `innererror.errordetails`."""

    code: str
    message: str
    target: str = ""
    severity: str = "error"


class ODataV2Error(BTPError):
    outcome: ClassVar[str] = "odata_error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str = "",
        lang: str = "en",
        details: Sequence[ErrorDetail] = (),
        transaction_id: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code
        self.text = message
        self.lang = lang
        self.details = tuple(details)
        self.transaction_id = transaction_id
        self.url = url


class ODataV2ClientError(ODataV2Error):
    pass


class AuthorizationError(ODataV2ClientError):
    pass


class CsrfTokenError(ODataV2ClientError):
    pass


class EntityNotFoundError(ODataV2ClientError):
    pass


class ETagMismatchError(ODataV2ClientError):
    pass


class PreconditionRequiredError(ODataV2ClientError):
    pass


class ODataV2ServerError(ODataV2Error):
    pass


class ODataV2ProtocolError(ODataV2Error):
    pass


_BY_STATUS: dict[int, type[ODataV2Error]] = {
    401: AuthorizationError,
    403: AuthorizationError,
    404: EntityNotFoundError,
    412: ETagMismatchError,
    428: PreconditionRequiredError,
}


def error_class(status: int) -> type[ODataV2Error]:
    """The most specific class for an HTTP error status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ODataV2ServerError if status >= 500 else ODataV2ClientError
