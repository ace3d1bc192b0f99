"""Train a puzzle part's network with several seeds and check what each run claims.

For every seed: train from scratch with the shipped recipe (as `aocnn train` does), then measure the
trained network on fresh held-out data it never saw, in the training range and beyond it (the task's
own out-of-range set), many more examples than training's stop rule looks at. The point is the last
column: a run that reports "converged" must be exact on both.

    python scripts/seeds.py 2019 1 --part 1 --seeds 0-9
    python scripts/seeds.py 2015 1 --part 2 --seeds 0-2 --far 20000
"""

from __future__ import annotations

import argparse
import sys

import jax
import numpy as np

from aocnn import registry
from aocnn.nn import training

MEASURE_OFFSET = 7_777_777  # measuring data come from a stream neither training nor its held-out sets use


def seed_range(text: str) -> list[int]:
    if "-" in text:
        low, high = map(int, text.split("-"))
        return list(range(low, high + 1))
    return [int(s) for s in text.split(",")]


def exactness(task, params, make, count: int, seed: int) -> float:
    rng = np.random.default_rng(seed + MEASURE_OFFSET)
    step = jax.jit(lambda p, batch: task.loss(task.model.apply({"params": p}, batch), batch)[1])
    right = total = 0
    while total < count:
        batch = make(rng, min(1024, count - total))
        right += int(np.sum(np.asarray(step(params, batch))))
        total += len(next(iter(batch.values())))
    return right / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("year", type=int)
    parser.add_argument("day", type=int)
    parser.add_argument("--part", type=int, default=1)
    parser.add_argument("--seeds", default="0-2", help="e.g. 0-9 or 0,3,5")
    parser.add_argument("--held-out", type=int, default=20_000, help="fresh examples in the training range per seed")
    parser.add_argument("--far", type=int, default=10_000, help="fresh examples beyond the training range per seed")
    args = parser.parse_args()

    task = registry.get(args.year, args.day).neural[args.part]
    print(f"{task.name}: beyond = {task.far}", flush=True)
    print("seed  converged  steps  examples  seconds  in range  beyond   claim", flush=True)
    honest = True
    for seed in seed_range(args.seeds):
        params, report = training.train(task, seed=seed)
        if task.finalize is not None:
            params = task.finalize(params)  # train() already did; finalize is idempotent
        in_range = exactness(task, params, task.held_out_batch, args.held_out, seed)
        beyond = exactness(task, params, task.make_far_batch, args.far, seed)
        exact = in_range == 1.0 and beyond == 1.0
        claim = "ok" if report.converged == exact else ("FALSE CLAIM" if report.converged else "missed (not shipped)")
        honest &= not (report.converged and not exact)
        print(f"{seed:>4}  {str(report.converged):>9}  {report.steps:>5}  {report.examples:>8,}  {report.seconds:>7.1f}"
              f"  {in_range:>8.4%}  {beyond:>7.4%}  {claim}", flush=True)
    sys.exit(0 if honest else 1)


if __name__ == "__main__":
    main()
