"""OData V2 JSON ("verbose", `{"d": ...}`) → typed Python values, and back for writes. Pure: no I/O.

Rules:
1. A collection is `{"d": {"results": [...], "__count": "42", "__next": "..."}}` (older servers: `{"d": [...]}`).
2. An entity is `{"d": {..., "__metadata": {"uri", "type", "etag"}}}`; an expanded navigation is an entity,
   `{"results": [...]}` or a bare list; a deferred one (`{"__deferred": {...}}`) is left out.
3. `Edm.DateTime` is `/Date(ms)/`, UTC; `Edm.DateTimeOffset` `/Date(ms±mmmm)/` with the offset in minutes;
   `Edm.Time` `PT10H30M00S`; `Edm.Decimal` and `Edm.Int64` travel as strings; `__count` too.
4. Values are decoded by the declared `EntityType`; without one, `/Date(…)/` strings still become datetimes.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ErrorDetail, ODataV2ProtocolError

_DATE = re.compile(r"^/Date\((-?\d+)(?:([+-])(\d{4}))?\)/$")
_TIME = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?$")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class EntityType:
    """What the codec needs of an entity type: property name → EDM type, keys, expandable navigation."""

    name: str
    properties: Mapping[str, str]
    keys: tuple[str, ...] = ()
    navigation: Mapping[str, EntityType] = field(default_factory=dict)


@dataclass
class Entity:
    values: dict[str, Any]
    etag: str | None = None
    uri: str | None = None
    type: str | None = None


@dataclass
class EntityPage:
    entities: list[Entity]
    count: int | None = None
    next_url: str | None = None


@dataclass(frozen=True)
class ErrorInfo:
    code: str
    message: str
    lang: str = "en"
    details: tuple[ErrorDetail, ...] = ()
    transaction_id: str | None = None


# --- values ----------------------------------------------------------------------------------------------


def parse_date(text: str) -> dt.datetime:
    """`/Date(1672531200000)/` → 2023-01-01T00:00:00+00:00; an offset suffix sets the result's time zone."""
    match = _DATE.match(text)
    if match is None:
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))  # some servers send ISO 8601
        except ValueError:
            raise ODataV2ProtocolError(f"not an OData V2 date: {text!r}") from None
    instant = _EPOCH + dt.timedelta(milliseconds=int(match.group(1)))
    if match.group(2) is None:
        return instant
    minutes = int(match.group(3)) * (-1 if match.group(2) == "-" else 1)
    return instant.astimezone(dt.timezone(dt.timedelta(minutes=minutes)))


def parse_time(text: str) -> dt.time:
    """`PT10H30M00S` (an `Edm.Time`, a time of day) → 10:30:00."""
    match = _TIME.match(text)
    if match is None or text == "PT":
        raise ODataV2ProtocolError(f"not an OData V2 time: {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    micro = int((fraction or "0").ljust(6, "0")[:6])
    return dt.time(int(hours or 0), int(minutes or 0), int(seconds or 0), micro)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(value)


def _binary(value: Any) -> bytes:
    return base64.b64decode(str(value))


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "Edm.Boolean": _boolean,
    "Edm.Byte": int,
    "Edm.SByte": int,
    "Edm.Int16": int,
    "Edm.Int32": int,
    "Edm.Int64": int,
    "Edm.Decimal": lambda v: decimal.Decimal(str(v)),
    "Edm.Double": float,
    "Edm.Single": float,
    "Edm.Guid": lambda v: uuid.UUID(str(v)),
    "Edm.DateTime": lambda v: parse_date(str(v)),
    "Edm.DateTimeOffset": lambda v: parse_date(str(v)),
    "Edm.Time": lambda v: parse_time(str(v)),
    "Edm.Binary": _binary,
}


def decode_value(value: Any, edm_type: str | None) -> Any:
    if value is None:
        return None
    decoder = _DECODERS.get(edm_type or "")
    if decoder is None:
        return parse_date(value) if edm_type is None and isinstance(value, str) and _DATE.match(value) else value
    try:
        return decoder(value)
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise ODataV2ProtocolError(f"{value!r} is no {edm_type}") from exc


def _milliseconds(value: dt.datetime) -> int:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return (aware - _EPOCH) // dt.timedelta(milliseconds=1)


def encode_value(value: Any, edm_type: str | None = None) -> Any:
    """A Python value as V2 JSON expects it in a request body."""
    if isinstance(value, dt.datetime):
        if edm_type == "Edm.DateTimeOffset":
            return f"/Date({_milliseconds(value)}+0000)/"
        return f"/Date({_milliseconds(value)})/"
    if isinstance(value, dt.time):
        return f"PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S"
    if isinstance(value, decimal.Decimal | uuid.UUID) or (edm_type == "Edm.Int64" and isinstance(value, int)):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def encode_entity(values: Mapping[str, Any], entity_type: EntityType | None = None) -> dict[str, Any]:
    types = entity_type.properties if entity_type else {}
    return {name: encode_value(value, types.get(name)) for name, value in values.items()}


# --- documents --------------------------------------------------------------------------------------------


def _document(body: bytes | str) -> Any:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ODataV2ProtocolError("the answer is not JSON") from exc
    if not isinstance(doc, dict) or "d" not in doc:
        raise ODataV2ProtocolError('the answer is no OData V2 JSON (no "d")')
    return doc["d"]


def decode_entity(obj: Any, entity_type: EntityType | None = None) -> Entity:
    if not isinstance(obj, dict):
        raise ODataV2ProtocolError("an entity must be a JSON object")
    meta = obj.get("__metadata")
    meta = meta if isinstance(meta, dict) else {}
    types = entity_type.properties if entity_type else {}
    navigation = entity_type.navigation if entity_type else {}
    values: dict[str, Any] = {}
    for name, value in obj.items():
        if name == "__metadata" or (isinstance(value, dict) and "__deferred" in value):
            continue
        if name in navigation or _is_expanded(value):
            values[name] = _expanded(value, navigation.get(name))
        else:
            values[name] = decode_value(value, types.get(name))
    return Entity(values, etag=meta.get("etag"), uri=meta.get("uri"), type=meta.get("type"))


def _is_expanded(value: Any) -> bool:
    return isinstance(value, list) or (isinstance(value, dict) and ("results" in value or "__metadata" in value))


def _expanded(value: Any, entity_type: EntityType | None) -> Any:
    if value is None:
        return None
    if isinstance(value, dict) and "results" in value:
        value = value["results"]
    if isinstance(value, list):
        return [decode_entity(item, entity_type) for item in value]
    return decode_entity(value, entity_type)


def decode_single(body: bytes | str, entity_type: EntityType | None = None) -> Entity:
    return decode_entity(_document(body), entity_type)


def decode_collection(body: bytes | str, entity_type: EntityType | None = None) -> EntityPage:
    data = _document(body)
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list):
        raise ODataV2ProtocolError('a collection needs "d": {"results": [...]}')
    meta = data if isinstance(data, dict) else {}
    count = meta.get("__count")
    next_url = meta.get("__next")
    return EntityPage(
        [decode_entity(item, entity_type) for item in results],
        count=decode_count(str(count)) if count is not None else None,
        next_url=str(next_url) if next_url else None,
    )


def decode_count(text: str | bytes) -> int:
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    try:
        return int(raw.strip())
    except ValueError:
        raise ODataV2ProtocolError(f"not a count: {raw[:40]!r}") from None


# --- errors -----------------------------------------------------------------------------------------------

_XML_CODE = re.compile(r"<(?:\w+:)?code>([^<]*)</(?:\w+:)?code>")
_XML_MESSAGE = re.compile(r"<(?:\w+:)?message[^>]*>([^<]*)</(?:\w+:)?message>")


def decode_error(body: bytes) -> ErrorInfo | None:
    """The `{"error": {...}}` envelope (or its XML form); None when the body is neither."""
    text = body.decode("utf-8", "replace")
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return _xml_error(text)
    error = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(error, dict):
        return None
    message = error.get("message")
    lang = "en"
    if isinstance(message, dict):
        lang, message = str(message.get("lang") or "en"), message.get("value")
    inner = error.get("innererror")
    inner = inner if isinstance(inner, dict) else {}
    return ErrorInfo(
        code=str(error.get("code") or ""),
        message=str(message or ""),
        lang=lang,
        details=_details(inner.get("errordetails")),
        transaction_id=inner.get("transactionid"),
    )


def _details(items: Any) -> tuple[ErrorDetail, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        ErrorDetail(
            code=str(i.get("code") or ""),
            message=str(i.get("message") or ""),
            target=str(i.get("target") or ""),
            severity=str(i.get("severity") or "error"),
        )
        for i in items
        if isinstance(i, dict)
    )


def _xml_error(text: str) -> ErrorInfo | None:
    message = _XML_MESSAGE.search(text)
    if message is None:
        return None
    code = _XML_CODE.search(text)
    return ErrorInfo(code=code.group(1) if code else "", message=message.group(1))
