"""Where log lines go: JSON on stdout on Cloud Foundry (or with `BPVERIFY_LOG_FORMAT=json`), else uvicorn's text.

Two calls, neither with a side effect on import:

* `install(app, settings)` (in `create_app`): the correlation middleware, and SAP request lines when JSON.
* `uvicorn_logging(settings)` (in `bpverify serve`): uvicorn's `log_config` that sends every logger — the
  service's, uvicorn's start/stop lines, libraries' — through one JSON handler with the redaction filter,
  and switches uvicorn's access log off (the middleware writes SAP's request lines instead). Building an
  app, as tests do, never touches the process's logging.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette

from bpverify.logs.access import RequestContext, RequestLogOptions
from bpverify.logs.formatter import ApplicationLogFormatter, component_fields
from bpverify.redaction import RedactingFilter
from bpverify.settings import Settings


def install(app: Starlette, settings: Settings, environ: Mapping[str, str] = os.environ) -> None:
    app.add_middleware(RequestContext, log_requests=settings.json_logs, options=RequestLogOptions.from_environ(environ))


def uvicorn_logging(settings: Settings, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run`: nothing (uvicorn's text logs) unless `settings.json_logs`."""
    if not settings.json_logs:
        return {}
    component = component_fields(settings.vcap_application, settings.cf_instance_index, environ)
    return {"log_config": json_logging_config(component), "access_log": False}


def json_logging_config(
    component: Mapping[str, Any], *, stream: Any = "ext://sys.stdout", level: str = "INFO"
) -> dict[str, Any]:
    """A `logging.config.dictConfig` document: the root logger writes SAP JSON lines to `stream`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"sap": {"()": ApplicationLogFormatter, "component": dict(component)}},
        "filters": {"redact": {"()": RedactingFilter}},
        "handlers": {
            "json": {"class": "logging.StreamHandler", "stream": stream, "formatter": "sap", "filters": ["redact"]}
        },
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
        "root": {"handlers": ["json"], "level": level},
    }
