"""One training loop for every puzzle: optax, a pure jitted step, exactness on held-out data.

Data-parallel over the given devices: the batch axis is sharded over a 1-D mesh, the
parameters are replicated, and jit inserts the gradient all-reduce.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from dataclasses import asdict, dataclass, replace
from functools import partial
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax.training import train_state
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from aocnn import interrupts
from aocnn.errors import AocnnError
from aocnn.nn.task import Batch, NeuralTask

HELD_OUT_OFFSET = 1_000_003  # held-out data come from another stream than training data
FAR_OFFSET = 2_000_003  # ... and held-out data beyond the training range from a third
SWEEP_OFFSET = 3_000_017  # ... and the sweeps that look for hard records (train.sweep_size) from a fourth
FAR_SWEEP_OFFSET = 4_000_037  # ... and the far sweep that judges a converged attempt (train.far_sweep) from a fifth
RESTART_OFFSET = 10_000_019  # attempt k of a run with restarts (train.restarts) starts from seed + k * this
SWEEP_CHUNK = 4096  # records per network call in a sweep
ROUND_LINE_STEPS = 500  # a hard round shows its progress every this many steps
# Batches a producer thread makes ahead of the step (0: made in the loop, no thread). Many: the
# producer starts before the first compile and banks batches while jax compiles (a batch is small).
PREFETCH = 16


class TrainingError(AocnnError):
    """Training diverged: a one-line error for the user, who can change the seed or the rate."""


@dataclass(frozen=True)
class Progress:
    step: int
    max_steps: int
    loss: float
    exact: float  # fraction of held-out examples exactly right, in the training range
    far_exact: float | None  # the same beyond the training range (None: not checked, in range was inexact)
    examples_per_s: float


@dataclass(frozen=True)
class TrainReport:
    seed: int
    steps: int
    examples: int
    seconds: float
    loss: float  # the training batches' mean loss between the last two checks
    exact: float
    far_exact: float | None
    converged: bool  # exact and confident on fresh held-out data in range and beyond, several times in a row
    parameters: int
    data_wait_seconds: float = 0.0  # of `seconds`, the loop waited this long for generated data
    history: tuple[dict[str, Any], ...] = ()  # one `Evaluation` (as a dict) per held-out check, in order
    continued_from: dict[str, Any] | None = None  # the saved network this run started from (`Start.origin`)
    certified: str = ""  # what `task.certify` found on every real record, when the task has it and the run converged
    swept: str = ""  # what the last sweep found (train.sweep_size), when it found nothing more to drill
    hard_rounds: tuple[dict[str, Any], ...] = ()  # `train`'s hard rounds: steps, records drilled, flagged and wrong before
    restarts: tuple[dict[str, Any], ...] = ()  # `train`'s failed attempts before this one (train.restarts)
    attempt_seed: int | None = None  # the seed this run's attempt started from, when a restart made it
    polished: int = 0  # steps of polish (train.polish_steps) this attempt took after its run ended unconverged
    far_swept: str = ""  # what the far sweep (train.far_sweep) found, when the stop rule had passed
    annealed: int = 0  # steps of anneal (train.anneal_steps) after the attempt converged


@dataclass(frozen=True)
class Evaluation:
    """One held-out check during training, as a checkpoint's history.json keeps it."""

    step: int
    examples: int  # training examples seen so far
    seconds: float  # wall time since training started
    learning_rate: float  # the schedule's rate at this step
    loss: float  # the training batches' mean loss since the previous check
    held_out_loss: float
    exact: float  # held-out exactness in the training range
    far_exact: float | None  # beyond it (None: not checked, in range was inexact)
    stage: str = "train"  # "train"; "final": the finalized (e.g. snapped) network's checks after training; "hard": a hard round; "polish": train.polish_steps


@dataclass(frozen=True)
class Start:
    """A saved network to continue training from: its parameters and what its run had done."""

    params: Any
    steps: int
    examples: int
    seconds: float
    history: tuple[dict[str, Any], ...] = ()
    digest: str = ""  # the saved parameters' digest, which the continued checkpoint records

    def origin(self) -> dict[str, Any]:
        return {"digest": self.digest, "steps": self.steps, "examples_seen": self.examples}

    def checked_params(self, fresh: Any) -> Any:
        """The saved parameters, refused unless they have exactly the tree and shapes of a fresh network."""
        same_tree = jax.tree_util.tree_structure(fresh) == jax.tree_util.tree_structure(self.params)
        if not same_tree or any(np.shape(a) != np.shape(b) for a, b in zip(jax.tree_util.tree_leaves(fresh),
                                                                           jax.tree_util.tree_leaves(self.params))):
            raise AocnnError("the weights to continue from have other parameters than this config's network")
        return jax.tree_util.tree_map(lambda a, b: np.asarray(b, dtype=np.asarray(a).dtype), fresh, self.params)


def make_schedule(task: NeuralTask, max_steps: int) -> optax.Schedule:
    cfg = task.train
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0,
        peak_value=cfg.learning_rate,
        warmup_steps=min(cfg.warmup_steps, max(1, max_steps // 2)),
        decay_steps=max(max_steps, cfg.warmup_steps + 1),
        end_value=cfg.learning_rate * 0.05,
    )


def make_optimizer(task: NeuralTask, max_steps: int) -> optax.GradientTransformation:
    cfg = task.train
    schedule = make_schedule(task, max_steps)
    return optax.chain(optax.clip_by_global_norm(cfg.grad_clip), optax.adamw(schedule, weight_decay=cfg.weight_decay))


# Initialisation runs once per run, so its program is compiled with less of LLVM's optimisation: about
# 0.3-0.5 s less of a cold run's compile on CPU, and bit for bit the same parameters (tests compare them).
INIT_COMPILER_OPTIONS = {"xla_backend_optimization_level": 1}


def init_params(task: NeuralTask, seed: int) -> Any:
    example = task.make_batch(np.random.default_rng(seed), 2)
    inputs = example["inputs"] if task.objective is not None else example  # family tasks split inputs and targets

    def init(seed, inputs):  # one program with the key made inside, not op by op
        return task.model.init(jax.random.PRNGKey(seed), inputs)["params"]

    program = jax.jit(init).lower(seed, inputs)
    options = INIT_COMPILER_OPTIONS if jax.default_backend() == "cpu" else None
    return program.compile(compiler_options=options)(seed, inputs)


def create_state(task: NeuralTask, params: Any, max_steps: int, sharding: Any) -> train_state.TrainState:
    """The training state (parameters, step counter, optimizer state) made by one program, placed with
    `sharding`: made op by op, its zeros cost a compile per parameter shape."""
    tx = make_optimizer(task, max_steps)

    def create_state(params):
        return train_state.TrainState.create(apply_fn=task.model.apply, params=params, tx=tx)

    return jax.jit(create_state, out_shardings=sharding)(params)


def count_parameters(params: Any) -> int:
    return int(sum(np.size(leaf) for leaf in jax.tree_util.tree_leaves(params)))


def make_train_step(task: NeuralTask) -> Callable:
    """`train_step(state, batch, progress)`: progress (step / max_steps) is traced, so schedules
    inside the objective never recompile."""

    @jax.jit
    def train_step(state: train_state.TrainState, batch: Batch, progress):
        (loss, exact), grads = jax.value_and_grad(task.evaluate, has_aux=True)(state.params, batch, progress)
        return state.apply_gradients(grads=grads), loss, jnp.mean(exact)

    return train_step


def make_eval_step(task: NeuralTask) -> Callable:
    @jax.jit
    def eval_step(params, batch: Batch):
        loss, exact = task.evaluate(params, batch)
        return loss, jnp.sum(exact)

    return eval_step


class DataParallel:
    """Puts batches (sharded on axis 0) and parameters (replicated) on a device mesh."""

    def __init__(self, devices: list):
        self.mesh = Mesh(np.array(devices), ("batch",))
        self.size = len(devices)
        self.sharded = NamedSharding(self.mesh, PartitionSpec("batch"))
        self.replicated = NamedSharding(self.mesh, PartitionSpec())

    def round_batch(self, batch_size: int) -> int:
        return -(-batch_size // self.size) * self.size

    def batch(self, batch: Batch) -> Batch:
        return jax.device_put(batch, self.sharded)

    def replicate(self, tree: Any) -> Any:
        return jax.device_put(tree, self.replicated)


def evaluate(task: NeuralTask, params: Any, batches: list[Batch], eval_step: Callable) -> tuple[float, float]:
    losses, exact, total = [], 0, 0
    for batch in batches:
        loss, n_exact = eval_step(params, batch)
        losses.append(float(loss))
        exact += int(n_exact)
        total += len(jax.tree_util.tree_leaves(batch)[0])
    return float(np.mean(losses)), exact / total


class Producer:
    """`make()` called over and over on a background thread, at most `ahead` results made ahead of use.

    The thread is the only caller of `make`, so a seeded generator gives the same items in the same
    order as calling it in the loop. An exception in `make` is raised by the `next()` that would
    have returned its item; `close()` (or leaving the `with` block, Ctrl-C included) stops the thread.
    With `ahead` = 0 there is no thread: `next()` calls `make()` itself."""

    def __init__(self, make: Callable[[], Any], ahead: int = PREFETCH, name: str = "aocnn-data"):
        self.make = make
        self.waited = 0.0  # seconds `next()` spent waiting for (or making) items
        self._stop = threading.Event()
        self._slots = threading.Semaphore(ahead)  # an item is made only when a slot is free: none wasted
        self._made: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True) if ahead > 0 else None
        if self._thread is not None:
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._slots.acquire(timeout=0.1):
                continue
            try:
                self._made.put((True, self.make()))
            except BaseException as error:  # noqa: BLE001 (handed to the consumer, which raises it)
                self._made.put((False, error))
                return

    def __next__(self) -> Any:
        start = time.perf_counter()
        try:
            if self._thread is None:
                return self.make()
            made, item = self._made.get()
            if not made:
                raise item
            self._slots.release()
            return item
        finally:
            self.waited += time.perf_counter() - start

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)  # a `make` still running finishes on its own (a daemon thread)

    def __enter__(self) -> "Producer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def train(
    task: NeuralTask,
    seed: int = 0,
    max_steps: int | None = None,
    devices: list | None = None,
    progress: Callable[[Progress], None] | None = None,
    prefetch: int = PREFETCH,
    start: Start | None = None,
) -> tuple[Any, TrainReport]:
    """Train (`run`), then, where the task can enumerate every real record (`task.certify`), check the
    network on all of them: it is converged only if none is confidently wrong.

    Hard rounds (train.hard_rounds > 0): while a search finds records the network does not get surely
    right, training goes on for train.hard_steps steps (and on, up to twice as many again, until the stop
    rule holds) at train.hard_learning_rate with train.hard_share
    of every batch drawn from all the records found so far (every other row, and every held-out set,
    fresh from the generator as before), then the stop rule and the search again. The search is the
    check of every real record (`task.certify`, with `task.hard_rows`), or else, with
    train.sweep_size > 0, a sweep of that many fresh records from the training range (their own stream,
    each round new), keeping those not exact at training's margin. Either way the records are generated,
    never real inputs; but once drilled on, a check of the real range is no longer held-out evidence, so
    the claim that the rule was learned rests on fresh and out-of-range sets, which are never drilled."""
    cfg = task.train
    params, report = attempts(task, seed, max_steps, devices, progress, prefetch, start)
    streams = report.attempt_seed if report.attempt_seed is not None else seed  # hard rounds: the attempt's streams
    if report.converged and cfg.anneal_steps:
        params, report = anneal(task, streams, params, report, devices, progress, prefetch)
    certifies = task.certify is not None
    sweeps = not certifies and cfg.sweep_size > 0 and cfg.hard_rounds > 0
    if not report.converged or not (certifies or sweeps):
        return params, report
    drilled = cfg.hard_rounds > 0 and (sweeps or task.hard_rows is not None)
    found: list[Any] = []
    rounds: list[dict[str, Any]] = []
    while True:
        keep: list[Any] | None = [] if drilled and len(rounds) < cfg.hard_rounds else None
        if certifies:
            (right, flagged, wrong), said = certify(task, params, progress is not None, keep)
        elif keep is None:  # a sweep only looks for records to drill: with no round left, none is made
            break
        else:
            (right, flagged, wrong), said = sweep(task, params, streams, len(rounds), keep)
        if not keep:  # no rounds left (or none asked for), or nothing flagged or wrong: done
            break
        found.extend([task.hard_rows(np.concatenate(keep))] if certifies else keep)  # training rows, either way
        pool = jax.tree_util.tree_map(lambda *rows: np.concatenate(rows), *found)
        mix = lambda rng, n, pool=pool: mixed_batch(task, rng, n, pool)  # noqa: E731
        count = len(jax.tree_util.tree_leaves(pool)[0])
        if progress is not None:
            what = "real records flagged or wrong" if certifies else "swept records not exact at training's margin"
            sys.stderr.write(f"hard round {len(rounds) + 1}/{cfg.hard_rounds}: {cfg.hard_steps} steps with "
                             f"{cfg.hard_share:.0%} of each batch from the {count:,} {what} so far\n")
            sys.stderr.flush()
        hard = replace(task, train=replace(cfg, learning_rate=cfg.hard_learning_rate), make_batch=mix)
        shown = None if progress is None else partial(round_progress, len(rounds) + 1, cfg)
        params, after = go_on(hard, streams, params, report, 3 * cfg.hard_steps, devices, shown, prefetch,
                              stage="hard", min_steps=cfg.hard_steps)
        rounds.append({"steps": after.steps - report.steps, "records": count, "found": flagged + wrong,
                       "search": "every real record" if certifies else f"a sweep of {cfg.sweep_size:,}"})
        report = after
        if not report.converged:  # the stop rule no longer passes on fresh held-out sets: not converged
            return params, replace(report, hard_rounds=tuple(rounds))
    if not certifies:
        return params, replace(report, hard_rounds=tuple(rounds), swept=said if keep is not None else "")
    if rounds:
        said += (f" (after {len(rounds)} hard round(s) of {', '.join(str(r['steps']) for r in rounds)} steps on the real records "
                 f"flagged or wrong: {', '.join(str(r['found']) for r in rounds)} found before each)")
    return params, replace(report, converged=wrong == 0, certified=said, hard_rounds=tuple(rounds))


def attempts(task: NeuralTask, seed: int, max_steps: int | None, devices: list | None,
             progress: Callable[[Progress], None] | None, prefetch: int, start: Start | None) -> tuple[Any, TrainReport]:
    """`run`, and with train.restarts, again from a fresh start (seed + k * RESTART_OFFSET: a new initialisation
    and new data) while an attempt ends unconverged and restarts are left. A continued run (`start`) never
    restarts. The report is the last attempt's, with every failed one before it in `restarts`."""
    cfg = task.train
    failed: list[dict[str, Any]] = []
    for attempt in range(cfg.restarts + 1 if start is None else 1):
        attempt_seed = seed + attempt * RESTART_OFFSET
        last = attempt == cfg.restarts or start is not None
        params, report = run(task, attempt_seed, max_steps, devices, progress, prefetch, start,
                             give_up=None if last else (cfg.restart_at, cfg.restart_below, cfg.restart_loss_above))
        if not report.converged and start is None and cfg.polish_steps and report.exact >= cfg.polish_above:
            params, report = polish(task, attempt_seed, params, report, devices, progress, prefetch)
        if report.converged and cfg.far_sweep:
            report = far_sweep(task, params, attempt_seed, report, progress is not None)
        if report.converged or last:
            break
        failed.append({"seed": attempt_seed, "steps": report.steps, "seconds": round(report.seconds, 2),
                       "held_out_exact": report.exact, "far_exact": report.far_exact, "loss": report.loss,
                       **({"polished": report.polished} if report.polished else {}),
                       **({"far_swept": report.far_swept} if report.far_swept else {})})
        if progress is not None:
            say(f"attempt {attempt + 1} ended unconverged after {report.steps:,} steps ({standing(report.exact, report.far_exact)}, "
                f"loss {report.loss:.4g}); "
                f"restart {attempt + 1}/{cfg.restarts} from a fresh start (seed {seed + (attempt + 1) * RESTART_OFFSET})")
    if not failed:
        return params, report
    return params, replace(report, seed=seed, restarts=tuple(failed), attempt_seed=attempt_seed)


def polish(task: NeuralTask, seed: int, params: Any, report: TrainReport, devices: list | None,
           progress: Callable[[Progress], None] | None, prefetch: int) -> tuple[Any, TrainReport]:
    """An attempt that ended just short of converged (held-out exactness at least train.polish_above) goes on
    for at most train.polish_steps steps at train.polish_learning_rate, a continuation as `--continue-from`
    makes one (fresh optimizer and schedule, data streams of its own), under the same stop rule; with
    train.polish_as_ended, its schedules (integer pull, rounding) at full from its first step (`as_ended`)."""
    cfg = task.train
    if progress is not None:
        say(f"ended unconverged after {report.steps:,} steps ({standing(report.exact, report.far_exact)}): polishing, "
            f"at most {cfg.polish_steps:,} steps at learning rate {cfg.polish_learning_rate}")
    train = replace(cfg.as_ended() if cfg.polish_as_ended else cfg, learning_rate=cfg.polish_learning_rate)
    if cfg.polish_as_ended and task.configure is not None:  # a family objective reads its schedules from the config
        polished = task.configure(replace(task.config, train=train))
    else:
        polished = replace(task, train=train)
    shown = None if progress is None else polish_progress
    params, after = go_on(polished, seed, params, report, cfg.polish_steps, devices, shown, prefetch, stage="polish")
    return params, replace(after, polished=after.steps - report.steps)


def anneal(task: NeuralTask, seed: int, params: Any, report: TrainReport, devices: list | None,
           progress: Callable[[Progress], None] | None, prefetch: int) -> tuple[Any, TrainReport]:
    """A converged attempt goes on for exactly train.anneal_steps steps at train.anneal_learning_rate, a continuation
    as `--continue-from` makes one; converged if the stop rule holds at its end. A converged network can still be
    unsure, or wrong, on a record in tens of thousands (2023/1: 18 of 400,000 fresh lines, 4 of them wrong); steps at a
    low rate after it fits are what took part 1's seed 0 to none in 400,000."""
    cfg = task.train
    if progress is not None:
        say(f"converged after {report.steps:,} steps: annealing, {cfg.anneal_steps:,} steps at learning rate "
            f"{cfg.anneal_learning_rate}")
    annealed = replace(task, train=replace(cfg, learning_rate=cfg.anneal_learning_rate))
    shown = None if progress is None else anneal_progress
    params, after = go_on(annealed, seed, params, report, cfg.anneal_steps, devices, shown, prefetch, stage="anneal",
                          min_steps=cfg.anneal_steps)
    return params, replace(after, annealed=after.steps - report.steps)


def go_on(task: NeuralTask, seed: int, params: Any, report: TrainReport, max_steps: int, devices: list | None,
          progress: Callable[[Progress], None] | None, prefetch: int, *, stage: str,
          min_steps: int = 0) -> tuple[Any, TrainReport]:
    """`run` continued from `params` where `report` left off (a hard round, a polish): steps, examples, seconds
    and history count on, and the run's own record carries over (the seed asked for, what it was continued
    from, its failed attempts, its polish)."""
    resume = Start(params, report.steps, report.examples, report.seconds, report.history)
    params, after = run(task, seed, max_steps, devices, progress, prefetch, resume, stage=stage, min_steps=min_steps)
    return params, replace(after, seed=report.seed, continued_from=report.continued_from, restarts=report.restarts,
                           attempt_seed=report.attempt_seed, polished=report.polished, annealed=report.annealed)


def say(line: str) -> None:
    """One line of training's progress on stderr."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def standing(exact: float, far_exact: float | None) -> str:
    return f"held-out exact {exact:.2%}, beyond " + ("-" if far_exact is None else f"{far_exact:.2%}")


def polish_progress(p: Progress) -> None:
    """A polish's progress on stderr: a line every ROUND_LINE_STEPS steps (and at its end)."""
    if p.step % ROUND_LINE_STEPS == 0 or p.step == p.max_steps:
        say(f"polish: step {p.step} (at most {p.max_steps})  {standing(p.exact, p.far_exact)}")


def anneal_progress(p: Progress) -> None:
    """An anneal's progress on stderr: a line every ROUND_LINE_STEPS steps (and at its end)."""
    if p.step % ROUND_LINE_STEPS == 0 or p.step == p.max_steps:
        say(f"anneal: step {p.step} of {p.max_steps}  {standing(p.exact, p.far_exact)}")


def round_progress(number: int, cfg: Any, p: Progress) -> None:
    """A hard round's progress on stderr: a line every ROUND_LINE_STEPS steps."""
    if p.step % ROUND_LINE_STEPS == 0:
        far = "-" if p.far_exact is None else f"{p.far_exact:.2%}"
        sys.stderr.write(f"hard round {number}/{cfg.hard_rounds}: step {p.step} (at least {cfg.hard_steps}, at most "
                         f"{p.max_steps})  held-out exact {p.exact:.2%}  beyond {far}\n")
        sys.stderr.flush()


def sweep(task: NeuralTask, params: Any, seed: int, index: int, keep: list) -> tuple[tuple[int, int, int], str]:
    """((exact, not exact, 0), what) over train.sweep_size fresh training-range records (stream `index`);
    the rows not exact at training's margin are appended to `keep` (one batch dict of them per chunk)."""
    cfg = task.train
    rng = np.random.default_rng([seed + SWEEP_OFFSET, index])
    check = jax.jit(lambda p, b: task.evaluate(p, b)[1])
    chunk, exact = min(cfg.sweep_size, SWEEP_CHUNK), 0
    for done in range(0, cfg.sweep_size, chunk):
        batch = task.make_batch(rng, chunk)
        right = np.asarray(check(params, batch), bool)
        exact += int(right.sum())
        if not right.all():
            keep.append(jax.tree_util.tree_map(lambda rows: np.asarray(rows)[~right], batch))
    total = -(-cfg.sweep_size // chunk) * chunk
    return (exact, total - exact, 0), f"a sweep of {total:,} fresh records in range: {total - exact:,} not exact"


def far_sweep(task: NeuralTask, params: Any, seed: int, report: TrainReport, shown: bool) -> TrainReport:
    """`report` judged by train.far_sweep fresh records beyond the training range (their own stream, never
    trained on): still converged only if every one is exact. A family network is judged as its solve judges
    it (each head decoded, low-confidence below its threshold: `measure.outcomes`), so a record it would
    flag or get wrong fails it; any other at training's margin."""
    from aocnn.nn.measure import outcomes

    cfg = task.train
    rng = np.random.default_rng(seed + FAR_SWEEP_OFFSET)
    family = task.config is not None
    check = None if family else jax.jit(lambda p, b: task.evaluate(p, b)[1])
    chunk, exact, total = min(cfg.far_sweep, SWEEP_CHUNK), 0, 0
    how = "as the solve judges them" if family else "at training's margin"
    while total < cfg.far_sweep:
        if family:
            exact += outcomes(task, params, task.make_far_batch, chunk, seed, rng=rng).right
        else:
            exact += int(np.asarray(check(params, task.make_far_batch(rng, chunk)), bool).sum())
        total += chunk
        if shown:
            say(f"far sweep: {total:,} of {cfg.far_sweep:,} fresh records beyond the training range, {total - exact:,} not exact")
    said = f"a sweep of {total:,} fresh records beyond the training range, {how}: {total - exact:,} not exact"
    return replace(report, converged=exact == total, far_swept=said)


def mixed_batch(task: NeuralTask, rng: np.random.Generator, n: int, pool: Batch) -> Batch:
    """n rows: train.hard_share of them drawn from `pool` (training rows of the records found), the rest fresh."""
    k = min(n - 1, max(1, round(n * task.train.hard_share)))
    fresh = task.make_batch(rng, n - k)
    rows = rng.integers(0, len(jax.tree_util.tree_leaves(pool)[0]), k)
    return jax.tree_util.tree_map(lambda new, old: np.concatenate([new, np.asarray(old)[rows]]), fresh, pool)


def run(task: NeuralTask, seed: int, max_steps: int | None, devices: list | None,
        progress: Callable[[Progress], None] | None, prefetch: int, start: Start | None, *,
        stage: str = "train", min_steps: int = 0,
        give_up: tuple[float, float, float] | None = None) -> tuple[Any, TrainReport]:
    """Train from scratch (or from `start`, a saved network) until `exact_evals` fresh held-out sets
    in a row are exact, both in the training range and beyond it (`task.make_far_batch`): a network
    exact only on the sizes it was trained on is never reported converged.

    Training batches and held-out sets are made by producer threads (`prefetch` ahead, 0: in the
    loop) while the jitted step runs; each stream has its own seeded generator, so the run is the
    same with or without them.

    Continued from `start`, the optimizer and schedule begin afresh over `max_steps` more steps, the
    data come from streams of their own (seeded by the seed and the steps already done, so no batch
    of the first run is replayed), and steps, examples, seconds and history count the whole run.
    Schedules inside the objective (the integer pull, rounding) restart with the run's own progress.
    `min_steps`: the stop rule ends the run no earlier than this; `stage` ("train", "hard", "polish"): the label its evaluations get in
    the history; `give_up` (fraction of max_steps, exactness, loss): from that step on, a check whose held-out
    exactness in range is below that, or whose training loss is above that loss (if not 0), ends the run,
    unconverged (a restart follows: `attempts`)."""
    cfg = task.train
    max_steps = max_steps or cfg.max_steps
    parallel = DataParallel(devices or jax.local_devices())
    batch_size = parallel.round_batch(cfg.batch_size)

    eval_chunk = parallel.round_batch(min(cfg.eval_size, 1024))
    far_chunk = parallel.round_batch(min(cfg.far_size, 1024))
    done = start.steps if start is not None else 0

    def stream(key: int) -> np.random.Generator:
        return np.random.default_rng(key if start is None else [key, done])

    data_rng, held_out_rng, far_rng = stream(seed), stream(seed + HELD_OUT_OFFSET), stream(seed + FAR_OFFSET)

    def held_out_set() -> list[Batch]:  # new examples at every evaluation, from their own stream
        return [task.held_out_batch(held_out_rng, eval_chunk) for _ in range(-(-cfg.eval_size // eval_chunk))]

    def far_set() -> list[Batch]:
        return [task.make_far_batch(far_rng, far_chunk) for _ in range(-(-cfg.far_size // far_chunk))]

    batches = Producer(lambda: task.make_batch(data_rng, batch_size), prefetch, "aocnn-batches")
    held_out = Producer(held_out_set, min(prefetch, 1), "aocnn-held-out")
    far = Producer(far_set, min(prefetch, 1), "aocnn-far")

    def check(params) -> tuple[float, float | None, float]:
        """Held-out exactness in range, and beyond it once in range is exact (it costs more); the held-out loss."""
        held_out_loss, in_range = evaluate(task, params, [parallel.batch(b) for b in next(held_out)], eval_step)
        if in_range < 1.0:
            return in_range, None, held_out_loss
        return in_range, evaluate(task, params, [parallel.batch(b) for b in next(far)], eval_step)[1], held_out_loss

    def candidate(params):
        """What would be saved now: evaluations judge the network that ships, e.g. with weights committed."""
        return params if task.finalize is None else parallel.replicate(task.finalize(jax.device_get(params)))

    schedule = jax.jit(make_schedule(task, max_steps))  # for the history: one program, not one per operation
    history: list[dict[str, Any]] = list(start.history) if start is not None else []
    examples_before = start.examples if start is not None else 0
    seconds_before = start.seconds if start is not None else 0.0

    def record(name: str, held_out_loss: float) -> None:
        history.append(asdict(Evaluation(done + step, examples_before + step * batch_size,
                                         round(seconds_before + time.perf_counter() - began, 3),
                                         float(schedule(step)), loss, held_out_loss, exact, far_exact, name)))

    train_step, eval_step = make_train_step(task), make_eval_step(task)
    with batches, held_out, far:
        params = init_params(task, seed) if start is None else start.checked_params(init_params(task, seed))
        # the whole state on the mesh, the step counter and optimizer state too: step 0 then has the
        # placement every later step has, and train_step compiles once
        state = create_state(task, params, max_steps, parallel.replicated)
        began = time.perf_counter()
        exact_streak, step, loss, exact, far_exact = 0, 0, float("nan"), 0.0, None
        losses: list[jax.Array] = []  # the steps' losses since the last check, left on the device until then
        interrupts.watch()
        try:
            while step < max_steps:
                interrupts.check()  # a Ctrl-C swallowed in a garbage-collector callback still stops the run
                batch = parallel.batch(next(batches))
                state, loss_value, _ = train_step(state, batch, np.float32(step / max_steps))
                losses.append(loss_value)
                step += 1
                if step % cfg.eval_every == 0 or step == max_steps:
                    # the mean since the last check: one batch's loss is noisy (an attempt of 2017/1 part 1 that
                    # had fitted read 0.12 at one check and 1.27 at the next, and gave up on it)
                    loss, losses = float(np.mean(jax.device_get(losses))), []  # fetched, not computed: no program
                    if not np.isfinite(loss):
                        raise TrainingError(f"loss became {loss} at step {step}; lower the learning rate or change the seed")
                    exact, far_exact, held_out_loss = check(candidate(state.params))
                    record(stage, held_out_loss)
                    exact_streak = exact_streak + 1 if far_exact == 1.0 else 0
                    if progress is not None:
                        elapsed = time.perf_counter() - began
                        progress(Progress(step, max_steps, loss, exact, far_exact, step * batch_size / elapsed))
                    if exact_streak >= cfg.exact_evals and step >= min_steps:
                        break
                    if give_up is not None and step >= give_up[0] * max_steps and (
                            exact < give_up[1] or 0 < give_up[2] < loss):
                        exact_streak = 0  # this attempt is given up: unconverged, whatever finalize finds
                        break
        except KeyboardInterrupt:
            interrupts.forget()  # delivered: a later run in this process starts with nothing pending
            raise
        batches.close()  # the final checks below need no more training batches
        params = jax.device_get(state.params)
        converged = exact_streak >= cfg.exact_evals
        if task.finalize is not None:
            params = task.finalize(params)
            checks = [check(parallel.replicate(params)) for _ in range(cfg.exact_evals)]
            exact = min(c[0] for c in checks)
            far_exact = None if any(c[1] is None for c in checks) else min(c[1] for c in checks)
            record("final", max(c[2] for c in checks))
            converged = converged and far_exact == 1.0

    report = TrainReport(
        seed=seed,
        steps=done + step,
        examples=examples_before + step * batch_size,
        seconds=seconds_before + time.perf_counter() - began,
        loss=loss,
        exact=exact,
        far_exact=far_exact,
        converged=converged,
        parameters=count_parameters(params),
        data_wait_seconds=batches.waited + held_out.waited + far.waited,
        history=tuple(history),
        continued_from=start.origin() if start is not None else None,
    )
    return params, report


def certify(task: NeuralTask, params: Any, show: bool = False,
            keep: list | None = None) -> tuple[tuple[int, int, int], str]:
    """((exact, flagged, confidently wrong), what was found) over the finite set of every real record
    (`task.certify`), through the network as a solve runs it; `show`: its progress on stderr (2022/4: about a
    minute); `keep`: a list the records flagged or wrong are appended to (arrays, as the task writes them)."""
    from aocnn.nn.model import Model

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\rchecking every real record: {done}/{total}" + ("\n" if done == total else ""))
        elif done == total or done % max(1, total // 4) == 0:  # a log: a few whole lines
            sys.stderr.write(f"checking every real record: {done}/{total}\n")
        sys.stderr.flush()

    network = Model(task, jax.device_get(params), meta={"converged": True})
    extra = {} if keep is None else {"keep": keep}
    (right, flagged, wrong), what = task.certify(network, progress=progress if show else None, **extra)
    return (right, flagged, wrong), f"{what}: {right:,} exact, {flagged:,} flagged low-confidence, {wrong:,} confidently wrong"
