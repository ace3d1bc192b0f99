"""Shipped networks give the same answers with their per-position layers run on the records' positions
only (`aocnn.nn.family.positions_bucket`, what a solve does) as over every padded position."""

from __future__ import annotations

import pytest

from aocnn import registry, runner

FAMILY_PARTS = [(key, part) for key, puzzle in sorted(registry.all_puzzles().items())
                for part, task in sorted(puzzle.neural.items()) if task.configure is not None]


@pytest.mark.parametrize("key, part", FAMILY_PARTS, ids=lambda v: f"{v[0]}_{v[1]:02d}" if isinstance(v, tuple) else f"part{v}")
def test_a_packed_solve_is_the_padded_solve(key, part):
    puzzle = registry.all_puzzles()[key]
    records = puzzle.records(puzzle.generate_input(4_242))
    network, _ = runner.Networks().get(puzzle, part)
    assert network.pack_positions  # what `aocnn solve` runs
    packed = network.solve(records)
    network.pack_positions = False
    padded = network.solve(records)
    assert (packed.answer, packed.low_confidence, packed.records) == (padded.answer, padded.low_confidence, padded.records)
    assert packed.answer == puzzle.answer(part, puzzle.generate_input(4_242))
