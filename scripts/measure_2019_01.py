"""Acceptance figures for 2019 day 1: the fuel network on masses it never trained on.

    python scripts/measure_2019_01.py                 # the full acceptance run
    python scripts/measure_2019_01.py --count 1000    # fewer random masses and inputs
    python scripts/measure_2019_01.py --weights DIR   # a weights root other than the shipped one

Measures the family network (trained on masses of 1-8 digits, its stop rule also on 9-12):
- every mass 0..99,999;
- `--count` x 10 random masses of 5-7 digits (default 100,000);
- per length from 8 to 24 digits (`--count` // 10 masses per length, random and long borrow
  chains: quotients like 3 000 000 + r): exact, flagged, and confidently wrong;
- both parts (part 2 through the family's halting loop) on `--count` generated inputs (default
  10,000) of 100 masses, through the whole neural path, against the classical answer;
- the warm solve time of one real-shaped input (median of 20, parsing not included) next to
  the classical solver's.
A record is exact when every fuel digit and the sign are right; it is flagged when any head is
below its `confident` probability or its mass is past the declared exact range (12 digits).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from aocnn import runner
from aocnn.errors import run_script
from aocnn.nn import model as nn_model
from aocnn.nn.family import decode
from solvers.y2019 import d01

SEED_BASE = 70_000_000  # seeds no test or training uses


def fuel_exactness(network, values, width: int = 0) -> tuple[int, int, int, list]:
    """(exact and sure, count, flagged, up to 5 confidently wrong masses)."""
    values = [int(v) for v in values]
    right = flagged = 0
    wrong = []
    for start in range(0, len(values), d01.CHUNK):
        chunk = values[start:start + d01.CHUNK]
        (inputs,) = list(d01.encode(chunk))
        fuel, sure = d01.combine(decode(d01.CONFIG.model, network(inputs)), chunk)
        exact = np.array([int(f) == d01.fuel(m) for f, m in zip(fuel, chunk)])
        right += int((exact & sure).sum())
        flagged += int((~sure).sum())
        wrong += [m for m, e, s in zip(chunk, exact, sure) if s and not e][: 5 - len(wrong)]
    return right, len(values), flagged, wrong


def random_masses(rng: np.random.Generator, width: int, count: int) -> list[int]:
    lead = rng.integers(1, 10, count)
    rest = rng.integers(0, 10, (count, width - 1))
    return [int("".join(map(str, [a, *r]))) for a, r in zip(lead, rest)]


def borrow_chains(rng: np.random.Generator, width: int, count: int) -> list[int]:
    """Masses 3*q + r whose quotient q has a long run of trailing zeros, so -2 borrows far."""
    out = []
    for _ in range(count):
        zeros = int(rng.integers(1, width))
        head = int(rng.integers(1, max(10 ** (width - 1 - zeros) // 3, 1) + 1)) if width - 1 - zeros > 0 else 1
        mass = 3 * head * 10**zeros + int(rng.integers(0, 9))
        out.append(mass if len(str(mass)) <= width else 3 * 10**zeros + int(rng.integers(0, 9)))
    return out


def show(label: str, right: int, total: int, unsure: int, wrong: list) -> None:
    print(f"{label:<34} {right:>8,}/{total:<8,} exact ({right / total:.4%}), flagged {unsure:,}, confidently wrong "
          f"{len(wrong)}" + (f", e.g. {wrong}" if wrong else ""), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="generated inputs (x10 random 5-7 digit masses)")
    parser.add_argument("--weights", type=Path, help="weights root (default: the shipped weights)")
    args = parser.parse_args()

    network = runner.load_neural(d01.PUZZLE, 1, root=args.weights)  # one checkpoint serves both parts
    print(f"weights: {nn_model.weights_path(d01.PUZZLE.neural[1], args.weights)}  device: {network.device.platform}  "
          f"parameters: {network.meta.get('parameters')}  trained: seed {network.meta.get('seed')}, "
          f"{network.meta.get('steps')} steps, {network.meta.get('examples_seen'):,} examples, "
          f"{network.meta.get('train_seconds')} s")
    rng = np.random.default_rng(SEED_BASE)

    show("masses 0..99,999", *fuel_exactness(network, range(100_000)))
    for i, width in enumerate((5, 6, 7)):
        share = args.count * 10 // 3 + (i < args.count * 10 % 3)
        show(f"random masses, {width} digits", *fuel_exactness(network, random_masses(rng, width, share)))
    for width in (8, 9, 10, 11, 12, 16, 20, 24):
        n = max(args.count // 10, 10)
        show(f"{width} digits: random", *fuel_exactness(network, random_masses(rng, width, n)))
        if width <= 18:  # numpy's int64 draws
            show(f"{width} digits: long borrow chains", *fuel_exactness(network, borrow_chains(rng, width, n)))

    right = {1: 0, 2: 0}
    low = {1: 0, 2: 0}
    wrong = {1: [], 2: []}
    start = time.perf_counter()
    for i in range(args.count):
        records = d01.PUZZLE.records(d01.generate_input(SEED_BASE + i))
        for part, classical in ((1, d01.part1), (2, d01.part2)):
            result = d01.PUZZLE.neural[part].solve(network, records)
            ok = result.answer == classical(records)
            right[part] += ok
            low[part] += result.low_confidence
            if not ok and len(wrong[part]) < 5:
                wrong[part].append(SEED_BASE + i)
    seconds = time.perf_counter() - start
    for part in (1, 2):
        show(f"part {part}: generated inputs (100 masses)", right[part], args.count, low[part], wrong[part])
    print(f"({seconds:.1f} s for {args.count:,} inputs, both parts)")

    records = d01.PUZZLE.records(d01.generate_input(SEED_BASE - 1))
    for part in (1, 2):
        network_solve = d01.PUZZLE.neural[part].solve
        network_solve(network, records)  # compile for this width
        neural = statistics.median(_timed(lambda: network_solve(network, records)) for _ in range(20))
        classical = statistics.median(_timed(lambda: d01.PUZZLE.classical(part)(records)) for _ in range(20))
        print(f"part {part} warm solve, 100 masses: neural {neural * 1e3:.2f} ms, classical {classical * 1e3:.3f} ms")


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


if __name__ == "__main__":
    run_script(main)
