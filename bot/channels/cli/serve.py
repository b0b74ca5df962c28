"""`elderbot serve`: the HTTP API, staff page and hotline endpoint under uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import BotSettings

MISSING_API = "{name} is not installed; install the API extra: pip install 'elderbot[api]'"


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


def _say(message: str) -> int:
    """One line on stderr (never a traceback), exit status 2."""
    print("elderbot serve: " + " ".join(message.split()), file=sys.stderr)
    return 2


def run_serve(args: argparse.Namespace) -> int:
    """Check the settings and the bind address against the API key, warm the core up (a core that cannot answer
    refuses to start, in one line), then run uvicorn until interrupted."""
    from bot.settings import BotSettings, SettingError

    try:
        settings = BotSettings.from_env()
    except SettingError as exc:
        return _say(str(exc))
    settings = replace(settings, host=args.host or settings.host, port=args.port or settings.port)
    if not 0 < settings.port < 65536:
        return _say(f"--port {settings.port} is not a port (1-65535)")
    try:
        import uvicorn

        from bot.channels.http.app import create_app
        from bot.channels.http.security import InsecureBindError, check_bind
        from bot.channels.http.server import uvicorn_options
    except ModuleNotFoundError as exc:
        return _say(MISSING_API.format(name=exc.name or "a library of the API"))
    try:
        check_bind(settings.host, settings.api_key)
    except InsecureBindError as exc:
        return _say(str(exc))
    options = uvicorn_options(settings.request_read_timeout_s)
    if args.workers <= 1:
        app = create_app(settings)
        try:
            app.state.services.warm_up()
        except Exception as exc:  # noqa: BLE001 - whatever stops the core, one line says it
            return _say(f"cannot start: {_one_line(exc)}")
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level, **options)
        return 0
    try:
        _prepare_shared_files(settings)
    except Exception as exc:  # noqa: BLE001
        return _say(f"cannot start: {_one_line(exc)}")
    os.environ.update({"ELDERBOT_HOST": settings.host, "ELDERBOT_PORT": str(settings.port)})
    uvicorn.run("bot.channels.http.app:create_app_from_env", factory=True, workers=args.workers, host=settings.host,
                port=settings.port, log_level=args.log_level, **options)
    return 0


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 400 else text[:400] + "…"


def _prepare_shared_files(settings: BotSettings) -> None:
    """Build the index and intent model once, here, so the workers only load them (no racing builders)."""
    from bot.dialogue.seam import build_backend

    print("elderbot serve: preparing the index and intent model for the workers…", file=sys.stderr)
    build_backend(settings).warm_up()
