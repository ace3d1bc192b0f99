"""Probe: how far does the shared family get on 2018/1 part 2's first repeated frequency? (issue 18)

Trains one of the module's unregistered part 2 configs (solvers/y2018/d01.py) with progress, then
checks it on fresh training-style lists and on longer ones (`beyond`), head by head, in the solver's
view (sure and right / unsure / sure and wrong), and split by the pass in which the list repeats:
pass 0 (two running totals equal), 1 (one total apart), 2, and 3 or later.

    python scripts/probe_2018_01_part2.py --mode answer  [--set model.pairs_hidden=128 ...]
    python scripts/probe_2018_01_part2.py --mode pointer --set model.pairs_hidden=128 --set train.max_steps=40000
    python scripts/probe_2018_01_part2.py --mode pointer --early-kept 0.2 ...  (more lists that repeat in pass 2 or later)

Modes: `answer` is PART2_ATTEMPT (the answer only, through the gated value per line); `pointer` is the
`first_seen` hint head alone (a pointer to the line whose running total is the repeat: can the layers
find it when told where it is?); `hinted` is both heads (PART2_HINTED).
"""

from __future__ import annotations

import argparse
import collections
from dataclasses import replace

import numpy as np

from aocnn.errors import run_script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("answer", "pointer", "hinted"), default="answer")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="SECTION.FIELD=VALUE")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lists", type=int, default=5000, help="fresh lists checked, in range and beyond each")
    parser.add_argument("--early-kept", type=float, default=1.0,
                        help="training keeps this share of the lists that repeat in pass 0 or 1 (fewer: more later repeats)")
    args = parser.parse_args()

    import jax

    from aocnn.nn import training
    from aocnn.nn.config import override
    from aocnn.nn.family import FamilyModel, decode
    from aocnn.nn.family_task import FamilySpec, family_task
    from solvers.y2018 import d01

    config = d01.REPEAT_CONFIG if args.mode == "answer" else d01.HINTED_CONFIG
    if args.mode == "pointer":
        config = replace(config, model=replace(config.model, decoders=config.model.decoders[1:]))
    config = override(config, args.sets)

    def examples(rng, n, data, far):  # training's lists; the checks below draw as the module does
        return d01.repeat_examples(rng, n, data, far, args.early_kept)

    task = family_task("2018_01/part2", FamilySpec(config, d01.encode, examples, d01.repeat_answer),
                       learned=d01.PART2_ATTEMPT.learned, hand_written=d01.PART2_ATTEMPT.hand_written, far=d01.PART2_ATTEMPT.far)

    def progress(p) -> None:
        print(f"step {p.step}/{p.max_steps}  loss {p.loss:.4f}  exact {p.exact:.2%}", flush=True)

    params, report = training.train(task, seed=args.seed, progress=progress)
    print(f"converged {report.converged} after {report.steps} steps ({report.seconds:.0f} s)", flush=True)
    forward = jax.jit(FamilyModel(config.model).apply)
    for far in (False, True):
        rng = np.random.default_rng(10**6 + 2 * args.seed + far)
        lists, inputs, targets = d01.repeat_examples(rng, args.lists, replace(config.data, hints=("first_seen",)), far)
        decoded = decode(config.model, forward({"params": params}, inputs))
        passes = np.array([min(d01.first_repeat(changes)[0], 3) for changes in lists])
        for head in (d.name for d in config.model.decoders):
            said, sure = decoded[head]
            right = said == targets[head]
            by_pass = ", ".join(f"pass {p}{'+' if p == 3 else ''}: {np.mean(right[passes == p]):.1%} of {np.sum(passes == p)}"
                                for p in sorted(collections.Counter(passes.tolist())))
            print(f"{'beyond' if far else 'in range'} {head}: {np.sum(sure & right)} sure and right, {np.sum(~sure)} unsure, "
                  f"{np.sum(sure & ~right)} sure and wrong of {len(lists)}; argmax right by pass ({by_pass})", flush=True)


if __name__ == "__main__":
    run_script(main)
