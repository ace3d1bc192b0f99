"""Measure 2024/1 part 2's network (`PART2_HINTED_TASK`, as shipped): per right-list number (its contribution: itself when the left list
holds it, else 0) and per whole answer, on fresh generated inputs of the training's shape (8-48 lines,
numbers of 1-9 digits), its beyond set (96-192 lines), real-shaped inputs (1,000 lines of 5-digit
numbers) and the out-of-range size (10,000 lines of 9-digit numbers); and warm solve time against
classical at 1,000 and 10,000 lines.

    python scripts/measure_2024_01.py --small 2000 --beyond 200 --inputs 20 --large 2
    python scripts/measure_2024_01.py --root DIR     # weights of `aocnn train 2024 1 --part 2 --seed S --out DIR`
    python scripts/measure_2024_01.py --timing-only
    python scripts/measure_2024_01.py --grid         # around the declared exact range: the network alone and the solver

Each line counts right-list numbers exact, flagged (low-confidence: not counted as an answer) and
confidently wrong, and whole answers right, flagged and confidently wrong.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from aocnn import registry
from aocnn.errors import run_script
from aocnn.nn import model
from solvers.y2024 import d01

MEASURE_SEED = 24_010_000  # inputs no test or training uses


def contributions(network, pairs) -> tuple[np.ndarray, np.ndarray]:
    return d01.combine_part2(runner_decoded(network, pairs), pairs)


def runner_decoded(network, pairs):
    from aocnn.nn.family import decode

    [inputs] = list(d01.encode_list_only(pairs))
    return decode(network.task.config.model, network(inputs))


def measure(network, label: str, inputs: list) -> None:
    right = unsure = wrong = 0
    answers = [0, 0, 0]  # right, flagged, confidently wrong
    for pairs in inputs:
        value, sure = contributions(network, pairs)
        truth = d01.contributions(pairs)[1::2]
        right += int(np.sum(sure & (value == truth)))
        unsure += int(np.sum(~sure))
        wrong += int(np.sum(sure & (value != truth)))
        if not sure.all():
            answers[1] += 1
        else:
            answers[0 if int(value.sum()) == d01.part2(pairs) else 2] += 1
    print(f"{label}: right-list numbers {right}/{right + unsure + wrong} exact, {unsure} flagged, {wrong} wrong; "
          f"answers {answers[0]}/{len(inputs)} right, {answers[1]} flagged, {answers[2]} wrong", flush=True)


# (lines, digits, inputs): where the declared exact range ends, and why; 4 digits is inside it, with the densest near misses
GRID = ((192, 9, 50), (500, 9, 10), (1000, 4, 20), (1000, 5, 50), (1000, 6, 10), (1000, 7, 10), (1000, 8, 10),
        (1000, 9, 20), (1500, 5, 5))


def grid(network, puzzle) -> None:
    """Generated inputs around the declared exact range, judged twice: in the solver's view (past the range every
    answer is flagged) and in the network's own (its heads' doubt alone, as if no range were declared)."""
    for lines, digits, count in GRID:
        own = [0, 0, 0]  # right, flagged, confidently wrong answers, by the heads alone
        solver = [0, 0, 0]
        for i in range(count):
            pairs = puzzle.records(d01.generate_input(MEASURE_SEED + 1_000 * lines + 100 * digits + i, n_lines=lines,
                                                      digits=digits))
            decoded = runner_decoded(network, pairs)
            value, declared = d01.combine_part2(decoded, pairs)
            sure = all(bool(decoded[head][1][0]) for head in d01.HEADS)
            right = int(value.sum()) == d01.part2(pairs)
            own[0 if sure and right else 1 if not sure else 2] += 1
            solver[0 if declared.all() and right else 1 if not declared.all() else 2] += 1
        print(f"{lines:,} lines of {digits}-digit numbers, {count} inputs: network alone {own[0]} right, {own[1]} flagged, "
              f"{own[2]} confidently wrong; solver (declared range) {solver[0]} right, {solver[1]} flagged, "
              f"{solver[2]} confidently wrong", flush=True)


def timing(network, puzzle) -> None:
    for lines, digits in ((1000, 5), (10_000, 9)):
        text = d01.generate_input(MEASURE_SEED + lines, n_lines=lines, digits=digits)
        records = puzzle.records(text)
        network.solve(records)  # compiles for this shape
        start = time.perf_counter()
        answer = network.solve(records)
        neural = time.perf_counter() - start
        start = time.perf_counter()
        classical_answer = puzzle.answer(2, text)
        classical = time.perf_counter() - start
        same = answer.answer == classical_answer and answer.low_confidence == 0
        print(f"warm solve, {lines:,} lines of {digits}-digit numbers: neural {neural * 1e3:.0f} ms, classical "
              f"(parse and solve) {classical * 1e3:.1f} ms, ratio {neural / classical:.0f}x, same answer: {same}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=None, help="weights root (default: the shipped weights/)")
    parser.add_argument("--allow-unconverged", action="store_true", help="measure weights saved as not exact too")
    parser.add_argument("--small", type=int, default=2000, help="training-style inputs (8-48 lines)")
    parser.add_argument("--beyond", type=int, default=200, help="inputs of the training's beyond set (96-192 lines)")
    parser.add_argument("--inputs", type=int, default=20, help="real-shaped inputs (1,000 lines, 5 digits)")
    parser.add_argument("--large", type=int, default=2, help="out-of-range inputs (10,000 lines, 9 digits)")
    parser.add_argument("--timing-only", action="store_true", help="only the warm solve times")
    parser.add_argument("--no-timing", action="store_true", help="no warm solve times")
    parser.add_argument("--grid", action="store_true", help="only inputs around the declared exact range (lines x digits)")
    args = parser.parse_args()

    puzzle = registry.get(2024, 1)
    network = model.load(d01.PART2_HINTED_TASK, "2024/1", 2, root=args.root, allow_unconverged=args.allow_unconverged)
    print(f"weights: {args.root or 'shipped'}, seed {network.meta.get('seed')}, {network.meta.get('steps')} steps, "
          f"converged {network.meta.get('converged')}", flush=True)
    if args.grid:
        grid(network, puzzle)
        return
    if not args.timing_only:
        rng = np.random.default_rng(MEASURE_SEED)
        data = d01.PART2_HINTED.data
        for label, count, (low, high) in (("training-style 8-48 lines", args.small, (data.min_length, data.max_length)),
                                          ("beyond 96-192 lines", args.beyond, (data.ood_min_length, data.ood_max_length))):
            measure(network, label, [d01.random_lists(rng, int(rng.integers(low, high + 1))) for _ in range(count)])
        measure(network, "real-shaped 1,000 lines, 5 digits",
                [puzzle.records(d01.generate_input(MEASURE_SEED + 1 + i)) for i in range(args.inputs)])
        measure(network, "out of range 10,000 lines, 9 digits",
                [puzzle.records(d01.generate_input(MEASURE_SEED + 100 + i, n_lines=10_000, digits=9))
                 for i in range(args.large)])
    if not args.no_timing:
        timing(network, puzzle)


if __name__ == "__main__":
    run_script(main)
