"""Warm solve times of the all-pairs networks (2022/3 both parts, 2023/4 part 1, 2024/1 part 2) against
classical, at about 1,000 and 10,000 lines, on one generated input each.

    python scripts/timing_pairs.py                      # every part, 1,000 and 10,000 lines
    python scripts/timing_pairs.py --only 2024/1/2 --lines 1000

Each size: one solve that compiles for the shape, then `--repeats` warm solves (median reported; at
most one past `--slow` seconds). Records are parsed once, outside the timed call; the classical time is
parse and solve. The networks compare within a record (a rucksack, a group of three, a card) except
2024/1's, whose record is the whole input: its pairs grow with the square of the lines.
"""

from __future__ import annotations

import argparse
import statistics
import time

from aocnn import registry, runner
from aocnn.errors import run_script
from solvers.y2022 import d03 as y2022_d03
from solvers.y2023 import d04 as y2023_d04
from solvers.y2024 import d01 as y2024_d01

SEED = 31_415_000  # inputs no test or training uses

# part -> (puzzle, part, its generator for n lines)
PARTS = {
    "2022/3/1": (2022, 3, 1, lambda n: y2022_d03.generate_input(SEED + n, n_lines=n)),
    "2022/3/2": (2022, 3, 2, lambda n: y2022_d03.generate_input(SEED + n, n_lines=n)),
    "2023/4/1": (2023, 4, 1, lambda n: y2023_d04.generate_input(SEED + n, n_cards=n)),
    "2024/1/2": (2024, 1, 2, lambda n: y2024_d01.generate_input(SEED + n, n_lines=n)),
}


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def measure(name: str, lines: int, repeats: int, slow: float) -> None:
    year, day, part, generate = PARTS[name]
    puzzle = registry.get(year, day)
    network = runner.load_neural(puzzle, part)
    text = generate(lines)
    records = puzzle.records(text)
    first, _ = timed(lambda: network.solve(records))  # compiles for this shape
    warm: list[float] = []
    answer = None
    while len(warm) < repeats and not (warm and warm[-1] > slow):
        seconds, answer = timed(lambda: network.solve(records))
        warm.append(seconds)
    classical, expected = min((timed(lambda: puzzle.answer(part, text)) for _ in range(3)), key=lambda t: t[0])
    neural = statistics.median(warm)
    print(f"{name}, {len(text.splitlines()):,} lines: neural warm {neural * 1e3:,.0f} ms (median of {len(warm)}; "
          f"first call {first:,.1f} s), classical {classical * 1e3:,.1f} ms, ratio {neural / classical:,.0f}x; "
          f"answer {'right' if answer.answer == expected else 'WRONG'}, {answer.low_confidence:,} of "
          f"{answer.records:,} records flagged", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=sorted(PARTS), help="these parts (default: all)")
    parser.add_argument("--lines", type=int, action="append", help="input sizes (default: 1,000 and 10,000)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slow", type=float, default=20.0, help="past this many seconds a size is solved warm once")
    args = parser.parse_args()
    for name in args.only or sorted(PARTS):
        for lines in args.lines or (1000, 10_000):
            measure(name, lines, args.repeats, args.slow)


if __name__ == "__main__":
    run_script(main)
