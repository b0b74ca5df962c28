"""Voice notes heard by the real offline recogniser through the fake Bot API: answered as typed questions are, with
您问的是：… shown; an unsure hearing read back (您是问……吗？) and answered on 是的; the default recognizer; the slower
neural voice. The notes are made here (OGG/Opus) by the offline neural voice."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fakes import need_offline_voice
from phone_audio import noisy
from telegram_fake_api import FakeBotApi, running

from bot.channels.telegram import handlers
from bot.channels.telegram.app import build_application
from bot.channels.telegram.services import SERVICES_KEY, slower
from bot.dialogue.seam import Turn
from voice.formats import AudioFormat, EngineAudio, render, wav_to_pcm
from voice.settings import VoiceSettings

CHAT = 1701
QUESTION = "双桥的养老服务站在哪里？"


def voice_note(neural: Any, text: str, snr_db: float | None = None) -> bytes:
    """A Telegram voice note (OGG/Opus) of the neural voice saying `text`; with white noise at `snr_db`."""
    piece = neural.synthesize(text)
    if snr_db is not None:
        piece = EngineAudio(noisy(piece.data, snr_db), "wav")
    return render([piece], neural.native_rate, 0, AudioFormat.OGG_OPUS)


async def send_note(api: FakeBotApi, chat_id: int, file_id: str, audio: bytes) -> None:
    api.files[file_id] = audio
    voice = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "duration": 3, "mime_type": "audio/ogg",
             "file_size": len(audio)}
    await api.push({"message": api.user_message(chat_id, voice=voice)})


async def test_a_voice_note_is_answered_as_the_typed_question_with_what_was_heard(
        api: FakeBotApi, make_app: Any, backend: Any, neural: Any, recognizer: Any, core: Any) -> None:
    note = voice_note(neural, QUESTION)
    assert note.startswith(b"OggS") and b"OpusHead" in note[:200]
    async with running(make_app(recognizer=recognizer, speaker=None)):
        await send_note(api, CHAT, "note-1", note)
        [answer] = await api.wait_calls("sendMessage", chat_id=CHAT)
    heard_line, _, rest = answer.text.partition("\n\n")
    assert heard_line == f"您问的是：{QUESTION}"
    assert backend.turns == [Turn(QUESTION, f"tg:{CHAT}")]
    typed = core.respond(Turn(QUESTION, "expected:voice-note"))
    assert rest.startswith(typed.answer.strip().splitlines()[0])


async def test_an_unsure_voice_note_is_read_back_and_answered_on_yes(
        api: FakeBotApi, make_app: Any, backend: Any, neural: Any, recognizer: Any, speaker: Any) -> None:
    noisy = voice_note(neural, "老年大学怎么报名？", snr_db=-8)  # heard as 老年大学的大学, unsure
    async with running(make_app(recognizer=recognizer, speaker=speaker)):
        await send_note(api, CHAT + 1, "note-2", noisy)
        [asked] = await api.wait_calls("sendMessage", chat_id=CHAT + 1)
        await api.wait_calls("sendVoice", chat_id=CHAT + 1)  # the read-back is spoken too
        assert asked.text.startswith("您是问“") and "吗？" in asked.text, asked.text
        keyboard = asked.json("reply_markup")["keyboard"]
        assert [[button["text"] for button in row] for row in keyboard] == [["是的", "不是"]]
        assert not backend.turns, "nothing goes to the core before 是的"
        heard = asked.text[len("您是问“"):asked.text.index("”吗？")]
        await api.send_text(CHAT + 1, "是的")
        answers = await api.wait_calls("sendMessage", 2, chat_id=CHAT + 1)
    assert [turn.text for turn in backend.turns] == [heard] or backend.turns[0].text.startswith(heard)
    assert answers[1].text.startswith(f"您问的是：{heard}")


async def test_no_to_a_read_back_asks_again_and_other_text_is_a_new_question(
        api: FakeBotApi, make_app: Any, backend: Any, neural: Any, recognizer: Any) -> None:
    noisy = voice_note(neural, "老年大学怎么报名？", snr_db=-8)  # heard as 老年大学的大学, unsure
    async with running(make_app(recognizer=recognizer, speaker=None)):
        await send_note(api, CHAT + 2, "note-3", noisy)
        await api.wait_calls("sendMessage", chat_id=CHAT + 2)
        await api.send_text(CHAT + 2, "不是")
        said = await api.wait_calls("sendMessage", 2, chat_id=CHAT + 2)
        assert said[1].text == handlers.ASK_AGAIN and not backend.turns
        await send_note(api, CHAT + 2, "note-4", noisy)
        await api.wait_calls("sendMessage", 3, chat_id=CHAT + 2)
        await api.send_text(CHAT + 2, "双桥的养老服务站在哪里")
        answers = await api.wait_calls("sendMessage", 4, chat_id=CHAT + 2)
    assert backend.turns == [Turn("双桥的养老服务站在哪里", f"tg:{CHAT + 2}")]
    assert not answers[3].text.startswith("您问的是")  # typed, not heard


async def test_built_from_settings_the_bot_hears_voice_notes(bot_settings: Any) -> None:
    need_offline_voice()
    from voice.hearing import Recognizer

    application = build_application(bot_settings)
    assert isinstance(application.bot_data[SERVICES_KEY].recognizer, Recognizer)


def test_slower_reads_the_neural_voice_more_slowly(neural: Any) -> None:
    base = VoiceSettings(cache_dir=None)
    slow = slower(base)
    assert slow.neural_speed > base.neural_speed  # FastSpeech2's duration scale: higher is slower
    from voice.engines.neural_engine import NeuralEngine

    def seconds(speed: float) -> float:
        engine = NeuralEngine(speed=speed, model_dir=neural.model_dir) if hasattr(neural, "model_dir") else None
        if engine is None:
            pytest.skip("NeuralEngine keeps no model_dir to share")
        pcm, rate, _, _ = wav_to_pcm(engine.synthesize("高龄津贴按月发放。").data)
        return len(pcm) / 2 / rate

    assert seconds(slow.neural_speed) > seconds(base.neural_speed) * 1.2
    assert replace(base, neural_speed=slow.neural_speed) == replace(slow, espeak_speed_wpm=base.espeak_speed_wpm,
                                                                    edge_rate=base.edge_rate, gtts_slow=base.gtts_slow)
