"""2020 day 2: the classical solver against an oracle, input errors, the generator's shape, and the
shipped family networks (exact on fresh lines in range, on 60-100 letter passwords, on full inputs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2020 import d02

PUZZLE = d02.PUZZLE
TEST_SEED = 626262  # not a training seed


def oracle(line: str) -> tuple[bool, bool]:
    """Both policies of one line, read by splitting on the separators."""
    policy, password = line.split(": ")
    bounds, letter = policy.split(" ")
    lo, hi = (int(b) for b in bounds.split("-"))
    hits = [i + 1 for i, ch in enumerate(password) if ch == letter]
    return lo <= len(hits) <= hi, (lo in hits) ^ (hi in hits)


@st.composite
def policy_lines(draw):
    password = draw(st.text(alphabet="abc", min_size=2, max_size=30))
    lo = draw(st.integers(1, len(password) - 1))
    hi = draw(st.integers(lo + 1, len(password)))
    return f"{lo}-{hi} {draw(st.sampled_from('abcz'))}: {password}"


@given(st.lists(policy_lines(), min_size=1, max_size=30))
def test_classical_matches_an_oracle(rows):
    text = "\n".join(rows) + "\n"
    assert PUZZLE.answer(1, text) == sum(oracle(row)[0] for row in rows)
    assert PUZZLE.answer(2, text) == sum(oracle(row)[1] for row in rows)


def test_worked_example():
    text = "1-3 a: abcde\n1-3 b: cdefg\n2-9 c: ccccccccc\n"
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (2, 1)


@pytest.mark.parametrize("text, message", [
    ("1-3 a: abcde\n1-3 B: cdefg\n", "line 2: expected 'lo-hi c: password' (c and the password lowercase letters): '1-3 B: cdefg'"),
    ("1-3 a abcde\n", "line 1: expected 'lo-hi c: password' (c and the password lowercase letters): '1-3 a abcde'"),
    ("1-3 a: abcde\n\n2-4 b: bbbb\n", "line 2: expected 'lo-hi c: password' (c and the password lowercase letters): ''"),
    ("3-3 a: abcde\n", "line 1: expected 1 <= lo < hi <= the password's length: '3-3 a: abcde'"),
    ("1-6 a: abcde\n", "line 1: expected 1 <= lo < hi <= the password's length: '1-6 a: abcde'"),
    ("0-2 a: abcde\n", "line 1: expected 1 <= lo < hi <= the password's length: '0-2 a: abcde'"),
])
def test_a_malformed_line_is_one_error_naming_it(text, message):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == message


def test_generator_has_the_real_shape():
    text = d02.generate_input(3)
    entries = PUZZLE.records(text)
    assert len(entries) == 1000 and all(4 <= len(e.password) <= 20 and e.hi <= 20 for e in entries)
    assert 300 <= d02.part1(entries) <= 700 and 300 <= d02.part2(entries) <= 700
    assert d02.generate_input(3) == text != d02.generate_input(4)


# --- neural: the design tried (not shipped: see the module docstring) ----------------------------

def test_the_tallies_write_lo_and_hi_along_the_password():
    [inputs] = list(d02.encode([d02.Entry(2, 4, "a", "abaaa")]))
    assert inputs["ids"][0, :5, 2].tolist() == [1, 1, 2, 2, 3] and inputs["ids"][0, 5:, 2].tolist() == [0, 0, 0]
    assert inputs["ids"][0, :5, 0].tolist() == [1, 2, 1, 1, 1] and set(inputs["ids"][0, :5, 1].tolist()) == {1}
    assert inputs["lengths"].tolist() == [5]


@pytest.mark.parametrize("part", [1, 2])
def test_training_targets_agree_with_the_oracle(part):
    rule = d02.count_valid if part == 1 else d02.position_valid
    entries, _, targets = d02.examples(np.random.default_rng(0), 300, d02.CONFIG.data, part == 2, rule)
    lines = [f"{e.lo}-{e.hi} {e.letter}: {e.password}" for e in entries]
    assert targets["valid"].tolist() == [int(oracle(line)[part - 1]) for line in lines]


def test_no_network_is_registered_until_one_is_exact():
    assert PUZZLE.neural == {}
