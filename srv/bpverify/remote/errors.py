"""S/4HANA failures → OData errors of our service, translated once, here.

btp.TLSError, TargetUnavailableError, lookup / configuration / authentication errors  → 502 Bad Gateway
TargetUnavailableError caused by a timeout                                            → 504 Gateway Timeout
btp.CircuitOpenError (S/4HANA failed repeatedly; not called now)                      → 503
S/4HANA answered 503 / 504                                                            → 503 / 504
S/4HANA answered another 5xx, 401/403 (our technical user), no OData V2 JSON          → 502
S/4HANA answered 404                                                                  → 404 Not Found
S/4HANA answered another 4xx                                                          → 400 with its message
"""

from __future__ import annotations

import httpx

from btp import BTPError, CircuitOpenError, TargetUnavailableError
from btp.odata2 import EntityNotFoundError, ODataV2ClientError, ODataV2Error
from odata4.errors import BadRequest, NotFound, ODataError


class BadGateway(ODataError):
    status = 502
    default_code = "502"


class ServiceUnavailable(ODataError):
    status = 503
    default_code = "503"


class GatewayTimeout(ODataError):
    status = 504
    default_code = "504"


def _text(exc: BTPError) -> str:
    return f"{exc.message} ({exc.hint})" if exc.hint else exc.message


def _answered(exc: ODataV2Error) -> ODataError:
    said = f"S/4HANA answered {exc.status}: {exc.text}"
    if isinstance(exc, EntityNotFoundError):
        return NotFound("Not Found", code="404")
    if exc.status in (429, 503):  # busy or down: try again later
        return ServiceUnavailable(said)
    if exc.status in (408, 504):
        return GatewayTimeout(said)
    if isinstance(exc, ODataV2ClientError) and exc.status not in (401, 403, 407, 428):
        return BadRequest(f"S/4HANA rejected the request: {exc.text}")
    return BadGateway(said + (f" ({exc.hint})" if exc.hint else ""))


def odata_error(exc: BTPError, destination: str) -> ODataError:
    if isinstance(exc, ODataV2Error):
        return _answered(exc)
    if isinstance(exc, CircuitOpenError):
        return ServiceUnavailable(f"S/4HANA is not called for now after repeated failures: {_text(exc)}")
    if isinstance(exc, TargetUnavailableError) and isinstance(exc.__cause__, httpx.TimeoutException):
        return GatewayTimeout(f"S/4HANA did not answer in time through destination {destination}: {exc.message}")
    return BadGateway(f"S/4HANA cannot be reached through destination {destination}: {_text(exc)}")
