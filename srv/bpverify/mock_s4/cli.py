"""`bpverify mock-s4`: serve the mocked S/4HANA (https with --tls-cert/--tls-key, e.g. from `bpverify certs`)."""

from __future__ import annotations

import argparse
from typing import Any

from .config import Knobs, MockConfig


def register(commands: argparse._SubParsersAction[Any]) -> None:
    mock = commands.add_parser("mock-s4", help="start the mocked S/4HANA (API_BUSINESS_PARTNER over OData V2)")
    mock.add_argument("--host", default="127.0.0.1")
    mock.add_argument("--port", type=int, default=4005)
    mock.add_argument("--tls-cert", help="certificate chain (PEM) to serve https, e.g. from `bpverify certs`")
    mock.add_argument("--tls-key", help="private key (PEM) of --tls-cert")
    mock.add_argument("--webhook", help="URL the CloudEvents of creates and changes are POSTed to")
    mock.add_argument("--webhook-user", default="eventmesh")
    mock.add_argument("--webhook-password", default="eventmesh")
    mock.add_argument("--user", default="MOCKUSER", help="HTTP Basic user (default MOCKUSER)")
    mock.add_argument("--password", default="mockpass", help="HTTP Basic password (default mockpass)")
    mock.add_argument("--sap-client", default="100")
    knobs = mock.add_argument_group("knobs (also at run time: PUT /_mock/knobs)")
    knobs.add_argument("--latency-ms", type=float, default=0.0)
    knobs.add_argument("--jitter-ms", type=float, default=0.0)
    knobs.add_argument("--error-rate", type=float, default=0.0, help="share of requests that fail (0..1)")
    knobs.add_argument("--error-status", type=int, default=500)
    knobs.add_argument("--outage", action="store_true", help="answer every OData request with 503")
    knobs.add_argument("--page-size", type=int, default=1000, help="rows per page before __next")
    mock.add_argument("--log-level", default="info")
    mock.set_defaults(run=_run)


def config_from(args: argparse.Namespace) -> MockConfig:
    knobs = Knobs()
    knobs.update(
        {
            "latency_ms": args.latency_ms,
            "jitter_ms": args.jitter_ms,
            "error_rate": args.error_rate,
            "error_status": args.error_status,
            "outage": args.outage,
            "page_size": args.page_size,
        }
    )
    return MockConfig(
        user=args.user,
        password=args.password,
        sap_client=args.sap_client,
        webhook_url=args.webhook,
        webhook_user=args.webhook_user,
        webhook_password=args.webhook_password,
        knobs=knobs,
    )


def _run(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    if bool(args.tls_cert) != bool(args.tls_key):
        raise SystemExit("mock-s4: give both --tls-cert and --tls-key (or neither for plain http)")
    try:
        config = config_from(args)
    except ValueError as exc:
        raise SystemExit(f"mock-s4: {exc}") from None
    uvicorn.run(
        create_app(config),
        host=args.host,
        port=args.port,
        ssl_certfile=args.tls_cert,
        ssl_keyfile=args.tls_key,
        log_level=args.log_level,
    )
    return 0
