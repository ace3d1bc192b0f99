"""What a puzzle's neural solver is, in one declaration the framework can train, save and run.

Conventions, so one training loop serves every puzzle:
- a batch is a dict of numpy arrays with a leading batch axis (inputs and labels together);
- the model's `__call__(batch)` reads the inputs it needs from that dict;
- `loss(outputs, batch)` returns the mean loss and a bool per example: exactly right or not;
- `solve(model, text)` is the whole neural path for one puzzle input: encode, run, decode, add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import flax.linen as nn
import numpy as np

Batch = dict[str, np.ndarray]


@dataclass(frozen=True)
class NeuralAnswer:
    answer: int
    low_confidence: int = 0  # records whose prediction margin was low


@dataclass(frozen=True)
class TrainConfig:
    batch_size: int = 256
    learning_rate: float = 3e-3
    warmup_steps: int = 50
    max_steps: int = 3000
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    eval_every: int = 50
    eval_size: int = 4096
    exact_evals: int = 3  # stop once this many fresh held-out sets in a row are exact


@dataclass(frozen=True)
class NeuralTask:
    name: str  # weights live in weights/<name>, e.g. "2023_01/part1"
    model: nn.Module  # unbound; its dataclass fields are the architecture config
    make_batch: Callable[[np.random.Generator, int], Batch]  # training examples from the generator
    loss: Callable[[Any, Batch], tuple[Any, Any]]
    solve: Callable[["Model", str], NeuralAnswer]  # noqa: F821 (aocnn.nn.model.Model)
    train: TrainConfig = field(default_factory=TrainConfig)
    make_eval_batch: Callable[[np.random.Generator, int], Batch] | None = None  # held-out; defaults to make_batch
    # Applied to the trained parameters before the final held-out check and the save, e.g. to
    # commit NAC weights to the integers they converged to; what is saved is what was checked.
    finalize: Callable[[Any], Any] | None = None
    learned: str = ""  # what the network has to learn
    hand_written: str = ""  # what the code around it does

    def held_out_batch(self, rng: np.random.Generator, size: int) -> Batch:
        return (self.make_eval_batch or self.make_batch)(rng, size)

    def architecture(self) -> dict[str, Any]:
        """The model's config as plain JSON-able values, for meta.json."""
        fields = self.model.__dataclass_fields__
        config = {name: getattr(self.model, name) for name in fields if name not in ("parent", "name")}
        return {"module": type(self.model).__name__, **{k: _jsonable(v) for k, v in config.items()}}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return repr(value)
