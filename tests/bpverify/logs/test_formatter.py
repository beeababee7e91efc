"""SAP Application Logging JSON lines: component fields from the CF environment, times, levels,
correlation ID, stack traces, request lines, and secrets masked by the redaction filter."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
import sys
from collections.abc import Iterator

import pytest

from bpverify.logs import correlation
from bpverify.logs.config import json_logging_config, uvicorn_logging
from bpverify.logs.formatter import ApplicationLogFormatter, component_fields
from bpverify.settings import Settings

VCAP_APPLICATION = json.dumps(
    {
        "application_id": "5a1b",
        "application_name": "bpverify-srv",
        "space_id": "9c2d",
        "space_name": "dev",
        "organization_id": "7e3f",
        "organization_name": "acme",
        "application_uris": ["bpverify-srv.cfapps.example"],
    }
)
COMPONENT = component_fields(VCAP_APPLICATION, 2, {"CF_INSTANCE_IP": "10.0.1.7"})
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _line(record: logging.LogRecord) -> dict[str, object]:
    line: dict[str, object] = json.loads(ApplicationLogFormatter(COMPONENT).format(record))
    return line


def _record(msg: str, *args: object, level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("bpverify.test", level, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_component_fields_come_from_vcap_application_and_the_instance() -> None:
    assert COMPONENT == {
        "component_id": "5a1b",
        "component_name": "bpverify-srv",
        "component_type": "application",
        "component_instance": 2,
        "space_id": "9c2d",
        "space_name": "dev",
        "organization_id": "7e3f",
        "organization_name": "acme",
        "container_id": "10.0.1.7",
        "layer": "python",
    }
    assert component_fields(None, None, {})["component_name"] == "-"
    assert component_fields("not json", None, {})["component_instance"] == 0


def test_an_application_line_has_the_sap_fields() -> None:
    record = _record("verified %s", "17100001", level=logging.WARNING)
    line = _line(record)
    assert {k: line[k] for k in ("type", "level", "logger", "msg", "correlation_id")} == {
        "type": "log",
        "level": "WARNING",
        "logger": "bpverify.test",
        "msg": "verified 17100001",
        "correlation_id": "-",
    }
    assert ISO.match(str(line["written_at"])) and line["written_ts"] == round(record.created * 1_000_000_000)
    assert line["component_instance"] == 2 and line["component_name"] == "bpverify-srv"


def test_the_correlation_id_of_the_current_request_is_on_every_line() -> None:
    with correlation.scope("c0ffee-42"):
        assert _line(_record("inside"))["correlation_id"] == "c0ffee-42"
    assert _line(_record("outside"))["correlation_id"] == "-"


def test_exceptions_become_a_stacktrace_list() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        record = _record("failed")
        record.exc_info = sys.exc_info()
    stacktrace = _line(record)["stacktrace"]
    assert isinstance(stacktrace, list) and stacktrace[-1] == "ValueError: broken"


def test_request_lines_carry_request_fields_instead_of_a_message() -> None:
    line = _line(_record("GET /x", log_type="request", method="GET", request="/x?a=1", response_status=200))
    assert line["type"] == "request" and "msg" not in line
    assert (line["method"], line["request"], line["response_status"]) == ("GET", "/x?a=1", 200)


@pytest.fixture
def json_stream() -> Iterator[io.StringIO]:
    """The JSON logging `bpverify serve` configures, writing to a buffer; the process's logging restored after."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    root = logging.getLogger()
    saved = (
        root.handlers[:],
        root.level,
        {
            n: (logging.getLogger(n).handlers[:], logging.getLogger(n).propagate, logging.getLogger(n).level)
            for n in names
        },
    )
    stream = io.StringIO()
    logging.config.dictConfig(json_logging_config(COMPONENT, stream=stream))
    for name in names:  # an earlier test's uvicorn server (log_level="warning") may have raised them
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for name, (handlers, propagate, level) in saved[2].items():
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = propagate
            logging.getLogger(name).setLevel(level)


def test_json_logging_writes_one_line_per_record_and_masks_secrets(json_stream: io.StringIO) -> None:
    log = logging.getLogger("bpverify.test")
    log.info("calling S/4 with Authorization: Bearer abc.def.ghi and %s", "password=hunter22")
    logging.getLogger("uvicorn.error").info("Started server process [1]")
    lines = [json.loads(line) for line in json_stream.getvalue().splitlines()]
    assert [line["logger"] for line in lines] == ["bpverify.test", "uvicorn.error"]
    assert "abc.def.ghi" not in lines[0]["msg"] and "hunter22" not in lines[0]["msg"]
    assert lines[1]["component_instance"] == 2


def test_serve_asks_uvicorn_for_json_only_on_cloud_foundry_or_when_told() -> None:
    assert uvicorn_logging(Settings()) == {}
    on_cf = uvicorn_logging(Settings(VCAP_APPLICATION=VCAP_APPLICATION, CF_INSTANCE_INDEX=3), {})
    assert on_cf["access_log"] is False
    assert on_cf["log_config"]["formatters"]["sap"]["component"]["component_instance"] == 3
    assert "log_config" in uvicorn_logging(Settings(log_format="json"))
    assert uvicorn_logging(Settings(VCAP_APPLICATION=VCAP_APPLICATION, log_format="text")) == {}
