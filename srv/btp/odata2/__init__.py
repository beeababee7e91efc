"""`btp.odata2`: an async OData V2 client for SAP S/4HANA APIs over a destination's `httpx.AsyncClient`.

Public names:
* `ODataV2Client(http, service_path=API_BUSINESS_PARTNER, *, sap_client=None, language=None)`: `read`, `pages`,
  `read_all`, `count`, `get`, `create`, `update`, `update_current`, `delete`, `metadata`.
* `Query`: `$filter`, `$select`, `$expand`, `$orderby`, `$top`, `$skip`, `$inlinecount`, custom options;
  `literal`, `key_predicate`, `resource_path`: V2 URL pieces.
* `Entity`, `EntityPage`, `EntityType`; `decode_value`, `parse_date`, `parse_time`, `encode_value` (codec, pure).
* `CsrfAuth`: the x-csrf-token flow as an `httpx.Auth`.
* the errors of `btp.odata2.errors` (tree in its docstring), all subclasses of `btp.BTPError`.
"""

from __future__ import annotations

from .client import API_BUSINESS_PARTNER, ODataV2Client
from .codec import Entity, EntityPage, EntityType, decode_value, encode_value, parse_date, parse_time
from .csrf import CsrfAuth
from .errors import (
    AuthorizationError,
    CsrfTokenError,
    EntityNotFoundError,
    ErrorDetail,
    ETagMismatchError,
    ODataV2ClientError,
    ODataV2Error,
    ODataV2ProtocolError,
    ODataV2ServerError,
    PreconditionRequiredError,
)
from .query import Query, key_predicate, literal, resource_path

__all__ = [
    "API_BUSINESS_PARTNER",
    "AuthorizationError",
    "CsrfAuth",
    "CsrfTokenError",
    "ETagMismatchError",
    "Entity",
    "EntityNotFoundError",
    "EntityPage",
    "EntityType",
    "ErrorDetail",
    "ODataV2Client",
    "ODataV2ClientError",
    "ODataV2Error",
    "ODataV2ProtocolError",
    "ODataV2ServerError",
    "PreconditionRequiredError",
    "Query",
    "decode_value",
    "encode_value",
    "key_predicate",
    "literal",
    "parse_date",
    "parse_time",
    "resource_path",
]
