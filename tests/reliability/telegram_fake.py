"""The Telegram channel's fake Bot API (tests/telegram/telegram_fake_api.py), shared rather than copied."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "telegram_fake_api"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        _NAME, Path(__file__).resolve().parents[1] / "telegram" / f"{_NAME}.py")
    assert _spec is not None and _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _module
    _spec.loader.exec_module(_module)

FakeBotApi = sys.modules[_NAME].FakeBotApi
running = sys.modules[_NAME].running
Call = sys.modules[_NAME].Call

__all__ = ["Call", "FakeBotApi", "running"]
