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
