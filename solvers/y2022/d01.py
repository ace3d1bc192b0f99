"""AoC 2022 day 1, "Calorie Counting".

Elves list the calories of the food each carries: one number per line, one elf after another, with
a blank line between two elves. An elf's total is the sum of their numbers.
- Part 1: the largest total of any elf.
- Part 2: the sum of the three largest totals (three different elves; equal totals count each time).

Input: groups of one or more non-negative integers, one per line, separated by exactly one blank
line (real inputs: about 2,250 lines, 235-270 groups of 1-15 numbers of 1,001-69,814). A line that
is not a number, a blank line at the start or two blank lines in a row (an elf with nothing) is an
error naming its line, for both solvers. Part 2 needs at least three elves.

Neural solvers: none yet (classical only; the runner skips a part without a network).
"""

from __future__ import annotations

import re

import numpy as np

from aocnn.errors import InputError, line_error
from aocnn.registry import Puzzle
from aocnn.text import lines

NUMBER = re.compile(r"[0-9]+")
REAL_GROUPS = (235, 270)
REAL_SIZES = (1, 15)
REAL_VALUES = (1_001, 69_814)


# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> list[list[int]]:
    """The groups, each a list of its numbers in order."""
    groups: list[list[int]] = [[]]
    for number, line in enumerate(lines(text), 1):
        if not line:
            if not groups[-1]:
                raise line_error(number, line, "a blank line must end a group of numbers (an elf with nothing)")
            groups.append([])
        elif NUMBER.fullmatch(line):
            groups[-1].append(int(line))
        else:
            raise line_error(number, line, "expected a number of calories (a non-negative integer) or a blank line")
    return groups


# --- classical ------------------------------------------------------------------------------

def totals(groups: list[list[int]]) -> list[int]:
    return [sum(group) for group in groups]


def part1(groups: list[list[int]]) -> int:
    return max(totals(groups))


def part2(groups: list[list[int]]) -> int:
    if len(groups) < 3:
        raise InputError(f"part 2 needs at least three elves; this input has {len(groups)}")
    return sum(sorted(totals(groups))[-3:])


# --- generator ------------------------------------------------------------------------------

def random_groups(rng: np.random.Generator, n_groups: int, max_size: int, low: int, high: int) -> list[list[int]]:
    """`n_groups` groups of 1..max_size numbers in low..high. Each group first draws a total, spread
    evenly from 5 * low to 0.95 * high whatever the group's size, then numbers near total / size, so that
    small groups hold large numbers and large groups small ones, as in real inputs: a group's size does
    not tell how large its total is."""
    groups = []
    for size in rng.integers(1, max_size + 1, n_groups).tolist():
        total = rng.uniform(5 * low, 0.95 * high)
        share = total / size * (rng.uniform(0.5, 1.5, size) if size > 1 else np.ones(1))
        groups.append(np.clip(np.rint(share), low, high).astype(np.int64).tolist())
    return groups


def generate_input(seed: int, n_groups: int | None = None, max_size: int = REAL_SIZES[1],
                   low: int = REAL_VALUES[0], high: int = REAL_VALUES[1]) -> str:
    """A full input: 235-270 groups (or `n_groups`) of 1..max_size numbers in low..high (real inputs:
    235-270 groups of 1-15 numbers of 1,001-69,814, about 2,250 lines)."""
    rng = np.random.default_rng(seed)
    if n_groups is None:
        n_groups = int(rng.integers(REAL_GROUPS[0], REAL_GROUPS[1] + 1))
    groups = random_groups(rng, n_groups, max_size, low, high)
    return "\n\n".join("\n".join(map(str, group)) for group in groups) + "\n"


PUZZLE = Puzzle(2022, 1, "Calorie Counting", parse, part1, part2, generate_input)  # classical only so far
