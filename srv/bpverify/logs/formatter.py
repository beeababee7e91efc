"""One JSON object per line in the SAP Application Logging format (as SAP's cf-*-logging-support write it).

Every line carries the component fields (from `VCAP_APPLICATION`, `CF_INSTANCE_INDEX`, `CF_INSTANCE_IP`),
`written_at` (ISO 8601, UTC, milliseconds), `written_ts` (nanoseconds since the epoch) and
`correlation_id`. Application lines have `type: log` with `logger`, `thread`, `level`, `msg` and, for
exceptions, `stacktrace` (a list of lines); request lines (`type: request`) carry the `REQUEST_KEYS` the
access log middleware passes as extras of a record marked `log_type="request"` (plain extras, so the
redaction filter masks secrets in them as in any other string).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any

from bpverify.logs import correlation

UNKNOWN = "-"
REQUEST = "request"
REQUEST_KEYS = (
    "direction",
    "request",
    "method",
    "protocol",
    "request_size_b",
    "response_status",
    "response_size_b",
    "response_content_type",
    "response_time_ms",
    "request_received_at",
    "response_sent_at",
    "remote_ip",
    "remote_host",
    "remote_port",
    "x_forwarded_for",
    "referer",
    "remote_user",
)


def component_fields(
    vcap_application: str | None, instance_index: int | None, environ: Mapping[str, str]
) -> dict[str, Any]:
    """The fields that name this application instance, the same on every line."""
    try:
        application = json.loads(vcap_application) if vcap_application else {}
    except json.JSONDecodeError:
        application = {}
    if not isinstance(application, dict):
        application = {}
    return {
        "component_id": application.get("application_id", UNKNOWN),
        "component_name": application.get("application_name") or application.get("name", UNKNOWN),
        "component_type": "application",
        "component_instance": instance_index or 0,
        "space_id": application.get("space_id", UNKNOWN),
        "space_name": application.get("space_name", UNKNOWN),
        "organization_id": application.get("organization_id", UNKNOWN),
        "organization_name": application.get("organization_name", UNKNOWN),
        "container_id": environ.get("CF_INSTANCE_IP", UNKNOWN),
        "layer": "python",
    }


class ApplicationLogFormatter(logging.Formatter):
    def __init__(self, component: Mapping[str, Any]) -> None:
        super().__init__()
        self.component = dict(component)

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            **self.component,
            "written_at": iso_utc(record.created),
            "written_ts": round(record.created * 1_000_000_000),
            "correlation_id": getattr(record, "correlation_id", None) or correlation.current() or UNKNOWN,
        }
        if getattr(record, "log_type", None) == REQUEST:
            fields["type"] = REQUEST
            fields.update({key: getattr(record, key) for key in REQUEST_KEYS if hasattr(record, key)})
        else:
            fields.update(self._application_fields(record))
        return json.dumps(fields, ensure_ascii=False, default=str)

    def _application_fields(self, record: logging.LogRecord) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "type": "log",
            "logger": record.name,
            "thread": record.threadName,
            "level": record.levelname,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            fields["stacktrace"] = self.formatException(record.exc_info).splitlines()
        elif record.stack_info:
            fields["stacktrace"] = record.stack_info.splitlines()
        return fields


def iso_utc(timestamp: float) -> str:
    """`2026-12-04T21:18:25.123Z`"""
    written = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return written.isoformat(timespec="milliseconds").replace("+00:00", "Z")
