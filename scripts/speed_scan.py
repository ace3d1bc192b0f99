"""The family's recurrence on CPU: associative scan (as on accelerators) against the sequential scan.

    taskset -c 0 python scripts/speed_scan.py [--repeats 3]

Solves one generated 1,000-line 2023/1 input with the shipped part 1 network, warm, both ways in
turns (a fresh compiled forward each), and prints the medians, their ratio and both answers (which
must agree). The weights and the model are the same; only how the scan is run differs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from aocnn import runner
from aocnn.errors import run_script
from aocnn.nn import family
from aocnn.nn import model as nn_model
from solvers.y2023 import d01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = d01.PUZZLE.records(d01.generate_input(987_654_321))
    ways = {"associative": lambda a, b, reverse=False: family._associative_scan(a, b, reverse),
            "sequential (CPU default)": lambda a, b, reverse=False: family._sequential_scan(a, b, reverse)}
    times: dict[str, list[float]] = {name: [] for name in ways}
    answers = {}
    for _ in range(args.repeats):
        for name, scan in ways.items():
            family.gated_scan = scan
            nn_model._FORWARDS.clear()  # a forward traced with this scan
            network = runner.load_neural(d01.PUZZLE, 1)
            answers[name] = network.solve(rows)
            calls = []
            for _ in range(9):
                start = time.perf_counter()
                network.solve(rows)
                calls.append(time.perf_counter() - start)
            times[name].append(statistics.median(calls))
    median = {name: statistics.median(ts) for name, ts in times.items()}
    for name in ways:
        print(f"{name:<26} warm solve of 1,000 lines: {median[name] * 1e3:7.1f} ms  answer {answers[name]}")
    print(f"sequential / associative: {median['sequential (CPU default)'] / median['associative']:.2f}")


if __name__ == "__main__":
    run_script(main)
