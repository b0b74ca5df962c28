"""The passage store: owns chunk ids, passage metadata and the row order every retriever shares."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from knowledge.retrieval.passages import Passage


class PassageStore:
    """Passages in a fixed order; retrievers score rows, the store turns rows back into passages."""

    FILE_NAME = "passages.jsonl"

    def __init__(self, passages: Iterable[Passage]) -> None:
        self.passages: list[Passage] = list(passages)
        if len({p.chunk_id for p in self.passages}) != len(self.passages):
            raise ValueError("chunk ids must be unique")
        self.regions: list[str] = list(dict.fromkeys(p.region for p in self.passages))
        self._region_rows = {
            region: np.array([r for r, p in enumerate(self.passages) if p.region == region], dtype=np.int64)
            for region in self.regions
        }

    def __len__(self) -> int:
        return len(self.passages)

    def region_mask(self, regions: Sequence[str] | None) -> np.ndarray | None:
        """A boolean row mask for passages of the given regions (None: no restriction)."""
        if not regions:
            return None
        mask = np.zeros(len(self.passages), dtype=bool)
        for region in regions:
            rows = self._region_rows.get(region)
            if rows is not None:
                mask[rows] = True
        return mask

    def index_text(self, row: int) -> str:
        """What retrievers read for a passage: its section path, then its text."""
        passage = self.passages[row]
        return f"{passage.section}\n{passage.text}"

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / self.FILE_NAME).open("w", encoding="utf-8") as handle:
            for passage in self.passages:
                handle.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, directory: Path) -> PassageStore:
        with (directory / cls.FILE_NAME).open(encoding="utf-8") as handle:
            return cls(Passage.from_dict(json.loads(line)) for line in handle if line.strip())
