"""Time to the first neural answer in a fresh process: imports, parse, restore, compile, infer.

    python scripts/first_solve.py YEAR DAY PART [INPUT_FILE]

Prints a breakdown; the input defaults to the puzzle's generated sample.
"""

import time

start = time.perf_counter()

import sys  # noqa: E402

from aocnn import registry, runner  # noqa: E402
from aocnn.errors import run_script  # noqa: E402
from aocnn.nn import model  # noqa: E402, F401 (imported here so that restore's time leaves its import out)


def main() -> None:
    year, day, part = map(int, sys.argv[1:4])
    puzzle = registry.get(year, day)
    imported = time.perf_counter()
    text = open(sys.argv[4]).read() if len(sys.argv) > 4 else puzzle.generate_input(2023)
    made = time.perf_counter()
    records = puzzle.records(text)
    parsed = time.perf_counter()
    network = runner.load_neural(puzzle, part)
    restored = time.perf_counter()
    answer = network.solve(records)
    solved = time.perf_counter()
    print(f"{year} day {day} part {part}: answer {answer.answer}; first solve {solved - start - (made - imported):.2f} s "
          f"= imports {imported - start:.2f} s + parse {parsed - made:.2f} s + restore {restored - parsed:.2f} s"
          f" + compile and infer {solved - restored:.2f} s (input generation, {made - imported:.2f} s, not counted)")


if __name__ == "__main__":
    run_script(main)
