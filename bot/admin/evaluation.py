"""The dev-set figures (rules of shared/eval/README.md) for any file in that format."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.dialogue.seam import DialogueBackend, Turn
from knowledge.tuning.calibration import evidence_in as hits_evidence

NO_CONTENT = ("greet", "goodbye", "ask_more", "repeat")  # turns that count for intent only
AFTER_FIRST = "(any turn after the first)"


def norm(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


@dataclass
class Figures:
    items: int = 0
    answerable: int = 0
    needs_region: int = 0
    unanswerable: int = 0
    recall_at_1: float = 0.0
    recall_at_k: float = 0.0
    mrr: float = 0.0
    key_facts: float = 0.0
    false_fallback: float = 0.0
    unanswerable_handled: float = 0.0
    needs_region_handled: float = 0.0
    intent_accuracy: float = 0.0
    k: int = 5
    kinds: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind → (judged right, turns)

    def lines(self) -> list[str]:
        pct = lambda x: f"{100 * x:5.1f}%"  # noqa: E731
        return [
            f"items={self.items} answerable={self.answerable} needs_region={self.needs_region} "
            f"unanswerable={self.unanswerable}",
            f"recall@1 {pct(self.recall_at_1)}  recall@{self.k} {pct(self.recall_at_k)}  MRR@{self.k} {self.mrr:.3f}",
            f"key-facts in answer {pct(self.key_facts)}  false-fallback {pct(self.false_fallback)}",
            f"unanswerable handled {pct(self.unanswerable_handled)}  needs-region handled "
            f"{pct(self.needs_region_handled)}  intent acc {pct(self.intent_accuracy)}",
            *self.kind_lines(),
        ]

    def kind_lines(self) -> list[str]:
        """score.py's per-kind lines: the share of each kind's turns judged right, and all turns after the first."""
        if not self.kinds:
            return []
        right = sum(ok for kind, (ok, _) in self.kinds.items() if not kind.startswith("("))
        total = sum(n for kind, (_, n) in self.kinds.items() if not kind.startswith("("))
        lines = [f"judged right overall {100 * right / max(total, 1):5.1f}% (n={total})"]
        for kind, (ok, n) in sorted(self.kinds.items()):
            lines.append(f"  {kind:<28} {100 * ok / max(n, 1):5.1f}% ({ok}/{n})")
        return lines


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def judged_right(item: dict, answer: dict, regions: re.Pattern[str]) -> bool:
    """The per-kind rule: what a user would count as handled right."""
    action = answer.get("action", "answer")
    if not item["answerable"]:
        return action in ("fallback", "smalltalk")
    if item.get("needs_region"):
        return action == "clarify_region" or len(set(regions.findall(answer.get("answer", "")))) >= 2
    text = norm(answer.get("answer", ""))
    return action != "fallback" and all(norm(fact) in text for fact in item["key_facts"])


def score(items: Sequence[dict], answers: Sequence[dict], short_names: Sequence[str], k: int = 5) -> Figures:
    """Figures of answers (intent, action, answer, sources) against labelled items, in the same order;
    `short_names` are the covered regions' short names (an answer naming two of them handles a
    needs-region item)."""
    if len(items) != len(answers):
        raise ValueError(f"{len(items)} items but {len(answers)} answers")
    regions = re.compile("(" + "|".join(re.escape(name) for name in short_names) + ")")
    f = Figures(items=len(items), k=k)
    for item, answer in zip(items, answers, strict=True):
        if "kind" in item and item["intent"] not in NO_CONTENT:
            right = judged_right(item, answer, regions)
            for kind in [item["kind"], *([AFTER_FIRST] if int(item.get("turn", 1)) > 1 else [])]:
                ok, n = f.kinds.get(kind, (0, 0))
                f.kinds[kind] = (ok + right, n + 1)
    r1 = rk = mrr = facts = false_fb = oos_ok = reg_ok = intent_ok = 0.0
    for item, answer in zip(items, answers, strict=True):
        intent_ok += (answer.get("intent") or "") == item["intent"]
        action = answer.get("action", "answer")
        if item["intent"] in NO_CONTENT:
            continue
        if not item["answerable"]:
            f.unanswerable += 1
            oos_ok += action in ("fallback", "smalltalk")
            continue
        if item.get("needs_region"):
            f.needs_region += 1
            named = set(regions.findall(answer.get("answer", "")))
            reg_ok += action == "clarify_region" or len(named) >= 2
            continue
        f.answerable += 1
        false_fb += action == "fallback"
        rank = _first_hit(item["evidence"], [s.get("text", "") for s in answer.get("sources") or []][:k])
        if rank:
            rk += 1
            mrr += 1 / rank
            r1 += rank == 1
        text = norm(answer.get("answer", ""))
        facts += all(norm(fact) in text for fact in item["key_facts"])
    n = max(f.answerable, 1)
    f.recall_at_1, f.recall_at_k, f.mrr, f.key_facts, f.false_fallback = r1 / n, rk / n, mrr / n, facts / n, false_fb / n
    f.unanswerable_handled = oos_ok / max(f.unanswerable, 1)
    f.needs_region_handled = reg_ok / max(f.needs_region, 1)
    f.intent_accuracy = intent_ok / max(f.items, 1)
    return f


def _first_hit(evidence: Iterable[str], sources: Sequence[str]) -> int | None:
    for rank, text in enumerate(sources, start=1):
        if any(hits_evidence(e, text) for e in evidence):
            return rank
    return None


def ask_all(backend: DialogueBackend, items: Sequence[dict]) -> list[dict[str, object]]:
    """Each item's reply, in order; items sharing a "conversation" are asked in one conversation (the rules of
    shared/eval/README.md), the others each on their own."""
    return [backend.respond(Turn(str(item.get("question", "")), _conversation(item))).to_dict() for item in items]


def _conversation(item: dict) -> str | None:
    conversation = item.get("conversation")
    return f"eval:{conversation}" if conversation not in (None, "") else None
