"""Settings of the knowledge core: where plans and indexes live, how passages are cut and scored."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from knowledge.chunking import ChunkingSettings
from knowledge.corpus import PACKAGED_PLANS_DIR


def default_index_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "elderbot" / "index"


@dataclass(frozen=True)
class KnowledgeSettings:
    """Everything that decides what an index holds; part of its fingerprint."""

    plans_dir: Path = PACKAGED_PLANS_DIR
    index_dir: Path = field(default_factory=default_index_dir)
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    embedding_model: str = ""
    dense_weight: float = 0.0

    @classmethod
    def from_env(cls) -> KnowledgeSettings:
        """ELDERBOT_PLANS_DIR, ELDERBOT_INDEX_DIR, ELDERBOT_EMBEDDING_MODEL, ELDERBOT_DENSE_WEIGHT."""
        settings = cls()
        env = os.environ
        if env.get("ELDERBOT_PLANS_DIR"):
            settings = replace(settings, plans_dir=Path(env["ELDERBOT_PLANS_DIR"]))
        if env.get("ELDERBOT_INDEX_DIR"):
            settings = replace(settings, index_dir=Path(env["ELDERBOT_INDEX_DIR"]))
        if env.get("ELDERBOT_EMBEDDING_MODEL"):
            settings = replace(settings, embedding_model=env["ELDERBOT_EMBEDDING_MODEL"])
        if env.get("ELDERBOT_DENSE_WEIGHT"):
            settings = replace(settings, dense_weight=float(env["ELDERBOT_DENSE_WEIGHT"]))
        return settings

    def fingerprint_fields(self) -> dict[str, object]:
        """The settings that change an index's content (not where it is stored)."""
        data = asdict(self)
        data.pop("index_dir")
        data["plans_dir"] = str(self.plans_dir)
        return data
