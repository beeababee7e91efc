"""The weak ETags CAP sends for `$metadata` and the service document.

CAP (`@sap/cds` libx/odata/middleware) hashes the exact body: ``W/"<base64 sha256>"``.
- `$metadata` (XML or JSON): the hash of the document body, sent as the `ETag` header.
- Service document: `@odata.metadataEtag` and its `ETag` header are the hash of the
  compact JSON of its `value` array (entity set names and urls), not of the metadata.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence


def weak_etag(body: bytes) -> str:
    return f'W/"{base64.b64encode(hashlib.sha256(body).digest()).decode()}"'


def metadata_etag(document: bytes) -> str:
    """ETag of a `$metadata` body (CSDL XML, or CSDL JSON serialised compactly)."""
    return weak_etag(document)


def service_document_etag(entries: Sequence[Mapping[str, str]]) -> str:
    """`@odata.metadataEtag` of a service document whose `value` is `entries`."""
    compact = json.dumps(list(map(dict, entries)), separators=(",", ":"), ensure_ascii=False)
    return weak_etag(compact.encode())
