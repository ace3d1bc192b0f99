"""Measure 2023/2's shipped networks on fresh games: training-style (1-12 draws; part 1: colour ceilings
near their limits), real-style (3-6 draws, counts 1-20), long (30 draws, counts to 99; and 30-60 draws,
training-style), and on generated full inputs.

    python scripts/measure_2023_02.py --games 100000 --long 10000 --inputs 20
    python scripts/measure_2023_02.py --part 2 --games 100000 --long 10000 --inputs 20
    python scripts/measure_2023_02.py --part 2 --root /tmp/seed1   # weights trained with --out /tmp/seed1
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from aocnn import registry, runner
from aocnn.errors import run_script
from aocnn.nn.family import decode
from solvers.y2023 import d02

MEASURE_SEED = 23_020_000  # games and inputs no test or training uses


HEADS = {1: ("possible", d02.encode, d02.possible), 2: ("power", d02.encode_part2, d02.power)}


def outcomes(network, games: list[d02.Game], part: int) -> tuple[int, int, int]:
    """(exact, flagged, confidently wrong) over `games`."""
    head, encode, rule = HEADS[part]
    right = unsure = wrong = 0
    for chunk in (games[i:i + 4096] for i in range(0, len(games), 4096)):
        [inputs] = list(encode(chunk))
        said, sure = decode(network.task.config.model, network(inputs))[head]
        truth = np.array([rule(g) for g in chunk])
        right += int(np.sum(sure & (said == truth)))
        unsure += int(np.sum(~sure))
        wrong += int(np.sum(sure & (said != truth)))
    return right, unsure, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", type=int, choices=(1, 2), default=1)
    parser.add_argument("--root", type=Path, default=None, help="weights root (default: the shipped weights/)")
    parser.add_argument("--games", type=int, default=100_000)
    parser.add_argument("--long", type=int, default=10_000)
    parser.add_argument("--inputs", type=int, default=20)
    args = parser.parse_args()
    puzzle = registry.get(2023, 2)
    network = runner.load_neural(puzzle, args.part, root=args.root)
    solve = d02.part1 if args.part == 1 else d02.part2
    rng = np.random.default_rng(MEASURE_SEED)
    sets = {
        "training-style, 1-12 draws": (args.games, lambda: d02.training_game(rng, (1, 12))),
        "real-style, 3-6 draws, counts 1-20": (args.games, lambda: d02.random_game(rng, 1, (3, 6), 20)),
        "long, 30 draws, counts 1-99": (args.long, lambda: d02.random_game(rng, 1, (30, 30), 99)),
        "long training-style, 30-60 draws": (args.long, lambda: d02.training_game(rng, (30, 60))),
    }
    for name, (count, make) in sets.items():
        right, unsure, wrong = outcomes(network, [make() for _ in range(count)], args.part)
        print(f"{name}: {right:,}/{count:,} exact, {unsure:,} flagged, {wrong:,} confidently wrong", flush=True)
    exact = 0
    for i in range(args.inputs):
        games = puzzle.records(d02.generate_input(MEASURE_SEED + i))
        answer = network.solve(games)
        exact += answer.answer == solve(games) and answer.low_confidence == 0
    big = puzzle.records(d02.generate_input(MEASURE_SEED, n_games=1000, draws=(30, 30), high=99))
    answer = network.solve(big)
    print(f"full inputs: {exact}/{args.inputs} exact; 1,000 games of 30 draws, counts to 99: "
          f"{'exact' if answer.answer == solve(big) else 'WRONG'}, {answer.low_confidence} flagged", flush=True)


if __name__ == "__main__":
    run_script(main)
