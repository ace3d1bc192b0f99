"""What a puzzle's neural solver is, in one declaration the framework can train, save and run.

Conventions, so one training loop serves every puzzle:
- a batch is a dict of numpy arrays with a leading batch axis (inputs and labels together);
- the model's `__call__(batch)` reads the inputs it needs from that dict;
- `loss(outputs, batch)` returns the mean loss and a bool per example: exactly right or not;
- `solve(model, records)` is the whole neural path for one parsed puzzle input (the records
  the puzzle's parser made, the same ones the classical solver reads): encode, run, decode,
  add up. It never raises on what the network outputs: NaN, Inf or values outside the range
  where its arithmetic is exact count as low-confidence records (`total` does this).
- held-out data come in two sets: in the training range (`make_eval_batch`) and beyond it
  (`make_far_batch`: longer, larger). A run has converged only when both are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

Batch = dict[str, np.ndarray]


FLOAT32_EXACT = 2**24  # every integer of smaller magnitude is exact in float32
FLOAT64_EXACT = 2**53


@dataclass(frozen=True)
class NeuralAnswer:
    answer: int
    low_confidence: int  # records whose prediction was unsure, non-finite or outside the exact range
    records: int  # records the answer adds up


def total(values: Any, sure: Any = True, exact_below: float = FLOAT32_EXACT) -> NeuralAnswer:
    """The sum of per-record outputs, each rounded to the nearest integer.

    A record counts as low-confidence when it is not `sure`, not finite, or as large as
    `exact_below` (past it the dtype no longer holds every integer). Such records add 0 rather
    than crash the solve: the count tells the caller the answer is not to be trusted.
    """
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    trusted = np.isfinite(values) & (np.abs(values) < exact_below) & np.broadcast_to(np.asarray(sure, bool), values.shape)
    rounded = np.rint(np.where(np.isfinite(values), values, 0.0))
    answer = sum(int(v) for v in rounded[np.isfinite(values)])
    return NeuralAnswer(answer, int(np.sum(~trusted)), int(values.size))


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
    far_size: int = 1024  # held-out examples beyond the training range, per evaluation
    exact_evals: int = 3  # stop once this many fresh held-out sets in a row are exact, in range and beyond
    # Hard rounds (aocnn.nn.training.train): at most this many rounds of `hard_steps` steps at
    # `hard_learning_rate`, `hard_share` of each batch drawn from the records a search found not surely right
    # (the check of every real record, `certify`, or a sweep of `sweep_size` fresh ones); 0: none
    hard_rounds: int = 0
    hard_steps: int = 1000
    hard_share: float = 1 / 8
    hard_learning_rate: float = 5e-4
    sweep_size: int = 0  # tasks without `certify`: fresh training-range records each hard round's search checks
    # Restarts (aocnn.nn.training.train): a run from scratch that ends unconverged starts again from a fresh
    # initialisation and fresh data streams (seed + k * RESTART_OFFSET), at most this many times; every failed
    # attempt is recorded (meta.json "restarts"). An attempt with a restart left gives up early when its held-out
    # exactness is still below `restart_below` at `restart_at` (a fraction of max_steps); 0: it runs to the end;
    # or when its training loss is still above `restart_loss_above` there (0: the loss is not judged), for a
    # float fit that must be found before anything is exact (held-out checks judge the rounded network)
    restarts: int = 0
    restart_at: float = 1.0
    restart_below: float = 0.0
    restart_loss_above: float = 0.0
    # Polish: an attempt that ends unconverged with held-out exactness at least `polish_above` goes on (as
    # `--continue-from` would) for at most `polish_steps` steps at `polish_learning_rate` before it counts as failed
    polish_steps: int = 0
    polish_learning_rate: float = 1e-3
    polish_above: float = 0.99
    polish_as_ended: bool = False  # the polish trains with the schedules where the run ended (`as_ended`)
    # A far sweep: once an attempt converges, this many fresh records beyond the training range (a stream of their
    # own, never trained on) are checked, a family network's as its solve judges them, any other's at training's
    # margin; one that is not exact leaves the attempt unconverged (0: none). It judges the attempt, before any
    # hard round (no recipe has both)
    far_sweep: int = 0
    # Anneal: an attempt that converged goes on for exactly `anneal_steps` more steps at `anneal_learning_rate` (a
    # continuation, as `--continue-from` makes one: fresh optimizer and schedule, data streams of its own), before any
    # hard round; it is converged if the stop rule holds at its end (0: none)
    anneal_steps: int = 0
    anneal_learning_rate: float = 5e-4

    def __post_init__(self):
        if self.batch_size < 1 or self.max_steps < 1 or self.eval_every < 1 or self.learning_rate <= 0:
            raise ValueError("train.batch_size, max_steps, eval_every and learning_rate must be positive")
        if (self.hard_rounds < 0 or self.sweep_size < 0 or self.hard_steps < 1 or not 0 < self.hard_share < 1
                or self.hard_learning_rate <= 0):
            raise ValueError("train.hard_rounds and sweep_size must be >= 0, hard_steps and hard_learning_rate "
                             "positive, hard_share in (0, 1)")
        if self.restarts < 0 or not 0 < self.restart_at <= 1 or not 0 <= self.restart_below <= 1:
            raise ValueError("train.restarts must be >= 0, restart_at in (0, 1], restart_below in [0, 1]")
        if self.far_sweep < 0:
            raise ValueError("train.far_sweep must be >= 0 (0: no far sweep)")
        if self.restart_loss_above < 0:
            raise ValueError("train.restart_loss_above must be >= 0 (0: the loss is not judged)")
        if self.anneal_steps < 0 or self.anneal_learning_rate <= 0:
            raise ValueError("train.anneal_steps must be >= 0 and anneal_learning_rate positive")
        if self.polish_steps < 0 or self.polish_learning_rate <= 0 or not 0 <= self.polish_above <= 1:
            raise ValueError("train.polish_steps must be >= 0, polish_learning_rate positive, polish_above in [0, 1]")

    def as_ended(self) -> TrainConfig:
        """These settings with every schedule inside the objective where the end of a run has it, from step 0 (a
        continuation that goes on as the run ended rather than replaying its schedules); none here."""
        return self


@dataclass(frozen=True)
class Ablation:
    """One variant of a configured network: a name, the bias it removes or changes, and the
    `--set section.field=value` assignments that make it."""

    name: str
    why: str
    sets: tuple[str, ...]


@dataclass(frozen=True)
class NeuralTask:
    name: str  # weights live in weights/<name>, e.g. "2023_01/part1"
    model: Any  # an unbound flax module (its dataclass fields are the architecture), or a family's lazy model
    make_batch: Callable[[np.random.Generator, int], Batch]  # training examples from the generator
    loss: Callable[[Any, Batch], tuple[Any, Any]] | None  # (outputs, batch) -> (mean loss, exact per example)
    solve: Callable[["Model", Any], NeuralAnswer]  # noqa: F821 (aocnn.nn.model.Model; the puzzle's records)
    make_far_batch: Callable[[np.random.Generator, int], Batch]  # held-out beyond the training range
    train: TrainConfig = field(default_factory=TrainConfig)
    make_eval_batch: Callable[[np.random.Generator, int], Batch] | None = None  # held-out; defaults to make_batch
    # Applied to the trained parameters before the final held-out check and the save, e.g. to
    # commit NAC weights to the integers they converged to; what is saved is what was checked.
    finalize: Callable[[Any], Any] | None = None
    learned: str = ""  # what the network has to learn
    hand_written: str = ""  # what the code around it does
    far: str = ""  # what `make_far_batch` holds, e.g. "walks of 2,000 characters (10x training)"
    family: str = "bespoke"  # the shared architecture family it is configured from, or "bespoke"
    hints: tuple[str, ...] = ()  # named intermediate targets the loss also uses; () = final answers only
    # Family tasks (aocnn.nn.family_task): (params, batch, progress 0..1 or None) -> (loss, exact), the
    # config (model, data, train sections) saved in meta.json, and how to rebuild the task for another config.
    objective: Callable[..., tuple[Any, Any]] | None = None
    config: Any = None
    configure: Callable[[Any], "NeuralTask"] | None = None
    ablations: tuple["Ablation", ...] = ()  # the variants `aocnn ablate` retrains, each with one bias changed
    # Per row of one network call's outputs: {head: (doubt per row, threshold)}, how far each answer is from
    # sure and where the solve starts counting it low-confidence (`aocnn explain` draws it); None: not declared.
    doubt: Callable[[Any], dict[str, tuple[np.ndarray, float]]] | None = None
    search_fixed: tuple[str, ...] = ()  # config fields `aocnn search` must leave as they are (e.g. "model.window")
    # Where every record a real input can hold is a finite set small enough to enumerate (2022/4: 24.5 million
    # lines): (the trained network as an aocnn.nn.model.Model, progress=None or (done, total) -> None) ->
    # ((exact, flagged low-confidence, confidently wrong) over all of it, what it was). Training reports
    # converged only when nothing is confidently wrong there: fresh held-out sets, however many pass,
    # cannot show an error rate of one in millions.
    # ... and called with keep=[a list], it appends the records it found flagged or wrong (arrays), which
    # `hard_rows(records)` makes training rows (a batch) of, to mix into training batches (train.hard_rounds).
    certify: Callable[..., tuple[tuple[int, int, int], str]] | None = None
    hard_rows: Callable[[Any], Batch] | None = None

    def evaluate(self, params: Any, batch: Batch, progress: Any = None) -> tuple[Any, Any]:
        """(loss, exact per example) of the network with `params` on `batch`; progress: training's schedule."""
        if self.objective is not None:
            return self.objective(params, batch, progress)
        return self.loss(self.model.apply({"params": params}, batch), batch)

    def held_out_batch(self, rng: np.random.Generator, size: int) -> Batch:
        return (self.make_eval_batch or self.make_batch)(rng, size)

    def architecture(self) -> dict[str, Any]:
        """The model's config as plain JSON-able values, for meta.json."""
        if hasattr(self.model, "architecture"):
            return self.model.architecture()
        return module_architecture(self.model)


def module_architecture(module: Any) -> dict[str, Any]:
    """A flax module's class name and dataclass fields, as meta.json records a bespoke network."""
    fields = module.__dataclass_fields__
    config = {name: getattr(module, name) for name in fields if name not in ("parent", "name")}
    return {"module": type(module).__name__, **{k: _jsonable(v) for k, v in config.items()}}


class LazyModule:
    """A bespoke flax module, built by `build()` on first use.

    Puzzle modules are imported whenever the registry is read (`aocnn list`, a classical solve);
    `build` imports flax inside, so only a neural run pays for it."""

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._module = None

    @property
    def module(self) -> Any:
        if self._module is None:
            self._module = self._build()
        return self._module

    def apply(self, *args, **kwargs):
        return self.module.apply(*args, **kwargs)

    def init(self, *args, **kwargs):
        return self.module.init(*args, **kwargs)

    def architecture(self) -> dict[str, Any]:
        return module_architecture(self.module)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return repr(value)
