"""Train a puzzle part's network with several seeds and check what each run claims.

For every seed: train from scratch with the shipped recipe (as `aocnn train` does), then measure the
trained network on fresh held-out data it never saw, in the training range and beyond it (the task's
own out-of-range set), many more examples than training's stop rule looks at. The point is the last
column: a run that reports "converged" must be exact on both.

    python scripts/seeds.py 2019 1 --part 1 --seeds 0-9
    python scripts/seeds.py 2015 1 --part 2 --seeds 0-2 --far 20000
    python scripts/seeds.py 2024 2 --part 1 --root /tmp/seed2   # measure a saved run (e.g. continued) instead
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import SimpleNamespace

from aocnn import registry, runner
from aocnn.errors import AocnnError, run_script
from aocnn.nn import training
from aocnn.nn.measure import exactness, outcomes


MEASURE_SEED = 5_550_000  # full inputs no test or training uses


def seed_range(text: str) -> list[int]:
    if "-" in text:
        low, high = map(int, text.split("-"))
        return list(range(low, high + 1))
    return [int(s) for s in text.split(",")]


def full_inputs(puzzle, part: int, task, params, count: int, seed: int) -> int:
    """Generated full inputs on which the network's answer equals the classical one, with no low-confidence record.
    (The in-range and beyond columns use training's stricter margin; the lines under a row, for family
    networks, use the solver's thresholds.)"""
    from aocnn.nn.model import Model

    network = Model(task, params, meta={"converged": True})
    right = 0
    for i in range(count):
        records = puzzle.records(puzzle.generate_input(MEASURE_SEED + 1000 * seed + i))
        try:
            result = network.solve(records)
        except AocnnError:
            continue
        right += result.answer == puzzle.classical(part)(records) and result.low_confidence == 0
    return right


def saved(puzzle, part: int, root: Path):
    """(seed, params, what its meta.json says as a TrainReport-like record) of the converged weights under `root`."""
    network = runner.load_neural(puzzle, part, root=root)
    meta = network.meta
    report = SimpleNamespace(converged=meta["converged"], steps=meta["steps"], examples=meta["examples_seen"],
                             seconds=meta["train_seconds"], restarts=meta.get("restarts", []),
                             attempt_seed=meta.get("attempt_seed"))
    return meta["seed"], network.params, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("year", type=int)
    parser.add_argument("day", type=int)
    parser.add_argument("--part", type=int, default=1)
    parser.add_argument("--seeds", default="0-2", help="e.g. 0-9 or 0,3,5")
    parser.add_argument("--held-out", type=int, default=20_000, help="fresh examples in the training range per seed")
    parser.add_argument("--far", type=int, default=10_000, help="fresh examples beyond the training range per seed")
    parser.add_argument("--inputs", type=int, default=20, help="generated full inputs to solve per seed, against classical")
    parser.add_argument("--root", type=Path, default=None,
                        help="measure the weights saved under this root (`aocnn train ... --out ROOT`, converged) "
                             "instead of training: its seed is the one they were trained with")
    args = parser.parse_args()

    puzzle = registry.get(args.year, args.day)
    task = puzzle.neural[args.part]
    runs = [saved(puzzle, args.part, args.root)] if args.root else (
        (seed, *training.train(task, seed=seed)) for seed in seed_range(args.seeds))
    print(f"{task.name}: {args.held_out:,} fresh records in range, {args.far:,} beyond ({task.far}), "
          f"{args.inputs} full inputs per seed", flush=True)
    print("seed  converged  steps  examples  seconds  in range   beyond    inputs  claim", flush=True)
    honest = True
    for seed, params, report in runs:
        measured = exactness(task, params, args.held_out, args.far, seed)
        in_range, beyond = measured.in_range, measured.beyond
        inputs = full_inputs(puzzle, args.part, task, params, args.inputs, seed)
        exact = in_range == 1.0 and beyond == 1.0 and inputs == args.inputs
        flagged = 0
        if task.config is not None:  # the solver's view: exact, flagged low-confidence, or confidently wrong
            solved = [outcomes(task, params, make, n, seed + k) for k, (make, n) in
                      enumerate(((task.held_out_batch, args.held_out), (task.make_far_batch, args.far)))]
            print(f"      solver's view, in range: {solved[0]}; beyond: {solved[1]}", flush=True)
            flagged = sum(o.unsure for o in solved)
            exact = inputs == args.inputs and not any(o.wrong for o in solved)
        for failed in report.restarts:  # train.restarts: the attempts that ended unconverged before this one
            print(f"      restart: the attempt from seed {failed['seed']} ended unconverged after {failed['steps']:,} steps "
                  f"({failed['seconds']:.1f} s, held-out {failed['held_out_exact']:.2%}); this run is the attempt "
                  f"from seed {report.attempt_seed}", flush=True)
        claim = "ok" if report.converged == exact else ("FALSE CLAIM" if report.converged else "missed (not shipped)")
        if flagged and report.converged:
            claim += f" ({flagged} records flagged low-confidence, none confidently wrong)"
        honest &= not (report.converged and not exact)
        print(f"{seed:>4}  {str(report.converged):>9}  {report.steps:>5}  {report.examples:>8,}  {report.seconds:>7.1f}"
              f"  {in_range:>8.4%}  {beyond:>8.4%}  {inputs:>3}/{args.inputs:<3} {claim}", flush=True)
    sys.exit(0 if honest else 1)


if __name__ == "__main__":
    run_script(main)
