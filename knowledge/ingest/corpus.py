"""The plan corpus: the manifest and the raw texts it lists."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from knowledge.retrieval.passages import Plan

PACKAGED_PLANS_DIR = Path(__file__).resolve().parents[1] / "plans"
MANIFEST_NAME = "manifest.csv"


class CorpusError(ValueError):
    """The plans folder or its manifest is not usable; the message says how to fix it."""


@dataclass(frozen=True)
class PlanText:
    """A plan's manifest entry with its raw text."""

    plan: Plan
    raw: str


def load_manifest(plans_dir: Path = PACKAGED_PLANS_DIR) -> list[Plan]:
    """Read manifest.csv; every listed file must exist next to it."""
    path = plans_dir / MANIFEST_NAME
    if not path.is_file():
        raise CorpusError(f"no {MANIFEST_NAME} in {plans_dir}: add one line per plan file")
    names = {f.name for f in fields(Plan)}
    plans: list[Plan] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            missing = [key for key in ("file", "title", "province") if not row.get(key)]
            if missing:
                raise CorpusError(f"{path}:{line_no}: missing {', '.join(missing)}")
            if not (plans_dir / row["file"]).is_file():
                raise CorpusError(f"{path}:{line_no}: file {row['file']} not found in {plans_dir}")
            plans.append(Plan(**{k: v for k, v in row.items() if k in names}))
    if not plans:
        raise CorpusError(f"{path} lists no plans")
    return plans


def read_plans(plans_dir: Path = PACKAGED_PLANS_DIR) -> Iterator[PlanText]:
    """Each manifest entry with its text (UTF-8, BOM tolerated)."""
    for plan in load_manifest(plans_dir):
        raw = (plans_dir / plan.file).read_bytes().decode("utf-8-sig", errors="replace")
        yield PlanText(plan=plan, raw=raw)


def corpus_fingerprint(plans_dir: Path = PACKAGED_PLANS_DIR) -> str:
    """A digest of the manifest and every plan file's bytes: changes when any input changes."""
    digest = hashlib.sha256()
    digest.update((plans_dir / MANIFEST_NAME).read_bytes())
    for plan in load_manifest(plans_dir):
        digest.update(plan.file.encode())
        digest.update((plans_dir / plan.file).read_bytes())
    return digest.hexdigest()[:16]
