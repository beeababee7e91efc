"""Where log lines go: JSON on stdout on Cloud Foundry (or with `BPVERIFY_LOG_FORMAT=json`), else uvicorn's text.

`install(app, settings)` is the one call the application makes: the correlation middleware always,
the JSON handler on the root logger only when asked for. uvicorn's own loggers are routed into it
and its access log is switched off, because the middleware writes SAP's request lines instead.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from starlette.applications import Starlette

from bpverify.logs.access import RequestContext, RequestLogOptions
from bpverify.logs.formatter import ApplicationLogFormatter, component_fields
from bpverify.redaction import RedactingFilter
from bpverify.settings import Settings

_OURS = "_bpverify_json_handler"


def install(app: Starlette, settings: Settings, environ: Mapping[str, str] = os.environ) -> None:
    if settings.json_logs:
        configure_json_logging(component_fields(settings.vcap_application, settings.cf_instance_index, environ))
    app.add_middleware(RequestContext, log_requests=settings.json_logs, options=RequestLogOptions.from_environ(environ))


def configure_json_logging(
    component: Mapping[str, Any], *, level: int = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    """Replace our previous JSON handler (if any) on the root logger; returns the new one."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(ApplicationLogFormatter(component))
    setattr(handler, _OURS, True)
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    return handler
