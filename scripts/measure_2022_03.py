"""Measure 2022/3's networks on fresh rucksacks (part 1) and groups of three (part 2): training-style,
real-style (16-48 letters), the training's own beyond set, for part 2 the lengths between that and far
beyond (41-199), far beyond (200-500 letters a rucksack), and generated full inputs of 300 and 3,000 lines.

    python scripts/measure_2022_03.py --part 1 --records 100000 --far 1000 --inputs 20
    python scripts/measure_2022_03.py --part 2 --root /tmp/seed1   # weights from `aocnn train ... --out /tmp/seed1`
    python scripts/measure_2022_03.py --part 1 --timing-only          # warm neural vs classical solve time

Timing: one warm solve of a full generated input of 300 and of 3,000 lines (records already parsed;
the network compiled on the same input first) against the classical parse and solve, and their ratio.

Each line counts records exact, flagged (low-confidence: not counted as an answer) and confidently
wrong, with the solver's threshold (p >= 0.99).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from aocnn import registry, runner
from aocnn.errors import run_script
from aocnn.nn.family import decode
from solvers.y2022 import d03

MEASURE_SEED = 22_030_000  # records and inputs no test or training uses
HEAD = {1: "priority", 2: "badge"}


def records(part: int, rng: np.random.Generator, n: int, low: int, high: int) -> list[str]:
    """n rucksacks (part 1) or n groups of three, flattened (part 2), of low..high letters each."""
    if part == 1:
        return d03.random_lines(rng, n, low, high)
    return [r for _ in range(n) for r in d03.random_group(rng, low, high)]


def outcomes(network, part: int, rucksacks: list[str], chunk: int = 3000) -> tuple[int, int, int]:
    """(exact, flagged, confidently wrong) over the records of `rucksacks`."""
    encode, combine = (d03.encode_part1, d03.combine_part1) if part == 1 else (d03.encode_part2, d03.combine_part2)
    right = unsure = wrong = 0
    for start in range(0, len(rucksacks), chunk):
        piece = rucksacks[start:start + chunk]
        heads = [decode(network.task.config.model, network(inputs))[HEAD[part]] for inputs in encode(piece)]
        value, sure = combine({HEAD[part]: tuple(np.concatenate(a) for a in zip(*heads))}, piece)
        truth = np.array([d03.PRIORITY[d03.common(*d03.halves(r))] for r in piece] if part == 1 else
                         [d03.PRIORITY[d03.common(*g)] for g in d03.groups_of_three(piece)])
        right += int(np.sum(sure & (value == truth)))
        unsure += int(np.sum(~sure))
        wrong += int(np.sum(sure & (value != truth)))
    return right, unsure, wrong


def timing(network, puzzle, part: int) -> None:
    for lines in (300, 3000):
        text = d03.generate_input(MEASURE_SEED + 7 * lines, n_lines=lines)
        records = puzzle.records(text)
        network.solve(records)  # compiles for this shape
        start = time.perf_counter()
        answer = network.solve(records)
        neural = time.perf_counter() - start
        start = time.perf_counter()
        classical_answer = puzzle.answer(part, text)
        classical = time.perf_counter() - start
        same = answer.answer == classical_answer and answer.low_confidence == 0
        print(f"warm solve, {lines:,} lines: neural {neural * 1e3:.0f} ms, classical (parse and solve) "
              f"{classical * 1e3:.1f} ms, ratio {neural / classical:.0f}x, same answer: {same}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", type=int, choices=(1, 2), required=True)
    parser.add_argument("--root", type=Path, default=None, help="weights root (default: the shipped weights/)")
    parser.add_argument("--allow-unconverged", action="store_true", help="measure weights saved as not exact too")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--beyond", type=int, default=10_000)
    parser.add_argument("--far", type=int, default=1_000)
    parser.add_argument("--between", type=int, default=2_000, help="part 2: groups between the beyond and far sets")
    parser.add_argument("--inputs", type=int, default=20)
    parser.add_argument("--timing-only", action="store_true", help="only the warm solve times")
    args = parser.parse_args()
    puzzle = registry.get(2022, 3)
    network = runner.load_neural(puzzle, args.part, root=args.root, allow_unconverged=args.allow_unconverged)
    if args.timing_only:
        timing(network, puzzle, args.part)
        return
    data = network.task.config.data
    rng = np.random.default_rng(MEASURE_SEED + args.part)
    sets = [
        (f"training-style, {data.min_length}-{data.max_length} letters", args.records, data.min_length, data.max_length),
        ("real-style, 16-48 letters", args.records, 16, 48),
        (f"beyond, {data.ood_min_length}-{data.ood_max_length} letters", args.beyond, data.ood_min_length,
         data.ood_max_length),
        ("far beyond, 200-500 letters", args.far, 200, 500),
    ]
    if args.part == 2:  # its declared range reaches 500 letters: the lengths between the two sets above too
        sets.insert(3, (f"between, {data.ood_max_length + 1}-199 letters", args.between, data.ood_max_length + 1, 199))
    for name, n, low, high in sets:
        right, unsure, wrong = outcomes(network, args.part, records(args.part, rng, n, low, high))
        print(f"{name}: {right:,}/{n:,} exact, {unsure:,} flagged, {wrong:,} confidently wrong", flush=True)
    for lines, count in ((300, args.inputs), (3000, max(1, args.inputs // 10))):
        exact = 0
        for i in range(count):
            text = d03.generate_input(MEASURE_SEED + 1000 * lines + i, n_lines=lines)
            answer = network.solve(puzzle.records(text))
            exact += answer.answer == puzzle.answer(args.part, text) and answer.low_confidence == 0
        print(f"full inputs of {lines:,} lines: {exact}/{count} exact with no record flagged", flush=True)
    timing(network, puzzle, args.part)


if __name__ == "__main__":
    run_script(main)
