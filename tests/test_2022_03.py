"""2022 day 3: the classical parts against an oracle, every broken promise as one line error, and
the generator's shape."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2022 import d03

PUZZLE = d03.PUZZLE


def priority(letter: str) -> int:
    return ord(letter) - ord("a") + 1 if letter.islower() else ord(letter) - ord("A") + 27


def oracle(text: str) -> tuple[int, int]:
    """Both parts by counting, per letter, the places it occurs in: a letter seen in both halves
    (part 1) or in three lines of a group (part 2) is the one, and there must be exactly one."""
    rows = text.split()
    first = 0
    for row in rows:
        n = len(row) // 2
        both = [ch for ch in sorted(set(row)) if ch in row[:n] and ch in row[n:]]
        assert len(both) == 1
        first += priority(both[0])
    second = 0
    for start in range(0, len(rows), 3):
        seen = {ch: sum(ch in row for row in rows[start:start + 3]) for ch in set("".join(rows[start:start + 3]))}
        badges = [ch for ch, count in seen.items() if count == 3]
        assert len(badges) == 1
        second += priority(badges[0])
    return first, second


@st.composite
def groups(draw):
    """A group of three rucksacks keeping the puzzle's promises, built from disjoint pools of letters."""
    letters = draw(st.permutations(d03.LETTERS))
    badge, pools = letters[0], [letters[1 + 5 * i:1 + 5 * (i + 1)] for i in range(9)]
    rows = []
    for i in range(3):
        left, right = pools[3 * i], pools[3 * i + 1]
        shared = draw(st.sampled_from([badge, pools[3 * i + 2][0]]))
        a = draw(st.lists(st.sampled_from(left), max_size=6)) + [shared]
        b = draw(st.lists(st.sampled_from(right), max_size=6)) + [shared]
        (a if shared != badge and draw(st.booleans()) else b).append(badge)
        a, b = (draw(st.permutations(side)) for side in (a, b))
        pad = draw(st.sampled_from(left))
        while len(a) < len(b):
            a.append(pad)
        while len(b) < len(a):
            b.append(right[0])
        rows.append("".join(a) + "".join(b))
    return rows


@given(st.lists(groups(), min_size=1, max_size=8))
def test_classical_matches_oracle(many):
    text = "".join(row + "\n" for group in many for row in group)
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_an_example_of_our_own():
    text = "abcaxy\nbdefgb\ncbhihj\n"  # halves share a, b, h; all three lines share b
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (1 + 2 + 8, 2)
    text = "ZqZr\nZrrs\nsZZt\n"  # upper case: Z is 52
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (52 + 18 + 52, 52)


@pytest.mark.parametrize("text, message", [
    ("abca\nabcb\nab1b\n", "line 3: expected letters a-z and A-Z only: 'ab1b'"),
    ("abca\n\nabcb\n", "line 2: expected letters a-z and A-Z only: ''"),
    ("abca\nab cb\nabcb\n", "line 2: expected letters a-z and A-Z only: 'ab cb'"),
    ("abca\nabcba\nabcb\n", "line 2: odd length 5: the two compartments must be equally long: 'abcba'"),
    ("abcd\naa\naa\n", "line 1: the two halves share 0 kinds of item, expected exactly 1: 'abcd'"),
    ("aa\naa\nabab\n", "line 3: the two halves share 2 kinds of item, expected exactly 1: 'abab'"),
    ("aA\naa\naa\n", "line 1: the two halves share 0 kinds of item, expected exactly 1: 'aA'"),
    ("aa\nbb\ncc\n", "line 3: lines 1-3 share 0 kinds of item, expected exactly 1: 'cc'"),
    ("aa\naa\naa\nabab\n", "line 4: the two halves share 2 kinds of item, expected exactly 1: 'abab'"),
    ("aa\naa\naa\nabca\nabdb\nbaeb\n", "line 6: lines 4-6 share 2 kinds of item, expected exactly 1: 'baeb'"),
    ("aa\naa\naa\nbb\n", "line 4: the last group has 1 of 3 lines (the line count must be a multiple of 3): 'bb'"),
    ("aa\naa\n", "line 2: the last group has 2 of 3 lines (the line count must be a multiple of 3): 'aa'"),
])
def test_a_broken_promise_is_one_error_naming_the_line(text, message):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == message


def test_crlf_and_no_final_newline_read_the_same():
    text = d03.generate_input(7)
    assert PUZZLE.records(text.replace("\n", "\r\n").rstrip()) == PUZZLE.records(text)


def test_generated_input_has_the_real_shape():
    for seed in range(5):
        text = d03.generate_input(seed)
        assert text == d03.generate_input(seed) != d03.generate_input(seed + 1)
        rows = PUZZLE.records(text)  # the parser checks every promise
        assert len(rows) == 300 and {len(r) for r in rows} <= set(range(16, 49, 2))
        assert min(map(len, rows)) <= 20 and max(map(len, rows)) >= 44
        first, second = oracle(text)
        assert 6500 < first < 9500 and 2000 < second < 3300  # about 26.5 per line and per group
        assert len(set(text) - {"\n"}) == 52


def test_the_badge_is_not_always_the_shared_kind_and_halves_repeat_kinds():
    rows = PUZZLE.records(d03.generate_input(11))
    badge_is_shared = sum(d03.common(*rows[i:i + 3]) == d03.common(*d03.halves(rows[i + j]))
                          for i in range(0, 300, 3) for j in range(3))
    assert badge_is_shared < 30
    assert sum(len(set(half)) < len(half) for r in rows for half in d03.halves(r)) > 500
