"""The server end to end on 127.0.0.1: signed XML in (plain and safe mode), passive replies and customer-service
messages out through wechatpy's client to the fake WeChat API, the real embedded core answering."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from conftest import AES_KEY, FULING, TOKEN, RecordingBackend, WeChatSide, signature
from wechat_fake_api import FakeWeChatApi

from bot.channels.wechat import texts
from bot.channels.wechat.replying import MAX_TEXT_BYTES

USER = "oElderUser0000000000000001"
QUESTION = "万州高龄津贴怎么领"


def test_server_verification_echoes_only_with_a_good_signature(serve) -> None:
    server, _ = serve()
    timestamp, nonce = "1700000000", "12345"
    good = httpx.get(server.url, params={"signature": signature(TOKEN, timestamp, nonce), "timestamp": timestamp,
                                         "nonce": nonce, "echostr": "echo-8191"})
    assert (good.status_code, good.text) == (200, "echo-8191")
    bad = httpx.get(server.url, params={"signature": signature("other", timestamp, nonce), "timestamp": timestamp,
                                        "nonce": nonce, "echostr": "echo-8191"})
    assert bad.status_code == 403 and "echo-8191" not in bad.text


def test_text_question_gets_a_cited_answer_within_5_seconds(serve, backend: RecordingBackend) -> None:
    _, wechat = serve()
    posted = wechat.text(USER, QUESTION)
    assert posted.status == 200 and posted.elapsed_s < 5
    assert posted.reply is not None, posted.body
    assert posted.reply["MsgType"] == "text"
    assert posted.reply["ToUserName"] == USER
    assert "高龄" in posted.content
    assert "《" in posted.content and "》" in posted.content  # the plan it quotes
    assert len(posted.content.encode()) <= MAX_TEXT_BYTES
    assert [(t.text, t.conversation) for t in backend.turns] == [(QUESTION, f"wx:{USER}")]


def test_safe_mode_message_is_decrypted_and_the_reply_encrypted(serve, backend: RecordingBackend) -> None:
    _, wechat = serve(aes_key=AES_KEY)
    posted = wechat.text(USER, QUESTION)
    assert posted.status == 200 and "<Encrypt>" in posted.body and "高龄" not in posted.body
    assert "高龄" in posted.content and "《" in posted.content  # decrypted by the test with wechatpy's crypto
    assert [t.text for t in backend.turns] == [QUESTION]


def test_bad_signatures_are_refused_and_reach_nothing(serve, backend: RecordingBackend, api: FakeWeChatApi) -> None:
    _, plain = serve()
    refused = plain.text(USER, QUESTION, good=False)
    assert refused.status == 403 and refused.reply is None
    _, safe = serve(aes_key=AES_KEY)
    assert safe.text(USER, QUESTION, good=False).status == 403
    assert safe.text(USER, QUESTION, tamper_encrypted=True).status == 403
    forged = WeChatSide(safe.url, token=TOKEN, aes_key="Z" * 43)  # right token, wrong EncodingAESKey
    assert forged.text(USER, QUESTION).status == 403
    forged.close()
    time.sleep(0.3)
    assert backend.turns == [] and api.calls == []


def test_a_duplicate_msgid_is_answered_once(serve, backend: RecordingBackend, api: FakeWeChatApi) -> None:
    _, wechat = serve()
    msg_id = wechat.next_id()
    with ThreadPoolExecutor(3) as pool:
        posted = list(pool.map(lambda _: wechat.text(USER, QUESTION, msg_id=msg_id), range(3)))
    posted.append(wechat.text(USER, QUESTION, msg_id=msg_id))  # a late retry
    answered = [p for p in posted if p.reply is not None]
    assert len(answered) == 1 and "高龄" in answered[0].content
    assert all(p.status == 200 and p.body == "success" for p in posted if p.reply is None)
    time.sleep(0.5)
    assert len(backend.turns) == 1 and api.sent() == []


def test_a_slow_answer_arrives_by_customer_service_message(serve, core, api: FakeWeChatApi) -> None:
    slow = RecordingBackend(core, delay_s=4.6)  # longer than the 4 s deadline, as a busy core would be
    _, wechat = serve(backend=slow)
    msg_id = wechat.next_id()
    first = wechat.text(USER, QUESTION, msg_id=msg_id)
    assert (first.status, first.body) == (200, "success") and first.elapsed_s < 4.8
    retry = wechat.text(USER, QUESTION, msg_id=msg_id)  # WeChat's retry after its 5 s wait
    assert (retry.status, retry.body) == (200, "success")
    [message] = api.wait_sent(USER, "text", timeout=15)
    assert "高龄" in message["text"]["content"] and "《" in message["text"]["content"]
    assert len(api.calls_to("token")) == 1
    time.sleep(0.5)
    assert len(slow.turns) == 1 and len(api.sent(USER)) == 1


def test_a_retry_while_the_first_request_still_waits_takes_over_the_passive_reply(serve, core,
                                                                                  api: FakeWeChatApi) -> None:
    slow = RecordingBackend(core, delay_s=1.5)
    _, wechat = serve(backend=slow, reply_deadline_s=4.0)
    msg_id = wechat.next_id()
    results: list = []
    first = threading.Thread(target=lambda: results.append(wechat.text(USER, QUESTION, msg_id=msg_id)))
    first.start()
    time.sleep(0.5)
    retry = wechat.text(USER, QUESTION, msg_id=msg_id)
    first.join()
    assert "高龄" in retry.content and results[0].body == "success"
    assert len(slow.turns) == 1 and api.sent() == []


def test_voice_with_recognition_is_answered_with_text_then_voice(serve, backend: RecordingBackend,
                                                                  api: FakeWeChatApi) -> None:
    from voice.formats import probe

    _, wechat = serve()
    posted = wechat.voice(USER, "user-media-1", recognition="万州高龄津贴怎么领？")
    assert "高龄" in posted.content and posted.elapsed_s < 5
    assert [t.text for t in backend.turns] == ["万州高龄津贴怎么领？"]
    [sent] = api.wait_sent(USER, "voice", timeout=60)
    [upload] = [c for c in api.calls_to("media/upload") if c.query.get("type") == "voice"]
    filename, _content_type, audio = upload.files["media"]
    assert filename.endswith(".mp3") and 0 < len(audio) <= 2_000_000
    assert probe(audio).duration_s <= 60
    assert sent["voice"]["media_id"] in api.media
    assert api.sent(USER, "text") == []  # the text went as the passive reply


def test_voice_without_recognition_uses_the_recognizer(serve, backend: RecordingBackend, api: FakeWeChatApi) -> None:
    heard: list[tuple[bytes, str]] = []

    class Heard:
        text = "涪陵助餐点在哪里"

    class Recognizer:
        def transcribe(self, audio: bytes, mime_type: str) -> Heard:
            heard.append((audio, mime_type))
            return Heard()

    api.media["user-voice-7"] = (b"#!AMR\n" + b"\x00" * 64, "audio/amr")
    _, wechat = serve(recognizer=Recognizer(), speaker=None)
    posted = wechat.voice(USER, "user-voice-7")
    assert heard == [(b"#!AMR\n" + b"\x00" * 64, "audio/amr")]
    assert [t.text for t in backend.turns] == ["涪陵助餐点在哪里"]
    assert posted.content and posted.content != texts.VOICE_NOT_UNDERSTOOD


def test_voice_without_recognition_or_recognizer_asks_kindly(serve, backend: RecordingBackend) -> None:
    _, wechat = serve(recognizer=None)
    posted = wechat.voice(USER, "user-voice-8")
    assert posted.content == texts.VOICE_NOT_UNDERSTOOD and backend.turns == []


def test_location_lists_the_nearest_facilities(serve) -> None:
    _, wechat = serve()
    posted = wechat.location(USER, *FULING, label="涪陵区")
    lines = posted.content.splitlines()
    assert lines[0] == texts.NEAREST_HEADER
    assert "崇义街道老年食堂" in lines[1]  # nearest first
    assert "敦仁街道养老服务中心" in posted.content and "电话023-7200000" in posted.content
    assert "来源：" in posted.content and texts.NEAREST_NOTE in posted.content


def test_location_without_facilities_asks_for_the_district(serve, core) -> None:
    _, wechat = serve(backend=RecordingBackend(core, nearest=[]))
    posted = wechat.location(USER, 30.12, 104.65)
    assert posted.content.startswith("收到您的位置了") and "区县" in posted.content


def test_subscribe_is_welcomed_and_menu_clicks_ask_the_core(serve, backend: RecordingBackend, core) -> None:
    _, wechat = serve()
    welcome = wechat.event(USER, "subscribe")
    assert welcome.content == texts.WELCOME
    topic = core.topics()[0]
    clicked = wechat.event(USER, "CLICK", key=f"topic:{topic.name}")
    assert clicked.content and [t.text for t in backend.turns] == [topic.button_question]
    handoff = wechat.event(USER, "CLICK", key="handoff")
    assert backend.turns[-1].text == "转人工" and handoff.content
    assert wechat.event(USER, "CLICK", key="topic:gone").content == texts.STALE_BUTTON
    assert wechat.event(USER, "unsubscribe").body == "success"


def test_images_links_stickers_and_videos_get_kind_replies(serve, backend: RecordingBackend) -> None:
    _, wechat = serve()
    image = wechat.post_xml(wechat.xml(USER, "image", {"PicUrl": "http://127.0.0.1/x.jpg", "MediaId": "m1"},
                                       wechat.next_id()), USER)
    assert image.content == texts.NOT_TEXT
    link = wechat.post_xml(wechat.xml(USER, "link", {"Title": "t", "Description": "d", "Url": "http://127.0.0.1/"},
                                      wechat.next_id()), USER)
    assert link.content == texts.LINK
    video = wechat.post_xml(wechat.xml(USER, "video", {"MediaId": "m2", "ThumbMediaId": "m3"}, wechat.next_id()), USER)
    assert video.content == texts.NOT_TEXT
    assert wechat.text(USER, "/::)[微笑]😀").content == texts.STICKER
    assert backend.turns == []


def test_unreadable_bodies_are_refused(serve) -> None:
    _, wechat = serve()
    assert wechat.post_xml("<xml><nothing/>", USER).status == 400
    assert wechat.post_xml("x" * 300_000, USER).status == 413


def test_no_user_words_or_openids_in_logs(serve, caplog) -> None:
    _, wechat = serve()
    with caplog.at_level("DEBUG"):
        wechat.text(USER, QUESTION)
        wechat.location(USER, *FULING)
    ours = ("bot", "voice", "knowledge", "wechatpy", "uvicorn", "urllib3", "requests")  # not the test's httpx
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ours)
    assert "text from user" in logged
    assert USER not in logged and QUESTION not in logged and TOKEN not in logged
