"""Data model of a parsed OData V4 ``$batch`` request and of its responses.

Both wire formats (``multipart/mixed``, OData V4.01 Protocol 11.7, and JSON, OData JSON
Format 4.01 section 19) parse into the same model:

* a batch is a list of :data:`BatchItem` s, each either a single :class:`BatchRequest` or
  a :class:`ChangeSet` (an atomicity group) of requests;
* responses are :class:`BatchResponse` s; the serializers take a list whose items are a
  single response or a list of responses (the successful change set).

The model is pure data; nothing here performs I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

__all__ = [
    "BATCH_METHODS",
    "BatchItem",
    "BatchRequest",
    "BatchResponse",
    "ChangeSet",
    "find_header",
    "resolve_content_id_reference",
]

#: The HTTP methods allowed for a request inside a batch (what CAP allows as well).
BATCH_METHODS: frozenset[str] = frozenset({"DELETE", "GET", "PATCH", "POST", "PUT"})


def find_header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The value of the first header called ``name`` (case-insensitive), else ``None``."""
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """One request of a batch.

    ``id`` is the Content-ID (multipart) or the ``id`` member (JSON). ``url`` is kept as
    written: relative to the service root, an absolute path, an absolute URL, or starting
    with a ``$<content-id>`` reference (see :func:`resolve_content_id_reference`).
    ``headers`` keeps the names as given; use :meth:`header` for a case-insensitive look-up.
    """

    id: str | None
    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    atomicity_group: str | None = None
    depends_on: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """The value of the first header ``name`` (case-insensitive), else ``None``."""
        return find_header(self.headers, name)


@dataclass(frozen=True, slots=True)
class BatchResponse:
    """One response of a batch; ``id`` echoes the request's Content-ID / ``id``."""

    id: str | None
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    atomicity_group: str | None = None

    def header(self, name: str) -> str | None:
        """The value of the first header ``name`` (case-insensitive), else ``None``."""
        return find_header(self.headers, name)


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """An atomic group of requests.

    ``id`` is the change set's boundary for multipart batches and the ``atomicityGroup``
    for JSON batches; every request in it carries the same value as ``atomicity_group``.
    """

    requests: list[BatchRequest]
    id: str


BatchItem: TypeAlias = BatchRequest | ChangeSet


def resolve_content_id_reference(url: str, content_ids: Mapping[str, str]) -> str:
    """Replace a leading ``$<content-id>`` in ``url`` by the resource URL recorded for it.

    The reference ends at the first ``/`` or ``?``; ``$1/addresses`` with
    ``{"1": "Notifications(ID=7)"}`` becomes ``Notifications(ID=7)/addresses``. A URL that
    does not start with a known reference (``$metadata``, ``$batch``, an unknown id, a
    plain path) is returned unchanged.
    """
    if not url.startswith("$"):
        return url
    end = len(url)
    for stop in "/?":
        position = url.find(stop, 1)
        if position != -1:
            end = min(end, position)
    resource = content_ids.get(url[1:end])
    if resource is None:
        return url
    return resource + url[end:]
