"""Sans-I/O codec for JSON batches (OData JSON Format 4.01 section 19).

Request: ``{"requests": [{"id", "method", "url", "headers", "body", "atomicityGroup",
"dependsOn"}]}``. Requests sharing an ``atomicityGroup`` must be adjacent and form one
:class:`ChangeSet`. ``body`` is a JSON value for JSON media types, a string for ``text/*``
and a base64url string for everything else; it is re-encoded to bytes. Numbers are
re-emitted exactly as written (no float round trip).

Response, as SAP CAP Node.js writes it (observed with ``curl``)::

    {"responses":[{"id":"r1","status":200,"headers":{"odata-version":"4.0",
      "content-type":"application/json; charset=utf-8","content-length":"120"},
      "body":{...}},
     {"id":"d1","status":204,"headers":{"odata-version":"4.0"},"atomicityGroup":"g2"}]}

* compact JSON, non-ASCII unescaped; member order ``id, status, headers,
  atomicityGroup (only for members of a group), body``; ``body`` omitted when empty;
* header names lower-case, values strings (``"content-length":"120"``);
* a JSON body is embedded as JSON, a ``text/plain`` body (``$count``) as a string;
* a failed atomicity group lists every member with its own status (CAP even reports
  201 for members that were rolled back); a request whose dependency failed gets 424
  ``{"error":{"code":"424","message":"Failed Dependency",...}}``;
* CAP's 400 messages: ``Request ID 'a' is not unique.``, ``Parameter 'id' must not be
  undefined.``, ``Method 'FOO' is not allowed. Only DELETE, GET, PATCH, POST or PUT
  are.``, ``"zz" does not match the id or atomicity group of any preceding request``,
  ``Atomicity group ID 'g' is not unique.`` (non-adjacent group); methods are accepted
  case-insensitively.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

from odata4.batch.model import (
    BATCH_METHODS,
    BatchItem,
    BatchRequest,
    BatchResponse,
    ChangeSet,
    find_header,
)
from odata4.errors import BadRequest

__all__ = ["DEFAULT_MAX_REQUESTS", "parse_json_batch", "serialize_json_batch"]

DEFAULT_MAX_REQUESTS = 1000
_JSON_WHITESPACE = " \t\n\r"


# --------------------------------------------------------------------------- JSON helpers


@dataclass(frozen=True, slots=True)
class _RawNumber:
    """A JSON number kept as written, so that re-encoding loses no precision."""

    text: str


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str | bytes) -> object:
    """``json.loads`` keeping numbers verbatim and rejecting NaN/Infinity."""
    return json.loads(text, parse_float=_RawNumber, parse_int=_RawNumber, parse_constant=_reject_constant)


def _dumps_scalar(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _dump(value: object) -> str:
    """Compact JSON for a value produced by :func:`_loads`."""
    if isinstance(value, _RawNumber):
        return value.text
    if isinstance(value, dict):
        members = [f"{_dumps_scalar(key)}:{_dump(item)}" for key, item in value.items()]
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(item) for item in value) + "]"
    return _dumps_scalar(value)


def _media_type(content_type: str | None) -> str | None:
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower()


def _is_json_media(media: str) -> bool:
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64url_decode(text: str) -> bytes:
    cleaned = text.strip().rstrip("=").replace("+", "-").replace("/", "_")
    padded = cleaned + "=" * (-len(cleaned) % 4)
    return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)


# --------------------------------------------------------------------------- parsing


@dataclass
class _State:
    """What the requests seen so far define."""

    ids: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    items: list[BatchItem] = field(default_factory=list)


def _fail(index: int, message: str) -> NoReturn:
    raise BadRequest(f"Deserialization Error: request {index}: {message}")


def _string_member(raw: dict[str, object], name: str, index: int, *, required: bool) -> str | None:
    value = raw.get(name)
    if value is None:
        if required:
            _fail(index, f"Parameter {name!r} must not be undefined.")
        return None
    if not isinstance(value, str) or not value:
        _fail(index, f"Parameter {name!r} must be a non-empty string.")
    return value


def _method(raw: dict[str, object], index: int) -> str:
    method = _string_member(raw, "method", index, required=True) or ""
    if method.upper() not in BATCH_METHODS:
        allowed = "DELETE, GET, PATCH, POST or PUT"
        _fail(index, f"Method {method[:20]!r} is not allowed. Only {allowed} are.")
    return method.upper()


def _headers(raw: dict[str, object], index: int) -> list[tuple[str, str]]:
    value = raw.get("headers")
    if value is None:
        return []
    if not isinstance(value, dict):
        _fail(index, "'headers' must be an object.")
    headers: list[tuple[str, str]] = []
    for name, header_value in value.items():
        if not isinstance(header_value, str):
            _fail(index, f"Header {name[:50]!r} must have a string value.")
        headers.append((name, header_value))
    return headers


def _body(raw: dict[str, object], headers: list[tuple[str, str]], index: int) -> bytes:
    value = raw.get("body")
    if value is None:
        return b""
    media = _media_type(find_header(headers, "Content-Type")) or "application/json"
    try:
        if _is_json_media(media) or not isinstance(value, str):
            return _dump(value).encode("utf-8")
        if media.startswith("text/"):
            return value.encode("utf-8")
        return _b64url_decode(value)
    except ValueError:
        _fail(index, "'body' cannot be encoded for its Content-Type.")


def _depends_on(raw: dict[str, object], index: int, state: _State) -> tuple[str, ...]:
    value = raw.get("dependsOn")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        _fail(index, "'dependsOn' must be an array of strings.")
    for reference in value:
        if reference not in state.ids and reference not in state.groups:
            _fail(
                index,
                f"{reference[:100]!r} does not match the id or atomicity group of any preceding request",
            )
    return tuple(value)


def _parse_request(raw: object, index: int, state: _State) -> BatchRequest:
    if not isinstance(raw, dict):
        _fail(index, "a request must be a JSON object.")
    request_id = _string_member(raw, "id", index, required=True) or ""
    if request_id in state.ids:
        _fail(index, f"Request ID {request_id[:100]!r} is not unique.")
    headers = _headers(raw, index)
    return BatchRequest(
        id=request_id,
        method=_method(raw, index),
        url=_string_member(raw, "url", index, required=True) or "",
        headers=headers,
        body=_body(raw, headers, index),
        atomicity_group=_string_member(raw, "atomicityGroup", index, required=False),
        depends_on=_depends_on(raw, index, state),
    )


def _add(request: BatchRequest, index: int, state: _State) -> None:
    """Append ``request`` to the items, joining it to the change set of its group."""
    group = request.atomicity_group
    last = state.items[-1] if state.items else None
    if group is None:
        state.items.append(request)
    elif isinstance(last, ChangeSet) and last.id == group:
        last.requests.append(request)
    elif group in state.groups:
        _fail(index, f"Atomicity group ID {group[:100]!r} is not unique.")
    else:
        state.items.append(ChangeSet(requests=[request], id=group))
        state.groups.add(group)
    state.ids.add(request.id or "")


def _request_list(body: bytes) -> list[object]:
    try:
        document = _loads(body)
    except (ValueError, RecursionError):
        raise BadRequest("Deserialization Error: the batch body is not valid JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("requests"), list):
        raise BadRequest("Deserialization Error: expected an object with a 'requests' array")
    requests: list[object] = document["requests"]
    return requests


def parse_json_batch(body: bytes, *, max_requests: int = DEFAULT_MAX_REQUESTS) -> list[BatchItem]:
    """Parse a JSON batch request body; raises :class:`BadRequest` for malformed input."""
    raw_requests = _request_list(body)
    if len(raw_requests) > max_requests:
        raise BadRequest("Too many requests in batch request")
    state = _State()
    try:
        for index, raw in enumerate(raw_requests):
            _add(_parse_request(raw, index, state), index, state)
    except RecursionError:
        raise BadRequest("Deserialization Error: a request body is nested too deeply") from None
    clash = state.ids & state.groups
    if clash:
        name = sorted(clash)[0]
        raise BadRequest(f"Deserialization Error: {name[:100]!r} is both a request id and an atomicity group")
    return state.items


# --------------------------------------------------------------------------- serializing


def _flatten(responses: Sequence[BatchResponse | Sequence[BatchResponse]]) -> Iterator[BatchResponse]:
    for item in responses:
        if isinstance(item, BatchResponse):
            yield item
        else:
            yield from item


def _headers_object(response: BatchResponse) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.headers:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _json_text(body: bytes) -> str | None:
    """``body`` as JSON text if it is valid UTF-8 JSON, else ``None``."""
    try:
        text = body.decode("utf-8")
        _loads(text)
    except (ValueError, RecursionError):
        return None
    return text.strip(_JSON_WHITESPACE)


def _body_json(response: BatchResponse) -> str:
    """A JSON body embedded as JSON, text as a string, anything else base64url."""
    media = _media_type(response.header("Content-Type"))
    if media is None or _is_json_media(media):
        embedded = _json_text(response.body)
        if embedded is not None:
            return embedded
    if media is None or _is_json_media(media) or media.startswith("text/"):
        try:
            return _dumps_scalar(response.body.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    return _dumps_scalar(_b64url_encode(response.body))


def _response_json(response: BatchResponse) -> str:
    members: list[str] = []
    if response.id is not None:
        members.append(f'"id":{_dumps_scalar(response.id)}')
    members.append(f'"status":{int(response.status)}')
    members.append(f'"headers":{json.dumps(_headers_object(response), ensure_ascii=False, separators=(",", ":"))}')
    if response.atomicity_group is not None:
        members.append(f'"atomicityGroup":{_dumps_scalar(response.atomicity_group)}')
    if response.body:
        members.append(f'"body":{_body_json(response)}')
    return "{" + ",".join(members) + "}"


def serialize_json_batch(responses: Sequence[BatchResponse | Sequence[BatchResponse]]) -> bytes:
    """Serialize responses like CAP; a list item (a change set) is flattened in place."""
    text = ",".join(_response_json(response) for response in _flatten(responses))
    return ('{"responses":[' + text + "]}").encode("utf-8")
