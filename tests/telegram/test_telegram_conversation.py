"""The real Application against the fake Bot API: /start, a question with a voice note, clarification, follow-ups."""

from __future__ import annotations

from typing import Any

from telegram_fake_api import FakeBotApi, running

from bot.channels.telegram import texts
from bot.channels.telegram.keyboards import SEND_LOCATION, button_questions
from bot.dialogue import replies
from bot.dialogue.seam import Action, Turn, topic_registry
from voice.formats import probe

CHAT = 501


def expected_reply(core: Any, *questions: str, region: str | None = None, conversation: str = "expected") -> Any:
    """What the core itself says to these turns in a fresh conversation (the bot must pass it on unchanged)."""
    reply = None
    for question in questions:
        reply = core.respond(Turn(question, conversation=f"{conversation}:{id(questions)}", region=region))
    return reply


async def test_start_shows_greeting_and_big_keyboard(api: FakeBotApi, make_app: Any) -> None:
    async with running(make_app()):
        await api.send_text(CHAT, "/start")
        [message] = await api.wait_calls("sendMessage", chat_id=CHAT)
    assert message.text == texts.GREETING
    keyboard = message.json("reply_markup")
    labels = [button["text"] for row in keyboard["keyboard"] for button in row]
    for label in ("补贴津贴", "老年大学", "养老服务站", "助餐点", SEND_LOCATION, "转人工", "还有呢", "再说一遍", "慢一点"):
        assert label in labels
    location = next(b for row in keyboard["keyboard"] for b in row if b["text"] == SEND_LOCATION)
    assert location.get("request_location") is True
    assert keyboard["resize_keyboard"] is True
    commands = api.sent("setMyCommands")[0].json("commands")
    assert {c["command"] for c in commands} == {"start", "region", "voice", "help"}
    assert "deleteWebhook" in {c.method for c in api.calls}  # polling clears a webhook first
    assert not api.unknown


async def test_question_answered_with_citation_line_and_ogg_voice(api: FakeBotApi, make_app: Any,
                                                                  core: Any, backend: Any) -> None:
    question = "涪陵的养老服务站有哪些"
    expected = expected_reply(core, question)
    assert expected.action is Action.ANSWER and expected.sources
    async with running(make_app()):
        await api.send_text(CHAT, question)
        [voice] = await api.wait_calls("sendVoice", chat_id=CHAT)
    [message] = api.sent("sendMessage", CHAT)
    assert message.text.startswith(expected.answer.strip().splitlines()[0])
    title = expected.sources[0].title
    cited = [line for line in message.text.splitlines()[1:] if f"《{title}》" in line]
    assert cited, "the citation must be on a line of its own"
    assert message.at < voice.at  # text first, then the voice note
    audio = voice.files["voice"]
    assert audio.startswith(b"OggS")
    info = probe(audio)
    assert info.codec == "opus" and info.duration_s > 1.0
    assert backend.turns[-1].conversation == f"tg:{CHAT}"


async def test_clarification_buttons_then_answer_after_tap(api: FakeBotApi, make_app: Any, core: Any,
                                                           backend: Any) -> None:
    question = "老年大学怎么上"
    first = expected_reply(core, question)
    assert first.action is Action.CLARIFY_REGION
    async with running(make_app(speaker=None)):
        await api.send_text(CHAT + 1, question)
        [ask] = await api.wait_calls("sendMessage", chat_id=CHAT + 1)
        buttons = ask.buttons()
        assert [text for text, _ in buttons] == first.options
        tapped_text, tapped_data = buttons[2]
        await api.tap(CHAT + 1, tapped_data)
        answers = await api.wait_calls("sendMessage", 2, chat_id=CHAT + 1)
    assert ask.text == first.answer
    assert api.sent("answerCallbackQuery"), "the button's spinner must be stopped"
    after = expected_reply(core, question, tapped_text)  # the tap goes to the core as if the user said it
    assert after.action is Action.ANSWER
    assert answers[1].text.startswith(after.answer.strip().splitlines()[0])
    assert backend.turns[-1] == Turn(tapped_text, f"tg:{CHAT + 1}")


async def test_more_repeat_and_slower(api: FakeBotApi, make_app: Any, core: Any) -> None:
    question = "资阳的助餐点在哪里"
    more = expected_reply(core, question, "还有呢")
    repeated = expected_reply(core, question, "还有呢", "再说一遍")
    async with running(make_app()):
        await api.send_text(CHAT + 2, question)
        [normal] = await api.wait_calls("sendVoice", chat_id=CHAT + 2)
        await api.send_text(CHAT + 2, "还有呢")
        await api.wait_calls("sendVoice", 2, chat_id=CHAT + 2)
        await api.send_text(CHAT + 2, "再说一遍")
        await api.wait_calls("sendVoice", 3, chat_id=CHAT + 2)
        sent_before = len(api.sent("sendMessage", CHAT + 2))
        await api.send_text(CHAT + 2, "慢一点")
        voices = await api.wait_calls("sendVoice", 4, chat_id=CHAT + 2)
    messages = api.sent("sendMessage", CHAT + 2)
    assert messages[1].text.startswith(more.answer.strip().splitlines()[0])
    assert messages[1].text != messages[0].text
    assert len(messages) == sent_before == 3, "慢一点 re-sends the voice only"
    assert messages[2].text.startswith(repeated.answer.strip().splitlines()[0])
    if messages[2].text == messages[0].text:  # the same speech comes from the voice cache, byte for byte
        assert voices[2].files["voice"] == voices[0].files["voice"]
    slow = voices[3].files["voice"]
    assert slow.startswith(b"OggS")
    assert probe(slow).duration_s > probe(voices[2].files["voice"]).duration_s * 1.2


async def test_main_keyboard_buttons_ask_whole_questions(api: FakeBotApi, make_app: Any, backend: Any,
                                                          core: Any) -> None:
    async with running(make_app(speaker=None)):
        await api.send_text(CHAT + 3, "/region 万州")
        await api.wait_calls("sendMessage", chat_id=CHAT + 3)
        await api.send_text(CHAT + 3, "助餐点")
        await api.wait_calls("sendMessage", 2, chat_id=CHAT + 3)
    assert backend.turns[-2] == Turn("万州", f"tg:{CHAT + 3}")  # /region 万州 is said to the core
    assert backend.turns[-1] == Turn(button_questions(topic_registry())["助餐点"], f"tg:{CHAT + 3}")
    assert core.conversations.get(f"tg:{CHAT + 3}").region == "重庆市万州区", "the core remembered 万州"


async def test_a_region_said_after_an_answer_does_not_reanswer_the_old_question(api: FakeBotApi, make_app: Any,
                                                                                backend: Any, core: Any) -> None:
    """高龄津贴怎么领 → district buttons → tap 涪陵 → the answer; a later 我在巫溪 is remembered, not answered."""
    chat = CHAT + 4
    async with running(make_app(speaker=None)):
        await api.send_text(chat, "高龄津贴怎么领")
        [ask] = await api.wait_calls("sendMessage", chat_id=chat)
        tap = dict(ask.buttons())["涪陵"]
        await api.tap(chat, tap)
        answered = (await api.wait_calls("sendMessage", 2, chat_id=chat))[1]
        await api.send_text(chat, "我在巫溪")
        later = (await api.wait_calls("sendMessage", 3, chat_id=chat))[2]
    assert ask.json("reply_markup")["inline_keyboard"], "the clarification comes with district buttons"
    assert backend.turns[-2:] == [Turn("涪陵", f"tg:{chat}"), Turn("我在巫溪", f"tg:{chat}")]
    expected = expected_reply(core, "高龄津贴怎么领", "涪陵")
    assert expected.action is Action.ANSWER and expected.region == "重庆市涪陵区"
    assert answered.text.startswith(expected.answer.strip().splitlines()[0])
    assert later.text == replies.region_remembered("巫溪")
    assert later.text != answered.text and "高龄" not in later.text
    assert later.json("reply_markup") is None
