"""aocnn as an advent-of-code-data plugin: `aoc -p aocnn -y 2023 -d 1` runs aocnn's solvers.

aocd's runner calls `solve(year=..., day=..., data=...)` in a fresh process inside a temporary
working directory, so everything here is found from the installed packages, never from the cwd.

Which solver answers each part (environment, since `aoc` passes no options to plugins):
- AOCNN_SOLVER=auto (default): the neural solver where the puzzle has one and its trained
  weights are present, the classical one otherwise (a missing-weights note goes to stderr);
  a neural answer with low-confidence records is replaced by the classical one (said on stderr);
- AOCNN_SOLVER=neural: the neural solver only; missing weights are an error;
- AOCNN_SOLVER=classical: the classical solver only.
AOCNN_DEVICE=cpu|gpu picks the JAX backend, AOCNN_WEIGHTS=DIR a weights root other than the shipped one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aocnn import registry, runner
from aocnn.errors import AocnnError, WeightsError

CHOICES = ("auto", "neural", "classical")


def settings() -> tuple[str, str | None, Path | None]:
    choice = os.environ.get("AOCNN_SOLVER", "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise AocnnError(f"AOCNN_SOLVER={choice!r}: expected one of {', '.join(CHOICES)}")
    device = os.environ.get("AOCNN_DEVICE") or None
    root = os.environ.get("AOCNN_WEIGHTS")
    return choice, device, Path(root) if root else None


def answer(puzzle: registry.Puzzle, part: int, records, choice: str, networks: runner.Networks) -> str:
    if choice != "classical" and part in puzzle.neural:
        try:
            network, _ = networks.get(puzzle, part)
        except WeightsError as exc:
            if choice == "neural":
                raise
            print(f"aocnn: {puzzle.year}/{puzzle.day} part {part}: classical solver used: {exc}", file=sys.stderr)
        else:
            result = network.solve(records)
            if not result.low_confidence:
                return str(result.answer)
            where = f"aocnn: {puzzle.year}/{puzzle.day} part {part}: {result.low_confidence} low-confidence records"
            if choice == "neural":
                print(f"{where}; the neural answer may be wrong", file=sys.stderr)
                return str(result.answer)
            print(f"{where}: classical solver used", file=sys.stderr)  # never submit a guess
    elif choice == "neural":
        raise AocnnError(f"{puzzle.year} day {puzzle.day} part {part} has no neural solver (AOCNN_SOLVER=neural)")
    return str(puzzle.classical(part)(records))


def solve(year: int, day: int, data: str) -> tuple[str | None, str | None]:
    """aocd's `adventofcode.user` entry point: the answers to parts a and b."""
    choice, device, root = settings()
    puzzle = registry.all_puzzles().get((int(year), int(day)))
    if puzzle is None:
        return None, None  # aocd's convention for "no solver for this day": it skips it
    networks = runner.Networks(device, root)
    records = puzzle.records(data)  # one parse for both parts and both solvers
    return answer(puzzle, 1, records, choice, networks), answer(puzzle, 2, records, choice, networks)
