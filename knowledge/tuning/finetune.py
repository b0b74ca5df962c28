"""Fine-tune an encoder on domain pairs with the sentence-transformers trainer.

Pairs come from the project's own data, never from an eval set:
  - NLU examples (nlu_data/data/nlu/*.yml): two questions of the same intent,
  - synonyms (nlu_data/data/synonyms.yml): a colloquial word and the plan word it stands for,
  - the plans: a section title and a passage under it; one sentence of a passage and the passage.
Training is explicit (`elderbot index --finetune`), never a side effect of opening an index.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.ingest.chunking import split_sentences
from knowledge.ingest.structure import SECTION_SEPARATOR
from knowledge.retrieval.dense import DenseUnavailable, resolve_model
from knowledge.retrieval.encoder_text import write_text_view_name
from knowledge.retrieval.store import PassageStore
from knowledge.text.chinese import DEFAULT_SYNONYMS
from knowledge.text.text_resources import load_synonyms

NLU_DIR = Path(__file__).resolve().parents[2] / "nlu_data" / "data" / "nlu"
DOMAIN_INTENTS = frozenset({"subsidy", "elder_university", "station", "meal", "policy_other"})
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")
_NUMBERING = re.compile(r"^(第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.．、]|专栏\s*\d+)\s*")
INSTALL_HINT = "fine-tuning needs sentence-transformers, datasets and accelerate: pip install 'elderbot[dense]'"


@dataclass(frozen=True)
class TrainingPair:
    """Two texts that should embed close together, and where the pair came from."""

    anchor: str
    positive: str
    source: str


def nlu_examples(nlu_dir: Path = NLU_DIR) -> dict[str, list[str]]:
    """Examples per domain intent, entity markup removed (read by knowledge.text.nlu_data)."""
    from knowledge.text.nlu_data import load_training_data

    examples: dict[str, list[str]] = {}
    for example in load_training_data(nlu_dir).examples:
        if example.intent in DOMAIN_INTENTS:
            examples.setdefault(example.intent, []).append(example.text)
    return examples


def intent_pairs(examples: dict[str, list[str]], rng: random.Random) -> list[TrainingPair]:
    """Each example with another example of its intent."""
    pairs = []
    for texts in examples.values():
        if len(texts) < 2:
            continue
        shuffled = texts[:]
        rng.shuffle(shuffled)
        pairs += [TrainingPair(a, b, "nlu") for a, b in zip(shuffled, shuffled[1:] + shuffled[:1], strict=True)]
    return pairs


def synonym_pairs(synonyms_file: Path = DEFAULT_SYNONYMS) -> list[TrainingPair]:
    return [TrainingPair(e.variant, " ".join(e.canonical), "synonym") for e in load_synonyms(synonyms_file)]


def section_title(section: str) -> str:
    """The last heading of a section path, numbering cut (第三章, 一、, （二）, 1., 专栏N)."""
    return _NUMBERING.sub("", section.split(SECTION_SEPARATOR)[-1]).strip()


def plan_pairs(store: PassageStore, rng: random.Random) -> list[TrainingPair]:
    """Section title ↔ passage, and one sentence ↔ the rest of its passage (inverse cloze)."""
    pairs = []
    for passage in store.passages:
        title = section_title(passage.section)
        if len(title) >= 4:
            pairs.append(TrainingPair(title, passage.text, "heading"))
        sentences = split_sentences(passage.text)
        if len(sentences) >= 2:
            pick = rng.randrange(len(sentences))
            rest = "".join(s for n, s in enumerate(sentences) if n != pick)
            pairs.append(TrainingPair(sentences[pick], rest, "sentence"))
    return pairs


def domain_pairs(store: PassageStore, seed: int = 13, nlu_dir: Path = NLU_DIR) -> list[TrainingPair]:
    """Every kind of pair, shuffled."""
    rng = random.Random(seed)
    pairs = intent_pairs(nlu_examples(nlu_dir), rng) + synonym_pairs() + plan_pairs(store, rng)
    rng.shuffle(pairs)
    return pairs


@dataclass(frozen=True)
class FinetuneSettings:
    """How long and how hard to train, on which kinds of pair (inverse-cloze "sentence" pairs are long
    and slow on CPU, so they are left out unless asked for)."""

    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 5e-5
    max_seq_length: int = 64
    saved_max_seq_length: int = 128
    seed: int = 13
    kinds: tuple[str, ...] = ("nlu", "synonym", "heading")
    max_pairs: int | None = None


def finetune_encoder(
    base_model: str,
    pairs: Iterable[TrainingPair],
    output_dir: Path,
    view: Callable[[str], str],
    view_name: str,
    settings: FinetuneSettings | None = None,
) -> Path:
    """Train `base_model` with in-batch negatives (MultipleNegativesRankingLoss) on the pairs, seen through
    the text view, and save it (with the view's name) to output_dir."""
    settings = settings or FinetuneSettings()
    modules = _training_modules()
    pairs = [p for p in pairs if p.source in settings.kinds][: settings.max_pairs]
    if not pairs:
        raise ValueError("no training pairs")
    model = modules["SentenceTransformer"](resolve_model(base_model), device="cpu")
    model.max_seq_length = settings.max_seq_length
    dataset = modules["Dataset"].from_dict(
        {"anchor": [view(p.anchor) for p in pairs], "positive": [view(p.positive) for p in pairs]}
    )
    with tempfile.TemporaryDirectory(prefix="elderbot-finetune-") as work_dir:
        arguments = modules["Arguments"](
            output_dir=work_dir,
            num_train_epochs=settings.epochs,
            per_device_train_batch_size=settings.batch_size,
            learning_rate=settings.learning_rate,
            warmup_ratio=0.1,
            batch_sampler=modules["BatchSamplers"].NO_DUPLICATES,
            save_strategy="no",
            logging_strategy="no",
            report_to=[],
            seed=settings.seed,
            use_cpu=True,
            disable_tqdm=True,
        )
        trainer = modules["Trainer"](
            model=model,
            args=arguments,
            train_dataset=dataset,
            loss=modules["Loss"](model),
        )
        trainer.train()
    model.max_seq_length = settings.saved_max_seq_length
    shutil.rmtree(output_dir, ignore_errors=True)
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(output_dir))
    write_text_view_name(output_dir, view_name)
    return output_dir


def _training_modules() -> dict[str, Any]:
    try:
        from datasets import Dataset
        from sentence_transformers import (
            SentenceTransformer,
            SentenceTransformerTrainer,
            SentenceTransformerTrainingArguments,
        )
    except ImportError as exc:
        raise DenseUnavailable(INSTALL_HINT) from exc
    try:  # sentence-transformers >= 6 moved these; older releases keep the second paths
        from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
        from sentence_transformers.sentence_transformer.training_args import BatchSamplers
    except ImportError:
        from sentence_transformers.losses import MultipleNegativesRankingLoss
        from sentence_transformers.training_args import BatchSamplers
    return {
        "Dataset": Dataset,
        "SentenceTransformer": SentenceTransformer,
        "Trainer": SentenceTransformerTrainer,
        "Arguments": SentenceTransformerTrainingArguments,
        "Loss": MultipleNegativesRankingLoss,
        "BatchSamplers": BatchSamplers,
    }
