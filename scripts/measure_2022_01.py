"""Measure 2022/1 part 1's network on fresh inputs, in the solver's view (exact, low-confidence, confidently
wrong): training-style inputs (1-8 elves of up to 6 numbers of 0-20, a fifth of the inputs 0-3; a tenth as
many of 1-20), generated full inputs (real shape: 235-270 elves of 1-15 numbers to 69,814), inputs of 2,500 elves of up to 60 numbers to 100,000 (beyond
training and real inputs, inside the declared exact range), and inputs whose numbers reach 10^7 (past it:
they must be flagged, never answered wrong).

    python scripts/measure_2022_01.py --records 100000 --inputs 20 --far 20 --huge 5
    python scripts/measure_2022_01.py --root /tmp/seed1   # weights trained with `aocnn train ... --out /tmp/seed1`
"""

from __future__ import annotations

import numpy as np

from aocnn import registry, runner
from aocnn.errors import run_script
from aocnn.nn.family import decode
from aocnn.nn.measure import Outcomes, script_parser
from solvers.y2022 import d01

MEASURE_SEED = 22_010_000  # inputs no test or training uses
CHUNK = 8_192  # training-style inputs per forward pass


def training_style(network, rng: np.random.Generator, count: int, lowest: int | None = None) -> Outcomes:
    """Each input its own record, decoded as a solve decodes it: inputs as training draws them (`lowest`
    None), or 1-8 elves of numbers from `lowest` to 20."""
    total = Outcomes()
    low, high = d01.TRAIN_GROUPS
    width = high * (d01.TRAIN_SIZE + 1)
    for start in range(0, count, CHUNK):
        n = min(CHUNK, count - start)
        if lowest is None:
            (sizes, numbers), inputs, _ = d01.most_examples(rng, n, network.task.config.data, False)
        else:
            sizes, numbers = d01.random_group_arrays(rng, n, (low, high), d01.TRAIN_SIZE, lowest, np.full(n, d01.TRAIN_HIGH))
            inputs = d01.array_inputs(sizes, numbers, width)
        truth = np.array([d01.part1(groups) for groups in d01.as_groups(sizes, numbers)])  # the classical solver
        said, sure = decode(network.task.config.model, network(inputs))["most"]
        total += Outcomes.of(said, sure, truth)
    return total


def main() -> None:
    parser = script_parser(__doc__, {
        "records": (100_000, "training-style inputs"), "inputs": (20, "generated full inputs of real shape"),
        "far": (20, "inputs of 2,500 elves of up to 60 numbers to 100,000"),
        "huge": (5, "inputs of 2,500 elves of up to 60 numbers to 10^7")})
    args = parser.parse_args()
    network = runner.load_neural(registry.get(2022, 1), 1, root=args.root, allow_unconverged=args.allow_unconverged)
    rng = np.random.default_rng(MEASURE_SEED)
    print(f"training-style (numbers 0-20, a fifth of the inputs 0-3): {training_style(network, rng, args.records)}",
          flush=True)
    print(f"training-style without 0s (numbers 1-20, totals of 5 or more): "
          f"{training_style(network, rng, args.records // 10, lowest=1)}", flush=True)
    seeds = iter(range(MEASURE_SEED, MEASURE_SEED + 10**6))
    texts = [d01.generate_input(next(seeds)) for _ in range(args.inputs)]
    print(f"full inputs: {Outcomes.of_inputs(network, d01.PUZZLE, 1, texts)}", flush=True)
    far = [d01.generate_input(next(seeds), 2_500, 60, 1, 100_000) for _ in range(args.far)]
    print(f"2,500 elves of up to 60 numbers to 100,000: {Outcomes.of_inputs(network, d01.PUZZLE, 1, far)}", flush=True)
    huge = [d01.generate_input(next(seeds), 2_500, 60, 1, 10**7) for _ in range(args.huge)]
    print(f"2,500 elves of up to 60 numbers to 10^7 (past the exact range): "
          f"{Outcomes.of_inputs(network, d01.PUZZLE, 1, huge)}", flush=True)


if __name__ == "__main__":
    run_script(main)
