"""Measure the shipped 2023 day 9 networks: exactness far outside their training range.

Training saw sequences of 3-8 values with |x| <= 100. This checks, against the classical
solver, both parts on
  - COUNT fresh sequences of the real shape (21 values) with magnitudes up to 1e8
    (half spread like real inputs, half sized to the bound);
  - PER_LENGTH sequences of every length 5..40, magnitudes up to 1e8;
  - INPUTS full generated inputs of the real shape (200 lines of 21 values), answers summed
    (each parsed once by `PUZZLE.records`; both solvers read the same records, and the warm
    solve times leave parsing out);
and prints the shipped NAC weights (committed to integers at the end of training), their
distance from integers (0 for shipped weights), and warm solve times.

    python scripts/measure_2023_09.py [--count 10000] [--per-length 300] [--inputs 50] [--weights DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from aocnn import runner
from aocnn.errors import run_script
from aocnn.nn.arithmetic import learned_weights
from solvers.y2023 import d09

BOUND = 10**8


def sequences(rng: np.random.Generator, n: int, length: int) -> list[list[int]]:
    spread = d09.polynomial_sequences(rng, n - n // 2, length, -BOUND, BOUND, spread=True)
    sized = d09.polynomial_sequences(rng, n // 2, length, -BOUND, BOUND, spread=False)
    return [list(map(int, row[1:-1])) for row in np.concatenate([spread, sized])]


def check(network, part: int, seqs: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per sequence: exactly right, and low confidence (one network run, float64, weights as shipped)."""
    truth = [d09.next_value(s) if part == 1 else d09.previous_value(s) for s in seqs]
    answers, exact_range = d09.run_exact(network, seqs)
    right = np.array([int(a) == t for a, t in zip(np.rint(answers), truth)])
    return right, ~exact_range


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="real-shaped sequences (21 values, up to 1e8)")
    parser.add_argument("--per-length", type=int, default=300, help="sequences per length 5..40")
    parser.add_argument("--inputs", type=int, default=50, help="full generated inputs (200 x 21)")
    parser.add_argument("--weights", type=Path, help="weights root (default: the shipped weights/)")
    parser.add_argument("--seed", type=int, default=90_000)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    for part in (1, 2):
        network = runner.load_neural(d09.PUZZLE, part, root=args.weights)
        task = network.task
        meta = network.meta
        print(f"== part {part}: {task.name}  seed {meta.get('seed')}, {meta.get('steps')} steps, "
              f"{meta.get('examples_seen'):,} examples, {meta.get('train_seconds')} s, "
              f"{meta.get('parameters')} parameters")
        for name, w in learned_weights(network.params).items():
            gap = float(np.max(np.abs(w - np.round(w))))
            print(f"   {name:<10} weights {np.array2string(w.ravel(), precision=8)}  (distance from integers {gap:.1e})")

        seqs = sequences(rng, args.count, 21)
        magnitude = max(max(abs(v) for v in s) for s in seqs)
        right, low = check(network, part, seqs)
        print(f"   real-shaped (21 values, max |x| {magnitude:.3g}): {right.sum()}/{len(seqs)} exact, "
              f"{low.sum()} low-confidence")

        lengths = np.repeat(np.arange(5, 41), args.per_length)
        seqs = [s for length in range(5, 41) for s in sequences(rng, args.per_length, length)]
        right, low = check(network, part, seqs)  # all lengths padded into one batch
        failed = [f"{n}: {np.sum(~right[lengths == n])} wrong" for n in range(5, 41) if not right[lengths == n].all()]
        print(f"   lengths 5..40 ({args.per_length} each, up to 1e8): {right.sum()}/{len(seqs)} exact, "
              f"{low.sum()} low-confidence"
              f"{'; ' + ', '.join(failed) if failed else ''}")

        solve = d09.PUZZLE.classical(part)
        agree, neural_s, classical_s = 0, [], []
        for i in range(args.inputs):
            records = d09.PUZZLE.records(d09.generate_input(args.seed + i))
            network.solve(records)  # compile for this shape
            start = time.perf_counter()
            answer = network.solve(records)
            neural_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            expected = solve(records)
            classical_s.append(time.perf_counter() - start)
            agree += answer.answer == expected and answer.low_confidence == 0
        if args.inputs:
            print(f"   full inputs (200 x 21): {agree}/{args.inputs} answers exact; warm solve median "
                  f"neural {np.median(neural_s) * 1e3:.1f} ms, classical {np.median(classical_s) * 1e3:.1f} ms "
                  f"on {network.device.platform}")


if __name__ == "__main__":
    run_script(main)
