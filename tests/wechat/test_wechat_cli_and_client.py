"""`elderbot wechat` (settings, --set-menu), the access token (cached, refreshed, shared through Redis), the
de-duplication shared between workers, and the pure helpers (trimming, speech cut, menu limits)."""

from __future__ import annotations

import argparse
import asyncio

import pytest
from conftest import TOKEN, RecordingBackend
from wechat_fake_api import APP_ID, APP_SECRET, FakeWeChatApi

from bot.channels.cli import wechat as wechat_command
from bot.channels.wechat import texts
from bot.channels.wechat.client import build_client
from bot.channels.wechat.ledger import MessageLedger
from bot.channels.wechat.menu import build_menu, click_question
from bot.channels.wechat.replying import MAX_TEXT_BYTES, is_only_emoticons, reply_text, shorten_speech
from bot.channels.wechat.settings import WeChatSettings, WeChatSettingsError
from bot.dialogue.seam import Action, Reply, Source, TopicInfo

WECHAT_VARS = ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_AES_KEY", "WECHAT_API_BASE_URL",
               "WECHAT_VOICE_REPLIES", "WECHAT_REPLY_DEADLINE_S", "REDIS_URL")


def main(argv: list[str]) -> int:
    """`elderbot …` with this module's subcommand (bot/channels/cli/main.py lists it once integrated)."""
    parser = argparse.ArgumentParser(prog="elderbot")
    wechat_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in WECHAT_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# ---- settings and the command ------------------------------------------------------------------------------------

def test_settings_from_env() -> None:
    settings = WeChatSettings.from_env({"WECHAT_TOKEN": "t0k", "WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s3cret",
                                        "WECHAT_AES_KEY": "a" * 43, "WECHAT_API_BASE_URL": "http://127.0.0.1:9/cgi-bin",
                                        "WECHAT_VOICE_REPLIES": "off"})
    assert settings.safe_mode and settings.can_send and not settings.voice_replies
    assert settings.base_url == "http://127.0.0.1:9/cgi-bin/"
    assert "s3cret" not in repr(settings) and "t0k" not in repr(settings) and "a" * 43 not in repr(settings)
    assert WeChatSettings.from_env({}).base_url == "https://api.weixin.qq.com/cgi-bin/"
    with pytest.raises(WeChatSettingsError, match="43"):
        WeChatSettings.from_env({"WECHAT_AES_KEY": "short"})


def test_missing_token_says_how_to_get_one_and_exits_2(clean_env, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wechat"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "WECHAT_TOKEN" in err and "mp.weixin.qq.com" in err
    assert "Traceback" not in err


def test_bad_aes_key_exits_2(clean_env, capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("WECHAT_TOKEN", TOKEN)
    clean_env.setenv("WECHAT_AES_KEY", "not-43-characters")
    assert main(["wechat"]) == 2
    assert "WECHAT_AES_KEY" in capsys.readouterr().err


def test_set_menu_needs_app_id_and_secret(clean_env, capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("WECHAT_TOKEN", TOKEN)
    assert main(["wechat", "--set-menu"]) == 2
    assert "WECHAT_APP_SECRET" in capsys.readouterr().err


def test_set_menu_creates_the_topic_menu(clean_env, api: FakeWeChatApi, knowledge_settings, core,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("WECHAT_TOKEN", TOKEN)
    clean_env.setenv("WECHAT_APP_ID", APP_ID)
    clean_env.setenv("WECHAT_APP_SECRET", APP_SECRET)
    clean_env.setenv("WECHAT_API_BASE_URL", api.base_url)
    clean_env.setenv("ELDERBOT_INDEX_DIR", str(knowledge_settings.index_dir))
    assert main(["wechat", "--set-menu"]) == 0
    assert "menu set" in capsys.readouterr().out
    [created] = api.calls_to("menu/create")
    buttons = created.body["button"]
    assert len(buttons) <= 3 and all(len(b.get("sub_button", [])) <= 5 for b in buttons)
    assert all(len(b["name"].encode()) <= 16 for b in buttons)
    clicks = [b for top in buttons for b in [top, *top.get("sub_button", [])] if b.get("type") == "click"]
    names = [b["name"] for b in clicks]
    assert names[-1] == "转人工" and any("补贴" in n for n in names)
    assert {"老年大学", "养老服务站", "助餐点"} <= set(names)
    topics = core.topics()
    for button in clicks:
        assert click_question(button["key"], topics)  # every key maps to a question
    assert any(b.get("type") == "location_select" for b in buttons[1]["sub_button"])


# ---- the client API: token cached, refreshed, shared -------------------------------------------------------------

def settings_for(api: FakeWeChatApi) -> WeChatSettings:
    return WeChatSettings(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, api_base_url=api.base_url)


def test_access_token_is_cached_and_refreshed_when_wechat_expires_it(api: FakeWeChatApi) -> None:
    client = build_client(settings_for(api))
    assert client is not None
    client.message.send_text("o1", "一")
    client.message.send_text("o1", "二")
    assert len(api.calls_to("token")) == 1
    api.expire_tokens()
    client.message.send_text("o1", "三")  # 42001 → a new token → the call again
    assert len(api.calls_to("token")) == 2
    assert [m["text"]["content"] for m in api.sent("o1")] == ["一", "二", "三"]


def test_access_token_is_shared_through_redis(api: FakeWeChatApi) -> None:
    fakeredis = pytest.importorskip("fakeredis")
    shared = fakeredis.FakeRedis()
    first, second = build_client(settings_for(api), shared), build_client(settings_for(api), shared)
    assert first is not None and second is not None
    first.message.send_text("o2", "a")
    second.message.send_text("o2", "b")
    assert len(api.calls_to("token")) == 1
    assert APP_SECRET.encode() not in b"".join(shared.get(k) or b"" for k in shared.scan_iter())


def test_no_client_without_app_id_and_secret() -> None:
    assert build_client(WeChatSettings(token=TOKEN)) is None


# ---- de-duplication ----------------------------------------------------------------------------------------------

def test_ledger_forgets_after_its_ttl_and_stays_bounded() -> None:
    now = [0.0]
    ledger = MessageLedger(ttl_s=10, max_entries=3, clock=lambda: now[0])
    for key in "abcd":
        ledger.open(key)
    assert len(ledger) == 3 and ledger.job("a") is None and ledger.job("d") is not None
    now[0] = 11
    assert ledger.job("d") is None and len(ledger) == 0


def test_redis_claim_lets_one_worker_answer() -> None:
    fakeredis = pytest.importorskip("fakeredis")
    shared = fakeredis.FakeRedis()
    one, two = MessageLedger(shared), MessageLedger(shared)
    assert one.claim_shared("k1") is True and two.claim_shared("k1") is False
    assert two.claim_shared("k2") is True


def test_a_message_reaching_two_workers_is_answered_by_one(serve, backend: RecordingBackend) -> None:
    fakeredis = pytest.importorskip("fakeredis")
    shared = fakeredis.FakeRedis()
    _, worker_a = serve(redis=shared)
    _, worker_b = serve(redis=shared)
    msg_id = worker_a.next_id()
    first = worker_a.text("oTwoWorkers", "万州高龄津贴怎么领", msg_id=msg_id)
    second = worker_b.text("oTwoWorkers", "万州高龄津贴怎么领", msg_id=msg_id)
    assert "高龄" in first.content and second.body == "success"
    assert len(backend.turns) == 1


# ---- pure helpers ------------------------------------------------------------------------------------------------

SOURCE = Source(text="…", title="重庆市万州区居家和社区养老服务改革试点工作实施方案", region="重庆市万州区",
                short_region="万州", section="二、试点工作任务", chunk_id="c1")


def reply(answer: str, sources: list[Source] | None = None) -> Reply:
    return Reply(intent="subsidy", confidence=0.9, action=Action.ANSWER, answer=answer, speech=answer,
                 sources=[SOURCE] if sources is None else sources)


def test_reply_text_adds_the_citation_once() -> None:
    assert reply_text(reply("高龄津贴按月发放。")).endswith("来源：" + SOURCE.citation)
    cited = reply(f"高龄津贴按月发放。\n出处：《{SOURCE.title}》")
    assert reply_text(cited) == cited.answer
    assert reply_text(reply("你好！", sources=[])) == "你好！"
    assert reply_text(reply("")) == texts.ERROR


def test_long_answers_are_cut_at_a_sentence_and_keep_the_citation() -> None:
    long = "".join(f"第{i}句话讲的是高龄津贴的发放办法和条件。" for i in range(200))
    text = reply_text(reply(long + f"\n出处：《{SOURCE.title}》"))
    assert len(text.encode()) <= MAX_TEXT_BYTES
    assert texts.TRIMMED in text and text.endswith(SOURCE.citation)
    assert text.split(texts.TRIMMED)[0].endswith("。")


def test_speech_is_shortened_at_sentence_ends() -> None:
    speech = "第一句。第二句比较长一些。第三句！第四句？"
    assert shorten_speech(speech, 0.7) == "第一句。第二句比较长一些。"
    assert shorten_speech(speech, 0.01) == "第一句。"


def test_emoticon_only_text() -> None:
    assert is_only_emoticons("/::)/::~[微笑]😀👍")
    assert not is_only_emoticons("[微笑]补贴怎么领")
    assert not is_only_emoticons("80岁")


def test_menu_fits_wechat_limits_with_many_topics() -> None:
    topics = [TopicInfo(f"t{i}", f"很长很长的主题名字{i}", f"问题{i}") for i in range(8)]
    menu = build_menu(topics)["button"]
    assert len(menu) == 3 and len(menu[1]["sub_button"]) == 5
    assert all(len(b["name"].encode()) <= 16 for b in menu)
    assert all(len(s["name"].encode()) <= 60 for s in menu[1]["sub_button"])
    assert click_question(menu[0]["key"], topics) == "问题0"


def test_event_loop_friendly_receive_without_server(core) -> None:
    """The channel alone (no HTTP): a message answered passively, the same message again not at all."""
    from wechatpy import parse_message

    from bot.channels.wechat.channel import WeChatChannel

    channel = WeChatChannel(WeChatSettings(token=TOKEN), RecordingBackend(core), recognizer=None)
    xml = ("<xml><ToUserName>gh</ToUserName><FromUserName>oLoop</FromUserName><CreateTime>1</CreateTime>"
           "<MsgType>text</MsgType><Content>涪陵助餐点在哪里</Content><MsgId>99</MsgId></xml>")

    async def twice() -> list[str | None]:
        return [await channel.receive(parse_message(xml)), await channel.receive(parse_message(xml))]

    first, second = asyncio.run(twice())
    channel.close()
    assert first and second is None
