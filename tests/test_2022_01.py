"""2022 day 1: the classical parts against an oracle, input errors and the generator's shape."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2022 import d01
from conftest import assert_line_error

PUZZLE = d01.PUZZLE


def oracle(text: str) -> tuple[int, int]:
    """Totals by splitting the text on blank lines; the top three by repeatedly taking out the largest."""
    remaining = [sum(int(row) for row in block.split()) for block in text.strip().split("\n\n")]
    best = []
    for _ in range(3):
        best.append(max(remaining))
        remaining.remove(best[-1])
    return best[0], sum(best)


GROUPS = st.lists(st.lists(st.integers(0, 10**7), min_size=1, max_size=60), min_size=3, max_size=30)


def text_of(groups) -> str:
    return "\n\n".join("\n".join(map(str, group)) for group in groups) + "\n"


@given(GROUPS)
def test_classical_matches_oracle(groups):
    text = text_of(groups)
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_a_small_list():
    text = "100\n200\n\n50\n\n300\n1\n\n250\n40\n10\n"
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (301, 301 + 300 + 300)


def test_equal_totals_each_count():
    text = "5\n\n2\n3\n\n1\n4\n\n1\n"
    assert PUZZLE.answer(2, text) == 15


def test_crlf_and_trailing_blank_lines_read_the_same():
    text = "7\n8\n\n20\n\n1\n"
    assert PUZZLE.records(text.replace("\n", "\r\n") + "\r\n\r\n") == PUZZLE.records(text) == [[7, 8], [20], [1]]


@pytest.mark.parametrize("text, number, why, line", [
    ("1\n2\nthree\n", 3, "expected a number of calories", "three"),
    ("1\n-2\n", 2, "expected a number of calories", "-2"),
    ("1\n\n2 3\n", 3, "expected a number of calories", "2 3"),
    ("\n1\n2\n", 1, "a blank line must end a group", ""),
    ("1\n\n\n2\n", 3, "a blank line must end a group", ""),
])
def test_a_malformed_line_is_one_error_naming_it(text, number, why, line):
    assert_line_error(PUZZLE, text, number, why, line)


def test_part_2_needs_three_elves():
    with pytest.raises(InputError, match="at least three elves; this input has 2"):
        PUZZLE.answer(2, "1\n\n2\n")
    assert PUZZLE.answer(1, "1\n\n2\n") == 2


def test_generated_input_has_the_real_shape():
    for seed in range(5):
        text = d01.generate_input(seed)
        assert text == d01.generate_input(seed) != d01.generate_input(seed + 1)
        groups = PUZZLE.records(text)
        sizes = [len(group) for group in groups]
        values = [v for group in groups for v in group]
        assert 235 <= len(groups) <= 270 and min(sizes) == 1 and max(sizes) == 15
        assert 2_000 <= len(text.splitlines()) <= 2_600
        assert 1_001 <= min(values) and max(values) <= 69_814
        one, three = oracle(text)
        totals = sorted(map(sum, groups))
        assert 60_000 < one < 90_000 and three > 2.5 * totals[-4]  # no runaway winner
        assert abs(np.corrcoef(sizes, list(map(sum, groups)))[0, 1]) < 0.3  # a group's size hides its total


def test_the_generator_goes_far_beyond_on_request():
    groups = PUZZLE.records(d01.generate_input(3, n_groups=2_500, max_size=60, low=1, high=10**7))
    assert len(groups) == 2_500 and max(map(len, groups)) == 60 and max(v for g in groups for v in g) > 10**6
