"""2021 day 1: the classical solver against an oracle, input errors, the generator's shape, and the
shipped family networks (exact on fresh windows in range, at 9-12 and 18 digits, and on full inputs)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn import runner
from aocnn.errors import InputError
from aocnn.nn.family import decode
from solvers.y2021 import d01

PUZZLE = d01.PUZZLE
TEST_SEED = 515151  # not a training seed


def oracle(depths: list[int], window: int) -> int:
    """Compare sums of `window` consecutive depths with the sum one step earlier, by building the sums."""
    sums = [sum(depths[i:i + window]) for i in range(len(depths) - window + 1)]
    return sum(1 for i in range(1, len(sums)) if sums[i] > sums[i - 1])


# --- classical ------------------------------------------------------------------------------

@given(st.lists(st.integers(0, 10**15), min_size=1, max_size=60))
def test_classical_matches_an_oracle_of_window_sums(depths):
    text = "\n".join(map(str, depths)) + "\n"
    assert PUZZLE.answer(1, text) == oracle(depths, 1)
    assert PUZZLE.answer(2, text) == oracle(depths, 3)


def test_worked_example():
    depths = [199, 200, 208, 210, 200, 207, 240, 269, 260, 263]
    assert (d01.part1(depths), d01.part2(depths)) == (oracle(depths, 1), oracle(depths, 3)) == (7, 5)


@pytest.mark.parametrize("text, message", [
    ("12\n-3\n4\n", "line 2: expected a depth (a non-negative integer): '-3'"),
    ("12\n\n4\n", "line 2: expected a depth (a non-negative integer): ''"),
    ("1 2\n", "line 1: expected a depth (a non-negative integer): '1 2'"),
    ("7\n8\n9x\n", "line 3: expected a depth (a non-negative integer): '9x'"),
])
def test_a_malformed_line_is_one_error_naming_it(text, message):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == message


def test_generator_has_the_real_shape():
    text = d01.generate_input(3)
    depths = PUZZLE.records(text)
    assert len(depths) == 2000 and 94 <= min(depths) and 8_000 <= max(depths) <= 11_000
    assert 1_300 <= d01.part1(depths) <= 1_800 and d01.part2(depths) > d01.part1(depths)
    assert d01.generate_input(3) == text != d01.generate_input(4)


@pytest.mark.parametrize("lag", [1, 3])
def test_training_targets_agree_with_the_classical_rule(lag):
    rows, _, targets = d01.examples(np.random.default_rng(0), 500, d01.CONFIG.data, False, lag)
    for row, larger in zip(rows, targets["larger"]):
        known = [int(v) for v in row if v >= 0][::-1]  # oldest first, as an input lists them
        expected = d01.increases(known[-lag - 1:], lag) if len(known) > lag else 0
        assert larger == expected


# --- neural: the shipped weights ------------------------------------------------------------

@pytest.fixture(scope="module", params=[1, 2])
def network(request):
    return request.param, runner.load_neural(PUZZLE, request.param)


def solver_view(net, rows, targets, width):
    """(right and confident, confidently wrong) counts for windows of `width` digits, decoded as a solve does."""
    answers, confident = decode(net.task.config.model, net(d01.encode_windows(rows, width)))["larger"]
    right = answers == targets["larger"]
    return int(np.sum(right & confident)), int(np.sum(~right & confident))


@pytest.mark.parametrize("low, high", [(1, 8), (9, 12), (18, 18)])
def test_shipped_weights_are_exact_in_range_and_at_more_digits(network, low, high):
    part, net = network
    data = dataclasses.replace(d01.CONFIG.data, ood_min_length=low, ood_max_length=high)
    rng = np.random.default_rng(TEST_SEED + high)
    for _ in range(3):
        rows, inputs, targets = d01.examples(rng, 1000, data, True, d01.LAG[part])
        width = inputs["ids"].shape[1]
        assert solver_view(net, rows, targets, width) == (1000, 0)


def test_full_inputs_and_a_20000_line_input_with_12_digit_depths(network):
    part, net = network
    for seed in range(3):
        text = d01.generate_input(TEST_SEED + seed)
        answer = net.solve(PUZZLE.records(text))
        assert (answer.answer, answer.low_confidence) == (PUZZLE.answer(part, text), 0)
    rng = np.random.default_rng(TEST_SEED)
    deep = np.cumsum(rng.integers(-10**6, 10**7, 20_000)) + 10**11  # 12 digits, close neighbours
    text = "\n".join(map(str, deep)) + "\n"
    answer = net.solve(PUZZLE.records(text))
    assert (answer.answer, answer.low_confidence, answer.records) == (PUZZLE.answer(part, text), 0, 20_000)


def test_depths_beyond_the_declared_range_are_flagged_not_guessed(network):
    part, net = network
    answer = net.solve([5, 10 ** (d01.MAX_DIGITS + 1), 7, 8])
    assert answer.low_confidence == 1  # only the record of the long depth
