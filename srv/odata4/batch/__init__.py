"""Sans-I/O codec for OData V4 ``$batch`` requests and responses.

* :func:`parse_multipart_batch` / :func:`serialize_multipart_batch` for
  ``multipart/mixed`` (OData V4.01 Protocol section 11.7);
* :func:`parse_json_batch` / :func:`serialize_json_batch` for JSON batches (OData JSON
  Format 4.01 section 19);
* the shared model :class:`BatchRequest`, :class:`ChangeSet`, :class:`BatchResponse`
  and :func:`resolve_content_id_reference`.

Every malformed batch raises :class:`odata4.errors.BadRequest`.
"""

from odata4.batch.json_batch import DEFAULT_MAX_REQUESTS, parse_json_batch, serialize_json_batch
from odata4.batch.model import (
    BATCH_METHODS,
    BatchItem,
    BatchRequest,
    BatchResponse,
    ChangeSet,
    find_header,
    resolve_content_id_reference,
)
from odata4.batch.multipart import (
    DEFAULT_MAX_PARTS,
    REASON_PHRASES,
    boundary_from_content_type,
    multipart_content_type,
    parse_http_request_line,
    parse_multipart_batch,
    reason_phrase,
    serialize_multipart_batch,
)

__all__ = [
    "BATCH_METHODS",
    "DEFAULT_MAX_PARTS",
    "DEFAULT_MAX_REQUESTS",
    "REASON_PHRASES",
    "BatchItem",
    "BatchRequest",
    "BatchResponse",
    "ChangeSet",
    "boundary_from_content_type",
    "find_header",
    "multipart_content_type",
    "parse_http_request_line",
    "parse_json_batch",
    "parse_multipart_batch",
    "reason_phrase",
    "resolve_content_id_reference",
    "serialize_json_batch",
    "serialize_multipart_batch",
]
