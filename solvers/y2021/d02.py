"""AoC 2021 day 2, "Dive!".

A submarine follows a planned course, one command per line: `forward N`, `down N` or `up N`. It
starts at horizontal position 0 and depth 0 (and, in part 2, aim 0). The answer to both parts is
the final horizontal position times the final depth.
- Part 1: `forward` moves N ahead; `down` adds N to the depth and `up` takes N from it.
- Part 2: `down` and `up` turn the nose instead: they add N to, or take N from, the aim. `forward`
  moves N ahead and also N times the aim deeper.

Input: one command per line, `forward`, `down` or `up`, a space, a non-negative integer (real
inputs: 1,000 lines, N 1-9); anything else is an error naming its line, for both solvers.

Neural solvers: none yet (classical only; the runner skips a part without a network).
"""

from __future__ import annotations

import re

import numpy as np

from aocnn.registry import Puzzle
from aocnn.text import matched_lines

COMMANDS = ("forward", "down", "up")
LINE = re.compile(r"(forward|down|up) ([0-9]+)")
REAL_LINES = 1000

Command = tuple[str, int]  # (command, N)


# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> list[Command]:
    """Each line as (command, N)."""
    expected = "'forward N', 'down N' or 'up N' with N a non-negative integer"
    return [(found[1], int(found[2])) for _, _, found in matched_lines(text, LINE, expected)]


# --- classical ------------------------------------------------------------------------------

def part1(course: list[Command]) -> int:
    horizontal = depth = 0
    for command, n in course:
        if command == "forward":
            horizontal += n
        elif command == "down":
            depth += n
        else:
            depth -= n
    return horizontal * depth


def part2(course: list[Command]) -> int:
    horizontal = depth = aim = 0
    for command, n in course:
        if command == "forward":
            horizontal += n
            depth += aim * n
        elif command == "down":
            aim += n
        else:
            aim -= n
    return horizontal * depth


# --- generator ------------------------------------------------------------------------------

def generate_input(seed: int, n_lines: int = REAL_LINES, high: int = 9) -> str:
    """`n_lines` commands with N in 1..high (real inputs: 1,000 lines, N 1-9). Each input draws its own
    mix of commands (forward about 40-55%, down a little more often than up), so the submarine drifts
    down to a depth of several hundred to about a thousand; an `up` that would take the depth above the
    surface becomes a `down`, as in real courses, which never surface."""
    rng = np.random.default_rng(seed)
    forward = rng.uniform(0.40, 0.55)
    down = (1 - forward) * rng.uniform(0.55, 0.70)
    kinds = rng.choice(3, n_lines, p=[forward, down, 1 - forward - down])
    steps = rng.integers(1, high + 1, n_lines)
    depth = 0
    rows = []
    for kind, n in zip(kinds.tolist(), steps.tolist()):
        if kind == 2 and depth - n < 0:
            kind = 1
        depth += n if kind == 1 else -n if kind == 2 else 0
        rows.append(f"{COMMANDS[kind]} {n}\n")
    return "".join(rows)


PUZZLE = Puzzle(2021, 2, "Dive!", parse, part1, part2, generate_input)  # classical only so far
