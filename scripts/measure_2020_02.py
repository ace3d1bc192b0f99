"""Measure 2020/2's networks on fresh lines, in the solver's view (exact, low-confidence, confidently wrong):
training-style lines (passwords of 2-20 letters, c at lo and at hi a quarter of the time each), real-style
lines (4-20 letters, half the time), lines beyond training (passwords of 60-100 letters, lo and hi to 99),
generated full inputs, and lines past the declared range (101-200 letters: they must be flagged).

    python scripts/measure_2020_02.py --part 2 --lines 100000 --far 10000 --inputs 20
    python scripts/measure_2020_02.py --part 2 --root /tmp/seed1   # weights from `aocnn train ... --out /tmp/seed1`
"""

from __future__ import annotations

import numpy as np

from aocnn import registry, runner
from aocnn.errors import run_script
from aocnn.nn.family import decode
from aocnn.nn.measure import Outcomes, script_parser
from solvers.y2020 import d02

MEASURE_SEED = 20_020_000  # lines no test or training uses
CHUNK = d02.CHUNK  # one encoded chunk per call


def lines(network, part: int, rng: np.random.Generator, count: int, lengths: tuple[int, int], at_end: float) -> Outcomes:
    """`count` fresh lines, decoded and range-checked as a solve does it (`d02.combine`)."""
    rule = d02.count_valid if part == 1 else d02.position_valid
    total = Outcomes()
    for start in range(0, count, CHUNK):
        entries = d02.random_entries(rng, min(CHUNK, count - start), *lengths, at_end)
        [inputs] = list(d02.encode(entries, part))
        said, sure = d02.combine(decode(network.task.config.model, network(inputs)), entries)
        total += Outcomes.of(said, sure, np.array([rule(e) for e in entries]))
    return total


def main() -> None:
    parser = script_parser(__doc__, {
        "lines": (100_000, "training-style lines, and as many real-style ones"),
        "far": (10_000, "lines of 60-100 letters (and a tenth as many past the range, 101-200)"),
        "inputs": (20, "generated full inputs of real shape")})
    parser.add_argument("--part", type=int, choices=sorted(d02.PUZZLE.neural), default=2)
    args = parser.parse_args()
    part = args.part
    network = runner.load_neural(registry.get(2020, 2), part, root=args.root, allow_unconverged=args.allow_unconverged)
    rng = np.random.default_rng(MEASURE_SEED + part)
    print(f"training-style lines (2-20 letters): {lines(network, part, rng, args.lines, d02.TRAIN_LENGTHS, d02.TRAIN_AT_END)}",
          flush=True)
    print(f"real-style lines (4-20 letters): {lines(network, part, rng, args.lines, (4, 20), 0.5)}", flush=True)
    print(f"lines of 60-100 letters: {lines(network, part, rng, args.far, d02.FAR_LENGTHS, 0.5)}", flush=True)
    past = lines(network, part, rng, args.far // 10, (d02.MAX_LENGTH + 1, 2 * d02.MAX_LENGTH), 0.5)
    print(f"lines of {d02.MAX_LENGTH + 1}-{2 * d02.MAX_LENGTH} letters (past the declared range): {past}", flush=True)
    texts = [d02.generate_input(seed) for seed in range(MEASURE_SEED, MEASURE_SEED + args.inputs)]
    print(f"full inputs: {Outcomes.of_inputs(network, d02.PUZZLE, part, texts)}", flush=True)


if __name__ == "__main__":
    run_script(main)
