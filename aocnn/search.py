"""`aocnn search`: architecture search over the shared family's config, with optuna.

A trial picks one value per decision of the task's search space (aocnn.search_space), trains that
network from scratch with the normal training loop for at most `steps` steps, and is scored on the
loop's fresh held-out checks (its own random stream, never training data):

    score = exact in range + exact beyond it (0 unless in range is exact) + 1e-5 * smallness

so a network exact in range beats any that is not, one also exact beyond the range (the task's
out-of-range set) beats it, and among equally exact ones the smaller, faster one wins (`smallness`
in [0, 1): half fewer parameters on a log scale, half fewer steps; 1e-5 is below one record of any
held-out set). One scalar, not optuna's multi-objective mode: optuna's pruners (and the REINFORCE
reward) need one number, and the order wanted is lexicographic, which a Pareto front does not give.

While a trial trains, each held-out check is reported (in range + beyond, the same scale) and the
pruner (median or successive halving) may stop it. Trials live in an optuna study in RDB storage
(SQLite by default, PostgreSQL for many machines); K workers are K processes on one storage.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from aocnn import interrupts, search_space
from aocnn.errors import AocnnError
from aocnn.nn.task import NeuralTask

SAMPLERS = ("reinforce", "random", "tpe")
PRUNERS = ("median", "halving", "none")
TIE = 1e-5
ATTR = "aocnn"  # the study's user attribute that says what was searched
REPORT_EVERY_S = 10.0  # a progress line from a long trial at most this often


@dataclass(frozen=True)
class Search:
    """What a search is: the same for every worker and for every resumption of a study."""

    year: int
    day: int
    part: int
    sampler: str = "reinforce"
    steps: int = 1000
    seed: int = 0
    sets: tuple[str, ...] = ()  # fixed fields ("section.field=value"): applied, and left out of the space
    pruner: str = "median"

    def identity(self) -> dict[str, Any]:
        return {"puzzle": f"{self.year}/{self.day}", "part": self.part, "sampler": self.sampler,
                "steps": self.steps, "sets": list(self.sets)}


# --- the task, its space, a trial's score -------------------------------------------------------

def task_of(search: Search) -> NeuralTask:
    from aocnn import registry
    from aocnn.ablate import configured

    puzzle = registry.get(search.year, search.day)
    if search.part not in puzzle.neural:
        raise AocnnError(f"{search.year} day {search.day} part {search.part} has no neural solver to search")
    task = puzzle.neural[search.part]
    if task.configure is None:
        raise AocnnError(f"{task.name} is a bespoke network: it has no config to search")
    return configured(task, search.sets)


def decisions_of(task: NeuralTask, sets: tuple[str, ...] = ()) -> tuple[search_space.Decision, ...]:
    fixed = tuple(task.search_fixed) + tuple(s.partition("=")[0].strip() for s in sets)
    known = {d.field for d in search_space.SPACE}
    return search_space.space(task.config, tuple(f for f in fixed if f in known))


def score(exact: float, far: float | None, parameters: int, steps: int, budget: int) -> float:
    beyond = far if exact == 1.0 and far is not None else 0.0
    smallness = 0.5 * (1 - min(math.log10(max(parameters, 1)) / 8, 1)) + 0.5 * (1 - min(steps / budget, 1))
    return exact + beyond + TIE * smallness


# --- storage and study --------------------------------------------------------------------------

def data_dir() -> Path:
    """aocnn's user data directory: $AOCNN_DATA_DIR, else $XDG_DATA_HOME/aocnn, else ~/.local/share/aocnn."""
    root = os.environ.get("AOCNN_DATA_DIR") or Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "aocnn"
    return Path(root)


def default_storage() -> str:
    return f"sqlite:///{data_dir() / 'search.sqlite3'}"


def default_study(search: Search) -> str:
    return f"{search.year}-{search.day:02d}-part{search.part}-{search.sampler}-{search.steps}steps"


def storage(url: str):
    """optuna's RDB storage; a worker that dies leaves its trial RUNNING only until the heartbeat's grace ends."""
    import optuna

    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = {"connect_args": {"timeout": 120}}  # workers wait for each other's writes
    else:
        engine = {"pool_pre_ping": True}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # heartbeats are "experimental"
            return optuna.storages.RDBStorage(url, engine_kwargs=engine, heartbeat_interval=30, grace_period=120)
    except ModuleNotFoundError as exc:
        raise AocnnError(f"--storage {redact(url)}: needs the {exc.name} module "
                         "(pip install 'aocnn[postgres]' for PostgreSQL)") from None
    except Exception as exc:  # sqlalchemy's URL, connection and driver errors: one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AocnnError(f"--storage {redact(url)}: {first}") from None


def redact(url: str) -> str:
    """The URL without its password."""
    head, at, tail = url.rpartition("@")
    if not at or "://" not in head:
        return url
    scheme, _, credentials = head.partition("://")
    user, colon, _ = credentials.partition(":")
    return f"{scheme}://{user}:***@{tail}" if colon else url


def pruner(name: str, steps: int):
    import optuna

    if name == "median":  # warm-up: exactness is 0 early in almost every run
        return optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=steps // 4)
    if name == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=max(1, steps // 8), reduction_factor=3)
    return optuna.pruners.NopPruner()


def sampler(search: Search, decisions, worker: int, start: int):
    """random and tpe: optuna's, seeded per worker and per resumption (else they would repeat themselves);
    reinforce: trial n's draw is keyed by (seed, n) already."""
    import numpy as np
    import optuna

    if search.sampler == "reinforce":
        from aocnn.reinforce import ReinforceSampler

        return ReinforceSampler({d.field: d.choices for d in decisions}, seed=search.seed)
    seed = int(np.random.SeedSequence([search.seed, worker, start]).generate_state(1)[0])
    if search.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def open_study(search: Search, url: str, name: str, worker: int = 0, start: int = 0, decisions=None):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # a line per trial is ours; optuna's would add tracebacks
    decisions = decisions if decisions is not None else decisions_of(task_of(search), search.sets)
    study = optuna.create_study(storage=storage(url), study_name=name, direction="maximize", load_if_exists=True,
                                sampler=sampler(search, decisions, worker, start), pruner=pruner(search.pruner, search.steps))
    recorded = study.user_attrs.get(ATTR)
    if recorded is None:
        study.set_user_attr(ATTR, search.identity())
    elif recorded != search.identity():
        differ = ", ".join(f"{k} {recorded.get(k)!r}" for k, v in search.identity().items() if recorded.get(k) != v)
        raise AocnnError(f"study {name!r} was run with {differ}: pass the same options to resume it, "
                         "or name another --study")
    return study


# --- one trial ----------------------------------------------------------------------------------

def objective(search: Search, task: NeuralTask, decisions, echo: Callable[[str], None]):
    import optuna

    from aocnn.nn import training
    from aocnn.nn.config import to_dict

    def run(trial: optuna.Trial) -> float:
        choices = {d.field: trial.suggest_categorical(d.field, d.choices) for d in decisions}
        start = time.perf_counter()
        last = {"exact": 0.0, "far": None, "step": 0, "shown": time.monotonic()}

        def record(parameters: int | None = None) -> None:
            with interrupts.deferred():
                write_attrs(parameters)

        def write_attrs(parameters: int | None) -> None:
            trial.set_user_attr("exact", last["exact"])
            trial.set_user_attr("exact_out_of_range", last["far"])
            trial.set_user_attr("steps", last["step"])
            trial.set_user_attr("seconds", round(time.perf_counter() - start, 2))
            if parameters is not None:
                trial.set_user_attr("parameters", parameters)

        try:
            candidate = task.configure(search_space.configure(task.config, choices))
        except ValueError as exc:  # a combination the family refuses: the worst score, said why
            trial.set_user_attr("error", str(exc))
            record()
            return 0.0
        trial.set_user_attr("config", to_dict(candidate.config))

        def progress(p: training.Progress) -> None:
            last.update(exact=p.exact, far=p.far_exact, step=p.step)
            with interrupts.deferred():  # a Ctrl-C mid-transaction would keep the storage locked
                trial.report(p.exact + (p.far_exact or 0.0), p.step)
                prune = trial.should_prune()
            if time.monotonic() - last["shown"] >= REPORT_EVERY_S:
                last["shown"] = time.monotonic()
                far = "-" if p.far_exact is None else f"{p.far_exact:.2%}"
                echo(f"aocnn: search trial {trial.number}: step {p.step}/{p.max_steps}  exact {p.exact:.2%}  beyond {far}")
            if prune:
                raise optuna.TrialPruned()

        try:
            _, report = training.train(candidate, seed=search.seed, max_steps=search.steps, progress=progress)
        except optuna.TrialPruned:
            record()
            raise
        except training.TrainingError as exc:  # diverged: a bad architecture or rate, scored as one
            trial.set_user_attr("error", str(exc))
            record()
            return 0.0
        except KeyboardInterrupt:
            with interrupts.deferred():  # a second Ctrl-C waits for these writes
                trial.set_user_attr("interrupted", True)  # optuna marks it failed; the table says interrupted
                write_attrs(None)
            raise
        finally:
            import jax

            jax.clear_caches()  # every trial compiles new functions: keep a long search's memory flat
        last.update(exact=report.exact, far=report.far_exact, step=report.steps)
        record(report.parameters)
        return score(report.exact, report.far_exact, report.parameters, report.steps, search.steps)

    return run


# --- workers ------------------------------------------------------------------------------------

def stderr_line(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def work(search: Search, url: str, name: str, worker: int, start: int, target: int,
         echo: Callable[[str], None] = stderr_line) -> None:
    """One worker: trials until the study holds `target` trials (all workers together)."""
    import optuna

    task = task_of(search)
    decisions = decisions_of(task, search.sets)
    study = open_study(search, url, name, worker, start, decisions)

    def after(study: optuna.Study, trial) -> None:
        echo(progress_line(study, trial))
        if len(study.get_trials(deepcopy=False)) >= target:
            study.stop()

    if len(study.get_trials(deepcopy=False)) < target:
        study.optimize(objective(search, task, decisions, echo), n_trials=target - start, callbacks=[after],
                       gc_after_trial=True)


def _spawned(search: Search, url: str, name: str, worker: int, start: int, target: int) -> None:
    try:
        work(search, url, name, worker, start, target)
    except KeyboardInterrupt:
        sys.exit(130)
    except AocnnError as exc:
        stderr_line(f"aocnn: error: worker {worker}: {exc}")
        sys.exit(2)


def run(search: Search, url: str, name: str, trials: int, workers: int = 1,
        echo: Callable[[str], None] = stderr_line) -> dict[str, Any]:
    """Add `trials` trials to the study (created or resumed), with `workers` processes; the study's rows."""
    workers = min(workers, trials)  # a worker more than trials would start one trial too many
    study = open_study(search, url, name)  # checks the options and the storage before any worker starts
    start = len(study.get_trials(deepcopy=False))
    target = start + trials
    if start:
        echo(f"aocnn: search: resuming study {name!r} ({start} trials so far), adding {trials}")
    if workers <= 1:
        work(search, url, name, 0, start, target, echo)
    else:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker: no forked JAX
        processes = [context.Process(target=_spawned, args=(search, url, name, w, start, target), daemon=True)
                     for w in range(workers)]
        try:
            for process in processes:
                process.start()
            for process in processes:
                process.join()
        except KeyboardInterrupt:
            for process in processes:
                process.join(30)  # they got the same Ctrl-C: let them mark their trials
            raise
        failed = [w for w, p in enumerate(processes) if p.exitcode != 0]
        if failed:
            raise AocnnError(f"search worker(s) {', '.join(map(str, failed))} failed (see the lines above)")
    return summary(search, url, name)


# --- what a study holds -------------------------------------------------------------------------

def state_of(trial) -> str:
    state = trial.state.name.lower()
    return "interrupted" if state == "fail" and trial.user_attrs.get("interrupted") else state


def row(trial) -> dict[str, Any]:
    attrs = trial.user_attrs
    return {"number": trial.number, "state": state_of(trial), "config": attrs.get("config"),
            "exact": attrs.get("exact"), "exact_out_of_range": attrs.get("exact_out_of_range"),
            "parameters": attrs.get("parameters"), "steps": attrs.get("steps"), "seconds": attrs.get("seconds"),
            "score": trial.value, "choices": dict(trial.params), "error": attrs.get("error")}


def best_trial(study):
    from optuna.trial import TrialState

    done = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if t.value is not None]
    return max(done, key=lambda t: (t.value, -t.number)) if done else None


def summary(search: Search, url: str, name: str) -> dict[str, Any]:
    import optuna

    study = optuna.load_study(study_name=name, storage=storage(url))
    best = best_trial(study)
    return {"study": name, "storage": redact(url), "sampler": search.sampler,
            "trials": [row(t) for t in study.get_trials(deepcopy=False)], "best": row(best) if best else None}


def progress_line(study, trial) -> str:
    r = row(trial)
    far = "-" if r["exact_out_of_range"] is None else f"{r['exact_out_of_range']:.2%}"
    exact = "-" if r["exact"] is None else f"{r['exact']:.2%}"
    best = best_trial(study)
    best_text = f"best: trial {best.number}, score {best.value:.5f}" if best else "best: none yet"
    return (f"aocnn: search trial {trial.number}: {r['state']}  exact {exact}  beyond {far}  "
            f"{r['steps'] or 0} steps  {r['seconds'] or 0:.1f} s  [{best_text}]")


def best_config_file(summary_: dict[str, Any], task: NeuralTask, search: Search) -> dict[str, Any]:
    """What --out writes: `aocnn train YEAR DAY --part P --config FILE` trains it."""
    best = summary_["best"]
    return {"task": task.name, "puzzle": f"{search.year}/{search.day}", "part": search.part,
            "study": summary_["study"], "trial": best["number"], "score": best["score"], "exact": best["exact"],
            "exact_out_of_range": best["exact_out_of_range"], "config": best["config"]}


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
