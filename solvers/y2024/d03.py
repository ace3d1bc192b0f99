"""AoC 2024 day 3, "Mull It Over".

A computer's memory is corrupted: among junk characters it still holds instructions. `mul(X,Y)`
multiplies X by Y, where X and Y have 1-3 digits; the syntax is exact (`mul(`, digits, `,`, digits,
`)` with nothing else, no spaces), so `mul(4*`, `mul ( 2 , 4 )`, `mul(12,3` and `mul[3,7]` do
nothing, while the `mul(2,4)` inside `xmul(2,4)%` counts. `do()` enables later `mul`s and `don't()`
disables them. The memory is read line after line as one stream.
- Part 1: the sum of X * Y over every valid `mul`.
- Part 2: the same, over only the `mul`s met while enabled. The program starts enabled, and the state
  carries from one line to the next.

Input: lines of printable ASCII (space to `~`); anything else (a tab, a non-ASCII character) is an
error naming its line, for both solvers. Real inputs: 6 lines of 3,000-3,700 characters, about 700
valid `mul`s in all, 30-40 each of `do()` and `don't()`, and many near-misses.

Neural solvers: none yet (classical only; the runner skips a part without a network).
"""

from __future__ import annotations

import re

import numpy as np

from aocnn.errors import line_error
from aocnn.registry import Puzzle
from aocnn.text import lines

PRINTABLE = re.compile(r"[ -~]*")
MUL = re.compile(r"mul\(([0-9]{1,3}),([0-9]{1,3})\)")
INSTRUCTION = re.compile(MUL.pattern + r"|do\(\)|don't\(\)")
REAL_LINES, REAL_LENGTH, REAL_MULS, REAL_SWITCHES = 6, (3_000, 3_700), 700, (30, 40)


# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> list[str]:
    """The memory's lines, as they are."""
    memory = lines(text)
    for number, line in enumerate(memory, 1):
        if not PRINTABLE.fullmatch(line):
            raise line_error(number, line, "expected printable ASCII characters only (space to '~')")
    return memory


# --- classical ------------------------------------------------------------------------------

def part1(memory: list[str]) -> int:
    return sum(int(x) * int(y) for line in memory for x, y in MUL.findall(line))


def part2(memory: list[str]) -> int:
    enabled, total = True, 0
    for line in memory:
        for found in INSTRUCTION.finditer(line):
            if found[0] in ("do()", "don't()"):
                enabled = found[0] == "do()"
            elif enabled:
                total += int(found[1]) * int(found[2])
    return total


# --- generator ------------------------------------------------------------------------------

JUNK = "!@#$%^&*()_+-=[]{}<>,.;:'/?~| "  # the junk between instructions: punctuation and spaces
WORDS = ("what", "when", "where", "who", "why", "how", "select", "from", "mul", "do", "don't")  # junk words


def operand(rng: np.random.Generator) -> str:
    """1-999, most of them of 3 digits (as in real memory, whose answers are about 700 * 500**2)."""
    return str(rng.integers(1, 1000 if rng.random() < 0.8 else 10 ** int(rng.integers(1, 3))))


def near_miss(rng: np.random.Generator) -> str:
    """Something that looks like an instruction and is not one (on its own: the junk after it can
    complete it, as in real memory; the classical rule decides)."""
    x, y = operand(rng), operand(rng)
    kind = int(rng.integers(0, 14))
    return [
        f"mul({x}*", f"mul ( {x} , {y} )", f"mul({x},{y}", f"mul[{x},{y}]", f"mul({x}, {y})",
        f"mul({x},{y}!", f"mul({rng.integers(1000, 10_000)},{y})", f"mul({x},{rng.integers(1000, 10_000)})",
        f"mul(-{x},{y})", f"mul({x}{y})", f"mul({x},,{y})", f"mul{x},{y})",
        str(rng.choice(["do(", "don't(", "don't)", "do ()", "dont()", "don't( )", "do_not()", "undo"])),
        f"{rng.choice(WORDS[:8])}({x},{y})",
    ][kind]


def junk(rng: np.random.Generator, length: int) -> str:
    """`length` characters of junk: punctuation, spaces and now and then a word."""
    out, size = [], 0
    while size < length:
        out.append(WORDS[rng.integers(len(WORDS))] if rng.random() < 0.08 else JUNK[rng.integers(len(JUNK))])
        size += len(out[-1])
    return "".join(out)[:length]


def generate_line(rng: np.random.Generator, length: int, muls: int, dos: int, donts: int, misses: int) -> str:
    """One line of about `length` characters: the given numbers of valid `mul`s, `do()`s, `don't()`s and
    near-misses in random order, with junk of random length between them (a third of the gaps empty)."""
    pieces = ([f"mul({operand(rng)},{operand(rng)})" for _ in range(muls)] + ["do()"] * dos + ["don't()"] * donts
              + [near_miss(rng) for _ in range(misses)])
    pieces = [pieces[i] for i in rng.permutation(len(pieces))]
    room = max(length - sum(map(len, pieces)), 0)
    weights = rng.random(len(pieces) + 1) * (rng.random(len(pieces) + 1) > 0.33)
    gaps = rng.multinomial(room, weights / weights.sum()) if weights.sum() else np.zeros(len(pieces) + 1, int)
    out = [junk(rng, int(gaps[0]))]
    for piece, gap in zip(pieces, gaps[1:].tolist()):
        out += [piece, junk(rng, gap)]
    return "".join(out)


def generate_input(seed: int, n_lines: int = REAL_LINES, length: tuple[int, int] = REAL_LENGTH) -> str:
    """`n_lines` lines of `length` characters (real inputs: 6 lines of 3,000-3,700): about 115 valid
    `mul`s per 3,300 characters, 30-40 each of `do()` and `don't()` per 6 such lines, and about as many
    near-misses as valid `mul`s."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_lines):
        size = int(rng.integers(length[0], length[1] + 1))
        scale = size / 3_300
        muls = int(rng.normal(REAL_MULS / REAL_LINES, 6) * scale)
        dos, donts = (int(rng.integers(REAL_SWITCHES[0], REAL_SWITCHES[1] + 1) / REAL_LINES * scale * rng.uniform(0.7, 1.3))
                      for _ in range(2))
        misses = int(rng.uniform(0.6, 1.2) * muls)
        out.append(generate_line(rng, size, muls, dos, donts, misses)[:size])
    return "\n".join(out) + "\n"


PUZZLE = Puzzle(2024, 3, "Mull It Over", parse, part1, part2, generate_input)  # classical only so far
