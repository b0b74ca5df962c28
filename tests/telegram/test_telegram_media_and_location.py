"""Locations, voice notes, stickers, photos, files and odd text through the real Application."""

from __future__ import annotations

from typing import Any

from fakes import RecordingBackend
from telegram_fake_api import FakeBotApi, running

from bot.channels.telegram import texts
from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.seam import Action, Turn
from knowledge.facilities.directory import FacilityDirectory
from knowledge.facilities.schema import Facility
from voice.formats import AudioFormat

CHAT = 701
FULING = (29.7030, 107.3890)


def located_directory() -> FacilityDirectory:
    """Three facilities with coordinates around 涪陵 city and one without."""
    return FacilityDirectory([
        Facility("敦仁街道养老服务中心", "养老服务中心", "重庆市涪陵区", "staff-import.csv", lat=29.7100, lon=107.3950,
                 address="敦仁街道某路1号", phone="023-7200000"),
        Facility("崇义街道老年食堂", "老年食堂", "重庆市涪陵区", "staff-import.csv", lat=29.7040, lon=107.3900),
        Facility("万州某养老院", "养老院", "重庆市万州区", "staff-import.csv", lat=30.8079, lon=108.4087),
        Facility("没有坐标的幸福院", "幸福院", "重庆市涪陵区", "staff-import.csv"),
    ])


async def test_location_lists_nearest_facilities_when_directory_has_coordinates(api: FakeBotApi, make_app: Any,
                                                                                 core: Any) -> None:
    located = EmbeddedBackend(core)  # the session's core, with a directory that has coordinates
    located._directory = located_directory()
    async with running(make_app(backend=RecordingBackend(located), speaker=None)):
        await api.push({"message": api.user_message(CHAT, location={"latitude": FULING[0], "longitude": FULING[1]})})
        [message] = await api.wait_calls("sendMessage", chat_id=CHAT)
    lines = message.text.splitlines()
    assert lines[0] == texts.NEAREST_HEADER
    names = [line for line in lines if line[:2] in ("1.", "2.", "3.")]
    assert "崇义街道老年食堂" in names[0] and "敦仁街道养老服务中心" in names[1] and "万州某养老院" in names[2]
    assert "米" in names[0] and "公里" in names[2]
    assert "023-7200000" in names[1]
    assert "没有坐标的幸福院" not in message.text
    assert "来源：staff-import.csv" in message.text


async def test_location_without_coordinates_asks_region_then_answers_through_core(
        api: FakeBotApi, make_app: Any, core: Any, backend: Any) -> None:
    # the shipped directory: plan-named facilities, no coordinates
    assert not any(f.has_coordinates for f in backend.inner.directory.facilities)
    async with running(make_app(speaker=None)):
        await api.push({"message": api.user_message(CHAT + 1, location={"latitude": 30.12, "longitude": 104.65})})
        said, ask = await api.wait_calls("sendMessage", 2, chat_id=CHAT + 1)
        assert said.text == texts.LOCATION_NO_REGION
        assert [text for text, _ in ask.buttons()] == core.region_names()
        await api.tap(CHAT + 1, dict(ask.buttons())["资阳"])
        answers = await api.wait_calls("sendMessage", 3, chat_id=CHAT + 1)
    assert backend.turns == [Turn(texts.STATION_QUESTION, f"tg:{CHAT + 1}"), Turn("资阳", f"tg:{CHAT + 1}")]
    expected = core.respond(Turn(texts.STATION_QUESTION, "expected:location", "资阳"))
    assert expected.action is Action.ANSWER
    assert answers[2].text.startswith(expected.answer.strip().splitlines()[0])


async def test_voice_note_without_recognizer_gets_kind_message(api: FakeBotApi, make_app: Any,
                                                               backend: Any) -> None:
    voice = {"file_id": "vn1", "file_unique_id": "u-vn1", "duration": 3, "mime_type": "audio/ogg"}
    async with running(make_app()):
        await api.push({"message": api.user_message(CHAT + 2, voice=voice)})
        [message] = await api.wait_calls("sendMessage", chat_id=CHAT + 2)
    assert message.text == texts.VOICE_NOTE_NOT_UNDERSTOOD
    assert "keyboard" in message.json("reply_markup")
    assert not backend.turns and not api.sent("getFile")


class RecordingRecognizer:
    """A stand-in ASR engine: keeps the audio it was given, says what the test tells it was said."""

    def __init__(self, said: str) -> None:
        self.said = said
        self.heard: list[tuple[bytes, str]] = []

    def transcribe(self, audio: bytes, mime_type: str) -> str:
        self.heard.append((audio, mime_type))
        return self.said


async def test_voice_note_with_recognizer_is_downloaded_transcribed_and_answered(
        api: FakeBotApi, make_app: Any, speaker: Any, backend: Any) -> None:
    spoken = speaker.synthesize("涪陵的助餐点在哪里", AudioFormat.OGG_OPUS).audio
    api.files["vn2"] = spoken
    voice = {"file_id": "vn2", "file_unique_id": "u-vn2", "duration": 2, "mime_type": "audio/ogg"}
    recognizer = RecordingRecognizer("涪陵的助餐点在哪里")
    async with running(make_app(recognizer=recognizer, speaker=None)):
        await api.push({"message": api.user_message(CHAT + 3, voice=voice)})
        [answer] = await api.wait_calls("sendMessage", chat_id=CHAT + 3)
    assert api.sent("getFile")[0].params["file_id"] == "vn2"
    assert recognizer.heard == [(spoken, "audio/ogg")]
    assert backend.turns[-1].text == "涪陵的助餐点在哪里"
    assert answer.text.strip()


async def test_unclear_voice_note_asks_to_repeat(api: FakeBotApi, make_app: Any, backend: Any) -> None:
    api.files["vn3"] = b"OggS-not-really"
    voice = {"file_id": "vn3", "file_unique_id": "u-vn3", "duration": 1, "mime_type": "audio/ogg"}
    async with running(make_app(recognizer=RecordingRecognizer(""), speaker=None)):
        await api.push({"message": api.user_message(CHAT + 4, voice=voice)})
        [message] = await api.wait_calls("sendMessage", chat_id=CHAT + 4)
    assert message.text == texts.VOICE_NOTE_UNCLEAR and not backend.turns


async def test_sticker_photo_and_file_get_a_kind_message(api: FakeBotApi, make_app: Any, backend: Any) -> None:
    sticker = {"file_id": "s1", "file_unique_id": "su1", "type": "regular", "width": 512, "height": 512,
               "is_animated": False, "is_video": False, "emoji": "👍"}
    photo = [{"file_id": "p1", "file_unique_id": "pu1", "width": 90, "height": 90}]
    document = {"file_id": "d1", "file_unique_id": "du1", "file_name": "申请表.pdf", "mime_type": "application/pdf"}
    async with running(make_app(speaker=None)):
        for content in ({"sticker": sticker}, {"photo": photo}, {"document": document}):
            await api.push({"message": api.user_message(CHAT + 5, **content)})
        messages = await api.wait_calls("sendMessage", 3, chat_id=CHAT + 5)
    assert [m.text for m in messages] == [texts.NOT_TEXT] * 3
    assert not backend.turns and not api.unknown


async def test_emoji_english_and_huge_text_get_the_cores_kind_replies(api: FakeBotApi, make_app: Any,
                                                                      core: Any) -> None:
    inputs = ["😀😀😀", "hello, what is this", "养老" * 3000]
    async with running(make_app(speaker=None)):
        for text in inputs:
            await api.send_text(CHAT + 6, text)
        messages = await api.wait_calls("sendMessage", 3, chat_id=CHAT + 6)
    for text, message in zip(inputs[:2], messages[:2], strict=True):
        assert message.text == core.respond(Turn(text, "expected:odd")).answer
    assert 0 < len(messages[2].text) <= 4096


async def test_voice_refused_by_telegram_leaves_the_text_answer_alone(api: FakeBotApi, make_app: Any) -> None:
    api.refuse["sendVoice"] = "Bad Request: VOICE_MESSAGES_FORBIDDEN"
    async with running(make_app()):
        await api.send_text(CHAT + 7, "巫溪的老年大学怎么上")
        await api.wait_calls("sendVoice", chat_id=CHAT + 7)
        await api.send_text(CHAT + 7, "/help")
        messages = await api.wait_calls("sendMessage", 2, chat_id=CHAT + 7)
    assert texts.ERROR not in [m.text for m in messages] and messages[1].text == texts.HELP


async def test_no_voice_engine_still_sends_the_text(api: FakeBotApi, make_app: Any, tmp_path: Any) -> None:
    from voice.settings import VoiceSettings
    from voice.speaker import Speaker

    mute = Speaker(VoiceSettings(engines=("espeak",), espeak_binary="no-such-espeak", cache_dir=None))
    async with running(make_app(speaker=mute)):
        await api.send_text(CHAT + 8, "巫溪的老年大学怎么上")
        await api.send_text(CHAT + 8, "慢一点")
        messages = await api.wait_calls("sendMessage", 2, chat_id=CHAT + 8)
    assert messages[0].text.strip() and texts.ERROR not in messages[0].text
    assert messages[1].text == texts.VOICE_FAILED, "asked for slow voice: say kindly there is none"
    assert not api.sent("sendVoice")
