"""Measure 2022/4's networks in the solver's view (exact, low-confidence, confidently wrong): fresh
training-style lines (bounds of 1-8 digits), lines beyond training (9-18 digits), generated full
inputs, and, with --every, every line a real input can hold (all a <= b, c <= d in 1-99: 24,502,500
lines, about a minute on 2 cores; the check `aocnn train` makes before it calls a network converged).

    python scripts/measure_2022_04.py --part 2 --lines 100000 --far 10000 --inputs 20 --every
    python scripts/measure_2022_04.py --part 2 --root /tmp/seed1   # weights from `aocnn train ... --out /tmp/seed1`
"""

from __future__ import annotations

import sys

import numpy as np

from aocnn import registry, runner
from aocnn.errors import run_script
from aocnn.nn.family import decode
from aocnn.nn.measure import Outcomes, script_parser
from solvers.y2022 import d04

MEASURE_SEED = 22_040_000  # lines and inputs no test or training uses


def judge(network, part: int, bounds: np.ndarray) -> Outcomes:
    """(N, 4) bounds, encoded, decoded and range-checked as a solve does it (`d04.encode`, `d04.combine`)."""
    total = Outcomes()
    for start in range(0, len(bounds), d04.CHUNK):
        chunk = bounds[start:start + d04.CHUNK]
        pairs = [tuple(map(int, row)) for row in chunk]
        [inputs] = list(d04.encode(pairs))
        said, sure = d04.combine(decode(network.task.config.model, network(inputs)), pairs)
        total += Outcomes.of(said, sure, d04.answers(chunk, part))
    return total


def fresh(network, part: int, rng: np.random.Generator, count: int, far: bool) -> Outcomes:
    data = network.task.config.data
    total = Outcomes()
    for start in range(0, count, d04.CHUNK):
        bounds, _, _ = d04.examples(rng, min(d04.CHUNK, count - start), data, far, part)
        total += judge(network, part, bounds)
    return total


def main() -> None:
    parser = script_parser(__doc__, {
        "lines": (100_000, "fresh training-style lines (bounds of 1-8 digits)"),
        "far": (10_000, "fresh lines with bounds of 9-18 digits"),
        "inputs": (20, "generated full inputs of real shape")})
    parser.add_argument("--every", action="store_true", help="also every line a real input can hold (d04.certify)")
    parser.add_argument("--part", type=int, choices=sorted(d04.PUZZLE.neural), default=1)
    args = parser.parse_args()
    part = args.part
    network = runner.load_neural(registry.get(2022, 4), part, root=args.root, allow_unconverged=args.allow_unconverged)
    rng = np.random.default_rng(MEASURE_SEED + part)
    print(f"training-style lines (1-8 digits): {fresh(network, part, rng, args.lines, far=False)}", flush=True)
    print(f"lines of 9-18 digits: {fresh(network, part, rng, args.far, far=True)}", flush=True)
    texts = [d04.generate_input(seed) for seed in range(MEASURE_SEED, MEASURE_SEED + args.inputs)]
    print(f"full inputs: {Outcomes.of_inputs(network, d04.PUZZLE, part, texts)}", flush=True)
    if args.every:
        (right, flagged, wrong), what = d04.certify(network, part, progress=lambda done, total: print(
            f"  {done}/{total} blocks", file=sys.stderr, flush=True) if done % 4 == 0 or done == total else None)
        print(f"{what}: {Outcomes(right, flagged, wrong)}", flush=True)


if __name__ == "__main__":
    run_script(main)
