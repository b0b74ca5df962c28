"""From a question to what the chat sees and hears: the core's reply as text, region buttons and a voice note."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest

from bot.channels.telegram import texts
from bot.channels.telegram.keyboards import region_keyboard
from bot.channels.telegram.services import chat_tag, conversation_id, services, voice_on
from bot.dialogue.seam import Action, NearbyFacility, Reply, Turn

if TYPE_CHECKING:
    from telegram.ext import CallbackContext

    from voice.speaker import Speaker

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
MAX_VOICE_NOTE_BYTES = 2_000_000  # about ten minutes of Telegram voice note


async def answer_question(context: CallbackContext[Any, Any, Any, Any], chat_id: int, text: str,
                          heard: str | None = None, markup: Any = None) -> Reply:
    """Ask the dialogue core (in a worker thread) and deliver its reply to the chat; `heard` (a voice note's
    words) is shown above the answer as 您问的是：…"""
    backend = services(context).backend
    turn = Turn(text=text[:MAX_QUESTION_CHARS], conversation=conversation_id(chat_id))
    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    reply = await asyncio.to_thread(backend.respond, turn)
    await deliver(context, chat_id, reply, heard, markup)
    return reply


async def deliver(context: CallbackContext[Any, Any, Any, Any], chat_id: int, reply: Reply,
                  heard: str | None = None, markup: Any = None) -> None:
    """Text (with region buttons when the core asks for the district), then the voice note if voice is on."""
    if reply.action is Action.CLARIFY_REGION:
        markup = region_keyboard(reply.options or services(context).region_names())
    text = reply_text(reply, f"{texts_heard(heard)}\n\n" if heard else "")
    await context.bot.send_message(chat_id, text, reply_markup=markup)
    if voice_on(context):
        await send_speech(context, chat_id, reply.speech, services(context).speaker)


def texts_heard(heard: str) -> str:
    """The line above a voice note's answer: what the bot understood the note as."""
    return f"您问的是：{heard.strip()}"


def reply_text(reply: Reply, before: str = "") -> str:
    """The core's answer; the first source on its own line when the answer does not already cite it."""
    text = before + (reply.answer.strip() or texts.ERROR)
    if reply.sources:
        source = reply.sources[0]
        if source.title and source.title not in text:
            text += f"\n来源：《{source.title}》{source.section or ''}".rstrip()
    limit = MessageLimit.MAX_TEXT_LENGTH
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def send_speech(context: CallbackContext[Any, Any, Any, Any], chat_id: int, speech: str,
                      speaker: Speaker | None, tell_failure: bool = False) -> bool:
    """Synthesize `speech` as OGG/Opus and send it as a voice note; the text has already gone out."""
    if speaker is None or not speech.strip():
        return False
    from voice.speaker import AudioFormat, SpeechError

    await context.bot.send_chat_action(chat_id, ChatAction.RECORD_VOICE)
    try:
        result = await asyncio.to_thread(speaker.synthesize, speech, AudioFormat.OGG_OPUS)
    except SpeechError as exc:
        log.warning("no voice note for chat %s: %s", chat_tag(chat_id), exc)
        if tell_failure:
            await context.bot.send_message(chat_id, exc.user_message)
        return False
    try:
        await context.bot.send_voice(chat_id, voice=result.audio, filename="answer.ogg")
    except BadRequest as exc:  # e.g. the user's privacy settings forbid voice messages; the text went out
        log.warning("voice note refused for chat %s: %s", chat_tag(chat_id), exc.message)
        return False
    return True


def nearest_text(places: Sequence[NearbyFacility]) -> str:
    """The nearest facilities, one a line with distance, address and phone, then a short note."""
    lines = [texts.NEAREST_HEADER]
    for number, place in enumerate(places, 1):
        metres, info = place.distance_m, place.details
        distance = f"{metres / 1000:.1f}公里" if metres >= 1000 else f"{metres:.0f}米"
        phone = info.get("phone")
        details = "，".join(part for part in (info.get("address"), phone and f"电话{phone}") if part)
        lines.append(f"{number}. {place.name}（{info.get('type')}，约{distance}）" + (f"：{details}" if details else ""))
        lines.append(f"   来源：{place.citation}")
    lines.append(texts.NEAREST_NOTE)
    return "\n".join(lines)


async def transcribe(voice: Any, recognizer: Any) -> tuple[str, bool]:
    """(the words of a Telegram voice note, whether the recognizer was unsure); ('', True) when the note is too
    long or the recognizer fails."""
    if voice.file_size and voice.file_size > MAX_VOICE_NOTE_BYTES:
        return "", True
    try:
        audio = bytes(await (await voice.get_file()).download_as_bytearray())
        heard = await asyncio.to_thread(recognizer.transcribe, audio, voice.mime_type or "audio/ogg")
    except Exception as exc:  # a recognizer or download failure must not cost the user an answer
        log.warning("voice note not transcribed: %s", type(exc).__name__)
        return "", True
    if isinstance(heard, str) or heard is None:
        return (heard or "").strip(), False
    return (getattr(heard, "text", "") or "").strip(), bool(getattr(heard, "unsure", False))
