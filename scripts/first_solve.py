"""Time to the first neural answer in a fresh process: imports, restore, compile, infer.

    python scripts/first_solve.py YEAR DAY PART [INPUT_FILE]

Prints a breakdown; the input defaults to the puzzle's generated sample.
"""

import time

start = time.perf_counter()

import sys  # noqa: E402

from aocnn import registry  # noqa: E402
from aocnn.nn import model  # noqa: E402


def main() -> None:
    year, day, part = map(int, sys.argv[1:4])
    puzzle = registry.get(year, day)
    imported = time.perf_counter()
    text = open(sys.argv[4]).read() if len(sys.argv) > 4 else puzzle.generate_input(2023)
    made = time.perf_counter()
    network = model.load(puzzle.neural[part])
    restored = time.perf_counter()
    answer = network.solve(text)
    solved = time.perf_counter()
    print(f"{year} day {day} part {part}: answer {answer.answer}; first solve {solved - start - (made - imported):.2f} s "
          f"= imports {imported - start:.2f} s + restore {restored - made:.2f} s + compile and infer {solved - restored:.2f} s"
          f" (input generation, {made - imported:.2f} s, not counted)")


if __name__ == "__main__":
    main()
