"""Classical vs warm neural solve time, per puzzle and part, on the same generated full input.

Run for real (the default test run only checks that each benchmark works, once, untimed):
    python -m pytest tests/benchmarks --benchmark-enable --benchmark-group-by=group
Each group ("2023_01 part 1") holds the classical and the neural benchmark side by side.
The neural solver is restored and compiled on the input before timing, so only warm solves count;
`--aocnn-device gpu` runs it on a GPU, and every neural benchmark records its device in extra_info.
"""

from __future__ import annotations

from functools import cache

import pytest

from aocnn import registry, runner
from aocnn.errors import WeightsError

SEED = 12345  # the full input every solver of a puzzle is timed on
PUZZLES = list(registry.all_puzzles().values())
CLASSICAL = [pytest.param(p, part, id=f"{p.slug}-part{part}") for p in PUZZLES for part in (1, 2)]
NEURAL = [pytest.param(p, part, id=f"{p.slug}-part{part}") for p in PUZZLES for part in sorted(p.neural)]


@cache
def _full_input(year: int, day: int) -> str:
    return registry.all_puzzles()[(year, day)].generate_input(SEED)


def full_input(puzzle: registry.Puzzle) -> str:
    return _full_input(*puzzle.key)


def group(puzzle: registry.Puzzle, part: int) -> str:
    return f"{puzzle.slug} part {part}"


@pytest.mark.parametrize("puzzle, part", CLASSICAL)
def test_classical(benchmark, puzzle, part):
    benchmark.group = group(puzzle, part)
    text = full_input(puzzle)
    answer = benchmark(puzzle.classical(part), puzzle.records(text))  # both solvers start from the one parse
    benchmark.extra_info.update(solver="classical", answer=str(answer), input_chars=len(text))
    assert isinstance(answer, int)


@pytest.mark.parametrize("puzzle, part", NEURAL)
def test_neural(benchmark, puzzle, part, request):
    benchmark.group = group(puzzle, part)
    device = request.config.getoption("aocnn_device")
    try:
        network = runner.load_neural(puzzle, part, device)
    except WeightsError as exc:
        pytest.skip(str(exc))
    text = full_input(puzzle)
    records = puzzle.records(text)
    network.solve(records)  # restore is done; this compiles for this input's shapes, outside the timing
    result = benchmark(network.solve, records)
    expected = str(puzzle.classical(part)(records))
    agrees = str(result.answer) == expected
    benchmark.extra_info.update(solver="neural", device=network.device.platform, answer=str(result.answer),
                                agrees_with_classical=agrees, low_confidence=result.low_confidence,
                                input_chars=len(text))
    # exactness is tested with each puzzle; here, on whatever device it runs, never wrong and sure
    # (TF32 matrix products once made 2021/2 part 1 so on a GPU)
    assert agrees or result.low_confidence > 0, (result.answer, expected)
