"""Restarts (train.restarts): a run from scratch that ends unconverged starts again from a fresh
initialisation and fresh data, and the failed attempt is recorded, never hidden."""

from __future__ import annotations

import dataclasses

import jax
import numpy as np

from aocnn.nn import model, training
from conftest import toy_task


def first_attempt_fed_noise():
    """The toy digit reader whose first attempt (seed below RESTART_OFFSET) learns from random labels and
    cannot converge; a restart's streams are clean."""
    task = toy_task("toy/part1")

    def make(rng, n):
        batch = task.make_batch(rng, n)
        entropy = rng.bit_generator.seed_seq.entropy  # a continuation's streams are seeded [seed, steps done]
        if (entropy[0] if isinstance(entropy, list) else entropy) < training.RESTART_OFFSET:
            batch = {**batch, "label": rng.integers(0, 10, n).astype(np.int32)}
        return batch

    return dataclasses.replace(task, make_batch=make, make_far_batch=make)


def with_train(task, **fields):
    return dataclasses.replace(task, train=dataclasses.replace(task.train, **fields))


def test_without_restarts_the_noisy_first_attempt_ends_unconverged():
    _, report = training.train(first_attempt_fed_noise(), seed=0)
    assert not report.converged and report.steps == 300 and report.restarts == ()


def test_a_restart_is_a_fresh_run_from_the_next_seed_and_the_failed_attempt_is_recorded():
    task = with_train(first_attempt_fed_noise(), restarts=2, restart_at=0.2, restart_below=0.9)
    params, report = training.train(task, seed=0)
    assert report.converged and report.seed == 0 and report.attempt_seed == training.RESTART_OFFSET
    [failed] = report.restarts
    assert failed["seed"] == 0 and failed["steps"] == 60  # gave up at the first check at 20% of the run
    assert failed["held_out_exact"] < 0.9
    # bit for bit the run that seed would make on its own: nothing of the failed attempt leaks into it
    alone, alone_report = training.train(with_train(first_attempt_fed_noise(), restarts=0), seed=training.RESTART_OFFSET)
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(params), jax.tree_util.tree_leaves(alone)))
    assert report.steps == alone_report.steps
    meta = model.metadata(task, "2099/1", [1], report, jax.devices())
    assert meta["seed"] == 0 and meta["attempt_seed"] == training.RESTART_OFFSET and meta["restarts"] == [failed]


def test_the_last_attempt_never_gives_up_early():
    """With no restart left an attempt runs its whole course, as a run without restarts does."""
    task = with_train(first_attempt_fed_noise(), restarts=0, restart_at=0.2, restart_below=0.9)
    _, report = training.train(task, seed=0)
    assert report.steps == 300 and not report.converged


def test_an_attempt_that_ends_just_short_is_polished_not_restarted():
    """Ten steps leave the toy one held-out check, not the two in a row the stop rule wants: unconverged, but
    exact enough (train.polish_above) to go on at the polish rate, where it converges; no restart is taken."""
    task = with_train(toy_task("toy/part1"), max_steps=10, restarts=2, polish_steps=40, polish_learning_rate=0.1,
                      polish_above=0.5)
    params, report = training.train(task, seed=0)
    assert report.converged and report.restarts == () and 0 < report.polished == report.steps - 10
    assert {row["stage"] for row in report.history} == {"train", "polish"}
    assert report.continued_from is None  # a polish is part of this run, not a run continued from saved weights
    assert model.metadata(task, "2099/1", [1], report, jax.devices())["polished"] == report.polished


def test_a_converged_attempt_is_annealed_for_exactly_its_steps_as_a_continuation_would_be(tmp_path):
    """train.anneal_steps: a converged attempt goes on for exactly that many steps at the anneal's rate, though the
    stop rule holds all along; it is converged at the end, recorded in the history and meta.json, and bit for bit the
    `--continue-from` of the unannealed run at that rate (`min_steps` aside, which only keeps it from stopping)."""
    plain = toy_task("toy/part1")
    base_params, base = training.train(plain, seed=0)
    assert base.converged and base.annealed == 0
    task = with_train(plain, anneal_steps=40, anneal_learning_rate=0.01)
    params, report = training.train(task, seed=0)
    assert report.converged and report.annealed == 40 and report.steps == base.steps + 40
    assert [row["stage"] for row in report.history].count("anneal") == 4  # a check every 10 steps, none skipped
    assert model.metadata(task, "2099/1", [1], report, jax.devices())["annealed"] == 40
    start = training.Start(base_params, base.steps, base.examples, base.seconds, base.history)
    continued = with_train(plain, learning_rate=0.01, exact_evals=10)  # the stop rule at 40 steps: no earlier stop
    by_hand, _ = training.train(continued, seed=0, max_steps=40, start=start)
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(params), jax.tree_util.tree_leaves(by_hand)))


def test_an_unconverged_attempt_is_not_annealed():
    task = with_train(first_attempt_fed_noise(), anneal_steps=40)
    _, report = training.train(task, seed=0)
    assert not report.converged and report.annealed == 0 and "anneal" not in {row["stage"] for row in report.history}


def test_an_attempt_far_from_exact_is_not_polished():
    task = with_train(first_attempt_fed_noise(), restarts=1, restart_at=0.2, restart_below=0.9, polish_steps=40,
                      polish_above=0.99)
    _, report = training.train(task, seed=0)
    assert report.converged and report.restarts[0]["steps"] == 60 and "polished" not in report.restarts[0]
    assert report.polished == 0


def test_hard_rounds_after_a_restart_keep_the_runs_record(monkeypatch):
    """A hard round is a continuation of the converged attempt: the report (and meta.json) still names the
    seed asked for, the failed attempts and the attempt's seed, and the round draws from the attempt's streams."""
    swept = []

    def one_record_once(task, params, seed, index, keep):
        swept.append(seed)
        if index == 0:
            keep.append(task.make_batch(np.random.default_rng(training.RESTART_OFFSET + 9), 1))  # a clean row
        return (0, len(keep), 0), f"a scripted sweep: {len(keep)} found"

    monkeypatch.setattr(training, "sweep", one_record_once)
    task = with_train(first_attempt_fed_noise(), restarts=1, restart_at=0.2, restart_below=0.9, hard_rounds=1,
                      sweep_size=64, hard_steps=20)
    _, report = training.train(task, seed=0)
    assert report.converged and len(report.hard_rounds) == 1 and swept == [training.RESTART_OFFSET]
    assert report.seed == 0 and report.attempt_seed == training.RESTART_OFFSET and len(report.restarts) == 1
    meta = model.metadata(task, "2099/1", [1], report, jax.devices())
    assert meta["seed"] == 0 and meta["restarts"] == list(report.restarts) and meta["hard_rounds"]


def test_an_attempt_whose_loss_is_still_high_gives_up_early_and_its_loss_is_recorded():
    """train.restart_loss_above judges the training loss, for a fit that must be found before anything is exact:
    the first attempt, learning noise, still has its loss of about ln 10 at 20% of the run and starts again;
    the clean restart's loss falls below the bar and it runs on to converge."""
    task = with_train(first_attempt_fed_noise(), restarts=2, restart_at=0.2, restart_loss_above=1.0)
    _, report = training.train(task, seed=0)
    assert report.converged and report.attempt_seed == training.RESTART_OFFSET
    [failed] = report.restarts
    assert failed["steps"] == 60 and failed["loss"] > 1.0


def test_the_loss_an_attempt_is_judged_on_is_the_mean_since_the_last_check(monkeypatch):
    """One batch's loss is noisy: the loss each check reads (and restart_loss_above judges) is the mean of every
    step's since the last check. Here every step's loss reads 0.1 but the one at each check, 5.0: the mean over
    10 steps is 0.59, so the attempt does not give up at 20% of the run (it would on the check step's 5.0)."""
    real = training.make_train_step

    def spiky(task):
        step, calls = real(task), [0]

        def run(state, batch, progress):
            state, _, exact = step(state, batch, progress)
            calls[0] += 1
            return state, np.float32(5.0 if calls[0] % 10 == 0 else 0.1), exact

        return run

    monkeypatch.setattr(training, "make_train_step", spiky)
    task = with_train(first_attempt_fed_noise(), restarts=1, restart_at=0.2, restart_loss_above=1.0)
    _, report = training.train(task, seed=0)
    [failed] = report.restarts
    assert failed["steps"] == 300 and abs(failed["loss"] - 0.59) < 1e-6  # ran its course: judged on the mean
    assert all(abs(check["loss"] - 0.59) < 1e-6 for check in report.history)


def test_a_polish_as_ended_trains_with_every_schedule_at_full_from_its_first_step(monkeypatch):
    """A polish as ended (2017/1 part 2's) goes on as its run ended: pull and rounding at full, not replayed
    from a float fit."""
    from aocnn.nn.config import ENDED_RAMP, override
    from solvers.y2017 import d01

    PART2 = d01.PART2.configure(override(d01.PART2.config, ["train.polish_as_ended=true", "train.polish_steps=3000"]))
    assert PART2.train.pull_start > 0 and PART2.train.round_start < 1
    seen = []

    def go_on(task, seed, params, report, max_steps, devices, progress, prefetch, *, stage, min_steps=0):
        seen.append((task, max_steps, stage))
        return params, dataclasses.replace(report, steps=report.steps + 750, converged=True)

    monkeypatch.setattr(training, "go_on", go_on)
    short = training.TrainReport(seed=0, steps=8000, examples=0, seconds=0.0, loss=0.01, exact=0.99, far_exact=None,
                                 converged=False, parameters=1)
    _, after = training.polish(PART2, 0, {}, short, None, None, 0)
    [(task, max_steps, stage)] = seen
    assert after.converged and after.polished == 750 and stage == "polish" and max_steps == PART2.train.polish_steps
    train = task.config.train  # the objective reads its schedules from the config
    assert train is task.train and train.learning_rate == PART2.train.polish_learning_rate
    assert (train.pull_start, train.round_start, train.decisive_start) == (0.0, 0.0, 0.0)
    assert train.pull_ramp == train.round_ramp == ENDED_RAMP
    assert task.config.model == PART2.config.model and task.config.data == PART2.config.data


def test_as_ended_leaves_a_run_that_never_rounds_unrounded():
    from aocnn.nn.config import TrainSection

    ended = TrainSection(pull_start=0.5, decisive_start=0.2, hints_first=0.1).as_ended()
    assert ended.round_start == 1.0 and ended.pull_start == ended.decisive_start == ended.hints_first == 0.0
    from aocnn.nn.task import TrainConfig

    base = TrainConfig(max_steps=7)
    assert base.as_ended() is base  # no schedules outside the family


def test_a_far_sweep_that_finds_a_record_not_exact_leaves_the_attempt_unconverged_and_restarts_it():
    """train.far_sweep: a converged attempt is judged again on fresh records beyond the training range (a stream
    of their own, never trained on); the first attempt's sweep holds one record the toy cannot get right."""
    task = toy_task("toy/part1")

    def far(rng, n):
        batch = task.make_batch(rng, n)
        if rng.bit_generator.seed_seq.entropy == training.FAR_SWEEP_OFFSET:  # seed 0's far sweep
            batch = {**batch, "label": batch["label"].copy()}  # (the toy's label is its digit array)
            batch["label"][0] = (batch["digit"][0] + 1) % 10
        return batch

    task = with_train(dataclasses.replace(task, make_far_batch=far), restarts=1, far_sweep=4096)
    _, report = training.train(task, seed=0)
    assert report.converged and report.attempt_seed == training.RESTART_OFFSET
    [failed] = report.restarts
    assert failed["held_out_exact"] == 1.0 and failed["far_swept"].endswith(": 1 not exact")
    assert report.far_swept == "a sweep of 4,096 fresh records beyond the training range, at training's margin: 0 not exact"
    meta = model.metadata(task, "2099/1", [1], report, jax.devices())
    assert meta["far_swept"] == report.far_swept and meta["restarts"][0]["far_swept"] == failed["far_swept"]
    from aocnn.cli import restart_figures

    assert "(far sweep: not exact)" in restart_figures(report)


def test_many_failed_attempts_are_summed_up_in_one_range_on_the_train_line():
    from aocnn.cli import restart_figures

    failed = tuple({"steps": 2000 + 10 * k, "held_out_exact": k / 100} for k in range(6))
    report = training.TrainReport(seed=0, steps=9500, examples=0, seconds=0.0, loss=0.0, exact=1.0, far_exact=1.0,
                                  converged=True, parameters=1, restarts=failed, attempt_seed=6 * training.RESTART_OFFSET)
    line = restart_figures(report)
    assert "after 6 restart(s) (attempts that ended unconverged: 2,000-2,050 steps at 0.00%-5.00%" in line


def test_a_family_networks_far_sweep_judges_records_as_its_solve_does():
    """2024/2 part 1's shipped network, swept on fresh reports of 20-50 levels as the solve judges them: sure and
    right on every one; with its head zeroed every record is in doubt, and the attempt unconverged."""
    from aocnn.nn import checkpoint
    from solvers.y2024.d02 import PUZZLE

    PART1 = PUZZLE.neural[1]
    params = checkpoint.load(model.weights_path(PART1))[0]
    task = with_train(PART1, far_sweep=4096)
    report = training.TrainReport(seed=0, steps=8000, examples=0, seconds=0.0, loss=0.0, exact=1.0, far_exact=1.0,
                                  converged=True, parameters=1)
    swept = training.far_sweep(task, params, 0, report, False)
    assert swept.converged
    assert swept.far_swept == "a sweep of 4,096 fresh records beyond the training range, as the solve judges them: 0 not exact"
    blind = jax.tree_util.tree_map_with_path(
        lambda path, leaf: np.zeros_like(leaf) if "safe" in jax.tree_util.keystr(path) else leaf, params)
    assert not training.far_sweep(task, blind, 0, report, False).converged
