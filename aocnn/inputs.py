"""Where a puzzle input comes from. The one module that talks to advent-of-code-data.

aocd owns the session token, the per-user cache and the network; we only ask it.
It reads AOCD_DIR / AOCD_CONFIG_DIR when imported, so it is imported lazily here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from aocnn.errors import InputError
from aocnn.registry import Puzzle

SAMPLE_SEED = 2023
PART_LETTERS = {1: "a", 2: "b"}


@dataclass(frozen=True)
class PuzzleInput:
    text: str
    source: str  # "aocd" | "file" | "stdin" | "sample"
    known: dict[int, str] = field(default_factory=dict)  # part -> answer aocd holds
    name: str = ""  # what to call it in a report (a path, "aocd", "sample")


def has_token() -> bool:
    """Is an AoC session token configured where aocd looks for one?"""
    if os.environ.get("AOC_SESSION"):
        return True
    import aocd.models

    token_file = aocd.models.AOCD_CONFIG_DIR / "token"
    return token_file.is_file() and bool(token_file.read_text(encoding="utf-8").split())


def from_file(path: str) -> PuzzleInput:
    if path == "-":
        return PuzzleInput(sys.stdin.read(), "stdin", name="stdin")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read input file {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    return PuzzleInput(text, "file", name=str(path))


def sample(puzzle: Puzzle, seed: int = SAMPLE_SEED) -> PuzzleInput:
    return PuzzleInput(puzzle.generate_input(seed), "sample", name=f"sample (seed {seed})")


def known_answers(aocd_puzzle) -> dict[int, str]:
    """Answers aocd has cached for this user; never asks the network for them."""
    known = {}
    for part, letter in PART_LETTERS.items():
        path = getattr(aocd_puzzle, f"answer_{letter}_path")
        if path.is_file():
            answer = path.read_text(encoding="utf-8").strip()
            if answer:
                known[part] = answer
    return known


def from_aocd(puzzle: Puzzle) -> PuzzleInput:
    import aocd.models

    try:
        aocd_puzzle = aocd.models.Puzzle(year=puzzle.year, day=puzzle.day)
        text = aocd_puzzle.input_data
        known = known_answers(aocd_puzzle)
    except Exception as exc:  # aocd raises its own errors, urllib3's offline, OSError on disk
        cause = _root_cause(exc)
        raise InputError(
            f"could not get your input for {puzzle.year} day {puzzle.day} through aocd: {cause}"
        ) from exc
    return PuzzleInput(text, "aocd", known, name="aocd")


def _root_cause(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)  # urllib3 MaxRetryError wraps the real one
    while isinstance(reason, BaseException) and getattr(reason, "reason", None) is not None:
        reason = reason.reason
    shown = reason if isinstance(reason, BaseException) else exc
    text = str(shown).splitlines()[0] if str(shown) else ""
    return f"{type(shown).__name__}: {text}" if text else type(shown).__name__


def resolve(puzzle: Puzzle, input_path: str | None = None, use_sample: bool = False) -> tuple[PuzzleInput, str | None]:
    """The input to solve, and a notice for stderr when we fell back to a sample."""
    if input_path is not None:
        return from_file(input_path), None
    if use_sample:
        return sample(puzzle), None
    if has_token():
        return from_aocd(puzzle), None
    notice = (
        f"no AoC session token: solving a generated sample of {puzzle.year} day {puzzle.day}"
        " (set AOC_SESSION to solve your own input, or pass --input FILE)"
    )
    return sample(puzzle), notice
