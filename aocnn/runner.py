"""Runs a puzzle's parts with its solvers, times them and compares. Returns plain records; prints nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from aocnn.errors import AocnnError, WeightsError
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


class Networks:
    """Neural solvers restored once per process and reused for every input (verify solves many).

    A failed load is remembered too, so each input of that puzzle reports it without retrying.
    """

    def __init__(self, device: str | None = None, root: Path | None = None):
        self.device, self.root = device, root
        self._loaded: dict[tuple[int, int, int], Any] = {}

    def get(self, puzzle: Puzzle, part: int) -> tuple[Any, float]:
        """The network and the seconds spent restoring it now (0 when it was already loaded)."""
        key = (puzzle.year, puzzle.day, part)
        start = time.perf_counter()
        if key not in self._loaded:
            try:
                self._loaded[key] = load_neural(puzzle, part, self.device, self.root)
            except AocnnError as exc:
                self._loaded[key] = exc
        loaded = self._loaded[key]
        if isinstance(loaded, Exception):
            raise loaded
        return loaded, time.perf_counter() - start


def run_neural(puzzle: Puzzle, part: int, text: str, device: str | None = None, root: Path | None = None,
               networks: Networks | None = None) -> dict[str, Any]:
    """Load (restore + compile, by a first solve of this input) is timed apart from the warm solve."""
    networks = networks or Networks(device, root)
    network, restore_seconds = networks.get(puzzle, part)
    start = time.perf_counter()
    network.solve(text)
    load_seconds = restore_seconds + time.perf_counter() - start
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


def compare(record: dict[str, Any], known: str | None) -> dict[str, Any]:
    """Adds agree (None unless both solvers answered), known, and correct (None when unknown)."""
    answers = [record[s]["answer"] for s in SOLVERS if s in record]
    record["agree"] = answers[0] == answers[1] if len(answers) == 2 else None
    record["known"] = known
    record["correct"] = None if known is None or not answers else all(a == known for a in answers)
    return record


def solve_part(puzzle: Puzzle, part: int, puzzle_input: PuzzleInput, options: RunOptions,
               networks: Networks | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {}
    if "classical" in options.solvers:
        record["classical"] = run_classical(puzzle, part, puzzle_input.text)
    if "neural" in options.solvers and part in puzzle.neural:
        networks = networks or Networks(options.device, options.weights)
        record["neural"] = run_neural(puzzle, part, puzzle_input.text, networks=networks)
    return compare(record, puzzle_input.known.get(part))


def solve(puzzle: Puzzle, puzzle_input: PuzzleInput, options: RunOptions) -> dict[str, Any]:
    networks = Networks(options.device, options.weights)
    return {
        "year": puzzle.year,
        "day": puzzle.day,
        "title": puzzle.title,
        "input": puzzle_input.source,
        "parts": {str(part): solve_part(puzzle, part, puzzle_input, options, networks) for part in options.parts},
    }


def ok(part_record: dict[str, Any]) -> bool:
    return part_record["agree"] is not False and part_record["correct"] is not False and not part_record.get("error")


# --- verify: every puzzle, both parts, both solvers; a failure stays in its row ------------------

def error_text(solver: str, exc: Exception) -> str:
    if isinstance(exc, AocnnError):
        return f"{solver}: {exc}"
    return f"{solver}: unexpected {type(exc).__name__}: {exc}"  # a bug in one puzzle must not stop the rest


def verify_part(puzzle: Puzzle, part: int, puzzle_input: PuzzleInput, networks: Networks,
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """One row: both solvers on one input; errors are recorded in the row, never raised."""
    row: dict[str, Any] = {"year": puzzle.year, "day": puzzle.day, "part": part,
                           "input": puzzle_input.source, "input_name": puzzle_input.name}
    errors = []
    where = f"{puzzle.year}/{puzzle.day} part {part} ({puzzle_input.name})"
    for solver in SOLVERS:
        if solver == "neural" and part not in puzzle.neural:
            continue
        if progress:
            progress(f"{where}: {solver}")
        try:
            if solver == "classical":
                row["classical"] = run_classical(puzzle, part, puzzle_input.text)
            else:
                row["neural"] = run_neural(puzzle, part, puzzle_input.text, networks=networks)
        except Exception as exc:
            errors.append(error_text(solver, exc))
    compare(row, puzzle_input.known.get(part))
    row["error"] = "; ".join(errors) or None
    return row


def input_error_row(puzzle: Puzzle, part: int, source: str, name: str, message: str) -> dict[str, Any]:
    """A row for a part whose input could not be had: nothing ran."""
    row = {"year": puzzle.year, "day": puzzle.day, "part": part, "input": source, "input_name": name}
    return {**compare(row, None), "error": f"input: {message}"}


def verify_status(rows: Iterable[dict[str, Any]]) -> int:
    """2 when anything could not be checked, else 1 on a disagreement or a wrong known answer, else 0."""
    rows = list(rows)
    if any(row["error"] for row in rows):
        return 2
    return 0 if all(ok(row) for row in rows) else 1
