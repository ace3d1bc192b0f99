"""Second opinions: networks of a part's own config, trained from other seeds, kept beside its weights.

A part's weights at `<root>/<task>/` (e.g. `weights/2023_01/part1/`) may have second opinions at
`<root>/<task>.opinions/seed<S>/`, each a whole checkpoint that proves what it is (sealed meta.json,
parameter digest, the same puzzle, part and task, converged, the same network, its own seed). A record's
answer is sure only when the network and every opinion are sure of it and give the same answer. An opinion
can only flag a record, never change an answer: the network's answer is the one summed.

Why: a trained network's rare confident errors are blind spots of that one training run (2023/1 part 1's
seed 0 reads `a8003911q6` as 06 and the lines like it; seeds 1-3 read them right), so networks trained
from different seeds rarely share one. A wrong answer then needs every opinion wrong the same way.
`aocnn opinion` puts one in place; deleting its folder takes it out.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from aocnn.errors import WeightsError
from aocnn.nn import checkpoint

SUFFIX = ".opinions"


class OpinionError(WeightsError):
    """A second opinion that cannot be used: the fix is to remove it (or add it again), not to retrain the part."""


def folder(path: Path) -> Path:
    """Where the second opinions of the weights at `path` live."""
    return path.with_name(path.name + SUFFIX)


def paths(path: Path) -> list[Path]:
    """The opinion checkpoints of the weights at `path` (none: an empty list)."""
    where = folder(path)
    if not where.is_dir():
        return []
    return sorted(p for p in where.iterdir() if p.is_dir() and not p.name.startswith("."))


def agree(values, sure, said, said_sure):
    """`sure`, kept only where an opinion is sure too (`said_sure`) and said the same value."""
    import numpy as np  # here, not at the top: `aocnn list` reads this module and needs no numpy

    return np.asarray(sure, bool) & np.asarray(said_sure, bool) & (np.asarray(said) == np.asarray(values))


def load(task, network, puzzle: str, part: int, path: Path, device=None) -> tuple[Any, ...]:
    """Every opinion of `network` (restored from `path` for the registered `task`), checked as weights are."""
    found = []
    seeds = {network.meta.get("seed")}
    for where in paths(path):
        try:
            found.append(_load_one(task, network, puzzle, part, path, where, seeds, device))
        except WeightsError as exc:
            raise OpinionError(f"{exc} (a second opinion: delete {where} to solve without it)") from exc
    return tuple(found)


def _load_one(task, network, puzzle: str, part: int, path: Path, where: Path, seeds: set, device):
    """The opinion at `where`, refused unless it is a converged network of this part, the network's own kind,
    trained from a seed no other network of the part was (`seeds`, to which it adds its own)."""
    from aocnn.nn.family_task import rebuild
    from aocnn.nn.model import Model, check_identity

    if task.configure is None:
        raise WeightsError(f"second opinion at {where}: only a family network can have second opinions")
    meta = checkpoint.read_meta(where)
    other = rebuild(task, meta)
    check_identity(meta, other, puzzle, part, where, allow_unconverged=False)
    if other.architecture() != network.task.architecture():
        raise WeightsError(f"second opinion at {where} is another network than the one at {path}")
    if meta.get("seed") in seeds:
        raise WeightsError(f"second opinion at {where} was trained with seed {meta.get('seed')}, as another "
                           "network of this part was: an opinion must come from a seed of its own")
    seeds.add(meta.get("seed"))
    params, meta = checkpoint.load(where)
    return Model(other, params, device, meta)


def add(task, puzzle: str, part: int, source: Path, root: Path) -> Path:
    """Copy the converged checkpoint for `task` under weights root `source` in as a second opinion of the
    weights under `root`, after every check `load` makes; written whole or not at all."""
    from aocnn.nn import model

    main = model.load(task, puzzle, part, root, opinions=False)
    incoming = model.load(task, puzzle, part, source, opinions=False)
    source_path, path = model.weights_path(task, source), model.weights_path(task, root)
    target = folder(path) / f"seed{incoming.meta.get('seed')}"
    if target.exists():
        raise WeightsError(f"{target} already exists: remove it first to replace that opinion")
    if incoming.task.architecture() != main.task.architecture():
        raise WeightsError(f"weights at {source_path} are another network than the one at {path}")
    taken = {main.meta.get("seed")} | {checkpoint.read_meta(p).get("seed") for p in paths(path)}
    if incoming.meta.get("seed") in taken:
        raise WeightsError(f"weights at {source_path} were trained with seed {incoming.meta.get('seed')}, as a "
                           f"network already at {path} or among its opinions was")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".adding-", dir=target.parent))
    try:
        for name in (checkpoint.META, checkpoint.PARAMS, checkpoint.HISTORY):
            item = source_path / name
            if item.is_dir():
                shutil.copytree(item, staging / name)
            elif item.exists():
                shutil.copy2(item, staging / name)
        checkpoint.verify(staging, checkpoint.read_meta(staging))  # the copy is what was checked
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
