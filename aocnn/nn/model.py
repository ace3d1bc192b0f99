"""A trained network ready to solve: parameters on a device and a jitted forward pass.

Also where weights live (`weights/<task name>`, found from an installed wheel too) and
what their meta.json records.
"""

from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jax
import numpy as np

from aocnn.errors import WeightsError
from aocnn.nn import checkpoint
from aocnn.nn.task import Batch, NeuralAnswer, NeuralTask
from aocnn.nn.training import TrainReport, count_parameters, init_params


def weights_root() -> Path:
    import weights

    return Path(weights.__file__).parent


def weights_path(task: NeuralTask, root: Path | None = None) -> Path:
    return Path(root or weights_root()) / task.name


class Model:
    """`model(batch)` runs the network on one device; `model.solve(text)` runs the task's neural path."""

    def __init__(self, task: NeuralTask, params: Any, device=None, meta: dict | None = None):
        self.task = task
        self.device = device or jax.local_devices()[0]
        self.params = jax.device_put(params, self.device)
        self.meta = meta or {}
        self._forward = jax.jit(lambda p, batch: task.model.apply({"params": p}, batch))

    def __call__(self, batch: Batch) -> Any:
        return self._forward(self.params, jax.device_put(batch, self.device))

    def solve(self, text: str) -> NeuralAnswer:
        return self.task.solve(self, text)


def load(task: NeuralTask, root: Path | None = None, device=None) -> Model:
    path = weights_path(task, root)
    params, meta = checkpoint.load(path)
    expected = jax.eval_shape(lambda: init_params(task, 0))
    if jax.tree_util.tree_structure(expected) != jax.tree_util.tree_structure(params) or any(
        e.shape != np.shape(p) for e, p in zip(jax.tree_util.tree_leaves(expected), jax.tree_util.tree_leaves(params))
    ):
        raise WeightsError(f"weights at {path} do not fit the current {type(task.model).__name__} architecture")
    return Model(task, params, device, meta)


def metadata(task: NeuralTask, report: TrainReport, devices: list) -> dict[str, Any]:
    versions = {pkg: importlib.metadata.version(pkg) for pkg in ("jax", "flax", "optax", "orbax-checkpoint", "numpy")}
    return {
        "task": task.name,
        "architecture": task.architecture(),
        "train_config": asdict(task.train),
        "seed": report.seed,
        "steps": report.steps,
        "examples_seen": report.examples,
        "train_seconds": round(report.seconds, 2),
        "held_out_exact": report.exact,
        "held_out_examples": task.train.eval_size,
        "converged": report.converged,
        "final_loss": report.loss,
        "parameters": report.parameters,
        "trained_on": sorted({d.platform for d in devices}),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {**versions, "python": platform.python_version()},
    }


def save(task: NeuralTask, params: Any, report: TrainReport, devices: list, root: Path | None = None) -> Path:
    assert count_parameters(params) == report.parameters
    return checkpoint.save(weights_path(task, root), params, metadata(task, report, devices))
