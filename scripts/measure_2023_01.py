"""Measures the 2023 day 1 neural solver against the acceptance figures.

    python scripts/measure_2023_01.py [--weights DIR] [--lines 100000] [--long 10000] [--inputs 20] [--extra 400000]
    python scripts/measure_2023_01.py --runs 24        # only lines with long runs of letters, past the declared range
    python scripts/measure_2023_01.py --uniform 20000  # only lines of uniformly drawn letters and numerals

Per part: exactness on fresh generated lines (seed not used in training), on lines of 66-99
characters (between training's longest and the stop rule's beyond set) and of 100-260 characters (4x the
longest training line), neural vs classical answers on full
generated inputs (parsed once by `PUZZLE.records`, both solvers on the same records), and
warm solve time of a 1000-line input (median of repeats, parsing not included).

`--uniform N`: instead, N lines of 1-65 characters for each numeral share (0.2, 0.5, 0.8) and numeral set (0-9, and
1-9 as real inputs), every character uniform: the training range, but not the generator's law.

`--runs N`: instead, N lines per length of a short line (5-30 characters, a digit in it) inside long runs of
letters that spell no digit word (before it, after it, or both), of 1,000 to 60,000 characters: where the
declared exact range (`d01.EXACT_LENGTH`, 260 characters) comes from. Each line is judged by the network's
heads alone and by the solver (which flags every line past the declared range).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from aocnn import runner
from aocnn.errors import run_script
from aocnn.nn.opinions import agree
from solvers.y2023 import d01

FRESH_SEED = 987_654_321  # training uses seeds 0..n and their held-out streams, never this one
EXTRA_SEED = 555_000  # `--extra`: a second fresh stream (plus the part), for rates of one in hundreds of thousands


def line_values(network, rows: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per line: the network's calibration value and whether it is sure (as its solver decides)."""
    from aocnn.nn.family import decode

    [inputs] = list(d01.encode(rows))
    value, sure = d01.combine(decode(network.task.config.model, network(inputs)), rows)
    for other in network.opinions:  # as the solve judges a line: sure only if every second opinion agrees
        sure = agree(value, sure, *d01.combine(decode(other.task.config.model, other(inputs)), rows))
    return value, sure


def exactness(network, spelled: bool, count: int, min_len: int, max_len: int, seed: int, chunk: int = 2000):
    """Lines right and sure, lines flagged low-confidence, lines wrong yet sure (the worst), and a few failures."""
    rng = np.random.default_rng(seed)
    exact = low = wrong = 0
    failures = []
    for start in range(0, count, chunk):
        rows = d01.training_lines(rng, min(chunk, count - start), spelled, min_len, max_len)
        truth = np.array([d01.calibration_value(row, spelled) for row in rows])
        value, sure = line_values(network, rows)
        ok = value == truth
        exact += int((ok & sure).sum())
        low += int((~sure).sum())
        wrong += int((~ok & sure).sum())
        failures += [rows[i] for i in np.flatnonzero(~ok)][:5]
    return exact, low, wrong, failures


def uniform_lines(rng: np.random.Generator, count: int, share: float, numerals: str, spelled: bool) -> list[str]:
    """`--uniform`: lines of 1-65 characters, each a numeral with probability `share` and otherwise a letter, both
    uniform: not the generator's law (no words placed, no runs chosen), so its blind spots are not this set's."""
    letters, digits, rows = np.array(list(d01.LETTERS)), np.array(list(numerals)), []
    while len(rows) < count:
        n = int(rng.integers(1, d01.MAX_TRAIN_LENGTH + 1))
        row = "".join(np.where(rng.random(n) < share, rng.choice(digits, n), rng.choice(letters, n)))
        if d01.digit_starts(row, spelled):
            rows.append(row)
    return rows


def uniform(network, spelled: bool, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for share in (0.2, 0.5, 0.8):
        for numerals in ("0123456789", "123456789"):
            rows = uniform_lines(rng, count, share, numerals, spelled)
            truth = np.array([d01.calibration_value(row, spelled) for row in rows])
            value, sure = (np.concatenate(v) for v in zip(*(line_values(network, rows[i:i + 2000])
                                                           for i in range(0, count, 2000))))
            wrong = [rows[i] for i in np.flatnonzero(sure & (value != truth))]
            print(f"  uniform, numerals {numerals[0]}-9 with share {share}: {int((sure & (value == truth)).sum()):,}/"
                  f"{count:,} exact, {int((~sure).sum()):,} low-confidence, {len(wrong):,} confidently wrong", flush=True)
            for line in wrong[:5]:
                print(f"      wrong: {line!r}")


QUIET = "qxzjkbcdhmpy"  # letters that spell no digit word, however they are strung together
RUN_LENGTHS = (1_000, 10_000, 20_000, 60_000)


def long_runs(network, spelled: bool, count: int, seed: int) -> None:
    from aocnn.nn.family import decode

    rng = np.random.default_rng(seed)

    def letters(k: int) -> str:
        return "".join(QUIET[i] for i in rng.integers(0, len(QUIET), k))

    for length in RUN_LENGTHS:
        alone, solver = [0, 0, 0], [0, 0, 0]  # right, flagged, confidently wrong
        for start in range(0, count, 8):
            rows = []
            for _ in range(min(8, count - start)):
                middle = d01.training_lines(rng, 1, spelled, 5, 30)[0]
                run, shape = length - len(middle), int(rng.integers(3))
                rows.append(letters(run // 2) + middle + letters(run - run // 2) if shape == 0 else
                            letters(run) + middle if shape == 1 else middle + letters(run))
            [inputs] = list(d01.encode(rows))
            decoded = decode(network.task.config.model, network(inputs))
            value, declared = d01.combine(decoded, rows)
            sure = decoded["tens"][1] & decoded["units"][1]
            right = value == np.array([d01.calibration_value(row, spelled) for row in rows])
            for tally, ok in ((alone, sure), (solver, declared)):
                tally[0] += int((ok & right).sum())
                tally[1] += int((~ok).sum())
                tally[2] += int((ok & ~right).sum())
        print(f"  lines of {length:,} characters (long runs of letters), {count}: heads alone {alone[0]} right, "
              f"{alone[1]} flagged, {alone[2]} confidently wrong; solver {solver[0]} right, {solver[1]} flagged, "
              f"{solver[2]} confidently wrong", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, help="weights root (default: shipped)")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--long", type=int, default=10_000)
    parser.add_argument("--inputs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--part", type=int, choices=(1, 2), action="append", help="measure only this part")
    parser.add_argument("--runs", type=int, default=0, help="only lines in long runs of letters, this many per length")
    parser.add_argument("--uniform", type=int, default=0,
                        help="only lines of uniformly drawn letters and numerals, this many per numeral share and set")
    parser.add_argument("--extra", type=int, default=0,
                        help="this many more fresh lines of 1-65 characters from a second stream (e.g. 400000)")
    args = parser.parse_args()

    for part in args.part or (1, 2):
        spelled = part == 2
        network = runner.load_neural(d01.PUZZLE, part, root=args.weights)
        meta = network.meta
        print(f"part {part}: {meta['parameters']:,} parameters, trained {meta['steps']} steps / "
              f"{meta['examples_seen']:,} examples in {meta['train_seconds']} s (seed {meta['seed']})")
        if args.runs:
            long_runs(network, spelled, args.runs, FRESH_SEED + 100 + part)
            continue
        if args.uniform:
            uniform(network, spelled, args.uniform, FRESH_SEED + 200 + part)
            continue
        sets = [("fresh 1-65", args.lines, 1, d01.MAX_TRAIN_LENGTH, FRESH_SEED + part + d01.MAX_TRAIN_LENGTH),
                ("between 66-99", args.long, d01.MAX_TRAIN_LENGTH + 1, 99, FRESH_SEED + part + 99),
                ("long 100-260", args.long, 100, 260, FRESH_SEED + part + 260)]
        if args.extra:
            sets.append(("more 1-65", args.extra, 1, d01.MAX_TRAIN_LENGTH, EXTRA_SEED + part))
        for label, count, lo, hi, seed in sets:
            exact, low, wrong, failures = exactness(network, spelled, count, lo, hi, seed)
            print(f"  {label:>13} chars: {exact:,}/{count:,} lines exact ({exact / count:.4%}), "
                  f"{low:,} low-confidence, {wrong:,} confidently wrong")
            for line in failures:
                print(f"      wrong: {line!r}")
        agree = 0
        for seed in range(args.inputs):
            records = d01.PUZZLE.records(d01.generate_input(FRESH_SEED + seed))
            classical = d01.PUZZLE.classical(part)(records)
            agree += network.solve(records).answer == classical
        print(f"  full generated inputs: neural == classical on {agree}/{args.inputs}")
        records = d01.PUZZLE.records(d01.generate_input(FRESH_SEED))
        network.solve(records)  # compile
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            network.solve(records)
            times.append(time.perf_counter() - start)
        print(f"  warm solve of a 1000-line input: median {statistics.median(times) * 1e3:.1f} ms "
              f"(min {min(times) * 1e3:.1f} ms, {args.repeats} runs)")


if __name__ == "__main__":
    run_script(main)
