"""2024/1 part 2 with the named hint `matched`, trained in two stages (module docstring): the network of
`PART2_HINTED` first on the hint alone (`PART2_HINT_FIRST_TASK`: the digit heads untrained), then on the
answer's digits and the hint together (`PART2_HINTED_TASK`), continued from the first stage's weights.
It then counts whole inputs answered right, flagged (low-confidence) and confidently wrong.

    python scripts/probe_2024_01_hinted.py [--first 4000] [--then 6000] [--seed 0]

Inputs: `--small` training-style (8-48 lines of 1-9-digit numbers, near misses and chimeras), `--beyond`
of 96-192 lines, and `--real` real-shaped ones (1,000 lines of 5-digit numbers, `generate_input`).
"""

from __future__ import annotations

import argparse
import time

import jax.numpy as jnp
import numpy as np

from aocnn.nn import training
from aocnn.nn.family import decode
from solvers.y2024 import d01

MEASURE_SEED = 10**6  # inputs no test or training uses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--first", type=int, default=4000, help="steps on the hint alone")
    parser.add_argument("--then", type=int, default=6000, help="steps on the answer and the hint")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--beyond", type=int, default=40)
    parser.add_argument("--real", type=int, default=10)
    args = parser.parse_args()

    def progress(p) -> None:
        if p.step % 500 == 0:
            print(f"step {p.step}/{p.max_steps}  loss {p.loss:.4f}  exact {p.exact:.2%}", flush=True)

    began = time.perf_counter()
    first, report = training.train(d01.PART2_HINT_FIRST_TASK, seed=args.seed, max_steps=args.first, progress=progress)
    print(f"stage 1 (the hint alone): {report.steps} steps, {time.perf_counter() - began:.0f} s", flush=True)
    task = d01.PART2_HINTED_TASK
    start = training.Start(first, report.steps, report.examples, report.seconds)
    params, report = training.train(task, seed=args.seed, max_steps=args.then, progress=progress, start=start)
    print(f"stage 2 (answer and hint): {report.steps} steps, converged {report.converged}, "
          f"{time.perf_counter() - began:.0f} s in all", flush=True)

    rng = np.random.default_rng(MEASURE_SEED + args.seed)
    for name, count in (("training-style (8-48 lines)", args.small), ("beyond (96-192 lines)", args.beyond),
                        ("real-shaped (1,000 lines)", args.real)):
        right = flagged = wrong = 0
        for i in range(count):
            if name.startswith("real"):
                pairs = d01.parse(d01.generate_input(MEASURE_SEED + i))
            else:
                low, high = d01.PART2_LINES if name.startswith("training") else d01.PART2_FAR
                pairs = d01.random_lists(rng, int(rng.integers(low, high + 1)))
            [inputs] = list(d01.encode_list_only(pairs))
            outputs = task.model.apply({"params": params}, {k: jnp.asarray(v) for k, v in inputs.items()})
            values, sure = d01.combine_part2(decode(task.config.model, outputs), pairs)
            if not sure.all():
                flagged += 1
            elif int(values.sum()) == d01.part2(pairs):
                right += 1
            else:
                wrong += 1
        print(f"{name}: {right} right, {flagged} flagged, {wrong} confidently wrong, of {count}", flush=True)


if __name__ == "__main__":
    main()
