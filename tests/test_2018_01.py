"""2018 day 1: the classical parts against a replaying oracle, input checking, the generator's shape,
part 1's training data, and the shipped part 1 network on fresh lists, 10,000-line lists and full inputs."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aocnn import runner
from aocnn.errors import InputError
from aocnn.nn.family import decode
from solvers.y2018 import d01

PUZZLE = d01.PUZZLE
TEST_SEED = 201_800  # not a training seed


def oracle(text: str, limit: int = 200_000) -> tuple[int, int | None]:
    """The sum, and the first frequency seen twice by replaying the list (None: none within `limit` changes)."""
    changes = [int(line) for line in text.split()]
    seen, frequency = {0}, 0
    for step in range(limit):
        frequency += changes[step % len(changes)]
        if frequency in seen:
            return sum(changes), frequency
        seen.add(frequency)
    return sum(changes), None


def classical(text: str) -> tuple[int, int | None]:
    try:
        second = PUZZLE.answer(2, text)
    except InputError:
        second = None
    return PUZZLE.answer(1, text), second


CHANGES = st.lists(st.integers(-30, 30), min_size=1, max_size=25)


# --- classical ------------------------------------------------------------------------------

@settings(max_examples=300)
@given(CHANGES)
def test_classical_matches_oracle(changes):
    text = d01.as_text(changes)
    # a list that repeats at all does so within |total| + 1 passes of at most 750 apart values (the
    # prefix sums span at most 750): the oracle's limit is far beyond that
    assert classical(text) == oracle(text, limit=len(changes) * (31 * 25 + 2))


@pytest.mark.parametrize("text, answers", [
    ("+2\n-3\n+4\n+1\n", (4, 3)),  # the second pass reaches 3 again
    ("+1\n-1\n", (0, 0)),  # back to the start: 0 counts as reached
    ("+4\n+4\n-1\n-7\n", (0, 0)),  # total 0: the list ends where it began
    ("+5\n-2\n+3\n-8\n", (-2, 3)),  # a negative total
    ("-3\n+7\n-2\n", (2, 4)),
    ("+7\n+7\n-2\n-7\n-4\n", (1, 14)),  # needs several passes
])
def test_made_up_examples(text, answers):
    assert classical(text) == answers == oracle(text)


@pytest.mark.parametrize("text", ["+1\n+1\n+1\n", "-2\n+5\n", "+3\n"])
def test_a_list_that_never_repeats_has_no_part_2_answer(text):
    with pytest.raises(InputError, match="no part 2 answer: no frequency is ever reached twice"):
        PUZZLE.answer(2, text)
    assert oracle(text)[1] is None


def test_part2_does_not_replay():
    """A million passes (two million changes): found from the prefix sums, not by replaying them."""
    changes = d01.PUZZLE.records(d01.generate_input(TEST_SEED))
    start = time.perf_counter()
    assert d01.first_repeat([1_000_000, -999_999]) == (999_999, 1, 1_000_000)
    assert d01.passes([1_000_000, -999_999]) == 1_000_000
    d01.part2(changes)
    assert time.perf_counter() - start < 1.0  # replaying its 2,000,000 changes with a set takes about this long


@pytest.mark.parametrize("text, number, line", [
    ("+1\n2\n", 2, "2"),
    ("+1\n-1\n+ 3\n", 3, "+ 3"),
    ("+1\n\n-1\n", 2, ""),
    ("+1.5\n", 1, "+1.5"),
    ("-1\n+1\n--2\n", 3, "--2"),
    ("+x\n", 1, "+x"),
])
def test_a_malformed_line_is_one_error_naming_it(text, number, line):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    message = str(error.value)
    assert message == f"line {number}: expected a signed change '+N' or '-N' (N a whole number): {line!r}"


def test_crlf_and_no_final_newline_read_the_same():
    assert PUZZLE.records("+1\r\n-2\r\n+3") == PUZZLE.records("+1\n-2\n+3\n") == [1, -2, 3]


# --- generator ------------------------------------------------------------------------------

def test_generated_inputs_have_the_real_shape():
    for seed in range(6):
        text = d01.generate_input(seed)
        assert text == d01.generate_input(seed) and text.endswith("\n")
        changes = np.array(PUZZLE.records(text))
        magnitudes = np.abs(changes)
        assert 959 <= changes.size <= 1029
        assert 400 <= changes.sum() <= 600
        assert 9 <= np.median(magnitudes) <= 13 and np.percentile(magnitudes, 99) <= 75
        assert 2 <= (magnitudes > 10_000).sum() <= 3 and magnitudes.max() <= 160_000
        assert 0.4 < (changes > 0).mean() < 0.6
        assert 125 <= d01.passes(changes.tolist()) <= 155


def test_generated_inputs_part2_against_the_replaying_oracle():
    for seed in range(2):
        text = d01.generate_input(TEST_SEED + seed)
        assert classical(text) == oracle(text)


# --- part 1's training data -------------------------------------------------------------------

@pytest.mark.parametrize("far", [False, True])
def test_training_targets_are_the_sums(far):
    data = d01.SUM_CONFIG.data
    changes, inputs, targets = d01.sum_examples(np.random.default_rng(3), 300, data, far)
    lengths = inputs["lengths"]
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    assert lengths.min() >= low and lengths.max() <= high
    assert np.array_equal(inputs["scalars"][..., 0].astype(np.int64).sum(axis=1), targets["total"].astype(np.int64))
    assert np.array_equal(inputs["ids"].sum(axis=1), lengths)
    assert (targets["total"] > 0).mean() > 0.2 and (targets["total"] < 0).mean() > 0.2
    if far:
        assert np.abs(changes).max() > 100_000


# --- the shipped part 1 network ---------------------------------------------------------------

@pytest.fixture(scope="module")
def network():
    return runner.load_neural(PUZZLE, 1)


def network_sums(net, changes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The network's sum per list, or a sentinel where it is not sure."""
    answers, sure = decode(net.task.config.model, net(d01.change_inputs(changes, lengths)))["total"]
    return np.where(sure, answers, np.iinfo(np.int64).min)


def test_random_changes_fill_each_list_to_its_length_with_its_own_scale_and_some_huge_changes():
    changes, lengths = d01.random_changes(np.random.default_rng(TEST_SEED), 3000, 1, 200)
    assert lengths.min() >= 1 and lengths.max() <= 200 and changes.shape == (3000, 200)
    inside = np.arange(200)[None, :] < lengths[:, None]
    assert not changes[~inside].any()
    small = np.where(inside & (np.abs(changes) < 5000), np.abs(changes), 0)
    typical = small.sum(axis=1) / np.maximum((inside & (np.abs(changes) < 5000)).sum(axis=1), 1)
    assert typical.min() < 5 and typical.max() > 150  # scales from 3 to 300, one per list
    huge = np.abs(changes) > 5000
    assert 0.002 < huge.sum() / inside.sum() < 0.02 and np.abs(changes).max() <= 150_000
    assert (changes.sum(axis=1) > 0).mean() > 0.3 and (changes.sum(axis=1) < 0).mean() > 0.3  # both signs


@pytest.mark.parametrize("count, shortest, longest", [(4000, 1, 200), (200, 9_000, 10_000)])
def test_shipped_weights_are_exact_in_range_and_far_beyond(network, count, shortest, longest):
    changes, lengths = d01.random_changes(np.random.default_rng(TEST_SEED + longest), count, shortest, longest)
    assert np.array_equal(network_sums(network, changes, lengths), changes.sum(axis=1))


def test_shipped_weights_on_fresh_full_inputs_with_crlf(network):
    for seed in range(3):
        text = d01.generate_input(TEST_SEED + seed)
        answer = network.solve(PUZZLE.records(text.replace("\n", "\r\n")))
        assert (answer.answer, answer.low_confidence) == (oracle(text)[0], 0)


def test_a_sum_beyond_the_exact_range_is_flagged(network):
    changes = [2_000_000] * 3 + [-1]
    answer = network.solve(changes)
    assert answer.low_confidence == 1 and answer.records == 1
    assert network.solve([5, -3]).low_confidence == 0


def test_part2_has_no_network():
    assert 2 not in PUZZLE.neural


# --- part 2's attempt (not registered): its training data -------------------------------------

@pytest.mark.parametrize("far", [False, True])
def test_part2_attempt_trains_on_replayed_answers_and_the_hint_points_at_them(far):
    data = d01.HINTED_CONFIG.data
    lists, inputs, targets = d01.repeat_examples(np.random.default_rng(5), 300, data, far)
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    assert low <= inputs["lengths"].min() and inputs["lengths"].max() <= high
    for row, changes in enumerate(lists):
        assert inputs["scalars"][row, :len(changes), 0].astype(int).tolist() == changes
        total, repeat = oracle("\n".join(f"{c:+d}" for c in changes))
        assert targets["repeat"][row] == repeat
        line = targets["first_seen"][row]  # the running total before that line's change is the repeat, and no earlier one is
        running = [sum(changes[:k]) for k in range(len(changes))]
        assert running[line] == repeat and repeat not in running[:line]
    later = [d01.first_repeat(changes)[0] > 0 for changes in lists]
    assert 0.2 < np.mean(later) < 0.9  # many lists repeat only after whole passes
    fewer_early, _, _ = d01.repeat_examples(np.random.default_rng(5), 300, data, far, early_kept=0.1)
    late = [np.mean([d01.first_repeat(changes)[0] >= 2 for changes in drawn]) for drawn in (lists, fewer_early)]
    assert late[1] > 2 * late[0]  # the probe's --early-kept: more lists that repeat in pass 2 or later
    assert 2 not in PUZZLE.neural and "first_seen" not in d01.REPEAT_CONFIG.data.hints  # the attempt is answers only
