"""2024 day 3: the classical parts against a character-by-character oracle, input errors and the
generator's shape."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2024 import d03

PUZZLE = d03.PUZZLE


def read_number(text: str, at: int, end: str) -> tuple[int, int] | None:
    """1-3 digits at `at` followed by `end`: (value, position after `end`), else None."""
    stop = at
    while stop < len(text) and text[stop].isdigit() and text[stop].isascii():
        stop += 1
    if not 1 <= stop - at <= 3 or text[stop:stop + 1] != end:
        return None
    return int(text[at:stop]), stop + 1


def oracle(text: str) -> tuple[int, int]:
    """Both parts by walking the whole text one position at a time, without regular expressions."""
    everything = enabled = 0
    on = True
    for at in range(len(text)):
        if text.startswith("do()", at):
            on = True
        elif text.startswith("don't()", at):
            on = False
        elif text.startswith("mul(", at):
            first = read_number(text, at + 4, ",")
            second = first and read_number(text, first[1], ")")
            if second:
                everything += first[0] * second[0]
                enabled += on * first[0] * second[0]
    return everything, enabled


PIECES = st.sampled_from(["mul(", "mul", "(", ")", ",", "1", "23", "456", "7890", "do()", "don't()", "do", "don't",
                          " ", "x", "\n", "[", "*", "%"])


@given(st.lists(PIECES, min_size=1, max_size=120).map("".join).filter(str.strip))
def test_classical_matches_oracle(text):
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_a_small_memory():
    text = "xmul(2,4)%&mul[3,7]!@^do_not_mul(5,5)+mul(32,64]then(mul(11,8)mul(8,5))\n"
    assert PUZZLE.answer(1, text) == 2 * 4 + 5 * 5 + 11 * 8 + 8 * 5


@pytest.mark.parametrize("text, one, two", [
    ("mul(4*mul ( 2 , 4 )mul(12,3mul[3,7]mul(2, 4)mul(1234,5)mul(-2,4)mul(2,4 )\n", 0, 0),
    ("xmul(2,4)%\n", 8, 8),
    ("mul(2,3)don't()mul(5,5)do()mul(7,7)\n", 6 + 25 + 49, 6 + 49),
    ("don't()mul(5,5)\nmul(3,3)do()\nmul(2,2)\n", 25 + 9 + 4, 4),  # the state carries across lines
    ("don't( )mul(5,5)dont()mul(1,1)\n", 26, 26),  # near-misses of don't() switch nothing off
    ("mul(5,5\n)\n", 0, 0),  # an instruction does not span lines
    ("mul(999,999)mul(0,0)mul(007,1)\n", 999 * 999 + 7, 999 * 999 + 7),
])
def test_the_exact_syntax(text, one, two):
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (one, two) == oracle(text)


def test_any_printable_line_is_memory():
    text = "".join(map(chr, range(32, 127))) + "\n\n  mul(1,2)\n"
    assert PUZZLE.records(text) == ["".join(map(chr, range(32, 127))), "", "  mul(1,2)"]


@pytest.mark.parametrize("text, number, line", [
    ("mul(1,2)\nmul(3,4)\tx\n", 2, "mul(3,4)\tx"),
    ("mul(1,2)é\n", 1, "mul(1,2)é"),
    ("ok\nok\n\x7fmul(1,2)\n", 3, "\x7fmul(1,2)"),
    ("\x00\n", 1, "\x00"),
])
def test_a_line_with_a_character_outside_printable_ascii_is_an_error_naming_it(text, number, line):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == f"line {number}: expected printable ASCII characters only (space to '~'): {line!r}"


def test_generated_input_has_the_real_shape():
    for seed in range(4):
        text = d03.generate_input(seed)
        assert text == d03.generate_input(seed) != d03.generate_input(seed + 1)
        memory = PUZZLE.records(text)
        assert len(memory) == 6 and all(3_000 <= len(line) <= 3_700 for line in memory)
        muls = [found for line in memory for found in d03.MUL.finditer(line)]
        assert 600 <= len(muls) <= 800
        assert all(25 <= text.count(switch) <= 45 for switch in ("do()", "don't()"))
        for near in ("mul ( ", "mul[", "mul(", "don't( )"):
            assert text.count(near) >= 3
        assert len(re.findall(r"mul\([0-9]{1,3},[0-9]{1,3}[^0-9)]", text)) >= 30  # unclosed ones
        assert len(re.findall(r"[a-z]mul\([0-9]{1,3},[0-9]{1,3}\)", text)) >= 5  # valid after a letter
        assert {len(found[1]) for found in muls} == {1, 2, 3}
        one, two = oracle(text)
        assert (one, two) == (PUZZLE.answer(1, text), PUZZLE.answer(2, text))
        assert 0.2 * one < two < 0.8 * one  # the switches matter


def test_the_generator_goes_far_beyond_on_request():
    memory = PUZZLE.records(d03.generate_input(5, n_lines=60))
    assert len(memory) == 60
    one_line = d03.generate_input(5, n_lines=1, length=(20_000, 20_000))
    assert len(one_line) == 20_001 and 600 < len(d03.MUL.findall(one_line)) < 800
