"""`aocnn ablate`: retrain a configured network once per declared variant and measure each.

The shipped config comes first; each variant changes one bias (`--set` assignments declared with the
task). Every run trains from scratch with the same seed and the normal training loop, then is measured
on fresh data in the training range and beyond it. Returns plain rows; prints nothing.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from aocnn.errors import AocnnError
from aocnn.nn.task import Ablation, NeuralTask

SHIPPED = Ablation("shipped", "the shipped config", ())


def variants(task: NeuralTask, names: tuple[str, ...] = ()) -> list[Ablation]:
    if task.configure is None:
        raise AocnnError(f"{task.name} is a bespoke network: it has no config to ablate")
    declared = {a.name: a for a in (SHIPPED, *task.ablations)}
    unknown = [n for n in names if n not in declared]
    if unknown:
        raise AocnnError(f"no ablation named {', '.join(unknown)} for {task.name} (declared: {', '.join(declared)})")
    return [declared[n] for n in names] if names else list(declared.values())


def configured(task: NeuralTask, sets: tuple[str, ...]) -> NeuralTask:
    """`task` rebuilt with `--set` assignments applied to its config; bad ones are one-line errors."""
    if not sets:
        return task
    if task.configure is None:
        raise AocnnError(f"{task.name} is a bespoke network: it has no config to --set")
    from aocnn.nn.config import override

    try:
        return task.configure(override(task.config, list(sets)))
    except ValueError as exc:
        raise AocnnError(str(exc)) from exc


def ablate(task: NeuralTask, chosen: list[Ablation], seed: int, max_steps: int | None, in_range: int, beyond: int,
           devices: list | None = None, progress: Callable[[str, Any], None] | None = None,
           restarts: int | None = None) -> list[dict[str, Any]]:
    """`restarts` caps every variant's restarts alike (the recipe's own by default): a variant that never fits
    would otherwise start again as often as the recipe allows."""
    from aocnn.nn import training
    from aocnn.nn.measure import exactness

    rows = []
    for variant in chosen:
        capped = () if restarts is None else (f"train.restarts={min(restarts, task.train.restarts)}",)
        variant_task = configured(task, variant.sets + capped)
        start = time.perf_counter()
        params, report = training.train(variant_task, seed=seed, max_steps=max_steps, devices=devices,
                                        progress=(lambda p, name=variant.name: progress(name, p)) if progress else None)
        measured = exactness(variant_task, params, in_range, beyond, seed)
        rows.append({
            "variant": variant.name, "why": variant.why, "sets": list(variant.sets),
            "converged": report.converged, "steps": report.steps, "examples": report.examples,
            "failed_attempts": len(report.restarts),
            "parameters": report.parameters, "seconds": round(time.perf_counter() - start, 1),
            "exact": measured.in_range, "exact_beyond": measured.beyond,
            "records": measured.in_range_records, "records_beyond": measured.beyond_records,
            **({"certified": report.certified} if report.certified else {}),
        })
    return rows
