"""2017 day 1: the classical parts against an oracle, input checking, the generator's shape, and part 1's network
(its tokens, training data and shipped weights)."""

from __future__ import annotations

import dataclasses
import re

import jax
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn import runner
from aocnn.errors import InputError
from aocnn.nn.family import decode
from solvers.y2017 import d01

PUZZLE = d01.PUZZLE


def oracle(line: str, distance: int) -> int:
    """Walk the circle by index arithmetic on the characters."""
    n = len(line)
    return sum(int(line[i]) for i in range(n) if line[i] == line[(i + distance) % n])


def both(text: str) -> tuple[int, int]:
    return PUZZLE.answer(1, text), PUZZLE.answer(2, text)


EVEN_LINES = st.text(alphabet="0123456789", min_size=1, max_size=60).filter(lambda s: len(s) % 2 == 0)


# --- classical ------------------------------------------------------------------------------

@given(EVEN_LINES, st.sampled_from(["", "\n", "\r\n"]))
def test_classical_matches_oracle(line, ending):
    assert both(line + ending) == (oracle(line, 1), oracle(line, len(line) // 2))


@pytest.mark.parametrize("line, answers", [
    ("1", (1, None)),  # a one-digit circle: the digit is its own neighbour
    ("12", (0, 0)),
    ("3443", (7, 0)),  # 4 = next 4, 3 = next (first) 3
    ("5775", (12, 0)),  # 7 = next 7, the last 5 wraps to the first
    ("2323", (0, 10)),  # every digit equals its opposite
    ("123123", (0, 12)),  # no neighbours equal, every digit its opposite
    ("1213", (0, 2)),  # the 1s are opposite; the last digit wraps to a different first
    ("4114", (5, 0)),
    ("99999999", (72, 72)),
])
def test_made_up_examples(line, answers):
    assert PUZZLE.answer(1, line) == answers[0]
    if answers[1] is None:
        with pytest.raises(InputError, match="odd number of digits"):
            PUZZLE.answer(2, line)
    else:
        assert PUZZLE.answer(2, line) == answers[1]


def test_classical_on_generated_inputs():
    for seed in range(5):
        text = d01.generate_input(seed)
        line = text.strip()
        assert both(text) == (oracle(line, 1), oracle(line, len(line) // 2))


@pytest.mark.parametrize("text, position, char", [("12a4", 3, "a"), ("1 2", 2, " "), ("-12", 1, "-"), ("123é", 4, "é")])
def test_a_bad_character_is_named_with_its_position(text, position, char):
    with pytest.raises(InputError, match=re.escape(f"position {position}: unexpected character {char!r}")):
        PUZZLE.records(text)


def test_a_second_line_is_an_error():
    with pytest.raises(InputError, match="line 2: expected one line of digits"):
        PUZZLE.records("1122\n3344\n")


@pytest.mark.parametrize("text", ["", "\n", "\r\n"])
def test_empty_input_is_an_error(text):
    with pytest.raises(InputError, match="empty input"):
        PUZZLE.records(text)


# --- generator ------------------------------------------------------------------------------

def test_generated_inputs_have_the_real_shape():
    for seed in range(10):
        text = d01.generate_input(seed)
        assert text == d01.generate_input(seed) and text.endswith("\n")
        line = text.strip()
        assert 2026 <= len(line) <= 2190 and len(line) % 2 == 0 and set(line) == set("123456789")
        first, second = both(text)
        assert 850 <= first <= 1600 and 850 <= second <= 1500


def test_generated_inputs_of_other_lengths():
    assert len(d01.generate_input(3, length=20_000).strip()) == 20_000


# --- part 1's network: tokens, training data, the shipped weights ---------------------------------

TEST_SEED = 170_100  # not a training seed


def test_a_line_is_start_then_one_token_per_digit_with_its_value():
    inputs = d01.line_inputs(np.array([[3, 0, 9, 7], [5, 5, 5, 5]]), np.array([3, 1]), 8)
    assert inputs["ids"].tolist() == [[d01.START, 4, 1, 10, 0, 0, 0, 0], [d01.START, 6, 0, 0, 0, 0, 0, 0]]
    assert inputs["scalars"][..., 0].tolist() == [[0, 3, 0, 9, 0, 0, 0, 0], [0, 5, 0, 0, 0, 0, 0, 0]]
    assert inputs["lengths"].tolist() == [4, 2]


@pytest.mark.parametrize("far", [False, True])
def test_training_targets_agree_with_the_oracle(far):
    (digits, lengths), inputs, targets = d01.line_examples(np.random.default_rng(TEST_SEED), 200, d01.PART1_CONFIG.data, far)
    lines = ["".join(map(str, row[:n])) for row, n in zip(digits, lengths)]
    assert targets["answer"].tolist() == [oracle(line, 1) for line in lines]
    low, high = (d01.FAR_DIGITS if far else d01.TRAIN_DIGITS)
    assert lengths.min() >= low and lengths.max() <= high and inputs["ids"].shape[1] > high
    assert any(line[0] == line[-1] for line in lines) and any(line[0] != line[-1] for line in lines)


def assert_exact_short_and_long(config, params, examples, shortest: int, monkeypatch) -> None:
    """The network with `params` is exact and sure on 500 fresh lines of `shortest`-62 digits and on 6 of 500-700,
    whose pairs run in blocks of 64 senders (the family's online softmax)."""
    from aocnn.nn import family

    model = family.FamilyModel(config.model)
    rng = np.random.default_rng(TEST_SEED)
    for low, high, n in ((shortest, 62, 500), (500, 700, 6)):
        if high > 100:
            monkeypatch.setattr(family, "PAIR_FLOATS", 6 * 704 * 24 * 64)
        data = dataclasses.replace(config.data, min_length=low, max_length=high)
        _, inputs, targets = examples(rng, n, data, False)
        said, sure = decode(config.model, jax.jit(model.apply)({"params": params}, inputs))["answer"]
        assert sure.all() and said.tolist() == targets["answer"].tolist()


def test_part_1s_network_can_hold_the_rule_exactly_at_any_length(monkeypatch):
    """Part 1's architecture with weights set by hand: the score reads the senders' places alone, -20 place_j,
    so every position attends to START, whose window holds the first digit; the message is "my digit is the
    one after START"; the head's gate is on when the next digit equals this one, or when the next is PAD (the
    last digit) and the message came back; its value is the digit. Exact on short lines and on lines of
    500-700 digits, whose pairs run in blocks of senders (online softmax)."""
    from aocnn.nn import family

    config = d01.PART1_CONFIG
    assert config.model.pairs_address == (1,) and not config.model.pairs_receiver and config.model.window == 2
    params = jax.tree_util.tree_map(lambda w: np.zeros(w.shape, np.float32), family.init(config.model, 0, 64))
    this, following, pad, first = 0, 10, 20, 21  # stream channels: this digit, the next digit (one-hot), next is PAD, ==first
    params["encoder"]["embed0"]["embedding"][1:11, this:this + 10] = np.eye(10)
    params["encoder"]["embed1"]["embedding"][1:11, following:following + 10] = np.eye(10)
    params["encoder"]["embed1"]["embedding"][0, pad] = 1
    pairs = params["all_pairs0"]
    pairs["exact_address_sender"]["kernel"][0, 0] = 1
    pairs["score"]["kernel"][0, 0] = -20  # START (place 0) scores 0, every digit -20 x its place
    for digit in range(10):  # relu(my digit is d + the sender's next digit is d - 1)
        pairs["exact_receiver"]["kernel"][this + digit, digit] = 1
        pairs["exact_sender"]["kernel"][following + digit, digit] = 1
        pairs["exact_receiver"]["bias"][digit] = -1
        pairs["exact_message"]["kernel"][digit, 0] = 1
    pairs["exact_out"]["kernel"][0, first] = 1
    head = params["decoder_answer"]
    for digit in range(10):  # relu(this is d + the next is d - 1): the neighbour matches
        head["hidden"]["kernel"][[this + digit, following + digit], digit] = 1
        head["hidden"]["bias"][digit] = -1
    head["hidden"]["kernel"][[pad, first], 10] = 1  # relu(the next is PAD + equal to the first - 1): the wrap-around
    head["hidden"]["bias"][10] = -1
    head["gate"]["kernel"][:11] = [-20, 20]
    head["gate"]["bias"][:] = [10, -10]
    head["exact_readout"]["kernel"][0, 0] = 1  # the value: this digit
    assert_exact_short_and_long(config, params, d01.line_examples, 1, monkeypatch)


def test_lines_past_the_declared_range_are_flagged_however_sure_the_network():
    """`EXACT_DIGITS` (20,000, the longest line measured), both parts' `line_answer`: a line one pair of digits
    past it is answered low-confidence even when its head is sure (the decoded outputs are given: no network
    runs on 20,002 digits here)."""
    sure, unsure = {"answer": (np.array([7]), np.array([True]))}, {"answer": (np.array([7]), np.array([False]))}
    assert d01.line_answer(sure, (1,) * d01.EXACT_DIGITS)[1].tolist() == [True]
    assert d01.line_answer(sure, (1,) * (d01.EXACT_DIGITS + 2))[1].tolist() == [False]
    assert d01.line_answer(unsure, (1, 1))[1].tolist() == [False]


@pytest.fixture(scope="module")
def network():
    return runner.load_neural(PUZZLE, 1)


@pytest.mark.parametrize("count, low, high", [(3000, 1, 14), (100, 15, 400), (10, 2026, 2190)])
def test_shipped_weights_are_exact_on_fresh_lines(network, count, low, high):
    digits, lengths = d01.random_lines(np.random.default_rng(TEST_SEED + high), count, low, high)
    width = d01.tokens_width(high)
    said, sure = decode(network.task.config.model, network(d01.placed_inputs(digits, lengths, width)))["answer"]
    lines = ["".join(map(str, row[:n])) for row, n in zip(digits, lengths)]
    wrong = [line for line, s, ok in zip(lines, said, sure) if not ok or s != oracle(line, 1)]
    assert not wrong, f"{len(wrong)} of {count} lines not exact, e.g. {wrong[0][:60]}"


def test_shipped_weights_on_full_inputs_and_the_wrap_around(network):
    for text in [d01.generate_input(TEST_SEED), "7", "77", "1221", "91" * 1000 + "9", "1" * 3000]:
        digits = PUZZLE.records(text)
        result = network.solve(digits)
        assert (result.answer, result.low_confidence) == (oracle(text.strip(), 1), 0)


# --- part 2: its data, that its network can hold the rule, and the shipped weights ------------------------

def test_part_2_training_lines_are_even_and_their_targets_agree_with_the_oracle():
    data = d01.PART2.config.data
    (digits, lengths), inputs, targets = d01.half_examples(np.random.default_rng(TEST_SEED), 300, data, False)
    batch = d01.PART2.make_batch(np.random.default_rng(TEST_SEED), 300)  # the task's own batches: the same
    assert batch["targets"]["answer"].tolist() == targets["answer"].tolist()
    lines = ["".join(map(str, row[:n])) for row, n in zip(digits, lengths)]
    assert all(len(line) % 2 == 0 for line in lines) and lengths.min() >= 2 and lengths.max() <= data.max_length
    assert targets["answer"].tolist() == [oracle(line, len(line) // 2) for line in lines]
    assert sum(targets["answer"] > 0) > 200  # partners match often enough to learn from
    places, counts = inputs["scalars"][0, :, 1], inputs["scalars"][0, :, 2]
    assert places[: lengths[0] + 1].tolist() == list(range(lengths[0] + 1)) and set(counts[: lengths[0] + 1]) == {lengths[0]}
    assert not places[lengths[0] + 1 :].any() and not counts[lengths[0] + 1 :].any()


@pytest.mark.parametrize("addressed", [False, True])
def test_the_part_2_attempts_network_can_hold_the_rule_exactly_at_any_length(addressed, monkeypatch):
    """The attempt's architecture, with weights set by hand: a receiver's score for a partner is -20 |u|,
    u = 2 place_j - 2 place_i - n (0 exactly half the line ahead), its message "the same digit, and u = 0"
    (one ReLU per digit); the head's gate is on when that came back, its value 2 x the digit. Exact on short
    lines and on lines of 500-700 digits, whose pairs run in blocks of senders (online softmax).
    `addressed` (as the attempt is configured): the score reads only the place and n scalars
    (`model.pairs_address`, positional attention), through its own pair function; else the stream's."""
    from aocnn.nn import family

    config = d01.PART2_CONFIG
    assert config.model.pairs_address == (1, 2)
    if not addressed:
        config = dataclasses.replace(config, model=dataclasses.replace(config.model, pairs_address=()))
    params = jax.tree_util.tree_map(lambda w: np.zeros(w.shape, np.float32), family.init(config.model, 0, 64))
    place, count, found = 10, 11, 12  # stream channels after the ten digits' one-hot
    params["encoder"]["embed0"]["embedding"][1:11, :10] = np.eye(10)
    params["encoder"]["exact_scalars"]["kernel"][[1, 2], [place, count]] = 1
    pairs = params["all_pairs0"]
    receiver, sender = pairs["exact_receiver"]["kernel"], pairs["exact_sender"]["kernel"]
    if addressed:  # the address is (place, n): channels 0 and 1 of the score's own pair function
        score_receiver, score_sender = pairs["exact_address_receiver"]["kernel"], pairs["exact_address_sender"]["kernel"]
        score_place, score_count = 0, 1
    else:
        score_receiver, score_sender, score_place, score_count = receiver, sender, place, count
    for unit, sign in ((0, 1), (1, -1)):  # relu(u), relu(-u): the score
        score_sender[score_place, unit], score_receiver[score_place, unit] = 2 * sign, -2 * sign
        score_receiver[score_count, unit] = -sign
    for digit in range(10):  # relu(both are this digit - 1 + u): 1 at the partner, 0 wherever u < 0
        unit = 2 + digit
        sender[place, unit], receiver[place, unit], receiver[count, unit] = 2, -2, -1
        receiver[digit, unit] = sender[digit, unit] = 1
        pairs["exact_receiver"]["bias"][unit] = -1
    pairs["score"]["kernel"][:2, 0] = -20
    pairs["exact_message"]["kernel"][2:12, 0] = 1
    pairs["exact_out"]["kernel"][0, found] = 1
    head = params["decoder_answer"]
    head["hidden"]["kernel"][found, 0] = 1  # the gate: on (logit +20) when the partner matched, off (-20) when not
    head["gate"]["kernel"][0] = [-20, 20]
    head["gate"]["bias"][:] = [10, -10]
    head["exact_readout"]["kernel"][0, 0] = 2  # the value: 2 x this digit
    assert_exact_short_and_long(config, params, d01.half_examples, 2, monkeypatch)


@pytest.fixture(scope="module")
def network2():
    return runner.load_neural(PUZZLE, 2)


@pytest.mark.parametrize("count, low, high", [(2000, 2, 14), (100, 200, 400), (10, 2026, 2190)])
def test_part_2_shipped_weights_are_exact_on_fresh_lines(network2, count, low, high):
    digits, lengths = d01.random_even_lines(np.random.default_rng(TEST_SEED + high), count, low, high)
    inputs = d01.placed_inputs(digits, lengths, d01.tokens_width(high))
    said, sure = decode(network2.task.config.model, network2(inputs))["answer"]
    lines = ["".join(map(str, row[:n])) for row, n in zip(digits, lengths)]
    wrong = [line for line, s, ok in zip(lines, said, sure) if not ok or s != oracle(line, len(line) // 2)]
    assert not wrong, f"{len(wrong)} of {count} lines not exact, e.g. {wrong[0][:60]}"


def test_part_2_shipped_weights_on_full_inputs(network2):
    for text in [d01.generate_input(TEST_SEED + 2), "1212", "1221", "123425", "123123", "12131415", "77"]:
        result = network2.solve(PUZZLE.records(text))
        line = text.strip()
        assert (result.answer, result.low_confidence) == (oracle(line, len(line) // 2), 0), line


def test_part_2s_network_refuses_an_odd_line_as_the_classical_solver_does(network2):
    with pytest.raises(InputError, match="odd number of digits"):
        network2.solve(PUZZLE.records("12312"))
