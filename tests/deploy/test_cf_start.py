"""The service started as Cloud Foundry starts it (tests/deploy/cf.py): health, readiness, a request with an
XSUAA JWT, SAP JSON logs with the instance index, and graceful shutdown on SIGTERM within CF's 10 seconds."""

from __future__ import annotations

import csv
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from bpverify.app import create_app
from bpverify.service.definition import PATH
from bpverify.settings import Settings
from tests.deploy import cf
from tests.deploy.descriptors import ROOT
from tests.support import xsuaa
from tests.support.asgi import AsgiClient
from tests.support.server import free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
POSTGRES = pytest.mark.parametrize("module_db_url", ["postgresql"], indirect=True, scope="module")
KEY = xsuaa.rsa_key()
ISSUER = xsuaa.Issuer(KEY)
STATUS_VALUES = f"{PATH}/StatusValues"


def deploy_schema(database_url: str) -> None:
    """What the HDI deployer does on BTP: create the tables and load the code lists, before the app starts."""
    app = create_app(Settings(db_url=database_url, seed=True, auth="mocked"))
    AsgiClient(app, "http://deployer").close()


@pytest.fixture(scope="module")
def service(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[cf.CfProcess]:
    deploy_schema(module_db_url)
    services = cf.vcap_services(module_db_url, xsuaa.public_pem(KEY))
    started = cf.start(free_port(), services, tmp_path_factory.mktemp("app"))
    yield started
    started.terminate()
    started.close()


def _status_codes() -> list[str]:
    with (ROOT / "db" / "data" / "bp.verification-StatusValues.csv").open(encoding="utf-8", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle, delimiter=";")]


def _bearer(*scopes: str) -> dict[str, str]:
    return {"authorization": f"Bearer {ISSUER.token(ISSUER.claims(*scopes))}"}


@POSTGRES
def test_health_and_readiness_answer(service: cf.CfProcess) -> None:
    assert httpx.get(service.base_url + "/health").json() == {"status": "UP"}
    ready = httpx.get(service.base_url + "/health/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "UP", "database": "UP"})


@POSTGRES
def test_a_request_with_an_xsuaa_token_reads_the_deployed_code_list(service: cf.CfProcess) -> None:
    headers = _bearer("Viewer") | {"x-correlationid": "cf-start-test-1"}
    response = httpx.get(service.base_url + STATUS_VALUES, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert sorted(v["code"] for v in response.json()["value"]) == sorted(_status_codes())
    assert response.headers["x-correlationid"] == "cf-start-test-1"
    assert httpx.get(service.base_url + STATUS_VALUES).status_code == 401


@POSTGRES
def test_logs_are_sap_json_lines_of_this_instance(service: cf.CfProcess) -> None:
    httpx.get(service.base_url + STATUS_VALUES, headers=_bearer("Viewer") | {"x-vcap-request-id": "vcap-req-9"})
    time.sleep(0.2)
    lines = service.log_lines()
    assert not [line for line in lines if "unparsed" in line], lines
    assert {line["component_name"] for line in lines} == {"bpverify-srv"}
    assert {line["component_instance"] for line in lines} == {1}
    [request] = [line for line in lines if line["type"] == "request" and line["correlation_id"] == "vcap-req-9"]
    assert (request["method"], request["request"], request["response_status"]) == ("GET", STATUS_VALUES, 200)
    assert "eyJ" not in "\n".join(service.output)  # no token in any line


@pytest.fixture
def started(db_url: str, tmp_path: Path) -> Iterator[tuple[cf.CfProcess, sa.Engine]]:
    deploy_schema(db_url)
    process = cf.start(free_port(), cf.vcap_services(db_url, xsuaa.public_pem(KEY)), tmp_path)
    engine = sa.create_engine(db_url)
    yield process, engine
    process.close()
    engine.dispose()


def _request_waiting_on(engine: sa.Engine, service: cf.CfProcess) -> tuple[threading.Thread, list[httpx.Response]]:
    """Start a read of StatusValues that blocks on the table lock the caller holds; return once it waits."""
    responses: list[httpx.Response] = []
    url = service.base_url + STATUS_VALUES

    def read() -> None:
        responses.append(httpx.get(url, headers=_bearer("Viewer"), timeout=30))

    thread = threading.Thread(target=read)
    thread.start()
    # a lock request on this test's table (its schema is the probe's search_path) that is not granted yet
    waiting = sa.text(
        """SELECT count(*) FROM pg_locks WHERE relation = '"bp_verification_StatusValues"'::regclass AND NOT granted"""
    )
    deadline = time.monotonic() + 10
    with engine.connect() as probe:
        while probe.execute(waiting).scalar() == 0:
            assert time.monotonic() < deadline, "the request never reached the database"
            time.sleep(0.05)
            probe.rollback()
    return thread, responses


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_sigterm_lets_the_request_in_flight_finish(started: tuple[cf.CfProcess, sa.Engine]) -> None:
    service, engine = started
    with engine.connect() as locker:
        locker.execute(sa.text('LOCK TABLE "bp_verification_StatusValues" IN ACCESS EXCLUSIVE MODE'))
        thread, responses = _request_waiting_on(engine, service)
        seconds: list[float] = []
        stopping = threading.Thread(target=lambda: seconds.append(service.terminate()))
        stopping.start()
        time.sleep(1.5)
        assert service.process.poll() is None  # still draining
        locker.rollback()  # the database answers again
    thread.join(timeout=10)
    stopping.join(timeout=15)
    [response] = responses
    assert response.status_code == 200 and len(response.json()["value"]) == len(_status_codes())
    # uvicorn exits by re-raising SIGTERM once it has shut down gracefully
    assert seconds[0] < 10 and service.process.returncode in (0, -signal.SIGTERM)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_sigterm_ends_the_process_within_ten_seconds_even_with_a_stuck_request(
    started: tuple[cf.CfProcess, sa.Engine],
) -> None:
    service, engine = started
    with engine.connect() as locker:
        locker.execute(sa.text('LOCK TABLE "bp_verification_StatusValues" IN ACCESS EXCLUSIVE MODE'))
        thread, _ = _request_waiting_on(engine, service)
        seconds = service.terminate()
        locker.rollback()
    thread.join(timeout=10)
    assert 7 < seconds < 10  # uvicorn waited its 8 s of grace, then cancelled the request and exited
