"""Compare `aocnn search`'s samplers at an equal budget: the same trials x steps, several search seeds each.

For each sampler and seed, a fresh study (SQLite in a temp dir) runs `--trials` trials of at most `--steps`
steps on the puzzle part, with the same pruner. Per sampler it reports: the fraction of searches that found
an architecture exact in range, and exact in range and beyond it (fully exact); the median number of
trials to the first fully exact one (over the searches that found one); the best score's mean and standard
deviation; the training steps actually spent (pruning and early stops save some); and the wall time.
The shipped config, trained once per seed with the same steps, is the reference row.

    PYTHONPATH=. python scripts/search_compare.py 2015 1 --part 1 --trials 6 --steps 800 --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aocnn import search as searching
from aocnn.errors import run_script
from aocnn.nn import training


def one_search(year: int, day: int, part: int, sampler: str, seed: int, trials: int, steps: int,
               sets: tuple[str, ...], folder: Path) -> dict:
    spec = searching.Search(year, day, part, sampler, steps, seed, sets)
    url = f"sqlite:///{folder / f'{sampler}-{seed}.sqlite3'}"
    start = time.perf_counter()
    result = searching.run(spec, url, f"compare-{sampler}-{seed}", trials, 1)
    rows = result["trials"]
    fully = [r["number"] for r in rows if r["exact"] == 1.0 and r["exact_out_of_range"] == 1.0 and r["state"] == "complete"]
    in_range = [r["number"] for r in rows if r["exact"] == 1.0]
    return {"sampler": sampler, "seed": seed, "seconds": time.perf_counter() - start,
            "best": max([r["score"] for r in rows if r["score"] is not None], default=0.0),
            "first_exact": fully[0] + 1 if fully else None, "found_in_range": bool(in_range), "found": bool(fully),
            "steps": sum(r["steps"] or 0 for r in rows), "pruned": sum(r["state"] == "pruned" for r in rows),
            "best_trial": result["best"]}


def shipped(year: int, day: int, part: int, seed: int, steps: int, sets: tuple[str, ...]) -> dict:
    task = searching.task_of(searching.Search(year, day, part, sets=sets))
    start = time.perf_counter()
    _, report = training.train(task, seed=seed, max_steps=steps)
    return {"seed": seed, "exact": report.exact, "far": report.far_exact, "steps": report.steps,
            "score": searching.score(report.exact, report.far_exact, report.parameters, report.steps, steps),
            "seconds": time.perf_counter() - start}


def table(runs: list[dict], references: list[dict], trials: int, steps: int) -> str:
    lines = ["| sampler | searches fully exact | exact in range | median trials to first fully exact | "
             "best score mean ± std | steps spent (of budget) | pruned trials | wall time |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for sampler in dict.fromkeys(r["sampler"] for r in runs):
        mine = [r for r in runs if r["sampler"] == sampler]
        firsts = [r["first_exact"] for r in mine if r["first_exact"] is not None]
        best = [r["best"] for r in mine]
        spread = statistics.stdev(best) if len(best) > 1 else 0.0
        lines.append(
            f"| {sampler} | {sum(r['found'] for r in mine)}/{len(mine)} | {sum(r['found_in_range'] for r in mine)}/{len(mine)} | "
            f"{statistics.median(firsts) if firsts else '-'} | {statistics.mean(best):.3f} ± {spread:.3f} | "
            f"{sum(r['steps'] for r in mine):,} ({len(mine) * trials * steps:,}) | {sum(r['pruned'] for r in mine)} | "
            f"{sum(r['seconds'] for r in mine) / 60:.1f} min |")
    if references:
        exact = sum(r["exact"] == 1.0 and r["far"] == 1.0 for r in references)
        best = [r["score"] for r in references]
        lines.append(f"| shipped config (reference, 1 run per seed) | {exact}/{len(references)} | "
                     f"{sum(r['exact'] == 1.0 for r in references)}/{len(references)} | - | "
                     f"{statistics.mean(best):.3f} ± {statistics.stdev(best) if len(best) > 1 else 0.0:.3f} | "
                     f"{sum(r['steps'] for r in references):,} | - | {sum(r['seconds'] for r in references) / 60:.1f} min |")
    return "\n".join(lines)


def save(path: Path | None, runs: list[dict], references: list[dict], args: argparse.Namespace) -> None:
    """Every finished search so far: a long comparison that is stopped keeps what it measured
    (`--table-from FILE` prints its table)."""
    if path is not None:
        budget = {"trials": args.trials, "steps": args.steps, "sets": args.sets}
        path.write_text(json.dumps({"budget": budget, "runs": runs, "references": references}, indent=2) + "\n",
                        encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("year", type=int)
    parser.add_argument("day", type=int)
    parser.add_argument("--part", type=int, required=True)
    parser.add_argument("--samplers", nargs="+", default=list(searching.SAMPLERS), choices=searching.SAMPLERS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--set", dest="sets", action="append", default=[], help="fixed config fields (section.field=value)")
    parser.add_argument("--no-reference", action="store_true", help="skip training the shipped config")
    parser.add_argument("--json", type=Path, help="also write every run as JSON here")
    parser.add_argument("--table-from", type=Path, help="print the table of a saved --json file, run nothing")
    args = parser.parse_args()
    if args.table_from:
        saved = json.loads(args.table_from.read_text(encoding="utf-8"))
        print(table(saved["runs"], saved["references"], saved["budget"]["trials"], saved["budget"]["steps"]))
        return
    sets = tuple(args.sets)
    runs, references = [], []
    with tempfile.TemporaryDirectory() as folder:
        for seed in args.seeds:  # seeds outermost: an interrupted comparison still has every sampler for the first seeds
            for sampler in args.samplers:
                print(f"search_compare: {sampler}, seed {seed}", file=sys.stderr, flush=True)
                runs.append(one_search(args.year, args.day, args.part, sampler, seed, args.trials, args.steps, sets,
                                       Path(folder)))
                save(args.json, runs, references, args)
            if not args.no_reference:
                print(f"search_compare: the shipped config, seed {seed}", file=sys.stderr, flush=True)
                references.append(shipped(args.year, args.day, args.part, seed, args.steps, sets))
                save(args.json, runs, references, args)
    print(f"{args.year}/{args.day} part {args.part}: {len(args.seeds)} seeds x {args.trials} trials x at most "
          f"{args.steps} steps per sampler" + (f", fixed: {' '.join(sets)}" if sets else ""))
    print(table(runs, references, args.trials, args.steps))


if __name__ == "__main__":
    run_script(main)
