"""Train one neural task with `--set` overrides and measure it: for configs that are not shipped.

    python scripts/try_config.py 2015 1 --task FAMILY_PART2 --set train.max_steps=2000
    python scripts/try_config.py 2023 1 --part 2 --set model.window=3

`--task NAME` takes a task defined in the puzzle module but not registered (an attempt kept for the
record, e.g. 2015/1's `FAMILY_PART2`); without it, the registered part. It trains from scratch with
progress, then measures exactness (training's margin) on fresh records in range and beyond.
"""

from __future__ import annotations

import argparse
import importlib

from aocnn import registry
from aocnn.errors import run_script
from aocnn.nn import training
from aocnn.nn.config import override
from aocnn.nn.measure import exactness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("year", type=int)
    parser.add_argument("day", type=int)
    parser.add_argument("--part", type=int, default=1)
    parser.add_argument("--task", default="", help="a task object in the puzzle module instead of the registered part")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="SECTION.FIELD=VALUE")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--measure", type=int, default=2000, help="fresh records in range (a quarter as many beyond)")
    args = parser.parse_args()

    if args.task:
        task = getattr(importlib.import_module(f"solvers.y{args.year}.d{args.day:02d}"), args.task)
    else:
        task = registry.get(args.year, args.day).neural[args.part]
    task = task.configure(override(task.config, args.sets))

    def progress(p) -> None:
        print(f"step {p.step}/{p.max_steps}  loss {p.loss:.4f}  exact {p.exact:.2%}  beyond {p.far_exact}", flush=True)

    params, report = training.train(task, seed=args.seed, progress=progress)
    print(f"converged {report.converged} after {report.steps} steps ({report.seconds:.0f} s)", flush=True)
    print(exactness(task, params, args.measure, args.measure // 4, args.seed + 77), flush=True)


if __name__ == "__main__":
    run_script(main)
