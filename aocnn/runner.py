"""Runs a puzzle's parts with its solvers, times them and compares. Returns plain records; prints nothing."""

from __future__ import annotations

import statistics
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
    allow_unconverged: bool = False  # use weights whose training did not converge (every answer low-confidence)


def train_command(puzzle: Puzzle, part: int) -> str:
    return f"aocnn train {puzzle.year} {puzzle.day} --part {part}"


WARM_CALLS = 3  # a warm time is the median of up to this many solves after the first,
WARM_BUDGET_S = 0.05  # as many as fit in this time (at least one): a fast solve is timed three times, where
# noise matters most, and a slow one once, so that timing adds at most one solve (or 50 ms) to a cold run


def run_classical(puzzle: Puzzle, part: int, records: Any) -> dict[str, Any]:
    solve = puzzle.classical(part)
    start = time.perf_counter()
    answer = solve(records)
    return {"answer": str(answer), "seconds": time.perf_counter() - start}


def load_neural(puzzle: Puzzle, part: int, device: str | None = None, root: Path | None = None,
                allow_unconverged: bool = False):
    from aocnn.nn import devices, model

    chosen = devices.select(device)[0]
    try:
        return model.load(puzzle.neural[part], f"{puzzle.year}/{puzzle.day}", part, root, chosen, allow_unconverged)
    except WeightsError as exc:
        from aocnn.nn.opinions import OpinionError

        if isinstance(exc, OpinionError):
            raise
        raise WeightsError(f"{exc}; rebuild them with `{train_command(puzzle, part)}`") from exc


class Networks:
    """Neural solvers restored once per process and reused for every input (verify solves many).

    A failed load is remembered too, so each input of that puzzle reports it without retrying.
    """

    def __init__(self, device: str | None = None, root: Path | None = None, allow_unconverged: bool = False):
        self.device, self.root, self.allow_unconverged = device, root, allow_unconverged
        self._loaded: dict[tuple[int, int, int], Any] = {}

    def get(self, puzzle: Puzzle, part: int) -> tuple[Any, float]:
        """The network and the seconds spent restoring it now (0 when it was already loaded)."""
        key = (puzzle.year, puzzle.day, part)
        start = time.perf_counter()
        if key not in self._loaded:
            try:
                self._loaded[key] = load_neural(puzzle, part, self.device, self.root, self.allow_unconverged)
            except AocnnError as exc:
                self._loaded[key] = exc
        loaded = self._loaded[key]
        if isinstance(loaded, Exception):
            raise loaded
        return loaded, time.perf_counter() - start


def run_neural(puzzle: Puzzle, part: int, records: Any, networks: Networks) -> dict[str, Any]:
    """Load (restore + compile, by a first solve of this input) is timed apart from the warm solve,
    whose time is the median of a few calls."""
    network, restore_seconds = networks.get(puzzle, part)
    start = time.perf_counter()
    network.solve(records)
    load_seconds = restore_seconds + time.perf_counter() - start
    times: list[float] = []
    while len(times) < WARM_CALLS and (not times or sum(times) + times[-1] <= WARM_BUDGET_S):
        start = time.perf_counter()
        result = network.solve(records)
        times.append(time.perf_counter() - start)
    return {
        "answer": str(result.answer),
        "seconds": statistics.median(times),
        "warm_calls": len(times),
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


def solve_part(puzzle: Puzzle, part: int, records: Any, known: str | None, solvers: tuple[str, ...],
               networks: Networks, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Each solver on the same parsed records. A solver's failure is kept in the record's `error`,
    never raised: the other solver's answer is not lost with it."""
    record: dict[str, Any] = {}
    errors = []
    for solver in SOLVERS:
        if solver not in solvers or (solver == "neural" and part not in puzzle.neural):
            continue
        if progress:
            progress(f"{puzzle.year}/{puzzle.day} part {part}: {solver}")
        try:
            if solver == "classical":
                record["classical"] = run_classical(puzzle, part, records)
            else:
                record["neural"] = run_neural(puzzle, part, records, networks)
        except Exception as exc:
            errors.append(error_text(solver, exc))
    compare(record, known)
    record["error"] = "; ".join(errors) or None
    return record


def solve(puzzle: Puzzle, puzzle_input: PuzzleInput, options: RunOptions) -> dict[str, Any]:
    """Parse once (an input error is raised: nothing can run), then every part with every solver."""
    records = puzzle.records(puzzle_input.text)
    networks = Networks(options.device, options.weights, options.allow_unconverged)
    return {
        "year": puzzle.year,
        "day": puzzle.day,
        "title": puzzle.title,
        "input": puzzle_input.source,
        "parts": {str(part): solve_part(puzzle, part, records, puzzle_input.known.get(part), options.solvers, networks)
                  for part in options.parts},
    }


def ok(part_record: dict[str, Any]) -> bool:
    return part_record["agree"] is not False and part_record["correct"] is not False and not part_record.get("error")


def solve_status(result: dict[str, Any]) -> int:
    """2 when a solver failed (something could not be checked), else 1 on a disagreement or wrong answer, else 0."""
    return verify_status(result["parts"].values())


# --- verify: every puzzle, both parts, both solvers; a failure stays in its row ------------------

def error_text(solver: str, exc: Exception) -> str:
    if isinstance(exc, AocnnError):
        return f"{solver}: {exc}"
    return f"{solver}: unexpected {type(exc).__name__}: {exc}"  # a bug in one puzzle must not stop the rest


def verify_input(puzzle: Puzzle, puzzle_input: PuzzleInput, networks: Networks,
                 progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Rows for both parts of one input: parsed once, both solvers; errors are kept in the rows, never raised."""
    where = {"year": puzzle.year, "day": puzzle.day, "input": puzzle_input.source, "input_name": puzzle_input.name}
    try:
        records = puzzle.records(puzzle_input.text)
    except AocnnError as exc:
        return [input_error_row(puzzle, part, puzzle_input.source, puzzle_input.name, str(exc)) for part in (1, 2)]
    return [{**where, "part": part,
             **solve_part(puzzle, part, records, puzzle_input.known.get(part), SOLVERS, networks, progress)}
            for part in (1, 2)]


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
