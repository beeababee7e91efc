"""V2 JSON as SAP Gateway writes it: `{"d": …}`, `__metadata` (id, uri, type, etag), deferred or inline
navigation, `results`, `__count` as a string, `__next`; and the error envelope. Pure."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from .query import Selection
from .schema import EntityDef
from .store import Row, etag_of
from .values import to_json

Related = Callable[[EntityDef, Row, str], list[Row]]  # (entity, row, navigation) → related rows


def key_text(entity: EntityDef, row: Row) -> str:
    def literal(value: Any) -> str:
        return "'" + str(value).replace("'", "''") + "'"

    keys = entity.keys
    if len(keys) == 1:
        return f"({literal(row[keys[0]])})"
    return "(" + ",".join(f"{k}={literal(row[k])}" for k in keys) + ")"


def entity_uri(root: str, entity: EntityDef, row: Row) -> str:
    return f"{root}/{entity.set_name}{quote(key_text(entity, row), safe=chr(39) + '(),=')}"


def entity_json(
    entity: EntityDef, row: Row, root: str, selection: Selection, related: Related, entities: dict[str, EntityDef]
) -> dict[str, Any]:
    uri = entity_uri(root, entity, row)
    meta: dict[str, Any] = {"id": uri, "uri": uri, "type": entity.qualified_type}
    if entity.etag:
        meta["etag"] = etag_of(row)
    doc: dict[str, Any] = {"__metadata": meta}
    names = selection.properties if selection.properties is not None else [f.name for f in entity.fields]
    for f in entity.fields:
        if f.name in names:
            doc[f.name] = to_json(f.type, row.get(f.name))
    for nav in entity.navigation:
        if selection.properties is not None and nav.name not in selection.navigation:
            continue
        if nav.name in selection.expand:
            target = entities[nav.target]
            child = selection.navigation.get(nav.name, Selection())
            items = [entity_json(target, r, root, child, related, entities) for r in related(entity, row, nav.name)]
            doc[nav.name] = {"results": items}
        else:
            doc[nav.name] = {"__deferred": {"uri": f"{uri}/{nav.name}"}}
    return doc


def collection(items: list[dict[str, Any]], count: int | None, next_url: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"results": items}
    if count is not None:
        body["__count"] = str(count)
    if next_url is not None:
        body["__next"] = next_url
    return {"d": body}


def error_json(code: str, message: str, *, target: str = "", transaction_id: str | None = None) -> dict[str, Any]:
    """Gateway's error envelope; `errordetails` repeats the message with its target, as S/4HANA does."""
    transaction = transaction_id or uuid.uuid4().hex.upper()
    detail = {
        "code": code,
        "message": message,
        "propertyref": "",
        "severity": "error",
        "target": target,
        "transition": False,
    }
    return {
        "error": {
            "code": code,
            "message": {"lang": "en", "value": message},
            "innererror": {
                "application": {
                    "component_id": "LO-MD-BP",
                    "service_namespace": "/SAP/",
                    "service_id": "API_BUSINESS_PARTNER",
                    "service_version": "0001",
                },
                "transactionid": transaction,
                "timestamp": "",
                "Error_Resolution": {
                    "SAP_Transaction": "",
                    "SAP_Note": "See SAP Note 1797736 "
                    "for error analysis (https://service.sap.com/sap/support/"
                    "notes/1797736)",
                },
                "errordetails": [detail],
            },
        }
    }


def dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
