"""Where a training run's wall time goes: compiling, waiting for generated data, the rest (the step).

    taskset -c 0,1 python scripts/speed_train.py [--task 2023/1/1 ... | --all] [--steps 300] [--repeats 3]
                                                 [--producer-only]

For each task (YEAR/DAY/PART, default 2023/1/1), runs `--steps` training steps (the stop rule off,
held-out checks as configured) with batches made in the loop (`prefetch=0`, as before the producer
thread) and by the producer thread (`prefetch=2`), taking turns, `--repeats` times each. Per mode,
medians of: wall time of `training.train`, its share compiling (jax's compile events: tracing,
lowering, XLA), its share waiting for data (the loop blocked on a generator or on the producer),
and the rest (the jitted steps and the loop's own work); also the generators' own time, wherever it
ran. The producer only helps with a second core: run it with `taskset -c 0,1` (or compare with `-c 0`).
`--all` measures every registered neural part; `--producer-only` skips the in-the-loop runs (the
shipped way of training only). Where shipped weights exist, it also prints their run's steps, examples
and wall time (their meta.json) and the shares projected onto that many steps: compiling once, then
this run's waiting and step time per step (a short run is mostly compiling; a shipped run is not).

`--compile-cache warm` measures what a second `aocnn train` of the same config finds (another seed, an
ablation variant, a continuation): JAX's persistent compilation cache on, as `aocnn train` has it, in a
fresh temporary directory that one unmeasured run per task fills first. The default (`cold`) has no
persistent cache: every run compiles everything, as a first `aocnn train` on a new machine does.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import threading
import time

from aocnn import registry
from aocnn.errors import WeightsError, run_script
from aocnn.nn import checkpoint, training
from aocnn.nn.compiles import compilations
from aocnn.nn.config import override
from aocnn.nn.model import weights_path


def endless(task, steps: int):
    """The task with its stop rule off, so every run takes `steps` steps, and without its finalize step (whose
    checks after training would run `exact_evals` times: a real run's last few seconds, not its steps). One
    attempt: no restarts, polish, far sweep or hard rounds (a run that never converges would otherwise start
    again; each of those is another run of the same loop)."""
    once = {"exact_evals": 10**9, "max_steps": steps, "restarts": 0, "polish_steps": 0, "far_sweep": 0, "hard_rounds": 0}
    if task.configure is not None:
        task = task.configure(override(task.config, [f"train.{k}={v}" for k, v in once.items()]))
    else:
        task = dataclasses.replace(task, train=dataclasses.replace(task.train, **once))
    return dataclasses.replace(task, finalize=None)


def timed(task):
    """The task with its generators timed (they may run on producer threads: a lock guards the sum)."""
    spent = {"seconds": 0.0}
    lock = threading.Lock()

    def wrap(make):
        if make is None:
            return None

        def made(rng, n):
            start = time.perf_counter()
            try:
                return make(rng, n)
            finally:
                with lock:
                    spent["seconds"] += time.perf_counter() - start

        return made

    return dataclasses.replace(task, make_batch=wrap(task.make_batch), make_far_batch=wrap(task.make_far_batch),
                               make_eval_batch=wrap(task.make_eval_batch)), spent


def one_run(task, steps: int, prefetch: int) -> dict[str, float]:
    task, generated = timed(endless(task, steps))
    with compilations() as seen:
        start = time.perf_counter()
        _, report = training.train(task, seed=0, max_steps=steps, prefetch=prefetch)
        wall = time.perf_counter() - start
    return {"wall": wall, "compile": seen.seconds, "data wait": report.data_wait_seconds,
            "step and loop": wall - seen.seconds - report.data_wait_seconds, "generators": generated["seconds"],
            "train_step compiles": seen.count("train_step"), "examples": report.examples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", action="append", help="YEAR/DAY/PART (repeatable; default 2023/1/1)")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="every registered neural part")
    parser.add_argument("--producer-only", action="store_true", help="only the producer thread (how training runs)")
    parser.add_argument("--compile-cache", choices=("cold", "warm"), default="cold",
                        help="warm: JAX's persistent compilation cache on and filled by one unmeasured run per task")
    args = parser.parse_args()
    if args.compile_cache == "warm":
        import jax

        jax.config.update("jax_compilation_cache_dir", tempfile.mkdtemp(prefix="aocnn-speed-train-"))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    modes = {"in the loop": 0, "producer thread": training.PREFETCH}
    if args.producer_only:
        del modes["in the loop"]
    if args.all:
        args.task = [f"{year}/{day}/{part}" for (year, day), puzzle in sorted(registry.all_puzzles().items())
                     for part in sorted(puzzle.neural)]
    print(f"affinity {sorted(os.sched_getaffinity(0))}, {args.steps} steps per run, medians of {args.repeats} "
          f"interleaved runs, compilation cache {args.compile_cache}")
    for spec in args.task or ["2023/1/1"]:
        year, day, part = map(int, spec.split("/"))
        task = registry.get(year, day).neural[part]
        runs: dict[str, list[dict]] = {mode: [] for mode in modes}
        if args.compile_cache == "warm":
            one_run(task, args.steps, training.PREFETCH)  # fills the cache: what a first `aocnn train` leaves
        for repeat in range(args.repeats):
            for mode, prefetch in modes.items():
                runs[mode].append(one_run(task, args.steps, prefetch))
                print(f"  {spec} {mode} run {repeat + 1}: {runs[mode][-1]['wall']:.1f} s", file=sys.stderr, flush=True)
        print(f"{spec} ({task.name}), batch {task.train.batch_size}, "
              f"{next(iter(runs.values()))[0]['examples']:,} examples per run:")
        walls, medians = {}, {}
        for mode, results in runs.items():
            med = {key: statistics.median(r[key] for r in results) for key in results[0]}
            walls[mode], medians[mode] = med["wall"], med
            shares = ", ".join(f"{key} {med[key] / med['wall']:.0%}" for key in ("compile", "data wait", "step and loop"))
            print(f"  {mode:<16} wall {med['wall']:6.1f} s: {shares}; generators ran {med['generators'] / med['wall']:.0%} "
                  f"of wall; train_step compiled {med['train_step compiles']:.0f}x")
        if "in the loop" in walls:
            print(f"  wall with the producer thread / in the loop: {walls['producer thread'] / walls['in the loop']:.2f}")
        shipped(task, medians["producer thread"], args.steps)


def projected(med: dict[str, float], measured_steps: int, steps: int) -> dict[str, float]:
    """Shares of a run of `steps` steps: one compile (as measured), then the measured run's waiting and
    step time per step, `steps` times."""
    wait, rest = (med[key] / measured_steps * steps for key in ("data wait", "step and loop"))
    wall = med["compile"] + wait + rest
    return {"wall": wall, "compile": med["compile"] / wall, "data wait": wait / wall, "step and loop": rest / wall}


def shipped(task, med: dict[str, float], measured_steps: int) -> None:
    """The shipped weights' own training run, as their meta.json records it, and this run's shares
    projected onto as many steps."""
    try:
        meta = checkpoint.read_meta(weights_path(task))
    except WeightsError:
        return
    steps = meta.get("steps") or 0
    print(f"  shipped run: {steps:,} steps, {meta.get('examples_seen', 0):,} examples, "
          f"{meta.get('train_seconds', 0):,.0f} s on {', '.join(meta.get('trained_on') or ['?'])}")
    if steps:
        share = projected(med, measured_steps, steps)
        print(f"  projected onto {steps:,} steps (producer thread): wall {share['wall']:,.0f} s: "
              + ", ".join(f"{key} {share[key]:.0%}" for key in ("compile", "data wait", "step and loop")))


if __name__ == "__main__":
    run_script(main)
