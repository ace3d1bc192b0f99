"""2022 day 2: the classical parts against an oracle, input checking, the generator's shape, and the
shipped family networks on every line, fresh full inputs and a 250,000-line input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn import runner
from aocnn.errors import InputError
from solvers.y2022 import d02

PUZZLE = d02.PUZZLE
TEST_SEED = 220_200  # not a training seed
LINES = st.lists(st.tuples(st.sampled_from("ABC"), st.sampled_from("XYZ")), min_size=1, max_size=200)


def oracle(text: str) -> tuple[int, int]:
    """Both parts by modular arithmetic: with shapes 0-2, (mine - theirs) % 3 is 0 draw, 1 win, 2 loss."""
    first = second = 0
    for line in text.split():
        if line in "ABC":
            theirs = "ABC".index(line)
            continue
        tip = "XYZ".index(line)
        first += tip + 1 + 3 * ((tip - theirs + 1) % 3)
        second += (theirs + tip - 1) % 3 + 1 + 3 * tip
    return first, second


def text_of(rounds) -> str:
    return "".join(f"{a} {x}\n" for a, x in rounds)


# --- classical ------------------------------------------------------------------------------

@given(LINES, st.sampled_from(["\n", "\r\n"]))
def test_classical_matches_oracle(rounds, ending):
    text = text_of(rounds).replace("\n", ending)
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_the_example_of_three_rounds():
    text = "A Y\nB X\nC Z\n"
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (15, 12)


@pytest.mark.parametrize("text, number, line", [
    ("A X\nB Q\n", 2, "B Q"), ("A X\nD Y\n", 2, "D Y"), ("AX\n", 1, "AX"), ("A  X\n", 1, "A  X"),
    ("A X\n\nB Y\n", 2, ""), ("a x\n", 1, "a x"), ("A X Y\n", 1, "A X Y"),
])
def test_a_malformed_line_is_one_error_naming_it(text, number, line):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    message = str(error.value)
    assert message.startswith(f"line {number}: expected 'A X'") and message.endswith(repr(line))
    assert "\n" not in message


# --- generator ------------------------------------------------------------------------------

def test_generated_input_has_the_real_shape():
    for seed in range(5):
        text = d02.generate_input(seed)
        assert text == d02.generate_input(seed)
        rows = text.splitlines()
        assert len(rows) == 2500 and set(rows) <= set(d02.ROUNDS)
    counts = [sorted(np.unique(d02.generate_input(seed).splitlines(), return_counts=True)[1]) for seed in range(5)]
    assert len({tuple(c) for c in counts}) == 5  # each input has its own line frequencies


@pytest.mark.parametrize("part", [1, 2])
def test_training_targets_are_the_line_scores(part):
    pairs, inputs, targets = d02.examples(np.random.default_rng(0), 300, d02.CONFIG.data, False, part)
    assert inputs["ids"].shape == (300, 1, 2) and inputs["ids"].min() == 1 and inputs["ids"].max() == 3
    texts = ["ABC"[a] + " " + "XYZ"[x] for a, x in pairs]
    assert targets["score"].tolist() == [oracle(t)[part - 1] for t in texts]
    _, _, far = d02.examples(np.random.default_rng(0), 18, d02.CONFIG.data, True, part)
    assert sorted(set(far["score"].tolist())) == list(range(1, 10))  # every line, every score


# --- the shipped networks ---------------------------------------------------------------------

@pytest.fixture(scope="module", params=[1, 2])
def network(request):
    return request.param, runner.load_neural(PUZZLE, request.param)


def test_shipped_weights_know_every_line(network):
    part, net = network
    for line in d02.ROUNDS:
        answer = net.solve(PUZZLE.records(line))
        assert (answer.answer, answer.low_confidence) == (oracle(line)[part - 1], 0), line


def test_shipped_weights_on_fresh_full_inputs(network):
    part, net = network
    for seed in range(3):
        text = d02.generate_input(TEST_SEED + seed)
        answer = net.solve(PUZZLE.records(text))
        assert (answer.answer, answer.low_confidence, answer.records) == (oracle(text)[part - 1], 0, 2500)


def test_shipped_weights_on_250000_lines_with_crlf(network):
    part, net = network
    text = d02.generate_input(TEST_SEED, n_lines=250_000).replace("\n", "\r\n")
    answer = net.solve(PUZZLE.records(text))
    assert (answer.answer, answer.low_confidence, answer.records) == (oracle(text)[part - 1], 0, 250_000)


def test_encoding_pads_every_chunk_to_one_shape():
    shapes = {inputs["ids"].shape for inputs in d02.encode([(0, 0)] * (d02.CHUNK + 5))}
    assert shapes == {(d02.CHUNK, 1, 2)}
