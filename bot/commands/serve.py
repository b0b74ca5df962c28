"""`elderbot serve`: the HTTP API, staff page and hotline endpoint under uvicorn."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any


def register(subparsers: Any) -> None:
    """Add `serve [--host] [--port]`."""
    parser = subparsers.add_parser(
        "serve", help="HTTP API (/v1), staff lookup page (/) and hotline audio endpoint",
        description="Serve the API. Binds 127.0.0.1 by default; any other host needs ELDERBOT_API_KEY.")
    parser.add_argument("--host", default=None, help="address to bind (default: $ELDERBOT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default: $ELDERBOT_PORT or 8000)")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Check the bind address against the API key, then run uvicorn until interrupted."""
    from bot.http.security import InsecureBindError, check_bind
    from bot.settings import BotSettings

    settings = BotSettings.from_env()
    settings = replace(settings, host=args.host or settings.host, port=args.port or settings.port)
    try:
        check_bind(settings.host, settings.api_key)
    except InsecureBindError as exc:
        print(f"elderbot serve: {exc}", file=sys.stderr)
        return 2
    try:
        import uvicorn

        from bot.http.app import create_app
    except ModuleNotFoundError as exc:
        print(f"elderbot serve: {exc.name} is missing; install it: pip install 'elderbot[api]'", file=sys.stderr)
        return 1
    app = create_app(settings, warm_up=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level, proxy_headers=False)
    return 0
