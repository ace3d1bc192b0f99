"""The REINFORCE controller as an optuna sampler, on synthetic objectives (no training)."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from aocnn.reinforce import ReinforceSampler, reward

SPACE = {"kind": ["a", "b", "c", "d"], "size": [1, 2, 3], "flag": [True, False]}


def suggest(trial: optuna.Trial) -> dict:
    return {name: trial.suggest_categorical(name, choices) for name, choices in SPACE.items()}


def rewarded(trial: optuna.Trial) -> float:
    """Only kind 'c' is worth anything; size 3 a little more."""
    chosen = suggest(trial)
    return float(chosen["kind"] == "c") + 0.25 * float(chosen["size"] == 3)


def study_with(sampler, objective, n: int) -> optuna.Study:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=n)
    return study


def test_the_policy_moves_toward_the_rewarded_choice():
    sampler = ReinforceSampler(SPACE, seed=0)
    before = sampler.policy.probabilities([0, 0, 0])[0][2]
    study = study_with(sampler, rewarded, 40)
    sampler.catch_up(study.get_trials())
    after = sampler.policy.probabilities([2, 0, 0])[0][2]
    assert 0.15 < before < 0.35 and after > 0.8, (before, after)
    picks = [t.params["kind"] == "c" for t in study.trials]
    assert sum(picks[20:]) > sum(picks[:20])


def test_a_search_is_reproducible_by_seed_and_the_policy_by_history():
    first = study_with(ReinforceSampler(SPACE, seed=3), rewarded, 8)
    second = study_with(ReinforceSampler(SPACE, seed=3), rewarded, 8)
    other = study_with(ReinforceSampler(SPACE, seed=4), rewarded, 8)
    assert [t.params for t in first.trials] == [t.params for t in second.trials]
    assert [t.params for t in first.trials] != [t.params for t in other.trials]
    # a fresh sampler that catches up on the history holds the same policy as the one that lived through it
    lived, fresh = ReinforceSampler(SPACE, seed=3), ReinforceSampler(SPACE, seed=3)
    lived.catch_up(first.trials[:4])
    lived.catch_up(first.trials)
    fresh.catch_up(first.trials)
    np.testing.assert_allclose(lived.policy.probabilities([0, 0, 0]), fresh.policy.probabilities([0, 0, 0]), rtol=1e-5)
    assert lived.policy.seen == fresh.policy.seen == list(range(8))


def test_a_trial_finished_out_of_order_replays_the_history():
    study = study_with(ReinforceSampler(SPACE, seed=1), rewarded, 6)
    trials = study.get_trials()
    sampler = ReinforceSampler(SPACE, seed=1)
    sampler.catch_up([t for t in trials if t.number != 2])  # trial 2 still running on another worker
    assert sampler.policy.seen == [0, 1, 3, 4, 5]
    sampler.catch_up(trials)
    assert sampler.policy.seen == [0, 1, 2, 3, 4, 5]


def test_pruned_trials_reward_their_last_report_and_failed_ones_are_skipped():
    def objective(trial):
        suggest(trial)
        trial.report(0.25, 1)
        trial.report(0.5, 2)
        if trial.number == 0:
            raise optuna.TrialPruned()
        if trial.number == 1:
            raise RuntimeError("a bug")
        return 2.0

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=ReinforceSampler(SPACE, seed=0))
    study.optimize(objective, n_trials=3, catch=(RuntimeError,))
    assert [reward(t) for t in study.trials] == [0.5, None, 2.0]


@pytest.mark.parametrize("name", ["other"])
def test_parameters_outside_the_space_are_sampled_at_random(name):
    def objective(trial):
        suggest(trial)
        return trial.suggest_int(name, 0, 9)

    study = study_with(ReinforceSampler(SPACE, seed=0), objective, 5)
    assert all(0 <= t.params[name] <= 9 for t in study.trials)
