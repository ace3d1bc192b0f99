"""Which inputs `aocnn verify` checks, puzzle by puzzle.

For each puzzle, in this order:
1. files in `--inputs DIR`: `YEAR_DAY.txt`, or every `*.txt` in a folder `YEAR_DAY/` (DAY with or
   without a leading zero: `2023_1.txt`, `2023_01/mine.txt`); known answers, if any, come from a
   sibling `NAME.answers` file (line 1: part 1, line 2: part 2; blank or `?` when unknown);
2. the user's own input through aocd, when a session token is set (known answers from aocd's cache);
3. otherwise the puzzle's generated sample, marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from aocnn import inputs
from aocnn.errors import InputError
from aocnn.registry import Puzzle


@dataclass(frozen=True)
class Unavailable:
    """An input that could not be had; its parts are reported as errors."""

    source: str
    name: str
    message: str


def names(puzzle: Puzzle) -> list[str]:
    return sorted({f"{puzzle.year}_{puzzle.day}", f"{puzzle.year}_{puzzle.day:02d}"})


def files_in(directory: Path, puzzle: Puzzle) -> list[Path]:
    found = []
    for name in names(puzzle):
        found.append(directory / f"{name}.txt")
        if (directory / name).is_dir():
            found.extend(sorted((directory / name).glob("*.txt")))
    return [path for path in found if path.is_file()]


def read_answers(input_path: Path) -> dict[int, str]:
    path = input_path.with_suffix(".answers")
    if not path.is_file():
        return {}
    try:
        rows = path.read_text(encoding="utf-8").splitlines()[:2]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read known answers {path}: {exc}") from exc
    return {part: answer.strip() for part, answer in enumerate(rows, 1) if answer.strip() not in ("", "?")}


def from_dir(directory: Path, puzzle: Puzzle) -> list[inputs.PuzzleInput | Unavailable]:
    found: list[inputs.PuzzleInput | Unavailable] = []
    for path in files_in(directory, puzzle):
        try:
            found.append(replace(inputs.from_file(str(path)), known=read_answers(path)))
        except InputError as exc:
            found.append(Unavailable("file", str(path), str(exc)))
    return found


def inputs_for(puzzle: Puzzle, directory: Path | None, token: bool) -> list[inputs.PuzzleInput | Unavailable]:
    """Every input to verify this puzzle on (see the module docstring for the order)."""
    if directory is not None:
        found = from_dir(directory, puzzle)
        if found:
            return found
    if token:
        try:
            return [inputs.from_aocd(puzzle)]
        except InputError as exc:
            return [Unavailable("aocd", "aocd", str(exc))]
    return [inputs.sample(puzzle)]


def unmatched(directory: Path, puzzles: list[Puzzle]) -> list[str]:
    """Entries in DIR that look like inputs but name no puzzle being verified (likely a typo)."""
    wanted = {name for puzzle in puzzles for name in names(puzzle)}
    stray = []
    for entry in sorted(directory.iterdir()):
        stem = entry.stem if entry.is_file() else entry.name
        if (entry.is_dir() or entry.suffix == ".txt") and stem not in wanted and not entry.name.startswith("."):
            stray.append(entry.name)
    return stray
