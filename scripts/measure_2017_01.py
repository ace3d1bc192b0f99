"""Measure 2017/1's networks on fresh lines, in the solver's view (exact, low-confidence, confidently wrong):
training-style lines (some with 0s), lines beyond training (the stop rule's far range), lines as long as
real inputs (2,026-2,190 digits), lines of 20,000 digits, and generated full inputs. Part 2's lines are even.

    python scripts/measure_2017_01.py --lines 100000 --far 2000 --long 200 --huge 2 --inputs 20
    python scripts/measure_2017_01.py --part 2 --lines 100000 --far 10000 --long 1000 --huge 10 --inputs 20
    python scripts/measure_2017_01.py --root /tmp/seed1   # weights trained with `aocnn train ... --out /tmp/seed1`
"""

from __future__ import annotations

import numpy as np

from aocnn import registry, runner
from aocnn.errors import run_script
from aocnn.nn.family import decode
from aocnn.nn.measure import Outcomes, script_parser
from solvers.y2017 import d01

MEASURE_SEED = 17_010_000  # lines and inputs no test or training uses
CHUNK_TOKENS = 1 << 19  # tokens per forward pass


PARTS = {  # part -> (lines, their tokens, the classical answer)
    1: (d01.random_lines, d01.placed_inputs, d01.part1),
    2: (d01.random_even_lines, d01.placed_inputs, d01.part2),
}


def outcomes(network, part: int, digits: np.ndarray, lengths: np.ndarray) -> Outcomes:
    """Each line its own record, decoded as a solve decodes it."""
    _, tokens, answer = PARTS[part]
    total = Outcomes()
    width = d01.tokens_width(digits.shape[1])
    chunk = max(1, CHUNK_TOKENS // width // 64)  # each part's network compares all pairs of a line
    for start in range(0, len(lengths), chunk):
        rows, sizes = digits[start : start + chunk], lengths[start : start + chunk]
        said, sure = decode(network.task.config.model, network(tokens(rows, sizes, width)))["answer"]
        total += Outcomes.of(said, sure, np.array([answer(tuple(row[:size].tolist())) for row, size in zip(rows, sizes)]))
    return total


def main() -> None:
    parser = script_parser(__doc__, {
        "part": (1, "which part's network"), "lines": (100_000, "training-style lines"),
        "far": (0, "lines of the stop rule's far range"), "long": (1_000, "lines of real length"),
        "huge": (100, "lines of 20,000 digits"), "inputs": (20, "generated full inputs")})
    args = parser.parse_args()
    if args.part not in PARTS:
        parser.error(f"--part: 1 or 2, not {args.part}")
    puzzle = registry.get(2017, 1)
    network = runner.load_neural(puzzle, args.part, root=args.root, allow_unconverged=args.allow_unconverged)
    data = network.task.config.data
    lines, _, answer = PARTS[args.part]
    rng = np.random.default_rng(MEASURE_SEED)
    for name, count, (low, high) in (
        (f"training-style, {data.min_length}-{data.max_length} digits", args.lines, (data.min_length, data.max_length)),
        (f"beyond training, {data.ood_min_length}-{data.ood_max_length} digits", args.far, (data.ood_min_length, data.ood_max_length)),
        (f"real length, {d01.REAL_LENGTH[0]:,}-{d01.REAL_LENGTH[1]:,} digits", args.long, d01.REAL_LENGTH),
        ("20,000 digits", args.huge, (20_000, 20_000)),
    ):
        if count:
            print(f"{name}: {outcomes(network, args.part, *lines(rng, count, low, high))}", flush=True)
    exact = flagged = 0
    for i in range(args.inputs):
        digits = puzzle.records(d01.generate_input(MEASURE_SEED + i))
        said = network.solve(digits)
        exact += said.answer == answer(digits) and said.low_confidence == 0
        flagged += said.low_confidence > 0
    print(f"full inputs: {exact}/{args.inputs} exact, {flagged} flagged", flush=True)


if __name__ == "__main__":
    run_script(main)
