"""build_application: the one place the Telegram Application is put together; run_application starts it."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import pickle
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    BasePersistence,
    CallbackQueryHandler,
    CommandHandler,
    DictPersistence,
    MessageHandler,
    PersistenceInput,
    PicklePersistence,
    filters,
)

from bot.channels.hearing_vocabulary import prime_recognizer
from bot.channels.telegram import handlers
from bot.channels.telegram.keyboards import REGION_PREFIX
from bot.channels.telegram.ratelimit import ChatRateLimiter
from bot.channels.telegram.services import SERVICES_KEY, BotServices, SpeechRecognizer

if TYPE_CHECKING:
    from bot.dialogue.seam import DialogueBackend
    from bot.settings import BotSettings
    from voice.speaker import Speaker

log = logging.getLogger(__name__)

PERSISTENCE_FILE = "telegram-chats.pickle"
# How often changed chat settings are written: the file is small (one flag per chat), so every second — a kill -9
# loses at most the last second's changes, never the 10 s the library's default would.
PERSISTENCE_INTERVAL_S = 1.0
WEBHOOK_PATH = "telegram"
COMMANDS = (
    BotCommand("start", "开始，显示大按钮"),
    BotCommand("region", "设置或更换区县"),
    BotCommand("voice", "语音回复：/voice on 或 /voice off"),
    BotCommand("help", "怎么用"),
)
# Only per-chat settings are kept (voice on/off); the conversation (district, waiting question) is the core's.
STORED = PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False)


def build_application(settings: BotSettings, backend: DialogueBackend | None = None, speaker: Speaker | None = None,
                      *, recognizer: SpeechRecognizer | None = None,
                      persistence: BasePersistence[Any, Any, Any] | None = None,
                      limiter: ChatRateLimiter[Update] | None = None) -> Application[Any, Any, Any, Any, Any, Any]:
    """The channel's Application: persistence, Bot API URL and outgoing rate limiter from settings, handlers added.
    Built from settings alone, it also hears voice notes when faster-whisper and the Whisper weights are installed;
    a caller passing its own backend passes its recognizer too (or none)."""
    builder = Application.builder().token(settings.telegram_token).post_init(_prepare)
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url).base_file_url(file_url(settings.telegram_api_base_url))
    builder = builder.persistence(persistence or build_persistence(settings))
    if (outgoing := _outgoing_rate_limiter()) is not None:
        builder = builder.rate_limiter(outgoing)
    application = builder.build()
    if recognizer is None and backend is None:  # built from settings alone (`elderbot telegram`): hear voice notes
        recognizer = _default_recognizer()
    application.bot_data[SERVICES_KEY] = BotServices(
        settings=settings, backend=backend or _default_backend(settings), speaker=speaker or _default_speaker(),
        limiter=limiter or ChatRateLimiter(), recognizer=recognizer)
    add_handlers(application)
    return application


def add_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The gate first (group -1), then one handler per kind of message (anything else: a kind word)."""
    new = filters.UpdateType.MESSAGE  # edits (and live-location moves) are not new questions
    application.add_handler(MessageHandler(new, handlers.rate_gate), group=-1)
    application.add_handler(CommandHandler("start", handlers.start, filters=new))
    application.add_handler(CommandHandler("help", handlers.help_command, filters=new))
    application.add_handler(CommandHandler("region", handlers.region_command, filters=new))
    application.add_handler(CommandHandler("voice", handlers.voice_command, filters=new))
    application.add_handler(CallbackQueryHandler(handlers.on_region_button, pattern=f"^{REGION_PREFIX}"))
    application.add_handler(CallbackQueryHandler(handlers.on_stale_button))
    application.add_handler(MessageHandler(new & filters.LOCATION & ~filters.VENUE, handlers.on_location))
    application.add_handler(MessageHandler(new & (filters.VOICE | filters.AUDIO), handlers.on_voice_note))
    application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, handlers.on_text))
    application.add_handler(MessageHandler(new, handlers.on_not_text))
    application.add_error_handler(handlers.on_error)


def build_persistence(settings: BotSettings) -> BasePersistence[Any, Any, Any]:
    """Redis when REDIS_URL is set (in memory, with a warning, when it does not answer), else a pickle file."""
    if settings.redis_url:
        from bot.redis_fallback import redis_available

        if not redis_available(settings.redis_url, "chat settings"):
            return DictPersistence(store_data=STORED)
        from bot.channels.telegram.persistence_redis import RedisPersistence

        return RedisPersistence.from_url(settings.redis_url, store_data=STORED)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return AtomicPicklePersistence(settings.data_dir / PERSISTENCE_FILE, store_data=STORED,
                                   update_interval=PERSISTENCE_INTERVAL_S)


class AtomicPicklePersistence(PicklePersistence):  # type: ignore[type-arg]
    """PicklePersistence whose file is replaced whole (written beside it, synced, renamed): a process killed while
    writing leaves the previous file, never a cut one that stops the next start."""

    def _dump_singlefile(self) -> None:
        data = {"conversations": self.conversations, "user_data": self.user_data, "chat_data": self.chat_data,
                "bot_data": self.bot_data, "callback_data": self.callback_data}
        self._dump_file(self.filepath, data)

    def _dump_file(self, filepath: Path, data: object) -> None:
        from telegram.ext._picklepersistence import _BotPickler

        fd, temporary = tempfile.mkstemp(dir=filepath.parent, prefix=f".{filepath.name}.")
        try:
            with os.fdopen(fd, "wb") as file:
                _BotPickler(self.bot, file, protocol=pickle.HIGHEST_PROTOCOL).dump(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, filepath)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def file_url(base_url: str) -> str:
    """The file download URL that goes with a Bot API URL: …/bot → …/file/bot."""
    base = base_url.rstrip("/")
    return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"


def run_application(application: Application[Any, Any, Any, Any, Any, Any], settings: BotSettings,
                    listen: str = "0.0.0.0", port: int = 8443) -> None:
    """Long polling by default; a webhook when TELEGRAM_WEBHOOK_URL is set (needs python-telegram-bot[webhooks])."""
    if not settings.telegram_webhook_url:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    secret = hashlib.sha256(("webhook:" + settings.telegram_token).encode()).hexdigest()[:48]
    url = settings.telegram_webhook_url.rstrip("/")
    application.run_webhook(listen=listen, port=port, url_path=WEBHOOK_PATH, secret_token=secret,
                            webhook_url=url if url.endswith("/" + WEBHOOK_PATH) else f"{url}/{WEBHOOK_PATH}",
                            allowed_updates=Update.ALL_TYPES)


async def _prepare(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Before the first update: the command menu, and the core warmed up so the first answer is not slow."""
    await application.bot.set_my_commands(COMMANDS)
    log.info("warming up the dialogue core (index and intent model)…")
    services = application.bot_data[SERVICES_KEY]
    warm_recognizer = getattr(services.recognizer, "warm_up", None)
    if warm_recognizer is not None:  # Whisper loads beside the core; the first voice note does not wait for it
        threading.Thread(target=_warm_quietly, args=(warm_recognizer,), name="warm-hearing", daemon=True).start()
    await asyncio.to_thread(services.backend.warm_up)
    if services.recognizer is not None:  # the regions' and the service's words, before the first voice note
        await asyncio.to_thread(prime_recognizer, services.recognizer, services.backend)


def _warm_quietly(warm_up: Any) -> None:
    try:
        warm_up()
    except Exception as exc:  # noqa: BLE001 - hearing that cannot load answers voice notes kindly later
        log.warning("speech recognition not ready: %s", exc)


def _outgoing_rate_limiter() -> Any:
    try:
        from telegram.ext import AIORateLimiter

        return AIORateLimiter(max_retries=2)
    except RuntimeError:  # aiolimiter missing: pip install "python-telegram-bot[rate-limiter]"
        log.warning("outgoing rate limiter unavailable; install python-telegram-bot[rate-limiter]")
        return None


def _default_backend(settings: BotSettings) -> DialogueBackend:
    from bot.dialogue.seam import build_backend

    return build_backend(settings)


def _default_recognizer() -> SpeechRecognizer | None:
    """The offline recognizer (voice.hearing, nothing loaded yet) when faster-whisper is installed, else None."""
    import importlib.util

    if importlib.util.find_spec("faster_whisper") is None:
        log.info("voice notes are not transcribed: faster-whisper is not installed (pip install -e .[asr])")
        return None
    from voice.hearing import Recognizer

    return Recognizer.from_env()


def _default_speaker() -> Speaker:
    from voice.settings import VoiceSettings
    from voice.speaker import Speaker

    return Speaker(VoiceSettings.from_env())
