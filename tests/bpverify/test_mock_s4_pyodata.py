"""SAP's own OData V2 client `pyodata` reads the mocked S/4HANA over TLS: metadata, entities, navigation, counts,
paging, and a change with a CSRF token and If-Match. So the mock speaks OData V2, not a private dialect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyodata
import pytest
import requests
from tests.support.server import serve

from bpverify.mock_s4 import SERVICE_ROOT, MockConfig, create_app
from bpverify.tools.certs import private_ca, write


@pytest.fixture(scope="module")
def s4(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Any]]:
    """The mock on https://127.0.0.1:<port> with a certificate of a private CA; the CA file; the mock."""
    folder = tmp_path_factory.mktemp("s4tls")
    ca, server = private_ca("127.0.0.1", days=2, extra_names=("localhost",))
    cert = write(folder / "s4.pem", server.cert_pem() + ca.cert_pem())
    key = write(folder / "s4.key", server.key_pem(), secret=True)
    app = create_app(MockConfig())
    with serve(app, ssl_certfile=str(cert), ssl_keyfile=str(key), timeout_graceful_shutdown=1) as url:
        yield url.replace("http://", "https://"), write(folder / "ca.pem", ca.cert_pem()), app.state.mock


@pytest.fixture
def client(s4: tuple[str, Path, Any]) -> Iterator[Any]:
    url, cert, mock = s4
    mock.store.reset()
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE would win over session.verify
    session.auth = ("MOCKUSER", "mockpass")
    session.verify = str(cert)
    session.params = {"sap-client": "100"}  # type: ignore[assignment]
    yield pyodata.Client(f"{url}{SERVICE_ROOT}/", session)
    session.close()


def test_pyodata_reads_the_metadata(client: Any) -> None:
    names = sorted(s.name for s in client.schema.entity_sets)
    assert names == ["A_BusinessPartner", "A_BusinessPartnerAddress"]
    partner = client.schema.entity_type("A_BusinessPartnerType")
    assert [p.name for p in partner.key_proprties] == ["BusinessPartner"]
    assert partner.proprty("BusinessPartnerIsBlocked").typ.name == "Edm.Boolean"
    assert partner.proprty("BusinessPartnerFullName").updatable is False
    assert partner.nav_proprty("to_BusinessPartnerAddress").to_role.entity_type_name == "A_BusinessPartnerAddressType"


def test_pyodata_reads_entities_typed(client: Any) -> None:
    partners = client.entity_sets.A_BusinessPartner.get_entities().filter("SearchTerm1 eq 'SCHMIDT'").execute()
    [anna] = partners
    assert (anna.BusinessPartner, anna.BusinessPartnerFullName, anna.BusinessPartnerIsBlocked) == (
        "17100004",
        "Anna Schmidt",
        False,
    )
    assert anna.CreationDate.date() == dt.date(2020, 1, 1)
    assert anna.etag.startswith("W/\"datetimeoffset'")


def test_pyodata_navigation_count_and_paging(client: Any, s4: tuple[str, Path, Any]) -> None:
    entity = client.entity_sets.A_BusinessPartner.get_entity("17100003").execute()
    addresses = entity.nav("to_BusinessPartnerAddress").get_entities().execute()
    assert sorted(a.CityName for a in addresses) == ["New York", "Palo Alto"]
    assert client.entity_sets.A_BusinessPartner.get_entities().count().execute() == 28
    s4[2].knobs.page_size = 10
    try:
        first = client.entity_sets.A_BusinessPartnerAddress.get_entities().count(inline=True).execute()
        assert len(first) == 10 and first.total_count == 30 and first.next_url is not None
        following = client.entity_sets.A_BusinessPartnerAddress.get_entities().next_url(first.next_url).execute()
        assert len(following) == 10 and following[0].AddressID != first[0].AddressID
    finally:
        s4[2].knobs.page_size = 1000


def test_pyodata_expand(client: Any) -> None:
    entity = client.entity_sets.A_BusinessPartner.get_entity("17100003").expand("to_BusinessPartnerAddress").execute()
    assert sorted(a.PostalCode for a in entity.to_BusinessPartnerAddress) == ["10118", "94304"]


def test_pyodata_changes_with_a_csrf_token_and_if_match(client: Any) -> None:
    session: requests.Session = client._connection
    token = session.head(f"{client._url}", headers={"x-csrf-token": "Fetch"}).headers["x-csrf-token"]
    session.headers["x-csrf-token"] = token  # pyodata has no CSRF handling of its own
    partner = client.entity_sets.A_BusinessPartner.get_entity("17100001").execute()
    request = client.entity_sets.A_BusinessPartner.update_entity("17100001")
    request.set(SearchTerm1="PYODATA")
    request.add_headers({"If-Match": partner.etag})
    request.execute()
    assert client.entity_sets.A_BusinessPartner.get_entity("17100001").execute().SearchTerm1 == "PYODATA"
    stale = client.entity_sets.A_BusinessPartner.update_entity("17100001")
    stale.set(SearchTerm1="LOST")
    stale.add_headers({"If-Match": partner.etag})
    status = None
    try:
        stale.execute()
    except pyodata.exceptions.HttpError as error:  # not pytest.raises: its traceback would keep a TLS socket open
        status = error.response.status_code
    assert status == 412
