"""A puzzle part's neural task, configured from the shared family (aocnn.nn.family).

A puzzle declares a `FamilySpec`: its config (model, data, train sections), how its parsed records
become tokens (`encode`), seeded training examples with their final-answer targets (`examples`), and
how per-record outputs add up to the answer (`combine`). Everything else is the same for every
puzzle: the network (`FamilyModel(config.model)`), the loss (`family_loss`), the integer pull and
rounding schedule, snapping exact weights to integers before anything is checked or saved, and
decoding (argmax, round) with each head's confidence.

Training: `examples(rng, n, data, far=False)` gives records in the training range; `far=True` gives
records beyond it (data.ood_*), which the stop rule also requires to be exact.

This module, aocnn.nn.config, aocnn.nn.task and aocnn.nn.encode import no jax or flax: a puzzle
module imports them at top level, and the registry imports every puzzle module for `aocnn list`.
jax and flax are imported inside the functions that run a network (tests/test_cold_imports.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

import numpy as np

from aocnn.nn.config import FAMILY, Config, from_dict, to_dict
from aocnn.nn.task import FLOAT32_EXACT, Ablation, NeuralAnswer, NeuralTask, total

# The exact counter's recipe (a gate-free recurrence whose exact weights are clipped, pulled, rounded
# and snapped onto integers) is shared by several puzzles; each ablates the same three choices.
COUNTER_ABLATIONS = (
    Ablation("no-integers", "no integer pull, no rounding, no snapping: weights only near integers",
             ("model.integer_pull=0", "train.round_start=1")),
    Ablation("no-clip", "exact weights not clipped to [-1, 1]", ("model.exact_clip=false",)),
    Ablation("gated", "an input-gated (latch-like) recurrence instead of the plain one", ("model.gate=tied",)),
)

Inputs = dict[str, np.ndarray]
Decoded = dict[str, tuple[np.ndarray, np.ndarray]]  # head -> (answers, confident) per record


@dataclass(frozen=True)
class Loop:
    """The halting-loop decoder, for rules applied again to their own result (x, f(x), f(f(x)), ...).

    Each round runs the network on the records still going, `combine` turns its heads into one value
    per record, and those values are the next round's records. The network decides when a record
    stops: its class head `halt` must say one of `go` for the value to count and the record to go
    on. The answer is the sum of every counted value. A record still going after `max_rounds`, or
    unsure in any round it was in, is low-confidence."""

    halt: str
    go: tuple[int, ...]
    max_rounds: int = 64


@dataclass(frozen=True)
class FamilySpec:
    config: Config
    encode: Callable[[Any], Iterable[Inputs]]  # the puzzle's records -> network inputs, in chunks
    examples: Callable[..., tuple[Any, Inputs, dict[str, np.ndarray]]]  # (rng, n, data, far) -> (records, inputs, targets)
    combine: Callable[[Decoded, Any], tuple[np.ndarray, np.ndarray]]  # decoded heads -> (value, sure) per record
    loop: Loop | None = None  # solve by iterating the network until it halts (None: one pass, sum of values)
    exact_below: float = FLOAT32_EXACT  # values this large are outside the declared exact range: low-confidence
    # (records as `certify` keeps them, data) -> (inputs, targets) shaped as `examples` makes them in range:
    # hard rounds mix these into training batches (aocnn.nn.training.train); None: no hard rounds
    examples_of: Callable[[Any, Any], tuple[Inputs, dict[str, np.ndarray]]] | None = None


def family_task(name: str, spec: FamilySpec, *, learned: str, hand_written: str, far: str,
                ablations: tuple[Ablation, ...] = (), search_fixed: tuple[str, ...] = (),
                certify: Callable[..., tuple[tuple[int, int, int], str]] | None = None) -> NeuralTask:
    """The NeuralTask for `spec`, ready for the one training loop, checkpoints and the runner.
    Its hints are the config's (`data.hints`, () for final answers only); `search_fixed` narrows
    `aocnn search` (aocnn.search_space)."""
    def batch(rng: np.random.Generator, n: int, beyond: bool) -> dict[str, Any]:
        _, inputs, targets = spec.examples(rng, n, spec.config.data, beyond)
        return {"inputs": inputs, "targets": targets}

    def hard_rows(records: Any) -> dict[str, Any]:
        """The records `certify` kept as training rows, shaped as a batch of `examples` in range."""
        inputs, targets = spec.examples_of(records, spec.config.data)
        return {"inputs": inputs, "targets": targets}

    return NeuralTask(
        name=name,
        model=_LazyModel(spec.config),
        make_batch=lambda rng, n: batch(rng, n, False),
        make_far_batch=lambda rng, n: batch(rng, n, True),
        loss=None,
        objective=_objective(spec.config),
        solve=lambda model, records: solve(spec, model, records),
        finalize=(lambda params: snap(spec.config, params)) if integral(spec.config) else None,
        train=spec.config.train,
        config=spec.config,
        configure=lambda config: family_task(name, replace(spec, config=config), learned=learned,
                                             hand_written=hand_written, far=far, ablations=ablations,
                                             search_fixed=search_fixed, certify=certify),
        ablations=ablations,
        search_fixed=search_fixed,
        certify=certify,
        hard_rows=hard_rows if spec.examples_of is not None else None,
        learned=learned,
        hand_written=hand_written,
        far=far,
        family=FAMILY,
        hints=tuple(spec.config.data.hints),
        doubt=lambda outputs: _doubt(spec.config, outputs),
    )


class _LazyModel:
    """The flax module, built on first use; `architecture()` is the config as meta.json records it."""

    def __init__(self, config: Config):
        self.config = config
        self._module = None

    @property
    def module(self):
        if self._module is None:
            from aocnn.nn.family import FamilyModel

            self._module = FamilyModel(self.config.model)
        return self._module

    def apply(self, variables, inputs, **kwargs):
        return self.module.apply(variables, inputs, **kwargs)

    def init(self, key, inputs):
        return self.module.init(key, inputs)

    def architecture(self) -> dict[str, Any]:
        return {"module": "FamilyModel", **to_dict(self.config.model)}


def _objective(config: Config):
    """(params, batch, progress) -> (loss, exact per record). `progress` (0..1 of max_steps, traced)
    ramps the integer pull in (from train.pull_start) and the decisive terms (from train.decisive_start)
    and, from train.round_start, rounds exact weights in the forward pass;
    before train.hints_first only the hint heads' losses count;
    None means the plain network as it ships (held-out checks)."""

    def objective(params, batch, progress=None):
        import jax.numpy as jnp

        from aocnn.nn.family import FamilyModel, family_loss

        cfg = config.train
        if progress is None:  # the network as it is solved with
            outputs = FamilyModel(config.model).apply({"params": params}, batch["inputs"])
            return family_loss(config.model, outputs, batch["targets"], 1.0)
        decisive = jnp.clip((progress - cfg.decisive_start) / max(cfg.pull_ramp, 1e-9), 0.0, 1.0)  # the decisive terms' ramp
        integers = jnp.clip((progress - cfg.pull_start) / max(cfg.pull_ramp, 1e-9), 0.0, 1.0)
        ramp = jnp.clip((progress - cfg.round_start) / max(cfg.round_ramp, 1e-9), 0.0, 1.0)
        # in quarters, each level given time to settle, and never past round_max: fully rounded training is
        # unstable (the loss jumps when a rounding flips); checks and solves round fully all the same
        mix = jnp.minimum(jnp.floor(ramp * 4) / 4, cfg.round_max) if cfg.round_start < 1 else 0.0
        outputs = FamilyModel(config.model, integer_mix=mix).apply({"params": params}, batch["inputs"])
        weights = None
        if cfg.hints_first:  # the curriculum's first stage: the answer's heads join at hints_first
            joined = jnp.where(progress >= cfg.hints_first, 1.0, 0.0)
            weights = {d.name: joined for d in config.model.decoders if d.name not in config.data.hints}
        return family_loss(config.model, outputs, batch["targets"], decisive, integers, weights)

    return objective


def _doubt(config: Config, outputs: Any) -> dict[str, tuple[np.ndarray, float]]:
    from aocnn.nn.family import doubt

    return doubt(config.model, outputs)


def integral(config: Config) -> bool:
    """Does the config ask for integer weights (a pull toward them, or rounding late in training)?"""
    return bool(config.model.integer_pull) or config.train.round_start < 1.0


def snap(config: Config, params: Any) -> Any:
    """Exact weights near an integer set to it. Where the network is solved with its exact weights
    rounded (quantise="weights"), all of them are: what is stored is then what computes."""
    from aocnn.nn.family import snap_integers

    tolerance = 0.51 if config.model.quantise == "weights" else config.train.snap_tolerance  # 0.51: every weight
    return snap_integers(params, tolerance, config.model.exact_clip)[0]


def run(spec: FamilySpec, model, records: Any) -> Decoded:
    """Encode in chunks, run, decode each head (numpy)."""
    from aocnn.nn.family import decode

    parts: list[Decoded] = [decode(spec.config.model, model(inputs)) for inputs in spec.encode(records)]
    return {head: (np.concatenate([p[head][0] for p in parts]), np.concatenate([p[head][1] for p in parts]))
            for head in parts[0]}


def bucket(count: int) -> int:
    """Batch sizes in powers of two (at least 8): a solve compiles a few shapes, not one per record count
    (the halting loop's shrinking batches, inputs of any length). `aocnn.nn.model.Model` pads family
    networks' batches with `padded_rows` and reads back only the real rows."""
    return max(8, 1 << max(count - 1, 0).bit_length())


def padded_rows(inputs: Inputs, rows: int) -> Inputs:
    """Every input array padded with empty records (all zeros: PAD ids, length 0) to `rows`."""
    return {key: np.concatenate([value, np.zeros((rows - len(value),) + value.shape[1:], value.dtype)])
            for key, value in inputs.items()}


def solve(spec: FamilySpec, model, records: Any) -> NeuralAnswer:
    """Run, combine per record, add up (or iterate: `halting_loop`)."""
    opinions = getattr(model, "opinions", ())
    if spec.loop is not None:
        if opinions:
            from aocnn.errors import WeightsError

            raise WeightsError("second opinions are not supported for a network with a halting loop")
        return halting_loop(spec, model, records)
    values, sure = spec.combine(run(spec, model, records), records)
    if opinions:
        from aocnn.nn.opinions import agree

        for other in opinions:  # a record stays sure only if every opinion is sure of it and agrees
            sure = agree(values, sure, *spec.combine(run(spec, other, records), records))
    return total(values, sure, spec.exact_below)


def halting_loop(spec: FamilySpec, model, records: Any) -> NeuralAnswer:
    """`Loop`: the network's values fed back in until its halt head stops each record."""
    loop = spec.loop
    count = len(records)
    going = np.arange(count)  # which records the current values belong to
    sure = np.ones(count, dtype=bool)
    answer = 0
    current = list(records)
    for _ in range(loop.max_rounds):
        if not len(going):
            break
        decoded = run(spec, model, current)
        values, values_sure = spec.combine(decoded, current)
        halt, halt_sure = decoded[loop.halt]
        in_range = np.array([abs(int(v)) < spec.exact_below for v in values], dtype=bool)
        sure[going] &= np.asarray(values_sure, bool) & halt_sure & in_range
        keep = np.isin(halt, loop.go)
        answer += sum(int(v) for v in np.asarray(values, dtype=object)[keep])
        going = going[keep]
        current = [v for v, k in zip(values, keep) if k]
    sure[going] = False  # never halted: whatever it would add is unknown
    return NeuralAnswer(answer, int(np.sum(~sure)), count)


def rebuild(task: NeuralTask, meta: dict[str, Any]) -> NeuralTask:
    """The task as configured when its weights were trained (meta.json's config): no generator runs."""
    if task.configure is None or "config" not in meta:
        return task
    try:
        return task.configure(from_dict(Config, meta["config"]))
    except (TypeError, ValueError) as exc:
        from aocnn.errors import WeightsError

        raise WeightsError(f"the config saved with {task.name}'s weights cannot be rebuilt: {exc}") from exc
