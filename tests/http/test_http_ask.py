"""/v1/ask, /v1/search, /v1/compare, /v1/regions, /v1/topics, /healthz and /openapi.json over the real core."""

from __future__ import annotations

import re

import pytest
from fakes import RecordingBackend
from fastapi.testclient import TestClient

from bot.dialogue.seam import Action
from knowledge.topics import TOPICS

CONTRACT_KEYS = {"intent", "confidence", "region", "action", "answer", "speech", "sources", "options", "understood"}
SOURCE_KEYS = {"text", "title", "region", "short_region", "section", "chunk_id", "score"}
FULING = "重庆市涪陵区"


def assert_bilingual(detail: str) -> None:
    """A message a Chinese reader and an English reader can both act on."""
    assert re.search(r"[\u4e00-\u9fff]", detail), detail
    assert re.search(r"[A-Za-z]{3,}", detail), detail


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ask_returns_the_reply_contract(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "涪陵的高龄津贴有什么规定？", "region": "涪陵"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == CONTRACT_KEYS
    assert body["action"] in {a.value for a in Action}
    assert body["region"] == FULING
    assert body["answer"].strip() and isinstance(body["confidence"], float)
    for source in body["sources"]:
        assert set(source) == SOURCE_KEYS
        assert source["region"] == FULING


@pytest.mark.parametrize("name", ["涪陵", "涪陵区", FULING])
def test_ask_resolves_any_name_of_a_region(client: TestClient, recording_core, name: str) -> None:
    response = client.post("/v1/ask", json={"question": "老年大学怎么报名", "region": name})
    assert response.status_code == 200
    assert recording_core.turns[-1].region == FULING


def test_ask_passes_conversation_and_staff_to_the_core(client: TestClient, recording_core) -> None:
    response = client.post("/v1/ask", json={"question": "助餐点", "conversation": "staff:7", "staff": True})
    assert response.status_code == 200
    turn = recording_core.turns[-1]
    assert (turn.text, turn.conversation, turn.staff, turn.region) == ("助餐点", "http-ask:staff:7", True, None)


def test_ask_conversation_remembers_the_region(client: TestClient) -> None:
    first = client.post("/v1/ask", json={"question": "资阳的高龄津贴", "conversation": "mem-1"}).json()
    again = client.post("/v1/ask", json={"question": "老年大学呢", "conversation": "mem-1"}).json()
    fresh = client.post("/v1/ask", json={"question": "老年大学呢", "conversation": "mem-2"}).json()
    assert first["region"] == again["region"] == "四川省资阳市"
    assert fresh["region"] != "四川省资阳市"


def test_ask_unknown_region_is_a_clear_422(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "高龄津贴", "region": "火星"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "火星" in detail and "涪陵" in detail and "Unknown region" in detail
    assert_bilingual(detail)


@pytest.mark.parametrize("body", [
    {"question": ""},
    {"question": "   "},
    {"question": "高" * 5000},
    {"question": 123},
    {"question": None},
    {"question": ["高龄津贴"]},
    {},
    {"question": "高龄津贴", "unexpected": 1},
    {"question": "高龄津贴", "region": 5},
    {"question": "高龄津贴", "region": ""},
    {"question": "高龄津贴", "conversation": "bad\x00id"},
    {"question": "高龄津贴", "staff": "maybe"},
    [],
    "高龄津贴",
])
def test_ask_bad_json_bodies_are_422_with_a_message(client: TestClient, body: object) -> None:
    response = client.post("/v1/ask", json=body)
    assert response.status_code == 422, response.text
    assert_bilingual(response.json()["detail"])


@pytest.mark.parametrize("content", [b"not json", b"\xff\xfe\x00\x01binary", b"{\"question\": ", b""])
def test_ask_malformed_bodies_are_4xx(client: TestClient, content: bytes) -> None:
    response = client.post("/v1/ask", content=content, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert_bilingual(response.json()["detail"])


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "高龄津贴", "conversation": "x" * 100_000})
    assert response.status_code == 413
    assert_bilingual(response.json()["detail"])


@pytest.mark.parametrize("question", ["😀😀😀", "hello, how are you?", "？？？", "ｈｅｌｌｏ\u200b", "高龄津貼怎麼領"])
def test_ask_odd_text_gets_a_kind_answer(client: TestClient, question: str) -> None:
    response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200
    assert response.json()["answer"].strip()


def test_search_filters_by_region(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "养老服务补贴", "region": "万州", "k": 4})
    assert response.status_code == 200
    sources = response.json()["sources"]
    assert 0 < len(sources) <= 4
    assert {s["region"] for s in sources} == {"重庆市万州区"}
    assert [s["score"] for s in sources] == sorted((s["score"] for s in sources), reverse=True)
    assert all(set(s) == SOURCE_KEYS for s in sources)


@pytest.mark.parametrize("topic", list(TOPICS))
def test_search_filters_by_topic(client: TestClient, topic: str) -> None:
    response = client.get("/v1/search", params={"q": "服务", "topic": topic, "k": 5})
    assert response.status_code == 200
    sources = response.json()["sources"]
    assert sources
    words = TOPICS[topic].words
    assert all(any(w in s["text"] for w in words) for s in sources)


@pytest.mark.parametrize("params", [
    {}, {"q": ""}, {"q": "   "}, {"q": "高" * 600}, {"q": "津贴", "k": 0}, {"q": "津贴", "k": 21},
    {"q": "津贴", "k": "many"}, {"q": "津贴", "topic": "weather"}, {"q": "津贴", "region": "火星"},
])
def test_search_bad_parameters_are_422(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/v1/search", params=params)
    assert response.status_code == 422, response.text
    assert_bilingual(response.json()["detail"])


def test_compare_gives_one_row_per_region_in_order(client: TestClient) -> None:
    regions = client.get("/v1/regions").json()["regions"]
    response = client.get("/v1/compare", params={"q": "老年大学"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "老年大学"
    assert [row["region"] for row in body["rows"]] == [r["name"] for r in regions]
    assert [row["short_region"] for row in body["rows"]] == [r["short_name"] for r in regions]
    with_source = [row for row in body["rows"] if row["source"]]
    assert len(with_source) >= 2
    for row in with_source:
        assert row["source"]["region"] == row["region"]
        assert row["source"]["title"] in row["citation"]


def test_compare_says_nothing_where_no_plan_speaks(client: TestClient) -> None:
    rows = client.get("/v1/compare", params={"q": "zyzzyva quasar"}).json()["rows"]
    assert rows and all(row["source"] is None and row["citation"] is None for row in rows)


def test_compare_with_topic_keeps_passages_on_topic(client: TestClient) -> None:
    rows = client.get("/v1/compare", params={"q": "建设", "topic": "meal"}).json()["rows"]
    words = TOPICS["meal"].words
    assert any(row["source"] for row in rows)
    assert all(any(w in row["source"]["text"] for w in words) for row in rows if row["source"])


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "a", "topic": "x"}])
def test_compare_bad_parameters_are_422(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/v1/compare", params=params)
    assert response.status_code == 422
    assert_bilingual(response.json()["detail"])


def test_regions_and_topics_fill_the_page_menus(client: TestClient) -> None:
    regions = client.get("/v1/regions").json()["regions"]
    assert {"name": FULING, "short_name": "涪陵"} in regions and len(regions) == 5
    topics = client.get("/v1/topics").json()["topics"]
    assert [t["name"] for t in topics] == list(TOPICS)
    assert all(t["label"] for t in topics)


def test_unknown_route_and_method_are_bilingual(client: TestClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert_bilingual(missing.json()["detail"])
    wrong = client.get("/v1/ask")
    assert wrong.status_code == 405
    assert_bilingual(wrong.json()["detail"])


def test_openapi_documents_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/v1/ask", "/v1/search", "/v1/compare", "/v1/speak", "/v1/hotline", "/v1/audio/{audio_id}.wav",
                 "/healthz"):
        assert path in paths
    assert "X-API-Key" in str(spec["components"]["securitySchemes"])
    assert set(spec["components"]["schemas"]["AskResponse"]["properties"]) == CONTRACT_KEYS


def test_a_failing_backend_is_a_kind_503_not_a_crash(http_settings, embedded) -> None:
    class BrokenBackend(RecordingBackend):
        def respond(self, turn):  # type: ignore[no-untyped-def]
            raise RuntimeError("index file vanished")

    from bot.channels.http.app import create_app

    with TestClient(create_app(http_settings, backend=BrokenBackend(embedded))) as broken:
        response = broken.post("/v1/ask", json={"question": "高龄津贴"})
    assert response.status_code == 503
    assert "12345" in response.json()["detail"]
    assert_bilingual(response.json()["detail"])
