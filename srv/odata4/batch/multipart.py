r"""Sans-I/O codec for ``multipart/mixed`` OData V4 batches (OData V4.01 Protocol 11.7).

Parsing is deliberately tolerant of what SAPUI5 (and other clients) really send: part
headers without a space after the colon, CRLF or bare LF line endings, a preamble
before the first delimiter and an epilogue after the close delimiter, a quoted or
unquoted boundary, ``Content-Transfer-Encoding: binary``, nested ``multipart/mixed``
change sets, and ``Content-ID`` either on the MIME part headers or on the inner HTTP
headers. Every malformed input raises :class:`odata4.errors.BadRequest`, nothing else.

Serialization reproduces the framing of SAP CAP Node.js (``@sap/cds``), as observed
with ``curl`` against the CAP reference server::

    HTTP/1.1 200 OK                                  (the $batch response itself)
    OData-Version: 4.0
    Content-Type: multipart/mixed;boundary=batch_1   <- no space, request boundary echoed

    --batch_1
    content-type: application/http                   <- MIME headers lower-case, in
    content-transfer-encoding: binary                   this order; content-id only
    content-id: 1                                       when the request had one
                                                     <- blank line
    HTTP/1.1 200 OK                                  <- status line with Node's reason
    odata-version: 4.0                                  phrase; inner headers lower-case
    content-type: application/json; charset=utf-8       (odata-version, location,
    content-length: 120                                 content-type, content-length)

    {"@odata.context":...}                           <- body, then CRLF, then delimiter
    --batch_1
    content-type: multipart/mixed;boundary=cs_1      <- successful change set: the
                                                        request's change set boundary
    --cs_1                                              is echoed, no space after ';'
    content-type: application/http
    content-transfer-encoding: binary
    content-id: 1

    HTTP/1.1 201 Created
    ...
    --cs_1--                                         <- directly followed by the next
    --batch_1--                                         outer delimiter (no blank line)

Observed facts in detail:

* Every line ends with CRLF; the document ends with ``--batch_1--`` CRLF. Each part is
  ``MIME headers CRLF CRLF HTTP-message CRLF`` and the next delimiter follows at once.
* A 204 part is ``HTTP/1.1 204 No Content`` CRLF ``odata-version: 4.0`` CRLF CRLF, then
  the empty body and the CRLF before the delimiter (so three CRLFs in a row).
* A failed change set is answered by ONE ``application/http`` part at the top level (not
  a nested multipart) carrying the failing request's status and error body and echoing
  the failing request's Content-ID (``"@Core.ContentID"`` is also added in the error
  JSON); the other requests of the change set get no part.
* Without ``Prefer: odata.continue-on-error`` CAP stops after the first failed part (a
  failed single request or a failed change set); later parts are simply missing. With
  the preference it continues (no Preference-Applied header was returned).
* A Content-ID given only on the inner HTTP headers is not echoed by CAP.
* The ``Location`` header and ``@odata.context`` of responses inside a batch are
  relative to the batch URL (``../Notifications(...)``, ``../$metadata#...``).
* CAP itself rejects a quoted boundary ("No boundary found in Content-Type header"),
  bare LF line endings, a preamble and an epilogue (``HPE_INVALID_METHOD``) but accepts a
  missing close delimiter; this parser is more tolerant except that it requires the close
  delimiter (RFC 2046), answering an unterminated batch with 400.

The serializer writes the response headers in the given order with lower-cased names (as
Node does) and adds none: the caller supplies ``content-length`` like CAP. A change set's
boundary is taken from the ``atomicity_group`` of its responses (the parser stores the
request's change set boundary as :attr:`ChangeSet.id` and as each request's
``atomicity_group``), so it is echoed like CAP does. To answer a failed change set like
CAP, pass the single error response instead of the list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from odata4.batch.model import (
    BATCH_METHODS,
    BatchItem,
    BatchRequest,
    BatchResponse,
    ChangeSet,
    find_header,
)
from odata4.errors import BadRequest

__all__ = [
    "DEFAULT_MAX_PARTS",
    "REASON_PHRASES",
    "boundary_from_content_type",
    "multipart_content_type",
    "parse_http_request_line",
    "parse_multipart_batch",
    "reason_phrase",
    "serialize_multipart_batch",
]

DEFAULT_MAX_PARTS = 1000
#: RFC 2046 allows 70 characters; accept a little more from sloppy clients.
MAX_BOUNDARY_LENGTH = 200
CRLF = b"\r\n"

#: Reason phrases exactly as Node.js ``http.STATUS_CODES`` (what CAP writes).
# fmt: off
REASON_PHRASES: dict[int, str] = {
    100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
    200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
    204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
    208: "Already Reported", 226: "IM Used",
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
    304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict",
    410: "Gone", 411: "Length Required", 412: "Precondition Failed",
    413: "Payload Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
    416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a Teapot",
    421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked",
    424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required",
    428: "Precondition Required", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
    509: "Bandwidth Limit Exceeded", 510: "Not Extended",
    511: "Network Authentication Required",
}
# fmt: on

_HTTP_VERSION = re.compile(r"HTTP/[0-9]\.[0-9]")
_TRANSFER_ENCODINGS = frozenset({"binary", "8bit", "7bit"})
_TSPECIALS = frozenset('()<>@,;:\\"/[]?= ')


def reason_phrase(status: int) -> str:
    """The reason phrase Node.js writes for ``status`` (``"unknown"`` if it has none)."""
    return REASON_PHRASES.get(status, "unknown")


# --------------------------------------------------------------------------- headers


def parse_http_request_line(line: str) -> tuple[str, str, str]:
    """Split ``GET Notifications?$top=1 HTTP/1.1`` into ``(method, target, version)``.

    The method is upper-cased and must be one of :data:`BATCH_METHODS`; a missing
    version is tolerated and reported as ``HTTP/1.1``.
    """
    tokens = line.split()
    if len(tokens) == 2:
        tokens.append("HTTP/1.1")
    if len(tokens) != 3:
        raise BadRequest(f"Malformed request line in batch part: {line[:100]!r}")
    method, target, version = tokens
    method = method.upper()
    if method not in BATCH_METHODS:
        allowed = ", ".join(sorted(BATCH_METHODS))
        raise BadRequest(f"Method {method[:20]!r} is not allowed in a batch; only {allowed}")
    if not _HTTP_VERSION.fullmatch(version):
        raise BadRequest(f"Malformed HTTP version in batch part: {version[:20]!r}")
    return method, target, version


def _split_params(value: str) -> list[str]:
    """Split a header value at ``;`` outside double quotes."""
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    if quoted:
        raise BadRequest("Unterminated quoted string in Content-Type")
    items.append("".join(current))
    return items


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1], flags=re.DOTALL)
    return value


def _parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """``multipart/mixed; boundary="b"`` -> ``("multipart/mixed", {"boundary": "b"})``."""
    media, *raw_params = _split_params(value)
    params: dict[str, str] = {}
    for raw in raw_params:
        name, sep, param_value = raw.partition("=")
        if sep:
            params.setdefault(name.strip().lower(), _unquote(param_value.strip()))
    return media.strip().lower(), params


def _is_valid_boundary(boundary: str) -> bool:
    return (
        0 < len(boundary) <= MAX_BOUNDARY_LENGTH
        and all(" " <= char <= "~" for char in boundary)
        and not boundary.endswith(" ")
    )


def _boundary_param(params: dict[str, str]) -> str:
    boundary = params.get("boundary")
    if not boundary:
        raise BadRequest("No boundary found in Content-Type header")
    if not _is_valid_boundary(boundary):
        raise BadRequest("Invalid multipart boundary in Content-Type header")
    return boundary


def boundary_from_content_type(content_type: str) -> str:
    """The boundary of a ``multipart/mixed`` content type; else :class:`BadRequest`."""
    media, params = _parse_media_type(content_type)
    if media != "multipart/mixed":
        raise BadRequest(f"Expected multipart/mixed, got {media[:100]!r}")
    return _boundary_param(params)


def multipart_content_type(boundary: str) -> str:
    """The Content-Type of a batch response, spelled like CAP: no space, no quotes."""
    if any(char in _TSPECIALS for char in boundary):
        escaped = boundary.replace("\\", "\\\\").replace('"', '\\"')
        return f'multipart/mixed;boundary="{escaped}"'
    return f"multipart/mixed;boundary={boundary}"


def _decode_header_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _parse_header_lines(lines: Sequence[bytes]) -> list[tuple[str, str]]:
    """``Name:value`` / ``Name: value`` lines; folded continuation lines are joined."""
    headers: list[tuple[str, str]] = []
    for raw in lines:
        text = _decode_header_text(raw)
        if text[:1] in (" ", "\t"):
            if not headers:
                raise BadRequest("Malformed header continuation line in batch part")
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {text.strip()}".strip())
            continue
        name, sep, value = text.partition(":")
        if not sep or not name.strip():
            raise BadRequest(f"Malformed header line in batch part: {text[:100]!r}")
        headers.append((name.strip(), value.strip()))
    return headers


def _split_head(content: bytes) -> tuple[list[bytes], bytes]:
    """Split ``content`` into its header lines and what follows the first blank line."""
    lines: list[bytes] = []
    position = 0
    while position < len(content):
        newline = content.find(b"\n", position)
        if newline == -1:
            lines.append(content[position:].removesuffix(b"\r"))
            return lines, b""
        line = content[position:newline].removesuffix(b"\r")
        position = newline + 1
        if not line:
            return lines, content[position:]
        lines.append(line)
    return lines, b""


# --------------------------------------------------------------------------- MIME framing


@dataclass(frozen=True, slots=True)
class _Delimiter:
    start: int  # index of the leading "--"
    end: int  # index just after the delimiter line's line break
    close: bool


class _PartBudget:
    """Counts MIME parts so that a huge batch is rejected early."""

    def __init__(self, limit: int) -> None:
        self.remaining = limit

    def take(self) -> None:
        self.remaining -= 1
        if self.remaining < 0:
            raise BadRequest("Too many parts in batch request")


def _line_end(data: bytes, position: int) -> int:
    newline = data.find(b"\n", position)
    return len(data) if newline == -1 else newline + 1


def _delimiter_line_end(data: bytes, position: int) -> int | None:
    """End of a delimiter line whose boundary ends at ``position``; ``None`` if not one."""
    while position < len(data) and data[position] in b" \t":
        position += 1
    if position == len(data):
        return position
    if data.startswith(b"\n", position):
        return position + 1
    if data.startswith(CRLF, position):
        return position + 2
    return None


def _find_delimiter(data: bytes, marker: bytes, position: int) -> _Delimiter | None:
    """The next line starting with ``--boundary`` followed by ``--`` or the line end."""
    while True:
        index = data.find(marker, position)
        if index == -1:
            return None
        if index == 0 or data[index - 1] == 0x0A:
            after = index + len(marker)
            if data.startswith(b"--", after):
                return _Delimiter(index, _line_end(data, after), True)
            end = _delimiter_line_end(data, after)
            if end is not None:
                return _Delimiter(index, end, False)
        position = index + 1


def _content_end(data: bytes, delimiter_start: int, content_start: int) -> int:
    """Where a part's content ends: before the line break preceding the delimiter."""
    end = delimiter_start
    if end >= 2 and data[end - 2 : end] == CRLF:
        end -= 2
    elif end >= 1 and data[end - 1] == 0x0A:
        end -= 1
    return max(end, content_start)


def _split_parts(data: bytes, boundary: str, budget: _PartBudget) -> list[bytes]:
    """The contents of the body parts; preamble and epilogue are ignored."""
    marker = b"--" + boundary.encode("ascii")
    current = _find_delimiter(data, marker, 0)
    if current is None:
        raise BadRequest(f"Batch body does not contain the boundary {boundary!r}")
    parts: list[bytes] = []
    while not current.close:
        following = _find_delimiter(data, marker, current.end)
        if following is None:
            raise BadRequest(f"Batch body is not terminated by --{boundary}--")
        budget.take()
        parts.append(data[current.end : _content_end(data, following.start, current.end)])
        current = following
    return parts


# --------------------------------------------------------------------------- parsing


def _check_transfer_encoding(headers: list[tuple[str, str]]) -> None:
    encoding = find_header(headers, "Content-Transfer-Encoding")
    if encoding is not None and encoding.lower() not in _TRANSFER_ENCODINGS:
        raise BadRequest(f"Unsupported Content-Transfer-Encoding {encoding[:50]!r}")


def _apply_content_length(body: bytes, headers: list[tuple[str, str]]) -> bytes:
    value = find_header(headers, "Content-Length")
    if value is None:
        return body
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise BadRequest(f"Invalid Content-Length {value[:50]!r} in batch part")
    length = int(value)
    if length > len(body):
        raise BadRequest("Content-Length exceeds the size of the batch part")
    return body[:length]


def _parse_http_request(message: bytes, content_id: str | None, group: str | None) -> BatchRequest:
    """The ``application/http`` payload: request line, headers, blank line, body."""
    lines, body = _split_head(message.lstrip(b"\r\n"))
    if not lines:
        raise BadRequest("Batch part does not contain a request line")
    try:
        request_line = lines[0].decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("Request line in batch part is not valid UTF-8") from None
    method, url, _version = parse_http_request_line(request_line)
    headers = _parse_header_lines(lines[1:])
    content_id = content_id or find_header(headers, "Content-ID") or None
    return BatchRequest(
        id=content_id,
        method=method,
        url=url,
        headers=headers,
        body=_apply_content_length(body, headers),
        atomicity_group=group,
    )


def _parse_part_head(content: bytes) -> tuple[str, dict[str, str], str | None, bytes]:
    """MIME part -> (media type, its parameters, Content-ID, payload)."""
    lines, payload = _split_head(content)
    headers = _parse_header_lines(lines)
    _check_transfer_encoding(headers)
    media, params = _parse_media_type(find_header(headers, "Content-Type") or "application/http")
    return media, params, find_header(headers, "Content-ID") or None, payload


def _parse_changeset(payload: bytes, boundary: str, budget: _PartBudget) -> ChangeSet:
    requests: list[BatchRequest] = []
    seen: set[str] = set()
    for content in _split_parts(payload, boundary, budget):
        media, _params, content_id, inner = _parse_part_head(content)
        if media == "multipart/mixed":
            raise BadRequest("Change sets must not be nested")
        if media != "application/http":
            raise BadRequest(f"Unsupported Content-Type {media[:100]!r} in change set")
        request = _parse_http_request(inner, content_id, boundary)
        if request.id is not None:
            if request.id in seen:
                raise BadRequest(f"Content-ID {request.id[:100]!r} is not unique")
            seen.add(request.id)
        requests.append(request)
    return ChangeSet(requests=requests, id=boundary)


def _parse_top_level_part(content: bytes, budget: _PartBudget) -> BatchItem:
    media, params, content_id, payload = _parse_part_head(content)
    if media == "multipart/mixed":
        return _parse_changeset(payload, _boundary_param(params), budget)
    if media != "application/http":
        raise BadRequest(f"Unsupported Content-Type {media[:100]!r} in batch part")
    return _parse_http_request(payload, content_id, None)


def parse_multipart_batch(body: bytes, content_type: str, *, max_parts: int = DEFAULT_MAX_PARTS) -> list[BatchItem]:
    """Parse a ``multipart/mixed`` batch request body.

    ``content_type`` is the request's Content-Type header, which carries the boundary.
    More than ``max_parts`` MIME parts (change set containers and the requests inside
    them included) are rejected. Raises :class:`BadRequest` for every malformed input.
    """
    boundary = boundary_from_content_type(content_type)
    budget = _PartBudget(max_parts)
    return [_parse_top_level_part(part, budget) for part in _split_parts(body, boundary, budget)]


# --------------------------------------------------------------------------- serializing


def _http_response(response: BatchResponse) -> bytes:
    lines = [f"HTTP/1.1 {response.status} {reason_phrase(response.status)}"]
    lines.extend(f"{name.lower()}: {value}" for name, value in response.headers)
    head = "\r\n".join(lines).encode("utf-8")
    return head + CRLF + CRLF + response.body


def _response_part(response: BatchResponse) -> bytes:
    head = b"content-type: application/http\r\ncontent-transfer-encoding: binary\r\n"
    if response.id is not None:
        head += b"content-id: " + response.id.encode("utf-8") + CRLF
    return head + CRLF + _http_response(response)


def _conflicts(boundary: str, other: str) -> bool:
    return boundary.startswith(other) or other.startswith(boundary)


def _changeset_boundary(responses: Sequence[BatchResponse], outer: str, index: int) -> str:
    """The request's change set boundary (kept in ``atomicity_group``) or a fresh one."""
    for response in responses:
        group = response.atomicity_group
        if group is not None and _is_valid_boundary(group) and not _conflicts(group, outer):
            return group
    candidate = f"changeset_{index}"
    while _conflicts(candidate, outer):
        candidate = "x" + candidate
    return candidate


def _changeset_part(responses: Sequence[BatchResponse], boundary: str) -> bytes:
    delimiter = b"--" + boundary.encode("ascii")
    chunks = [b"content-type: multipart/mixed;boundary=" + boundary.encode("ascii") + CRLF]
    chunks.append(CRLF)
    chunks.extend(delimiter + CRLF + _response_part(response) + CRLF for response in responses)
    chunks.append(delimiter + b"--")
    return b"".join(chunks)


def serialize_multipart_batch(responses: Sequence[BatchResponse | Sequence[BatchResponse]], boundary: str) -> bytes:
    """Serialize batch responses as CAP does; a list item is a successful change set.

    ``boundary`` must be a valid MIME boundary (CAP echoes the request's boundary);
    an invalid one is a programming error and raises :class:`ValueError`.
    """
    if not _is_valid_boundary(boundary):
        raise ValueError(f"invalid multipart boundary {boundary!r}")
    delimiter = b"--" + boundary.encode("ascii")
    chunks: list[bytes] = []
    for index, item in enumerate(responses, start=1):
        if isinstance(item, BatchResponse):
            part = _response_part(item)
        else:
            part = _changeset_part(item, _changeset_boundary(item, boundary, index))
        chunks.append(delimiter + CRLF + part + CRLF)
    chunks.append(delimiter + b"--" + CRLF)
    return b"".join(chunks)
