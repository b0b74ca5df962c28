"""The layout's import rules, read from the source with ast (top-level and function-level imports alike)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported_names(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, module) of every import of a file, wherever it is (module level, function, TYPE_CHECKING)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def is_under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(folder: str, forbidden: callable) -> list[str]:  # type: ignore[valid-type]
    return [f"{path.relative_to(ROOT)}:{line} imports {module}"
            for path in modules_under(folder) for line, module in imported_names(path) if forbidden(module)]


def channel_forbidden(module: str) -> bool:
    if is_under(module, "knowledge"):
        return True
    return is_under(module, "bot.dialogue") and not is_under(module, "bot.dialogue.seam") \
        and module != "bot.dialogue"


def test_there_are_channel_modules_to_check() -> None:
    assert len(modules_under("bot/channels")) > 10


def test_channels_import_only_the_seam_of_the_dialogue_and_nothing_of_knowledge() -> None:
    assert violations("bot/channels", channel_forbidden) == []


def test_from_bot_dialogue_import_is_only_the_seam() -> None:
    """`from bot.dialogue import core` would slip past a module-name check: only `seam` may be named."""
    bad = [f"{path.relative_to(ROOT)}:{line} imports {module}"
           for path in modules_under("bot/channels") for line, module in imported_names(path)
           if module.startswith("bot.dialogue.") and not is_under(module, "bot.dialogue.seam")]
    assert bad == []


@pytest.mark.parametrize("folder", ["bot/dialogue", "bot/channels"])
def test_dialogue_and_channels_never_import_admin_or_tuning(folder: str) -> None:
    assert violations(folder, lambda m: is_under(m, "bot.admin") or is_under(m, "knowledge.tuning")) == []


def test_the_checker_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    probe = tmp_path / "bot" / "channels" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text("def f():\n    from knowledge.retrieval import search\n    from ..dialogue import core\n",
                     encoding="utf-8")
    modules = [m for _, m in imported_names(probe, tmp_path)]
    assert channel_forbidden("knowledge.retrieval") and "knowledge.retrieval" in modules
    assert "bot.dialogue.core" in modules and channel_forbidden("bot.dialogue.core")
    assert not channel_forbidden("bot.dialogue.seam")
