"""`elderbot serve`: the HTTP API, staff page and hotline endpoint under uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import BotSettings

# Longer than a load balancer's idle timeout (~60 s): with uvicorn's 5 s default the server can close a kept-alive
# connection just as a request arrives on it (dropped requests under load: bench/bench_load.py).
KEEP_ALIVE_S = 75


def register(subparsers: Any) -> None:
    """Add `serve [--host] [--port]`."""
    parser = subparsers.add_parser(
        "serve", help="HTTP API (/v1), staff lookup page (/) and hotline audio endpoint",
        description="Serve the API. Binds 127.0.0.1 by default; any other host needs ELDERBOT_API_KEY.")
    parser.add_argument("--host", default=None, help="address to bind (default: $ELDERBOT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default: $ELDERBOT_PORT or 8000)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes, each with its own core (about one per CPU core; default 1)")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Check the bind address against the API key, then run uvicorn until interrupted."""
    from bot.channels.http.security import InsecureBindError, check_bind
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

        from bot.channels.http.app import create_app
    except ModuleNotFoundError as exc:
        print(f"elderbot serve: {exc.name} is missing; install it: pip install 'elderbot[api]'", file=sys.stderr)
        return 1
    if args.workers <= 1:
        app = create_app(settings, warm_up=True)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level, proxy_headers=False,
                    timeout_keep_alive=KEEP_ALIVE_S)
        return 0
    _prepare_shared_files(settings)
    os.environ.update({"ELDERBOT_HOST": settings.host, "ELDERBOT_PORT": str(settings.port)})
    uvicorn.run("bot.channels.http.app:create_app_from_env", factory=True, workers=args.workers, host=settings.host,
                port=settings.port, log_level=args.log_level, proxy_headers=False, timeout_keep_alive=KEEP_ALIVE_S)
    return 0


def _prepare_shared_files(settings: BotSettings) -> None:
    """Build the index and intent model once, here, so the workers only load them (no racing builders)."""
    from bot.dialogue.seam import build_backend

    print("elderbot serve: preparing the index and intent model for the workers…", file=sys.stderr)
    build_backend(settings).warm_up()
