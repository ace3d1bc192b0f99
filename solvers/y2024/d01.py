"""AoC 2024 day 1, "Historian Hysteria".

Each line holds two whole numbers, one from a left list and one from a right list.
- Part 1: pair the smallest left number with the smallest right number, the second smallest with
  the second smallest, and so on; sum the distances (absolute differences) of the pairs.
- Part 2: sum, over the left list, each number times how many times it occurs in the right list.

Input: lines `a   b` (real inputs: 1,000 lines of two 5-digit numbers separated by three spaces;
the left list has no repeats, the right one repeats some values up to 20 times, and about 40 left
values occur in it). Any run of spaces separates the two; anything else is an error naming its line.
Repeats in the left list are allowed: both rules stay well defined with them.

Neural solvers: none yet; both parts answer classically.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from aocnn.registry import Puzzle
from aocnn.text import matched_lines

LINE = re.compile(r"([0-9]+) +([0-9]+)")
REAL_LINES, REAL_DIGITS = 1000, 5
Pair = tuple[int, int]


# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> list[Pair]:
    expected = "two whole numbers separated by spaces"
    return [(int(found[1]), int(found[2])) for _, _, found in matched_lines(text, LINE, expected)]


# --- classical ------------------------------------------------------------------------------

def part1(pairs: list[Pair]) -> int:
    left, right = zip(*pairs)
    return sum(abs(a - b) for a, b in zip(sorted(left), sorted(right)))


def part2(pairs: list[Pair]) -> int:
    left, right = zip(*pairs)
    count = Counter(right)
    return sum(a * count[a] for a in left)


# --- generator ------------------------------------------------------------------------------

def generate_input(seed: int, n_lines: int = REAL_LINES, digits: int = REAL_DIGITS) -> str:
    """`n_lines` lines of two `digits`-digit numbers, three spaces apart. The left list has no repeats;
    about 4% of its values (40 of 1,000) occur 1-20 times each in the right list, a few right values
    that are not on the left repeat 2-4 times, and the rest of the right list is values seen once."""
    rng = np.random.default_rng(seed)
    low, high = 10 ** (digits - 1), 10**digits
    values = rng.choice(high - low, 3 * n_lines, replace=False) + low  # distinct; left, then right's own
    left, others = values[:n_lines], values[n_lines:]
    shared = rng.choice(left, int(round(n_lines * rng.uniform(0.035, 0.045))), replace=False)
    right = [np.repeat(shared, rng.integers(1, 21, len(shared)))]
    doubled = others[:max(1, n_lines // 100)]
    right.append(np.repeat(doubled, rng.integers(2, 5, len(doubled))))
    used = sum(map(len, right))
    right.append(others[len(doubled):len(doubled) + n_lines - used])
    right = np.concatenate(right)
    rng.shuffle(right)
    return "".join(f"{a}   {b}\n" for a, b in zip(left.tolist(), right.tolist()))


PUZZLE = Puzzle(2024, 1, "Historian Hysteria", parse, part1, part2, generate_input)  # none yet: see the module docstring
