"""/v1/facilities: places the plans name, near a place or nearest to a point, with their sources."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_near_a_town_lists_plan_facilities_with_quotes(client: TestClient) -> None:
    response = client.get("/v1/facilities", params={"near": "蔺市附近的养老院"})
    assert response.status_code == 200
    body = response.json()
    assert body["region"] == "重庆市涪陵区"
    assert body["facilities"], body
    for facility in body["facilities"]:
        assert facility["source"].endswith(".txt") and facility["quotes"]


def test_topic_filter_and_traditional_input(client: TestClient) -> None:
    body = client.get("/v1/facilities", params={"near": "資陽", "topic": "meal"}).json()
    assert body["facilities"] and all(f["type"] in ("助餐点", "老年食堂") for f in body["facilities"])


def test_coordinates_give_nothing_on_the_shipped_directory(client: TestClient) -> None:
    response = client.get("/v1/facilities", params={"lat": 29.7, "lon": 107.4})
    assert response.status_code == 200 and response.json() == {"facilities": []}


def test_bad_requests_are_4xx(client: TestClient) -> None:
    assert client.get("/v1/facilities").status_code == 422
    assert client.get("/v1/facilities", params={"lat": 95, "lon": 10}).status_code == 422
    assert client.get("/v1/facilities", params={"near": "蔺市", "topic": "cinema"}).status_code == 422
    assert client.get("/v1/facilities", params={"near": "x" * 500}).status_code == 422
