"""The documents rendered once per service: `$metadata` (XML and JSON) and the service document."""

from __future__ import annotations

import json

from odata4.dispatcher import Documents
from odata4.edm.model import Service
from odata4.format.csdl_json import render_csdl_json
from odata4.format.csdl_xml import render_csdl_xml
from odata4.format.json import dumps
from odata4.format.metadata_etag import metadata_etag, service_document_etag


def build_documents(service: Service) -> Documents:
    xml = render_csdl_xml(service)
    entries = [{"name": s.name, "url": s.name} for s in service.entity_sets if s.in_container]
    service_document = {
        "@odata.context": "$metadata",
        "@odata.metadataEtag": service_document_etag(entries),
        "value": entries,
    }
    return Documents(
        metadata_xml=xml,
        metadata_json=json.dumps(render_csdl_json(service), ensure_ascii=False, separators=(",", ":")).encode(),
        metadata_etag=metadata_etag(xml),
        service_document=dumps(service_document),
    )
