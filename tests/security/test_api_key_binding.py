"""The API key is enforced whenever the API is reachable from other machines: `elderbot serve` will not bind
beyond loopback without one, and with one every /v1 route needs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from security_secrets import FAKE_API_KEY

from bot.channels.cli.main import build_parser
from bot.settings import BotSettings


def run_serve(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[dict[str, Any]]]:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: started.append({"app": app, **kwargs}))
    args = build_parser().parse_args(["serve", *argv])
    return args.run(args), started


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "elderbot.example"])
def test_public_bind_from_the_environment_needs_a_key(host: str, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ELDERBOT_HOST", host)
    monkeypatch.delenv("ELDERBOT_API_KEY", raising=False)
    code, started = run_serve([], monkeypatch)
    assert code == 2 and started == []
    assert "ELDERBOT_API_KEY" in capsys.readouterr().err


def test_public_bind_with_a_key_serves_an_app_that_enforces_it(monkeypatch: pytest.MonkeyPatch,
                                                               security_settings: BotSettings) -> None:
    monkeypatch.setenv("ELDERBOT_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("ELDERBOT_INDEX_DIR", str(security_settings.knowledge.index_dir))
    monkeypatch.setenv("ELDERBOT_DATA_DIR", str(security_settings.data_dir))
    code, [started] = run_serve(["--host", "0.0.0.0", "--port", "8765"], monkeypatch)
    assert code == 0 and (started["host"], started["port"]) == ("0.0.0.0", 8765)
    with TestClient(started["app"], client=("203.0.113.9", 50000)) as client:  # a caller from another machine
        assert client.get("/v1/regions").status_code == 401
        assert client.get("/v1/regions", headers={"X-API-Key": FAKE_API_KEY + "x"}).status_code == 401
        assert client.get("/v1/regions", headers={"X-API-Key": FAKE_API_KEY}).status_code == 200
        assert client.get("/healthz").status_code == 200, "health stays open for the orchestrator"


def test_a_real_server_refuses_keyless_calls(live_server: tuple[str, Path]) -> None:
    base, _ = live_server
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.post("/v1/ask", json={"question": "高龄津贴"}).status_code == 401
        answered = client.post("/v1/ask", json={"question": "高龄津贴"}, headers={"X-API-Key": FAKE_API_KEY})
        assert answered.status_code == 200 and answered.json()["answer"].strip()
