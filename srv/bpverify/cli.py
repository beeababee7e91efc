"""`bpverify`: one command for everything, like `cds` (serve; later mock-s4, certs, hdi)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bpverify import mock_s4
from bpverify.tools import connectivity_cli, deploy_cli


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bpverify.logs.config import uvicorn_logging
    from bpverify.settings import get_settings

    if args.db:
        os.environ["BPVERIFY_DB_URL"] = args.db
    # local development runs the whole process: the mocked S/4HANA (if used) starts with the
    # service on a known port and sends its events to this service's webhook
    os.environ.setdefault("BPVERIFY_MOCK_S4_WEBHOOK", f"http://127.0.0.1:{args.port}/messaging/enterprise-messaging")
    os.environ.setdefault("BPVERIFY_MOCK_S4_PORT", str(args.port + 1))
    os.environ.setdefault("BPVERIFY_MOCK_S4_EAGER", "true")
    uvicorn.run(
        "bpverify.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        reload=args.reload,
        reload_dirs=[os.path.dirname(os.path.dirname(__file__))] if args.reload else None,
        log_level=args.log_level,
        proxy_headers=True,
        timeout_graceful_shutdown=8,
        **uvicorn_logging(get_settings()),  # SAP JSON lines on Cloud Foundry
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bpverify", description="Business partner verification service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the service (default http://127.0.0.1:4004)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "4004")))
    serve.add_argument("--db", help="database URL (default: BPVERIFY_DB_URL or sqlite:///bpverify.sqlite)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(run=_serve)
    connectivity_cli.register(commands)
    deploy_cli.register(commands)
    mock_s4.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
