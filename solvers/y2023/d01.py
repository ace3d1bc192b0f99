"""AoC 2023 day 1, "Trebuchet?!".

Each line hides a calibration value: its first and its last digit, read as a two-digit
number. Part 1 counts the characters 0-9 as digits. Part 2 also counts the words
one..nine, which may overlap ("twone" starts with 2 and ends with 1, "eightwo" is 82).
The answer is the sum over all lines.

Neural solver (see `neural` below): what is learned and what is hand-written is listed there.
"""

from __future__ import annotations

import numpy as np

from aocnn.errors import line_error
from aocnn.registry import Puzzle
from aocnn.text import lines

WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
NUMERALS = "0123456789"


# --- classical ------------------------------------------------------------------------------

def digits(line: str, spelled: bool) -> list[int]:
    """Digits in order of where they start; with `spelled`, words count too (overlaps allowed)."""
    found = []
    for start, char in enumerate(line):
        if char in NUMERALS:
            found.append(int(char))
        elif spelled:
            found.extend(value for value, word in enumerate(WORDS, 1) if line.startswith(word, start))
    return found


def calibration_values(text: str, spelled: bool) -> list[int]:
    values = []
    for number, line in enumerate(lines(text), 1):
        found = digits(line, spelled)
        if not found:
            kind = "digit or spelled digit" if spelled else "digit"
            raise line_error(number, line, f"no {kind} in line")
        values.append(10 * found[0] + found[-1])
    return values


def part1(text: str) -> int:
    return sum(calibration_values(text, spelled=False))


def part2(text: str) -> int:
    return sum(calibration_values(text, spelled=True))


# --- generator ------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyz"
OVERLAPS = ("twone", "oneight", "eightwo", "eighthree", "threeight", "fiveight", "nineight", "sevenine", "twoneight")
NEAR_MISSES = ("nin", "seve", "thre", "fiv", "eigh", "tw", "on", "fou", "si", "ni", "sevn", "eght", "fivve", "ninr")


def _token(rng: np.random.Generator, zero: bool, spelled_rate: float) -> str:
    roll = rng.random()
    if roll < 0.22:
        return NUMERALS[rng.integers(0 if zero else 1, 10)]
    if roll < 0.22 + spelled_rate:
        return WORDS[rng.integers(9)] if rng.random() < 0.8 else OVERLAPS[rng.integers(len(OVERLAPS))]
    if roll < 0.32 + spelled_rate:
        return NEAR_MISSES[rng.integers(len(NEAR_MISSES))]
    return "".join(rng.choice(list(LETTERS), rng.integers(1, 6)))


def random_line(rng: np.random.Generator, min_len: int, max_len: int, zero: bool = False,
                spelled_rate: float = 0.3, need_numeral: bool = True) -> str:
    """A line shaped like the real ones: letter runs, digits, words, overlaps and near misses."""
    length = int(rng.integers(min_len, max_len + 1))
    style = rng.random()
    if style < 0.1:  # a single digit, or digits only at the very ends
        body = "".join(_token(rng, zero, 0.0) for _ in range(length))
        body = "".join(c for c in body if c not in NUMERALS)[: max(length - 2, 0)]
        ends = [NUMERALS[rng.integers(0 if zero else 1, 10)] for _ in range(2)]
        line = {0: ends[0] + body, 1: body + ends[1]}.get(int(rng.integers(3)), ends[0] + body + ends[1])
    else:
        parts, size = [], 0
        while size < length + 2:
            token = _token(rng, zero, spelled_rate if style < 0.9 else 0.0)
            parts.append(token)
            size += len(token)
        offset = int(rng.integers(0, 3)) if rng.random() < 0.3 else 0  # start inside a word sometimes
        line = "".join(parts)[offset:offset + length]
    line += "".join(rng.choice(list(LETTERS), max(min_len - len(line), 0)))
    if need_numeral and not any(c in NUMERALS for c in line):
        at = int(rng.integers(0, max(len(line), 1)))  # replace a character, keeping the length
        line = line[:at] + NUMERALS[rng.integers(0 if zero else 1, 10)] + line[at + 1:]
    return line


def generate_input(seed: int, n_lines: int = 1000) -> str:
    """A full input of the real shape: 1000 lines of 2-65 characters, digits 1-9, rich in words."""
    rng = np.random.default_rng(seed)
    return "\n".join(random_line(rng, 2, 65) for _ in range(n_lines)) + "\n"


PUZZLE = Puzzle(
    year=2023,
    day=1,
    title="Trebuchet?!",
    part1=part1,
    part2=part2,
    generate_input=generate_input,
)
