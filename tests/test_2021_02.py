"""2021 day 2: the classical parts against an oracle, input errors and the generator's shape."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2021 import d02

PUZZLE = d02.PUZZLE


def oracle(text: str) -> tuple[int, int]:
    """Both parts from totals: part 1's depth is downs minus ups; part 2's aim after k lines is part 1's
    depth after k lines, so its depth is the sum over forwards of N times the depth-so-far."""
    words = text.split()
    moves = list(zip(words[0::2], map(int, words[1::2])))
    sign = {"down": 1, "up": -1, "forward": 0}
    prefix = [0]
    for word, n in moves:
        prefix.append(prefix[-1] + sign[word] * n)
    ahead = sum(n for word, n in moves if word == "forward")
    deep = sum(n * prefix[k] for k, (word, n) in enumerate(moves) if word == "forward")
    return ahead * prefix[-1], ahead * deep


MOVES = st.lists(st.tuples(st.sampled_from(d02.COMMANDS), st.integers(0, 10_000)), min_size=1, max_size=80)


@given(MOVES)
def test_classical_matches_oracle(moves):
    text = "".join(f"{word} {n}\n" for word, n in moves)
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_a_small_course():
    text = "down 3\nforward 4\nup 1\nforward 2\ndown 5\nforward 1\n"
    # part 1: ahead 7, depth 7; part 2: depth 3*4 + 2*2 + 7*1 = 23
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (49, 7 * 23)


def test_crlf_and_no_final_newline_read_the_same():
    text = "forward 5\ndown 5\nforward 8\nup 3\n"
    assert PUZZLE.answer(2, text.replace("\n", "\r\n").rstrip()) == PUZZLE.answer(2, text) == 13 * 40


@pytest.mark.parametrize("text, number, line", [
    ("forward 5\nbackward 2\n", 2, "backward 2"),
    ("forward 5\nforward\n", 2, "forward"),
    ("forward -5\n", 1, "forward -5"),
    ("forward 5\n\ndown 1\n", 2, ""),
    ("Forward 5\n", 1, "Forward 5"),
    ("down  5\n", 1, "down  5"),
    ("up 2.5\n", 1, "up 2.5"),
])
def test_a_malformed_line_is_one_error_naming_it(text, number, line):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == (f"line {number}: expected 'forward N', 'down N' or 'up N' with N a non-negative "
                                f"integer: {line!r}")


def test_generated_input_has_the_real_shape():
    for seed in range(5):
        text = d02.generate_input(seed)
        assert text == d02.generate_input(seed) != d02.generate_input(seed + 1)
        course = PUZZLE.records(text)
        assert len(course) == 1000 and {n for _, n in course} == set(range(1, 10))
        assert {word for word, _ in course} == set(d02.COMMANDS)
        one, two = oracle(text)
        assert 10**5 < one < 10**7 and 10**8 < two < 10**10  # real inputs: about 10^6 and 10^9


def test_the_generator_goes_far_beyond_on_request():
    course = PUZZLE.records(d02.generate_input(7, n_lines=100_000, high=10_000))
    assert len(course) == 100_000 and max(n for _, n in course) > 9_000
