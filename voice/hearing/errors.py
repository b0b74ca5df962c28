"""How far what was heard is from what was said: the character error rate the benches and tests measure."""

from __future__ import annotations


def edit_distance(said: str, heard: str) -> int:
    """Levenshtein distance in characters (insertions, deletions and substitutions cost 1)."""
    previous = list(range(len(heard) + 1))
    for i, expected in enumerate(said, 1):
        current = [i]
        for j, got in enumerate(heard, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (expected != got)))
        previous = current
    return previous[-1]


def character_error_rate(said: str, heard: str) -> float:
    """edit_distance over the length of what was said (0 for nothing said and nothing heard)."""
    return edit_distance(said, heard) / max(1, len(said))
