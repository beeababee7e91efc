"""Our `$metadata` equals CAP's, byte for byte, including the S/4HANA projections.

The golden files are CAP's responses (`$metadata` and `$metadata?$format=json`) for the
contract. BusinessPartners and BusinessPartnerAddresses are remote entity sets (read live
from S/4HANA through `bpverify.remote`); their declarations must render exactly as CAP's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bpverify.service.definition import NAMESPACE, build_service
from odata4.edm.drafts import enable_drafts
from odata4.edm.model import Service
from odata4.format.csdl_json import render_csdl_json
from odata4.format.csdl_xml import render_csdl_xml
from odata4.format.metadata_etag import metadata_etag, service_document_etag

GOLDEN = Path(__file__).parent / "golden"
REMOTE = ("BusinessPartners", "BusinessPartnerAddresses")

# ETag headers CAP sent with the golden bodies, and the service document's metadataEtag
CAP_XML_ETAG = 'W/"WNslJeMolaiIh5spxAOdMNiXnw4wn9Em+6h9TeGhu48="'
CAP_JSON_ETAG = 'W/"w83yHgNrmstxHBLPFJA7RbbuPe1OOeJhGXrGMIpBIVA="'
CAP_SERVICE_DOCUMENT_ETAG = 'W/"3JGi6Mk3h8hKscDd13nvVSVG+xQl4tp1MzFt/zPaTA0="'


def _compact(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


@pytest.fixture
def service() -> Service:
    service = build_service()
    enable_drafts(service)
    return service


@pytest.fixture(scope="module")
def cap_xml() -> str:
    return (GOLDEN / "cap_metadata.xml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cap_json_text() -> str:
    return (GOLDEN / "cap_metadata.json").read_text(encoding="utf-8")


def test_xml_is_byte_identical_to_cap(service: Service, cap_xml: str) -> None:
    assert render_csdl_xml(service).decode() == cap_xml


def test_json_equals_cap_including_key_order(service: Service, cap_json_text: str) -> None:
    expected = json.loads(cap_json_text)
    ours = render_csdl_json(service)
    assert ours == expected
    assert _compact(ours) == _compact(expected)


def test_metadata_etags_are_cap_s(service: Service) -> None:
    """Identical bodies give identical ETags: clients' metadata caches see no difference."""
    assert metadata_etag(render_csdl_xml(service)) == CAP_XML_ETAG
    assert metadata_etag(_compact(render_csdl_json(service)).encode()) == CAP_JSON_ETAG


@pytest.mark.parametrize("name", REMOTE)
def test_remote_sets_are_in_the_model_without_tables(service: Service, name: str) -> None:
    entity_set = service.entity_set(name)
    assert entity_set is not None and entity_set.table is None and entity_set.readonly
    assert entity_set.namespace == NAMESPACE


def test_enable_drafts_is_idempotent(service: Service) -> None:
    xml, doc = render_csdl_xml(service), render_csdl_json(service)
    enable_drafts(service)
    assert render_csdl_xml(service) == xml
    assert render_csdl_json(service) == doc


def test_golden_copies_are_cap_bodies(cap_json_text: str) -> None:
    """Our ETag function reproduces the ETag headers CAP sent with these bodies."""
    assert metadata_etag((GOLDEN / "cap_metadata.xml").read_bytes()) == CAP_XML_ETAG
    assert metadata_etag(cap_json_text.encode()) == CAP_JSON_ETAG
    assert _compact(json.loads(cap_json_text)).encode() == cap_json_text.encode()


def test_service_document_etag_is_cap_s() -> None:
    names = ("Notifications", "StatusValues", "Addresses", *REMOTE)
    assert service_document_etag([{"name": n, "url": n} for n in names]) == CAP_SERVICE_DOCUMENT_ETAG
