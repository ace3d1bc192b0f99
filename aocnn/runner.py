"""Runs a puzzle's parts with its solvers, times them and compares. Returns plain records; prints nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aocnn.errors import WeightsError
from aocnn.inputs import PuzzleInput
from aocnn.registry import Puzzle

SOLVERS = ("classical", "neural")


@dataclass(frozen=True)
class RunOptions:
    parts: tuple[int, ...] = (1, 2)
    solvers: tuple[str, ...] = SOLVERS
    device: str | None = None  # "cpu" | "gpu" | None: JAX's default
    weights: Path | None = None  # root holding <year_day>/partN; default: shipped weights


def train_command(puzzle: Puzzle, part: int) -> str:
    return f"aocnn train {puzzle.year} {puzzle.day} --part {part}"


def run_classical(puzzle: Puzzle, part: int, text: str) -> dict[str, Any]:
    solve = puzzle.classical(part)
    start = time.perf_counter()
    answer = solve(text)
    return {"answer": str(answer), "seconds": time.perf_counter() - start}


def load_neural(puzzle: Puzzle, part: int, device: str | None = None, root: Path | None = None):
    from aocnn.nn import devices, model

    chosen = devices.select(device)[0]
    try:
        return model.load(puzzle.neural[part], root, chosen)
    except WeightsError as exc:
        raise WeightsError(f"{exc}; rebuild them with `{train_command(puzzle, part)}`") from exc


def run_neural(puzzle: Puzzle, part: int, text: str, device: str | None = None, root: Path | None = None) -> dict[str, Any]:
    """Load (restore + compile, by a first solve of this input) is timed apart from the warm solve."""
    start = time.perf_counter()
    network = load_neural(puzzle, part, device, root)
    network.solve(text)
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    result = network.solve(text)
    seconds = time.perf_counter() - start
    return {
        "answer": str(result.answer),
        "seconds": seconds,
        "load_seconds": load_seconds,
        "low_confidence": result.low_confidence,
        "device": network.device.platform,
    }


def solve_part(puzzle: Puzzle, part: int, puzzle_input: PuzzleInput, options: RunOptions) -> dict[str, Any]:
    record: dict[str, Any] = {}
    if "classical" in options.solvers:
        record["classical"] = run_classical(puzzle, part, puzzle_input.text)
    if "neural" in options.solvers and part in puzzle.neural:
        record["neural"] = run_neural(puzzle, part, puzzle_input.text, options.device, options.weights)
    answers = [record[s]["answer"] for s in SOLVERS if s in record]
    known = puzzle_input.known.get(part)
    record["agree"] = len(set(answers)) <= 1
    record["known"] = known
    record["correct"] = None if known is None else all(a == known for a in answers)
    return record


def solve(puzzle: Puzzle, puzzle_input: PuzzleInput, options: RunOptions) -> dict[str, Any]:
    return {
        "year": puzzle.year,
        "day": puzzle.day,
        "title": puzzle.title,
        "input": puzzle_input.source,
        "parts": {str(part): solve_part(puzzle, part, puzzle_input, options) for part in options.parts},
    }


def ok(part_record: dict[str, Any]) -> bool:
    return part_record["agree"] and part_record["correct"] is not False
