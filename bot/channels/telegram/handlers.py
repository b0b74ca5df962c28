"""The channel's handlers: each turns one kind of update into a call on the dialogue core or a kind reply."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackContext

from bot.channels.telegram import texts
from bot.channels.telegram.keyboards import (
    REPEAT,
    button_questions,
    is_slower_request,
    main_keyboard,
    region_keyboard,
    region_of_callback,
)
from bot.channels.telegram.ratelimit import release_when_free
from bot.channels.telegram.replying import answer_question, nearest_text, send_speech, transcribe
from bot.channels.telegram.services import VOICE, chat_tag, conversation_id, services, voice_on
from bot.dialogue.seam import Action, Turn
from voice.hearing.readback import confirmation, read_back

log = logging.getLogger(__name__)

Context = CallbackContext[Any, Any, Any, Any]
ON_WORDS = frozenset({"on", "1", "yes", "开", "打开", "开启"})
OFF_WORDS = frozenset({"off", "0", "no", "关", "关闭", "关掉"})
HEARD = "heard"  # a voice note read back, waiting for 是 / 不是 (kept until the next message)
CONFIRM_HINT = "\n对的话请点“是的”，不对请点“不是”，或者再说一遍。"
ASK_AGAIN = "好的，请您再说一遍，或者打字问我。"
CONFIRM_KEYBOARD = ReplyKeyboardMarkup([[KeyboardButton("是的"), KeyboardButton("不是")]], resize_keyboard=True,
                                       one_time_keyboard=True)


async def start(update: Update, context: Context) -> None:
    """Greet briefly and show the big main keyboard."""
    await update.effective_message.reply_text(texts.GREETING, reply_markup=main_keyboard(services(context).topics))


async def help_command(update: Update, context: Context) -> None:
    """How to use the bot, in a few lines."""
    await update.effective_message.reply_text(texts.HELP, reply_markup=main_keyboard(services(context).topics))


async def region_command(update: Update, context: Context) -> None:
    """/region: district buttons (or `/region 涪陵`: the core remembers it, as if the user had said it)."""
    if context.args:
        await answer_question(context, update.effective_chat.id, " ".join(context.args))
        return
    names = services(context).region_names()
    await update.effective_message.reply_text(texts.REGION_ASK, reply_markup=region_keyboard(names))


async def voice_command(update: Update, context: Context) -> None:
    """/voice on|off: a voice note with every answer, or text only."""
    choice = (context.args or [""])[0].strip().lower()
    if choice in ON_WORDS or choice in OFF_WORDS:
        context.chat_data[VOICE] = choice in ON_WORDS
        context.application.mark_data_for_update_persistence(chat_ids=[update.effective_chat.id])
        await context.application.update_persistence()  # a setting the user just chose is written at once
        await update.effective_message.reply_text(texts.VOICE_ON if choice in ON_WORDS else texts.VOICE_OFF)
        return
    state = "开" if voice_on(context) else "关"
    await update.effective_message.reply_text(texts.VOICE_USAGE.format(state=state))


async def on_text(update: Update, context: Context) -> None:
    """A typed question or a main-keyboard button goes to the dialogue core; 慢一点 re-reads slowly."""
    text = update.effective_message.text or ""
    if await _answer_read_back(update, context, text):
        return
    if is_slower_request(text):
        await read_slower(update, context)
        return
    await answer_question(context, update.effective_chat.id, button_questions(services(context).topics).get(text.strip(), text))


async def read_slower(update: Update, context: Context) -> None:
    """Send the last answer's voice note again (the core keeps the last answer), read more slowly."""
    chat_id = update.effective_chat.id
    last = await asyncio.to_thread(services(context).backend.respond, Turn(REPEAT, conversation_id(chat_id)))
    if not last.speech.strip() or (last.action is Action.SMALLTALK and not last.sources):  # no answer to re-read
        await update.effective_message.reply_text(texts.NOTHING_TO_SLOW)
        return
    sent = await send_speech(context, chat_id, last.speech, services(context).slow_speaker, True)
    if not sent and services(context).slow_speaker is None:
        await update.effective_message.reply_text(texts.VOICE_FAILED)


async def on_region_button(update: Update, context: Context) -> None:
    """The tapped district goes to the core as if said: it remembers it and answers the waiting question."""
    query, chat_id = update.callback_query, update.effective_chat.id
    await query.answer()
    region = region_of_callback(query.data, services(context).region_names())
    if region is None:
        await context.bot.send_message(chat_id, texts.STALE_BUTTON)
        return
    await answer_question(context, chat_id, region)


async def on_location(update: Update, context: Context) -> None:
    """The nearest facilities when the directory has coordinates; otherwise say so and ask about stations."""
    message, backend = update.effective_message, services(context).backend
    where = message.location
    places = await asyncio.to_thread(backend.facilities_nearest, where.latitude, where.longitude, None, 5)
    if places:
        await message.reply_text(nearest_text(places))
        return
    await message.reply_text(texts.LOCATION_NO_REGION)
    await answer_question(context, update.effective_chat.id, texts.STATION_QUESTION)


async def on_voice_note(update: Update, context: Context) -> None:
    """A voice note is heard, repaired as typed text is, and answered with 您问的是：… above the answer; when the
    recognizer is unsure, what it heard is read back first (您是问……吗？) and 是的 answers it."""
    message, recognizer = update.effective_message, services(context).recognizer
    if recognizer is None:
        await message.reply_text(texts.VOICE_NOTE_NOT_UNDERSTOOD, reply_markup=main_keyboard(services(context).topics))
        return
    heard, unsure = await transcribe(message.voice or message.audio, recognizer)
    if heard:
        heard = (await asyncio.to_thread(services(context).backend.repair_heard, heard)).strip()
    if not heard:
        await message.reply_text(texts.VOICE_NOTE_UNCLEAR, reply_markup=main_keyboard(services(context).topics))
        return
    if await _answer_read_back(update, context, heard):  # 是的 / 不是 said to a read-back
        return
    chat_id = update.effective_chat.id
    if unsure and context.chat_data is not None:
        context.chat_data[HEARD] = heard
        await message.reply_text(read_back(heard) + CONFIRM_HINT, reply_markup=CONFIRM_KEYBOARD)
        if voice_on(context):
            await send_speech(context, chat_id, read_back(heard), services(context).speaker)
        return
    await answer_question(context, chat_id, heard, heard=heard)


async def _answer_read_back(update: Update, context: Context, text: str) -> bool:
    """A 是 / 不是 to a voice note read back: answer it or ask again (True); anything else is a new question."""
    waiting = context.chat_data.pop(HEARD, None) if context.chat_data else None
    if not waiting:
        return False
    said = confirmation(text)
    if said is True:
        await answer_question(context, update.effective_chat.id, waiting, heard=waiting,
                              markup=main_keyboard(services(context).topics))
        return True
    if said is False:
        await update.effective_message.reply_text(ASK_AGAIN, reply_markup=main_keyboard(services(context).topics))
        return True
    return False


async def on_not_text(update: Update, context: Context) -> None:
    """Stickers, photos, files and the like: a kind word and the buttons."""
    await update.effective_message.reply_text(texts.NOT_TEXT, reply_markup=main_keyboard(services(context).topics))


async def rate_gate(update: Update, context: Context) -> None:
    """Keep each chat to a calm pace: over the limit, say 慢慢来 once and answer the last message later."""
    limiter, chat, message = services(context).limiter, update.effective_chat, update.effective_message
    if chat is None or message is None or limiter.was_released(update.update_id):
        return
    wait = limiter.window_s if limiter.holding(chat.id) else limiter.admit(chat.id, message.date.timestamp())
    if wait <= 0:
        return
    if limiter.hold(chat.id, update):
        await message.reply_text(texts.SLOW_DOWN)
        context.application.create_task(release_when_free(
            limiter, chat.id, wait, context.application.process_update, lambda held: held.update_id))
    raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log the failure (hashed chat id only; never the token or the user's words) and answer kindly."""
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None and isinstance(context.error, NetworkError):
        log.warning("Telegram not reachable (%s); retrying", type(context.error).__name__)
        return
    log.error("update for chat %s failed: %s", chat_tag(chat.id if chat else None),
              type(context.error).__name__, exc_info=context.error)
    if chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat.id, texts.ERROR)


async def on_stale_button(update: Update, context: Context) -> None:
    """A button this bot no longer knows: stop the spinner and say so."""
    await update.callback_query.answer()
    await context.bot.send_message(update.effective_chat.id, texts.STALE_BUTTON)
