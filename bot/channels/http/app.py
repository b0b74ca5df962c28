"""create_app(settings): the FastAPI app of the JSON API, the staff page and the hotline audio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from bot.channels.http import routes_ask, routes_audio, routes_facilities
from bot.channels.http.errors import ApiKeyGate, BodySizeLimit, install_error_handlers
from bot.channels.http.schemas import MAX_HOTLINE_AUDIO_BASE64, Health
from bot.channels.http.services import Services
from bot.dialogue.seam import DialogueBackend
from bot.settings import BotSettings

if TYPE_CHECKING:
    from voice.speaker import Speaker

STATIC_DIR = Path(__file__).resolve().parent / "static"
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'")


def create_app(settings: BotSettings | None = None, backend: DialogueBackend | None = None,
               speaker: Speaker | None = None, warm_up: bool = False) -> FastAPI:
    """The app; engines not passed in are built from `settings` on first use (or at start with warm_up)."""
    services = Services(settings or BotSettings.from_env(), backend=backend, speaker=speaker)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            await run_in_threadpool(services.warm_up)
        yield

    app = FastAPI(title="银龄助手 elderbot API", version="1.0",
                  description="Elderly-care policy answers with citations, passage search, regions side by side, "
                              "speech, and a hotline endpoint with phone-playable audio.",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.services = services
    app.router.redirect_slashes = False  # a redirect would be built from the Host header; /v1/ask/ is a 404
    install_error_handlers(app)
    app.include_router(routes_ask.router)
    app.include_router(routes_audio.router)
    app.include_router(routes_facilities.router)
    app.add_middleware(BodySizeLimit, read_timeout_s=services.settings.request_read_timeout_s,
                       larger={"/v1/hotline": MAX_HOTLINE_AUDIO_BASE64 + 4096})
    app.add_middleware(ApiKeyGate, api_key=services.settings.api_key)  # outside: 401 before the body is read

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @app.get("/healthz", response_model=Health, response_model_exclude_none=True, tags=["health"],
             responses={503: {"model": Health, "description": "The dialogue core cannot answer"}})
    def healthz() -> Health | JSONResponse:
        """Readiness and liveness: 200 when the dialogue core can answer; 503 when its warm-up failed, its last
        turns failed, or a one-passage search of the local index fails. Cheap (the probe runs at most every few
        seconds) and never waits on Rasa."""
        problem = services.health_problem()
        if problem is None:
            return Health(status="ok")
        return JSONResponse({"status": "unavailable", "detail": problem}, status_code=503)

    @app.get("/", include_in_schema=False)
    def staff_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and multi-worker serving: settings from the environment, warmed up."""
    return create_app(BotSettings.from_env(), warm_up=True)
