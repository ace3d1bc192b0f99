"""A trained network ready to solve: parameters on a device and a jitted forward pass.

Also where weights live (`weights/<task name>`, found from an installed wheel too) and
what their meta.json records.
"""

from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aocnn.errors import WeightsError
from aocnn.nn import MATMUL_PRECISION, checkpoint
from aocnn.nn.task import Batch, NeuralAnswer, NeuralTask

if TYPE_CHECKING:  # jax is imported by what runs a network, not by `aocnn list` finding weights
    from aocnn.nn.training import TrainReport


def weights_root() -> Path:
    import weights

    return Path(weights.__file__).parent


def weights_path(task: NeuralTask, root: Path | None = None) -> Path:
    return Path(root or weights_root()) / task.name


_FORWARDS: dict[tuple, Any] = {}


def shared_forward(task: NeuralTask, platform: str | None = None):
    """The jitted forward pass of `task`'s network, one per architecture: parts and puzzles that run the
    same network (same class, same config) share one compiled program per input shape. Given the
    `platform` it will run on, a family network traces that platform's code alone."""
    import json
    from contextlib import nullcontext

    import jax

    module = getattr(task.model, "module", task.model)  # lazy wrappers hold the flax module
    key = (type(module), json.dumps(task.architecture(), sort_keys=True, default=repr), platform)
    if key not in _FORWARDS:
        if task.configure is not None and platform is not None:
            from aocnn.nn.family import traced_for
        else:
            traced_for = nullcontext  # noqa: N806

        def forward(params, batch):
            # traced under full float32 matrix products whatever the process's default says since
            # (aocnn.nn sets it on import; see there): TensorFloat-32 would break the exact channels
            with jax.default_matmul_precision(MATMUL_PRECISION), traced_for(platform):
                return module.apply({"params": params}, batch)

        _FORWARDS[key] = jax.jit(forward)
    return _FORWARDS[key]


class Model:
    """`model(batch)` runs the network on one device; `model.solve(records)` runs the task's neural path.

    A network whose training did not converge (loaded only when asked for) answers with every
    record counted as low-confidence.
    """

    def __init__(self, task: NeuralTask, params: Any, device=None, meta: dict | None = None):
        import jax

        self.task = task
        self.device = device or jax.local_devices()[0]
        self.params = jax.device_put(params, self.device)
        self.meta = meta or {}
        self._forward = shared_forward(task, self.device.platform)
        self.opinions: tuple["Model", ...] = ()  # second opinions (aocnn.nn.opinions): they can only flag records
        self.pack_positions = True  # False: every padded position computed too (the same answers; tests compare)

    def __call__(self, batch: Batch) -> Any:
        import jax

        if self.task.configure is None:  # a bespoke network: its batch as it comes
            return self._forward(self.params, jax.device_put(batch, self.device))
        # a family network: rows padded to a power of two, so shrinking batches (the halting loop,
        # inputs of any size) compile a few shapes; the caller sees only its own rows
        # and its per-position layers run on the records' positions only (a few shapes again: see there)
        from aocnn.nn.family import positions_bucket
        from aocnn.nn.family_task import bucket, padded_rows

        count = len(next(iter(batch.values())))
        padded = padded_rows(batch, bucket(count))
        if self.pack_positions:
            padded.update(positions_bucket(padded["lengths"], padded["ids"].shape[1]))
        outputs = self._forward(self.params, jax.device_put(padded, self.device))
        return {name: value if getattr(value, "ndim", 0) == 0 else value[:count] for name, value in outputs.items()}

    @property
    def converged(self) -> bool:
        return self.meta.get("converged") is True

    def solve(self, records: Any) -> NeuralAnswer:
        result = self.task.solve(self, records)
        return result if self.converged else replace(result, low_confidence=result.records)


def check_identity(meta: dict[str, Any], task: NeuralTask, puzzle: str, part: int, path: Path,
                   allow_unconverged: bool) -> None:
    """Weights are used only for the task, puzzle and part they were trained for, and only if converged."""
    if meta.get("task") != task.name:
        raise WeightsError(f"weights at {path} were trained for task {meta.get('task')!r}, not {task.name!r}")
    if meta.get("puzzle") != puzzle or part not in (meta.get("parts") or []):
        raise WeightsError(f"weights at {path} were trained for {meta.get('puzzle')} part(s) "
                           f"{meta.get('parts')}, not {puzzle} part {part}")
    # A family network was rebuilt from the config saved with it; a bespoke one must match the code as saved.
    if task.configure is None and meta.get("architecture") != task.architecture():
        raise WeightsError(f"weights at {path} were trained with another {task.architecture().get('module')} architecture "
                           f"than the current one")
    if meta.get("converged") is not True and not allow_unconverged:
        raise WeightsError(f"weights at {path} come from a training run that did not converge "
                           "(pass --allow-unconverged to use them anyway, every answer low-confidence)")


def load(task: NeuralTask, puzzle: str, part: int, root: Path | None = None, device=None,
         allow_unconverged: bool = False, opinions: bool = True) -> Model:
    """Restore `task`'s network for `puzzle` ("2023/1") part `part`, refusing any other's weights, with
    its second opinions (`aocnn.nn.opinions`), each checked as the network is (`opinions=False`: the
    network alone, for training on from it or adding an opinion to it)."""
    from aocnn.nn import opinions as second

    registered, path = task, weights_path(task, root)
    meta = checkpoint.read_meta(path)
    if task.configure is not None:  # a family network is rebuilt as it was configured when trained
        from aocnn.nn.family_task import rebuild

        task = rebuild(task, meta)
    check_identity(meta, task, puzzle, part, path, allow_unconverged)
    params, meta = checkpoint.load(path)
    network = Model(task, params, device, meta)
    if opinions:
        network.opinions = second.load(registered, network, puzzle, part, path, device)
    return network


def continue_from(task: NeuralTask, puzzle: str, part: int, root: Path, seed: int):
    """A `training.Start` from `task`'s checkpoint under `root` (loaded as `load` does: seal, digest and
    identity checked, converged or not), refused unless it is the same network and seed as `task`'s."""
    import jax

    from aocnn.nn.training import Start

    path = weights_path(task, root)
    network = load(task, puzzle, part, root, allow_unconverged=True, opinions=False)
    if network.task.architecture() != task.architecture():
        raise WeightsError(f"weights at {path} have another network than the one to train "
                           "(continue with the model section they were saved with)")
    meta = network.meta
    if meta.get("seed") != seed:
        raise WeightsError(f"weights at {path} were trained with seed {meta.get('seed')}, not {seed}: "
                           f"continue them with --seed {meta.get('seed')}")
    history = checkpoint.read_history(path, meta) or []
    return Start(jax.device_get(network.params), int(meta.get("steps", 0)), int(meta.get("examples_seen", 0)),
                 float(meta.get("train_seconds", 0.0)), tuple(history), meta["digest"])


def metadata(task: NeuralTask, puzzle: str, parts: list[int], report: TrainReport, devices: list) -> dict[str, Any]:
    versions = {pkg: importlib.metadata.version(pkg) for pkg in ("jax", "flax", "optax", "orbax-checkpoint", "numpy")}
    return {
        "task": task.name,
        "puzzle": puzzle,
        "parts": sorted(parts),
        "family": task.family,
        "hints": list(task.hints),
        "architecture": task.architecture(),
        **({"config": _config_dict(task.config)} if task.config is not None else {}),
        "train_config": asdict(task.train),
        "seed": report.seed,
        **({"continued_from": report.continued_from} if report.continued_from is not None else {}),
        "steps": report.steps,
        "examples_seen": report.examples,
        "train_seconds": round(report.seconds, 2),
        "held_out_exact": report.exact,
        "held_out_examples": task.train.eval_size,
        "far_exact": report.far_exact,
        "far_examples": task.train.far_size,
        "far": task.far,
        "converged": report.converged,
        **({"certified": report.certified} if report.certified else {}),
        **({"hard_rounds": list(report.hard_rounds)} if report.hard_rounds else {}),
        **({"swept": report.swept} if report.swept else {}),
        **({"restarts": list(report.restarts), "attempt_seed": report.attempt_seed} if report.restarts else {}),
        **({"polished": report.polished} if report.polished else {}),
        **({"annealed": report.annealed} if report.annealed else {}),
        **({"far_swept": report.far_swept} if report.far_swept else {}),
        "final_loss": report.loss,
        "parameters": report.parameters,
        "trained_on": sorted({d.platform for d in devices}),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {**versions, "python": platform.python_version()},
    }


def _config_dict(config: Any) -> dict[str, Any]:
    from aocnn.nn.config import to_dict

    return to_dict(config)


def save(task: NeuralTask, puzzle: str, parts: list[int], params: Any, report: TrainReport, devices: list,
         root: Path | None = None) -> Path:
    from aocnn.nn.training import count_parameters

    assert count_parameters(params) == report.parameters
    return checkpoint.save(weights_path(task, root), params, metadata(task, puzzle, parts, report, devices),
                           list(report.history))
