"""API key on every /v1 route when configured; no listening beyond loopback without one."""

from __future__ import annotations

import argparse

import pytest
from fastapi.testclient import TestClient

from bot.channels.cli.main import build_parser
from bot.channels.http.security import InsecureBindError, check_bind, is_loopback

V1_CALLS = [
    ("POST", "/v1/ask", {"question": "高龄津贴"}),
    ("GET", "/v1/search?q=高龄津贴", None),
    ("GET", "/v1/compare?q=高龄津贴", None),
    ("GET", "/v1/regions", None),
    ("GET", "/v1/topics", None),
    ("POST", "/v1/speak", {"text": "你好"}),
    ("POST", "/v1/hotline", {"call_id": "k1", "text": "你好"}),
    ("GET", "/v1/audio/" + "0" * 64 + ".wav", None),
]


@pytest.mark.parametrize(("method", "path", "body"), V1_CALLS)
@pytest.mark.parametrize("key", [None, "", "wrong-key", "test-key-3f9a1"])
def test_v1_routes_refuse_missing_or_wrong_keys(keyed_client: TestClient, method: str, path: str,
                                                 body: object, key: str | None) -> None:
    headers = {} if key is None else {"X-API-Key": key}
    response = keyed_client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert "X-API-Key" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "body"), V1_CALLS[:5])
def test_v1_routes_accept_the_right_key(keyed_client: TestClient, api_key: str, method: str, path: str,
                                        body: object) -> None:
    response = keyed_client.request(method, path, json=body, headers={"X-API-Key": api_key})
    assert response.status_code == 200


def test_key_is_checked_before_the_body(keyed_client: TestClient) -> None:
    response = keyed_client.post("/v1/ask", json={"question": ""})
    assert response.status_code == 401


def test_page_health_and_openapi_need_no_key(keyed_client: TestClient) -> None:
    for path in ("/", "/healthz", "/openapi.json", "/static/app.js", "/static/app.css"):
        assert keyed_client.get(path).status_code == 200, path


def test_without_a_configured_key_v1_is_open_on_loopback(client: TestClient) -> None:
    assert client.get("/v1/regions").status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "localhost", "::1", "[::1]"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, "")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org", ""])
def test_other_hosts_need_a_key(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(InsecureBindError, match="ELDERBOT_API_KEY"):
        check_bind(host, "")
    check_bind(host, "some-key")


def test_serve_refuses_a_public_host_without_a_key(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ELDERBOT_API_KEY", raising=False)
    started: list[object] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append(a))
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert args.run(args) == 2
    assert started == []
    assert "ELDERBOT_API_KEY" in capsys.readouterr().err


def test_serve_starts_uvicorn_with_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELDERBOT_API_KEY", "k")
    calls: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append({"app": app, **kw}))
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert isinstance(args, argparse.Namespace)
    assert args.run(args) == 0
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["port"] == 8123
    assert calls[0]["app"].state.services.settings.api_key == "k"


def test_page_is_self_contained_under_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    for path in ("/", "/static/app.js", "/static/app.css"):
        text = client.get(path).text
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path
    assert page.headers["x-content-type-options"] == "nosniff"
