"""2023 day 1 classical solvers, against an oracle written differently: a regex with lookahead."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2023 import d01

SPELLED = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
# A lookahead matches at every position without consuming, so overlapping words all count.
ORACLE_PART1 = re.compile(r"(?=([0-9]))")
ORACLE_PART2 = re.compile(r"(?=([0-9]|" + "|".join(SPELLED) + "))")


def oracle_value(line: str, pattern: re.Pattern) -> int:
    found = [int(m) if m.isdigit() else SPELLED[m] for m in pattern.findall(line)]
    return found[0] * 10 + found[-1]


def oracle(text: str, part: int) -> int:
    pattern = ORACLE_PART1 if part == 1 else ORACLE_PART2
    return sum(oracle_value(line.strip(), pattern) for line in text.splitlines() if line.strip())


def solve(text: str, part: int) -> int:
    return d01.PUZZLE.answer(part, text)


# Hand-checked: (line, part 1 value, part 2 value)
CASES = [
    ("7", 77, 77),                   # a single digit is both first and last
    ("x4y", 44, 44),
    ("5abc9", 59, 59),               # digits at both ends
    ("9zzzzzzzzzz1", 91, 91),
    ("qtwone3", 33, 23),             # "twone": first word is two
    ("3twone", 33, 31),              # ... and last word is one
    ("eightwo5eightwo", 55, 82),
    ("1oneight", 11, 18),            # "oneight" ends with eight
    ("sevenine2", 22, 72),
    ("fiveight1threeight", 11, 58),
    ("nin3e", 33, 33),               # near misses are not digits
    ("seve6nvn", 66, 66),
    ("abc123def", 13, 13),
    ("six7six", 77, 66),
]


@pytest.mark.parametrize("line, value1, value2", CASES)
def test_hand_checked_lines(line, value1, value2):
    assert solve(line, 1) == value1
    assert solve(line, 2) == value2
    assert oracle(line, 1) == value1 and oracle(line, 2) == value2  # the oracle agrees with the hand


def test_sum_over_lines():
    text = "".join(f"{line}\n" for line, _, _ in CASES)
    assert solve(text, 1) == sum(c[1] for c in CASES)
    assert solve(text, 2) == sum(c[2] for c in CASES)


def test_crlf_trailing_spaces_and_blank_tail_lines_are_accepted():
    plain = "a1b\ntwo3four\n"
    for messy in ("a1b\r\ntwo3four\r\n", "a1b  \ntwo3four\t\n\n\n", "a1b\r\ntwo3four   \r\n\r\n", "a1b\ntwo3four"):
        assert solve(messy, 1) == solve(plain, 1) == 11 + 33
        assert solve(messy, 2) == solve(plain, 2) == 11 + 24


@pytest.mark.parametrize("part", [1, 2])
@pytest.mark.parametrize("text, line_number, why", [
    ("a1\nabc\n2b\n", 2, "no digit in line"),
    ("a1\n\nb2\n", 2, "no digit in line"),       # a blank line inside the input has no digit either
    ("x9\ny8\nonetwo\n", 3, "no digit in line"),  # every real line has a digit character: one parse for both parts
    ("x9\ny8A\n", 2, "unexpected character"),
])
def test_malformed_line_names_its_number(text, part, line_number, why):
    with pytest.raises(InputError, match=rf"^line {line_number}: {why}"):
        solve(text, part)


TOKENS = st.sampled_from([*SPELLED, *"123456789", *"abcdefghijklmnopqrstuvwxyz", "twone", "eightwo", "oneight",
                          "nin", "seve", "thre", "ei"])
LINE = st.lists(TOKENS, min_size=1, max_size=20).map("".join).filter(lambda s: re.search("[1-9]", s) is not None)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=30), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_matches_oracle_on_generated_text(lines, newline, final_newline):
    text = newline.join(lines) + (newline if final_newline else "")
    assert solve(text, 1) == oracle(text, 1)
    assert solve(text, 2) == oracle(text, 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_oracle_on_generated_full_inputs(seed):
    text = d01.generate_input(seed)
    assert solve(text, 1) == oracle(text, 1)
    assert solve(text, 2) == oracle(text, 2)


@pytest.mark.parametrize("seed", [0, 7])
def test_generated_inputs_have_the_real_shape(seed):
    text = d01.generate_input(seed)
    lines = text.split("\n")
    assert lines[-1] == "" and all(lines[:-1])  # one final newline, no blank lines
    lines = lines[:-1]
    assert len(lines) == 1000
    assert all(2 <= len(line) <= 65 for line in lines)
    assert set("".join(lines)) <= set("abcdefghijklmnopqrstuvwxyz123456789")  # no 0, like real inputs
    assert all(re.search("[1-9]", line) for line in lines)  # part 1 is solvable on every line
    spelled = sum(bool(re.search("|".join(SPELLED), line)) for line in lines)
    assert spelled > 500  # rich in spelled digits, as real inputs are
    assert any(word in text for word in ("twone", "eightwo", "oneight"))  # overlaps occur
    assert max(len(line) for line in lines) > 50 and min(len(line) for line in lines) < 10
    assert 18_000 < len(text) < 28_000  # real inputs have about 22,000 characters: short lines are common
    assert d01.generate_input(seed) == text and d01.generate_input(seed + 1) != text
