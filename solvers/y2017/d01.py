"""AoC 2017 day 1, "Inverse Captcha".

The input is one line of digits, read as a circle: after the last digit comes the first again.
Part 1 adds up every digit that equals the digit right after it. Part 2 adds up every digit that
equals the digit half the circle away (the line has an even number of digits, so each digit has one
opposite). Real inputs: one line of 2,026-2,190 digits 1-9, of even length.

The input is normalized by aocnn.text first (BOM, CRLF, trailing spaces); a character that is not a
digit, or a second line, is an error naming its position or line, for both solvers. Part 2 of an
odd-length line has no answer (no digit is half the circle away) and says so.

Neural solvers: none yet; `aocnn solve` answers classically.
"""

from __future__ import annotations

import numpy as np

from aocnn.errors import InputError
from aocnn.registry import Puzzle

REAL_LENGTH = (2026, 2190)


# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> tuple[int, ...]:
    """The digits of the one line (a tuple: records compare and hash like values)."""
    line, *more = text.split("\n")
    if more:
        raise InputError(f"line 2: expected one line of digits, found {len(more) + 1} lines")
    codes = np.frombuffer(line.encode("utf-32-le"), dtype=np.uint32)
    bad = np.flatnonzero((codes < ord("0")) | (codes > ord("9")))
    if bad.size:
        at = int(bad[0])
        raise InputError(f"position {at + 1}: unexpected character {line[at]!r} (expected a digit)")
    return tuple((codes - ord("0")).tolist())


# --- classical ------------------------------------------------------------------------------

def matching_sum(digits: tuple[int, ...], distance: int) -> int:
    """The sum of the digits equal to the digit `distance` further round the circle."""
    circle = np.asarray(digits, dtype=np.int64)
    return int(circle[circle == np.roll(circle, -distance)].sum())


def part1(digits: tuple[int, ...]) -> int:
    return matching_sum(digits, 1)


def part2(digits: tuple[int, ...]) -> int:
    if len(digits) % 2:
        raise InputError(f"no part 2 answer: the line has an odd number of digits ({len(digits)}), "
                         "so no digit is half the circle away")
    return matching_sum(digits, len(digits) // 2)


# --- generator ------------------------------------------------------------------------------

def generate_input(seed: int, length: int | None = None) -> str:
    """A full input of the real shape: one line of 2,026-2,190 digits 1-9 (even). Each digit repeats
    the one before with probability 0.095-0.13 (its own per input; uniform digits would give 1/9),
    else it is one of the other eight: part 1 comes to about 1,000-1,400, part 2 to about 1,100."""
    rng = np.random.default_rng(seed)
    if length is None:
        length = 2 * int(rng.integers(REAL_LENGTH[0] // 2, REAL_LENGTH[1] // 2 + 1))
    repeat = rng.uniform(0.095, 0.13)
    again = rng.random(length) < repeat
    shifts = rng.integers(1, 9, length)  # to one of the other eight digits
    digits = np.empty(length, dtype=np.int64)
    digits[0] = rng.integers(1, 10)
    for i in range(1, length):
        digits[i] = digits[i - 1] if again[i] else (digits[i - 1] - 1 + shifts[i]) % 9 + 1
    return "".join(map(str, digits)) + "\n"


PUZZLE = Puzzle(2017, 1, "Inverse Captcha", parse, part1, part2, generate_input)  # classical only (docstring)
