"""Build the configured engines, in the configured order."""

from __future__ import annotations

from voice.engines.base import SpeechEngine
from voice.engines.edge_engine import EdgeEngine
from voice.engines.espeak_engine import EspeakEngine
from voice.engines.gtts_engine import GttsEngine
from voice.engines.neural_engine import NeuralEngine
from voice.settings import VoiceSettings


def build_engine(name: str, settings: VoiceSettings) -> SpeechEngine:
    """One engine by its settings name: 'neural', 'gtts', 'edge' or 'espeak' (nothing heavy is loaded here)."""
    if name == "neural":
        return NeuralEngine(settings.neural_speed, settings.neural_seed, settings.neural_threads,
                            settings.model_dir, settings.neural_clause_pause_ms)
    if name == "gtts":
        return GttsEngine(settings.gtts_lang, settings.gtts_tld, settings.gtts_slow, settings.timeout_s,
                          settings.gtts_base_url)
    if name == "edge":
        return EdgeEngine(settings.edge_voice, settings.edge_rate, settings.timeout_s, settings.edge_url)
    if name == "espeak":
        return EspeakEngine(settings.espeak_voice, settings.espeak_speed_wpm, max(settings.timeout_s, 30.0),
                            settings.espeak_binary, settings.synthesis_niceness)
    raise ValueError(f"unknown TTS engine {name!r}")


def build_engines(settings: VoiceSettings) -> list[SpeechEngine]:
    """All engines of `settings.engines`, first choice first."""
    return [build_engine(name, settings) for name in settings.engines]
