"""The passage store: owns chunk ids, passage metadata and the row order every retriever shares."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
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
        """The saved passages; ValueError naming the line for anything but a passage per line (an unknown or
        missing key, a wrong type, a cut line)."""
        with (directory / cls.FILE_NAME).open(encoding="utf-8") as handle:
            return cls(_passages(handle, directory / cls.FILE_NAME))


_PASSAGE_TYPES = {f.name: (int if f.type in ("int", int) else str) for f in fields(Passage)}
_REQUIRED = {f.name for f in fields(Passage) if f.name != "kind"}


def _passages(lines: Iterable[str], path: Path) -> Iterator[Passage]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc})") from None
        if not isinstance(data, dict) or not _REQUIRED <= data.keys() <= _PASSAGE_TYPES.keys():
            raise ValueError(f"{path}:{number}: not a passage (keys {sorted(data) if isinstance(data, dict) else '?'})")
        for key, value in data.items():
            expected = _PASSAGE_TYPES[key]
            if type(value) is not expected:  # bool is no int, a number no string
                raise ValueError(f"{path}:{number}: {key} is {type(value).__name__}, not {expected.__name__}")
        yield Passage(**data)
