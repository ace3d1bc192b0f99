"""For every registered puzzle and neural part: the neural path runs without any classical code.

Before the network is loaded, the classical parts and every module function they reach (found by
walking the names their code refers to, not by a hand-kept list) are replaced by functions that
raise. Loading, encoding, running and adding up must still give the answer computed beforehand.
The shared parser stays: both solvers read its records.
"""

from __future__ import annotations

import inspect
import sys
import types
from dataclasses import replace

import pytest

from aocnn import registry, runner

NEURAL_PARTS = [(key, part) for key, puzzle in sorted(registry.all_puzzles().items()) for part in sorted(puzzle.neural)]


def rule_functions(puzzle: registry.Puzzle) -> set[str]:
    """Names of the module-level functions the classical parts call, directly or through each other."""
    module = sys.modules[puzzle.part1.__module__]
    found: set[str] = set()
    todo = [puzzle.part1.__code__, puzzle.part2.__code__]
    while todo:
        code = todo.pop()
        todo.extend(const for const in code.co_consts if isinstance(const, types.CodeType))  # genexprs, lambdas
        for name in code.co_names:
            target = getattr(module, name, None)
            if (inspect.isfunction(target) and target.__module__ == module.__name__ and target is not puzzle.parse
                    and name not in found):
                found.add(name)
                todo.append(target.__code__)
    return found


def forbidden(*args, **kwargs):
    raise AssertionError("the neural path called classical code")


@pytest.mark.parametrize("key, part", NEURAL_PARTS, ids=lambda v: f"{v[0]}_{v[1]:02d}" if isinstance(v, tuple) else f"part{v}")
def test_neural_path_needs_no_classical_code(key, part, monkeypatch):
    puzzle = registry.all_puzzles()[key]
    text = puzzle.generate_input(31_337)
    expected = puzzle.answer(part, text)
    module = sys.modules[puzzle.part1.__module__]
    for name in rule_functions(puzzle) | {puzzle.part1.__name__, puzzle.part2.__name__}:
        monkeypatch.setattr(module, name, forbidden)
    banned = replace(puzzle, part1=forbidden, part2=forbidden)
    network, _ = runner.Networks().get(banned, part)
    result = network.solve(banned.records(text))
    assert (result.answer, result.low_confidence) == (expected, 0)


def test_the_ban_reaches_helpers_of_helpers():
    from solvers.y2023 import d01

    assert {"calibration_value", "digits", "digit_starts"} <= rule_functions(d01.PUZZLE)
