"""Reads the Rasa 3.x project data (nlu_data/data/**/*.yml): intent examples, synonyms and lookup tables."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "nlu_data" / "data"

# [text](entity) · [text](entity:value) (Rasa 1.x) · [text]{"entity": "region", "value": "万州"}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]\[]+)\](?:\((?P<short>[^)]*)\)|(?P<json>\{[^{}]*\}))")


@dataclass(frozen=True)
class EntitySpan:
    """An annotated entity in an example, with offsets into the stripped text."""

    entity: str
    text: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    """One training utterance of an intent, annotations stripped."""

    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = ()


@dataclass(frozen=True)
class Synonym:
    """Words that stand for one canonical value (Rasa `synonym:`)."""

    value: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Lookup:
    """A named list of words (Rasa `lookup:`), e.g. the towns of the regions."""

    name: str
    elements: tuple[str, ...]


@dataclass
class TrainingData:
    """Everything the embedded NLU learns from, plus a fingerprint of the files it came from."""

    examples: list[Example] = field(default_factory=list)
    synonyms: list[Synonym] = field(default_factory=list)
    lookups: list[Lookup] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def intents(self) -> list[str]:
        """Intent names in order of first appearance."""
        return list(dict.fromkeys(example.intent for example in self.examples))

    def counts(self) -> Counter[str]:
        """Number of examples per intent."""
        return Counter(example.intent for example in self.examples)

    def synonym_map(self) -> dict[str, str]:
        """Variant → canonical value; a variant given two values keeps the first."""
        mapping: dict[str, str] = {}
        for synonym in self.synonyms:
            for variant in synonym.examples:
                mapping.setdefault(variant, synonym.value)
        return mapping

    def lookup(self, name: str) -> tuple[str, ...]:
        """All elements of the lookup tables of that name."""
        return tuple(e for table in self.lookups if table.name == name for e in table.elements)


class TrainingDataError(ValueError):
    """A data file that is not valid Rasa 3 YAML training data."""


def parse_example(line: str) -> tuple[str, tuple[EntitySpan, ...]]:
    """Strip entity annotations from one example: '我是[万州区](region)的' → ('我是万州区的', spans)."""
    parts: list[str] = []
    spans: list[EntitySpan] = []
    position = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[position : match.start()]
        parts.append(before)
        length += len(before)
        text = match.group("text")
        entity, value = _entity_and_value(match.group("short"), match.group("json"), text)
        parts.append(text)
        if entity:
            spans.append(EntitySpan(entity, text, value, length, length + len(text)))
        length += len(text)
        position = match.end()
    parts.append(line[position:])
    return "".join(parts).strip(), tuple(spans)


def _entity_and_value(short: str | None, raw_json: str | None, text: str) -> tuple[str, str]:
    if raw_json is not None:
        try:
            payload = json.loads(raw_json)
        except json.JSONDecodeError as error:
            raise TrainingDataError(f"bad entity annotation {raw_json!r}: {error}") from error
        return str(payload.get("entity", "")), str(payload.get("value", text))
    entity, _, value = (short or "").partition(":")
    return entity.strip(), value.strip() or text


def _items(block: dict[str, Any]) -> list[str]:
    """The example lines of a block: an `examples: |` string of '- ' lines or a list of {text: ...}."""
    examples = block.get("examples")
    if isinstance(examples, str):
        lines = [line.strip() for line in examples.splitlines()]
        return [line[1:].strip() for line in lines if line.startswith("-") and line[1:].strip()]
    if isinstance(examples, list):
        return [str(item.get("text", "")).strip() for item in examples if isinstance(item, dict) and item.get("text")]
    return []


def data_files(data_dir: Path = DEFAULT_DATA_DIR) -> list[Path]:
    """The YAML files of the data folder, recursively, in a stable order."""
    return sorted(p for p in data_dir.rglob("*") if p.suffix in {".yml", ".yaml"} and p.is_file())


def fingerprint_files(files: list[Path], root: Path) -> str:
    """SHA-256 over the files' relative names and contents: changes whenever the training data does."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_training_data(data_dir: Path = DEFAULT_DATA_DIR) -> TrainingData:
    """Read every `nlu:` block of the data folder (rules and stories are skipped)."""
    files = data_files(data_dir)
    data = TrainingData(fingerprint=fingerprint_files(files, data_dir))
    for path in files:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise TrainingDataError(f"{path}: {error}") from error
        if not isinstance(document, dict):
            raise TrainingDataError(f"{path}: expected a mapping at the top level")
        for block in document.get("nlu") or []:
            if not isinstance(block, dict):
                raise TrainingDataError(f"{path}: nlu items must be mappings, got {block!r}")
            _read_block(block, data)
    return data


def _read_block(block: dict[str, Any], data: TrainingData) -> None:
    if "intent" in block:
        intent = str(block["intent"])
        for line in _items(block):
            text, spans = parse_example(line)
            if text:
                data.examples.append(Example(text, intent, spans))
    elif "synonym" in block:
        data.synonyms.append(Synonym(str(block["synonym"]), tuple(_items(block))))
    elif "lookup" in block:
        data.lookups.append(Lookup(str(block["lookup"]), tuple(_items(block))))


def read_file(path: Path) -> TrainingData:
    """One Rasa data file (e.g. synonyms.yml) read the same way as a whole folder; a missing file is empty."""
    data = TrainingData()
    if path.is_file():
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            if isinstance(block, dict):
                _read_block(block, data)
    return data
