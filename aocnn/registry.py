"""Which puzzles exist: one declaration per puzzle module, found without a central list.

Built-in puzzles live in the `solvers` package (each module defines `PUZZLE`); other
installed packages add theirs through the entry-point group `aocnn.puzzles`, whose
entry points load either a `Puzzle` or a module defining `PUZZLE`.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Mapping

from aocnn.errors import RegistryError
from aocnn.text import normalize

if TYPE_CHECKING:
    from aocnn.nn.task import NeuralTask

ENTRY_POINT_GROUP = "aocnn.puzzles"
Records = Any  # what a puzzle's parser returns: validated records, read by both solvers
Solver = Callable[[Records], int]


@dataclass(frozen=True)
class Puzzle:
    """One puzzle. `parse` turns normalized text into validated records; both the classical
    parts and the neural tasks receive those records, so the two solvers never read the text
    differently (see `records`)."""

    year: int
    day: int
    title: str
    parse: Callable[[str], Records]
    part1: Solver
    part2: Solver
    generate_input: Callable[[int], str]
    neural: Mapping[int, "NeuralTask"] = field(default_factory=dict)
    source: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return (self.year, self.day)

    @property
    def slug(self) -> str:
        return f"{self.year}_{self.day:02d}"

    def classical(self, part: int) -> Solver:
        return {1: self.part1, 2: self.part2}[part]

    def records(self, text: str) -> Records:
        """The one parse: shared normalization, then this puzzle's parser (errors name the line)."""
        return self.parse(normalize(text))

    def answer(self, part: int, text: str) -> int:
        """The classical answer to one part of an input text."""
        return self.classical(part)(self.records(text))


def _from_module(module: ModuleType) -> Puzzle | None:
    puzzle = getattr(module, "PUZZLE", None)
    if puzzle is None:
        return None
    if not isinstance(puzzle, Puzzle):
        raise RegistryError(f"{module.__name__}.PUZZLE is not an aocnn Puzzle")
    return replace(puzzle, source=f"module {module.__name__}")


def builtin_puzzles() -> list[Puzzle]:
    import solvers

    found = []
    for info in pkgutil.walk_packages(solvers.__path__, prefix="solvers."):
        puzzle = _from_module(importlib.import_module(info.name))
        if puzzle is not None:
            found.append(puzzle)
    return found


def plugin_puzzles() -> list[Puzzle]:
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        loaded = ep.load()
        puzzle = _from_module(loaded) if isinstance(loaded, ModuleType) else loaded
        if not isinstance(puzzle, Puzzle):
            raise RegistryError(f"entry point {ep.name} ({ep.value}) is not an aocnn Puzzle")
        found.append(replace(puzzle, source=f"entry point {ep.name} ({ep.value})"))
    return found


def index(puzzles: list[Puzzle]) -> dict[tuple[int, int], Puzzle]:
    """Puzzles by (year, day); a second declaration of one day is an error naming both."""
    by_key: dict[tuple[int, int], Puzzle] = {}
    for puzzle in puzzles:
        if puzzle.key in by_key:
            first = by_key[puzzle.key]
            raise RegistryError(
                f"{puzzle.year} day {puzzle.day} is registered twice: by {first.source} and by {puzzle.source}"
            )
        by_key[puzzle.key] = puzzle
    return dict(sorted(by_key.items()))


@cache
def all_puzzles() -> dict[tuple[int, int], Puzzle]:
    return index(builtin_puzzles() + plugin_puzzles())


def day_module_puzzle(year: int, day: int) -> Puzzle | None:
    """The puzzle of the built-in module named for the day (`solvers/yYYYY/dDD.py`), if there is one and
    it declares that day; only that module is imported."""
    name = f"solvers.y{year}.d{day:02d}"
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:  # no package for the year
        return None
    puzzle = _from_module(importlib.import_module(name))
    return puzzle if puzzle is not None and puzzle.key == (year, day) else None


def get(year: int, day: int) -> Puzzle:
    """The puzzle registered for `year` `day`. The day's own module and the plugins are enough to know
    (a solve imports no other puzzle's module); a plugin that declares the day again is the same error as
    in `all_puzzles`, which checks every built-in module as well (`aocnn list`, `verify`, the tests)."""
    own = day_module_puzzle(year, day)
    if own is not None:
        plugins = [p for p in plugin_puzzles() if p.key == own.key]
        return index([own, *plugins])[own.key]
    puzzles = all_puzzles()
    if (year, day) not in puzzles:
        known = ", ".join(f"{y}/{d}" for y, d in puzzles) or "none"
        raise RegistryError(f"no puzzle registered for {year} day {day} (registered: {known})")
    return puzzles[(year, day)]
