"""Measure 2024/3's network on fresh memories and inputs: training-style memories (8-80 characters,
operands 0-30), memories of real operands beyond training (400-800 characters, runs of near-misses),
runs of 100-400 near-misses back to back (longer than any in training), generated full inputs, 60-line
inputs, and full inputs joined into one line.

    python scripts/measure_2024_03.py --memories 100000 --far 2000 --inputs 20
    python scripts/measure_2024_03.py --root /tmp/seed1   # weights trained with `aocnn train ... --out /tmp/seed1`
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from aocnn import registry, runner
from aocnn.errors import run_script
from aocnn.nn.family import decode
from solvers.y2024 import d03

MEASURE_SEED = 24_030_000  # memories and inputs no test or training uses
CHUNK = 1024


def outcomes(network, memories: list[list[str]], answer) -> tuple[int, int, int]:
    """(exact, flagged, confidently wrong) over `memories`, each its own record."""
    right = unsure = wrong = 0
    for start in range(0, len(memories), CHUNK):
        chunk = memories[start : start + CHUNK]
        said, sure = decode(network.task.config.model, network(d03.encode_memories(chunk)))["products"]
        truth = np.array([answer(m) for m in chunk])
        right += int(np.sum(sure & (said == truth)))
        unsure += int(np.sum(~sure))
        wrong += int(np.sum(sure & (said != truth)))
    return right, unsure, wrong


def near_miss_run(rng: np.random.Generator) -> list[str]:
    """100-400 near-misses back to back with a few valid instructions and switches among them."""
    pieces = [d03.near_miss(rng) for _ in range(int(rng.integers(100, 401)))]
    for _ in range(int(rng.integers(1, 6))):
        pieces.insert(int(rng.integers(len(pieces) + 1)), str(rng.choice([f"mul({d03.operand(rng)},{d03.operand(rng)})",
                                                                           "do()", "don't()"])))
    return ["".join(pieces)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", type=int, choices=(1,), default=1, help="part 2 has no network yet")
    parser.add_argument("--root", type=Path, default=None, help="weights root (default: the shipped weights/)")
    parser.add_argument("--memories", type=int, default=100_000)
    parser.add_argument("--far", type=int, default=2_000)
    parser.add_argument("--inputs", type=int, default=20)
    parser.add_argument("--allow-unconverged", action="store_true", help="measure weights saved unconverged too")
    args = parser.parse_args()
    puzzle = registry.get(2024, 3)
    network = runner.load_neural(puzzle, args.part, root=args.root, allow_unconverged=args.allow_unconverged)
    answer = d03.part1 if args.part == 1 else d03.part2
    switches = 60 if args.part == 1 else 25
    data = network.task.config.data
    rng = np.random.default_rng(MEASURE_SEED)
    sets = {
        f"training-style, {data.min_length}-{data.max_length} characters": (
            args.memories, lambda: d03.training_memory(rng, (data.min_length, data.max_length), False, switches)),
        f"beyond, {data.ood_min_length:,}-{data.ood_max_length:,} characters, real operands": (
            args.far, lambda: d03.training_memory(rng, (data.ood_min_length, data.ood_max_length), True, switches)),
        "runs of 100-400 near-misses back to back": (args.far // 4, lambda: near_miss_run(rng)),
    }
    for name, (count, make) in sets.items():
        right, unsure, wrong = outcomes(network, [make() for _ in range(count)], answer)
        print(f"{name}: {right:,}/{count:,} exact, {unsure:,} flagged, {wrong:,} confidently wrong", flush=True)
    for name, make in {
        "full inputs": lambda i: d03.generate_input(MEASURE_SEED + i),
        "60-line inputs": lambda i: d03.generate_input(MEASURE_SEED + i, n_lines=60),
        "full inputs as one line": lambda i: "".join(d03.generate_input(MEASURE_SEED + i).splitlines()) + "\n",
    }.items():
        exact = flagged = 0
        count = args.inputs if name != "60-line inputs" else max(1, args.inputs // 4)
        for i in range(count):
            memory = puzzle.records(make(i))
            said = network.solve(memory)
            exact += said.answer == answer(memory) and said.low_confidence == 0
            flagged += said.low_confidence > 0
        print(f"{name}: {exact}/{count} exact, {flagged} flagged, {count - exact - flagged} confidently wrong", flush=True)


if __name__ == "__main__":
    run_script(main)
