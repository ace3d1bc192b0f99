"""Measure 2023/4 part 1's network on fresh cards: training-style (1-10 winning, 1-25 held numbers),
real-style (10 and 25), beyond (26-50 held), every pair of numbers 1-99, and generated full inputs.

    python scripts/measure_2023_04.py --cards 100000 --beyond 10000 --inputs 20
    python scripts/measure_2023_04.py --root /tmp/seed2   # weights trained with `aocnn train ... --out /tmp/seed2`

Each line counts cards exact, flagged (low-confidence: not counted as an answer) and confidently
wrong, with the solver's threshold (p >= 0.99). "Real-style" draws the match count as real inputs
have it (about two cards in three with none), through the full-input generator's own helpers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from aocnn import registry, runner
from aocnn.errors import run_script
from aocnn.nn.family import decode
from solvers.y2023 import d04

MEASURE_SEED = 23_040_000  # cards and inputs no test or training uses


def outcomes(network, cards: list[d04.Card]) -> tuple[int, int, int]:
    """(exact, flagged, confidently wrong) over `cards`."""
    right = unsure = wrong = 0
    for inputs, chunk in zip(d04.encode(cards), (cards[i:i + d04.CHUNK] for i in range(0, len(cards), d04.CHUNK))):
        points, sure = d04.combine({"points": decode(network.task.config.model, network(inputs))["points"]}, chunk)
        truth = np.array([d04.points(c) for c in chunk])
        right += int(np.sum(sure & (points == truth)))
        unsure += int(np.sum(~sure))
        wrong += int(np.sum(sure & (points != truth)))
    return right, unsure, wrong


def real_style(rng: np.random.Generator, count: int) -> list[d04.Card]:
    matches = d04.random_matches(rng, count + 10, 10)[:count]  # the generator's match counts (none cut at the end)
    return [d04.Card(1, *map(tuple, d04.random_card(rng, int(k), 10, 25, 99))) for k in matches]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=None, help="weights root (default: the shipped weights/)")
    parser.add_argument("--allow-unconverged", action="store_true", help="measure weights saved as not exact too")
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--beyond", type=int, default=10_000)
    parser.add_argument("--inputs", type=int, default=20)
    args = parser.parse_args()
    puzzle = registry.get(2023, 4)
    network = runner.load_neural(puzzle, 1, root=args.root, allow_unconverged=args.allow_unconverged)
    rng = np.random.default_rng(MEASURE_SEED)
    a, b = np.meshgrid(np.arange(1, 100), np.arange(1, 100), indexing="ij")
    sets = {
        "training-style, 1-10 winning, 1-25 held": lambda: [d04.training_card(rng, 1, 25) for _ in range(args.cards)],
        "real-style, 10 winning, 25 held": lambda: real_style(rng, args.cards),
        "beyond, 26-50 held": lambda: [d04.training_card(rng, 26, 50) for _ in range(args.beyond)],
        "every pair of numbers 1-99, one each": lambda: [d04.Card(1, (int(x),), (int(y),)) for x, y in zip(a.ravel(), b.ravel())],
    }
    for name, make in sets.items():
        cards = make()
        right, unsure, wrong = outcomes(network, cards)
        print(f"{name}: {right:,}/{len(cards):,} exact, {unsure:,} flagged, {wrong:,} confidently wrong", flush=True)
    exact = 0
    for i in range(args.inputs):
        text = d04.generate_input(MEASURE_SEED + i)
        answer = network.solve(puzzle.records(text))
        exact += answer.answer == puzzle.answer(1, text) and answer.low_confidence == 0
    print(f"full inputs: {exact}/{args.inputs} exact with no card flagged", flush=True)


if __name__ == "__main__":
    run_script(main)
