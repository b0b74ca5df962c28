"""Conversations over HTTP: the core owns them, /v1/ask and the hotline each have their own namespace, and
/v1/compare goes through the relevance gate."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from bot.dialogue.embedded import EmbeddedBackend

GAPPED_QUESTION = "时间银行怎么存时间"  # 涪陵's plan says nothing about 时间银行; the others do


def ask(client: TestClient, question: str, conversation: str, **extra: object) -> dict:
    response = client.post("/v1/ask", json={"question": question, "conversation": conversation, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_later_region_does_not_reanswer_an_answered_question(client: TestClient) -> None:
    conversation = f"later-{uuid.uuid4().hex}"
    answered = ask(client, "高龄津贴怎么领", conversation, region="涪陵")
    assert answered["action"] == "answer" and answered["region"] == "重庆市涪陵区"
    later = ask(client, "我在巫溪", conversation)
    assert later["action"] == "smalltalk", later
    assert "巫溪" in later["answer"] and later["sources"] == []
    assert later["answer"] != answered["answer"]
    follow_up = ask(client, "老年大学怎么报名", conversation)
    assert follow_up["action"] == "answer" and follow_up["region"] == "重庆市巫溪县", "巫溪 was remembered"


def test_clarify_then_region_answers_the_waiting_question_once(client: TestClient) -> None:
    conversation = f"clarify-{uuid.uuid4().hex}"
    assert ask(client, "高龄津贴怎么领", conversation)["action"] == "clarify_region"
    answered = ask(client, "万州", conversation)
    assert answered["action"] == "answer" and answered["region"] == "重庆市万州区"
    again = ask(client, "我在巫溪", conversation)
    assert again["action"] == "smalltalk" and "巫溪" in again["answer"]


@pytest.mark.usefixtures("speech_tools")
@pytest.mark.parametrize("prefix", ["call:", "hotline:", "http-hotline:"])
def test_ask_cannot_read_a_hotline_calls_last_answer(client: TestClient, prefix: str) -> None:
    call_id = f"secret-{uuid.uuid4().hex}"
    call = client.post("/v1/hotline", json={"call_id": call_id, "text": "万州的高龄津贴怎么领"})
    assert call.status_code == 200
    said = call.json()["answer"]
    assert call.json()["action"] == "answer" and said.strip()
    peek = ask(client, "再说一遍", f"{prefix}{call_id}")
    assert peek["action"] != "answer" and peek["sources"] == []
    assert peek["answer"] != said
    again = client.post("/v1/hotline", json={"call_id": call_id, "text": "再说一遍"}).json()
    assert again["answer"] == said, "the call itself still repeats its answer"


def test_compare_leaves_out_a_region_whose_plan_does_not_address_the_question(
    client: TestClient, embedded: EmbeddedBackend
) -> None:
    assert embedded.search(GAPPED_QUESTION, region="涪陵", k=3), "retrieval alone finds passages in 涪陵"
    rows = {row["short_region"]: row for row in client.get("/v1/compare", params={"q": GAPPED_QUESTION}).json()["rows"]}
    assert rows["涪陵"]["source"] is None and rows["涪陵"]["citation"] is None and rows["涪陵"]["sentence"] is None
    answered = [row for row in rows.values() if row["source"]]
    assert len(answered) >= 3
    for row in answered:
        assert row["sentence"] and row["sentence"] in row["source"]["text"].replace("\n", "")
        assert row["source"]["short_region"] == row["short_region"]
