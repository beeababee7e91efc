"""Errors of the OData layer.

Every error carries the HTTP status it should be answered with, so the HTTP layer never
guesses between 400 and 501::

    ODataError                      any error answered as OData error JSON
    ├── BadRequest        (400)     malformed URL, query option, key or body
    │   └── ParseError    (400)     a syntax error in an expression, with the position
    ├── Unauthorized      (401)
    ├── Forbidden         (403)
    ├── NotFound          (404)
    ├── MethodNotAllowed  (405)
    ├── Conflict          (409)
    ├── PreconditionFailed(412)
    ├── PayloadTooLarge (413)
    ├── UnprocessableEntity(422)
    ├── FailedDependency(424)   a $batch request whose dependency failed
    ├── PreconditionRequired(428)
    ├── UnsupportedMediaType(415)
    └── NotImplementedFeature (501)     valid OData that this server does not support
"""

from __future__ import annotations

from typing import Any, ClassVar


class ODataError(Exception):
    status: ClassVar[int] = 500
    default_code: ClassVar[str] = "500"
    severity: ClassVar[int] = 4  # error, in the Common.numericSeverity scale

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        target: str | None = None,
        details: list[ODataError] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.target = target
        self.details = details or []
        if status is not None:
            self.status_override: int | None = status
        else:
            self.status_override = None

    @property
    def http_status(self) -> int:
        return self.status_override or self.status

    def to_json(self) -> dict[str, Any]:
        """The body `{"error": {...}}` as OData V4 JSON format section 21 describes it."""
        return {"error": self.to_inner()}

    def to_inner(self) -> dict[str, Any]:
        # key order and the severity annotation as CAP writes them
        inner: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.target is not None:
            inner["target"] = self.target
        inner["@Common.numericSeverity"] = self.severity
        if self.details:
            inner["details"] = [d.to_inner() for d in self.details]
        return inner


class BadRequest(ODataError):
    status = 400
    default_code = "400"


class ParseError(BadRequest):
    def __init__(self, message: str, *, position: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.position = position


class Unauthorized(ODataError):
    status = 401
    default_code = "401"


class Forbidden(ODataError):
    status = 403
    default_code = "403"


class NotFound(ODataError):
    status = 404
    default_code = "404"


class MethodNotAllowed(ODataError):
    status = 405
    default_code = "405"


class Conflict(ODataError):
    status = 409
    default_code = "409"


class PreconditionFailed(ODataError):
    status = 412
    default_code = "412"


class PayloadTooLarge(ODataError):
    status = 413
    default_code = "413"


class UnprocessableEntity(ODataError):
    status = 422
    default_code = "422"


class FailedDependency(ODataError):
    status = 424
    default_code = "424"


class PreconditionRequired(ODataError):
    status = 428
    default_code = "428"


class UnsupportedMediaType(ODataError):
    status = 415
    default_code = "415"


class NotImplementedFeature(ODataError):
    status = 501
    default_code = "501"
