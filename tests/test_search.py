"""`aocnn search`: the space, a trial's score and pruning, each sampler end to end, resuming, errors, --out -> train --config.

The end-to-end tests search 2015/1 part 1 with its network shrunk (SMALL) and 4 steps a trial: each trial is one compile."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import time

import optuna
import pytest
from click.testing import CliRunner

from aocnn import registry, search, search_space
from aocnn.cli import main
from aocnn.nn.config import Config, from_dict
from conftest import COMMANDS

# 2015/1 part 1, shrunk so that a trial is one small compile and a few steps (the search itself is unchanged)
SMALL = ("model.layers=1", "model.width=4", "model.state=1", "model.mlp=0", "model.encoder_mlp=0", "model.window=1",
         "train.batch_size=16", "train.eval_size=64", "train.far_size=32", "train.eval_every=2",
         "data.max_length=12", "data.ood_min_length=13", "data.ood_max_length=24")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def small_search(storage: str, *more: str):
    sets = [a for s in SMALL for a in ("--set", s)]
    return invoke("search", "2015", "1", "--part", "1", "--steps", "4", "--storage", storage, *sets, *more)


def family_tasks():
    return [pytest.param(task, id=task.name) for puzzle in registry.all_puzzles().values()
            for task in dict.fromkeys(puzzle.neural.values()) if task.configure is not None]


@pytest.mark.parametrize("task", family_tasks())
def test_every_shipped_family_config_lies_in_its_search_space(task):
    decisions = search.decisions_of(task)
    assert decisions, task.name
    assert search_space.outside(task.config, decisions) == []


def test_the_space_is_narrowed_by_fixed_fields_missing_fields_and_memory():
    task = registry.get(2015, 1).neural[1]
    fields = [d.field for d in search.decisions_of(task)]
    assert fields[:2] == ["model.layers", "model.width"]  # kinds: all-pairs over 2,000 x 2,000 pairs cannot fit
    assert "model.pairs_hidden" not in fields and "train.round_start" in fields
    fixed = dataclasses.replace(task, search_fixed=("model.window",))
    assert "model.window" not in [d.field for d in search.decisions_of(fixed, ("model.gate=none",))]
    assert "model.gate" not in [d.field for d in search.decisions_of(fixed, ("model.gate=none",))]
    short = search.task_of(search.Search(2015, 1, 1, sets=SMALL))  # records of at most 24 characters: pairs fit
    assert "model.aggregate" in [d.field for d in search.decisions_of(short)]
    outside = dataclasses.replace(task.config, model=dataclasses.replace(task.config.model, width=5))
    assert search_space.outside(outside, search.decisions_of(task)) == [
        "model.width=5 (choices: 2, 4, 8, 16, 24, 32, 48, 64)"]
    with pytest.raises(Exception, match="cannot fix model.vocab"):
        search_space.space(task.config, ("model.vocab",))


def test_score_orders_in_range_then_beyond_then_size_and_steps():
    s = search.score
    assert s(1.0, 0.0, 10, 100, 100) > s(0.999, 1.0, 10, 100, 100)  # in range first
    assert s(1.0, 1.0, 10**6, 100, 100) > s(1.0, 0.99, 10, 10, 100)  # then beyond
    assert s(1.0, 1.0, 10, 100, 100) > s(1.0, 1.0, 1000, 100, 100)  # then size
    assert s(1.0, 1.0, 10, 50, 100) > s(1.0, 1.0, 10, 100, 100)  # then steps
    assert s(0.5, 1.0, 10, 100, 100) < 0.5 + 2e-5  # beyond counts only once in range is exact


def test_a_trial_reports_its_held_out_curve_and_the_pruner_stops_it(tmp_path):
    spec = search.Search(2015, 1, 1, "random", steps=8, sets=SMALL)
    task = search.task_of(spec)
    decisions = search.decisions_of(task, spec.sets)
    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.ThresholdPruner(lower=0.5),
                                sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(search.objective(spec, task, decisions, lambda line: None), n_trials=1)
    trial = study.trials[0]
    assert trial.state == optuna.trial.TrialState.PRUNED  # exactness 0 < 0.5 at the first check (step 2)
    assert list(trial.intermediate_values) == [2] and trial.user_attrs["steps"] == 2


@pytest.mark.parametrize("sampler", search.SAMPLERS)
def test_search_runs_end_to_end(sampler, tmp_path):
    storage = f"sqlite:///{tmp_path / 'studies.sqlite3'}"
    first = small_search(storage, "--sampler", sampler, "--trials", "2", "--pruner", "none", "--json")
    assert first.exit_code == 0, first.output
    result = json.loads(first.stdout)
    assert (result["study"], result["sampler"]) == (f"2015-01-part1-{sampler}-4steps", sampler)
    assert [(t["number"], t["state"], t["steps"]) for t in result["trials"]] == [(0, "complete", 4), (1, "complete", 4)]
    trial = result["trials"][0]
    assert set(trial) >= {"number", "state", "config", "exact", "exact_out_of_range", "parameters", "steps", "seconds"}
    config = from_dict(Config, trial["config"])  # a whole config, with the trial's choices in it
    assert [search_space.value_of(config, f) for f in trial["choices"]] == list(trial["choices"].values())
    assert config.model.width == 4 and trial["parameters"] > 0 and 0.0 <= trial["exact"] <= 1.0
    assert result["best"]["number"] in (0, 1)
    assert first.stderr.count("aocnn: search trial ") >= 2


def test_resuming_adds_trials_and_out_writes_the_best_config_that_train_config_trains(tmp_path):
    storage, best = f"sqlite:///{tmp_path / 's.sqlite3'}", tmp_path / "best.json"
    found = small_search(storage, "--sampler", "random", "--trials", "1", "--seed", "3")
    assert found.exit_code == 0, found.output
    again = small_search(storage, "--sampler", "random", "--trials", "1", "--seed", "3", "--out", str(best))
    assert again.exit_code == 0, again.output
    assert "resuming study '2015-01-part1-random-4steps' (1 trials so far), adding 1" in again.stderr
    assert [line.split()[0] for line in again.stdout.splitlines()[2:4]] == ["0", "1"]  # the table: 2 trials
    written = json.loads(best.read_text())
    assert written["task"] == "2015_01/part1" and written["trial"] in (0, 1)
    trained = invoke("train", "2015", "1", "--part", "1", "--config", str(best), "--max-steps", "2",
                     "--out", str(tmp_path / "weights"))
    assert trained.exit_code == 1, trained.output  # 2 steps: not exact, saved marked so
    meta = json.loads((tmp_path / "weights" / "2015_01" / "part1" / "meta.json").read_text())
    assert meta["config"] == json.loads(json.dumps(to_train_section(written["config"])))


def to_train_section(config: dict) -> dict:
    from aocnn.nn.config import to_dict

    return to_dict(from_dict(Config, config))


def test_resuming_with_other_options_is_one_line(tmp_path):
    storage = f"sqlite:///{tmp_path / 's.sqlite3'}"
    search.open_study(search.Search(2015, 1, 1, "random", steps=4), storage, "mine")
    result = invoke("search", "2015", "1", "--part", "1", "--sampler", "tpe", "--steps", "4", "--storage", storage,
                    "--study", "mine")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("aocnn: error: study 'mine' was run with sampler 'random': "
                                              "pass the same options to resume it, or name another --study")


def test_default_storage_is_in_aocnns_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("AOCNN_DATA_DIR", str(tmp_path / "data"))
    assert search.default_storage() == f"sqlite:///{tmp_path / 'data' / 'search.sqlite3'}"
    search.storage(search.default_storage())
    assert (tmp_path / "data").is_dir()


@pytest.mark.parametrize("args, message", [
    (("2015", "1", "--part", "2"), "2015_01/part2 is a bespoke network: it has no config to search"),
    (("2099", "1", "--part", "1"), "no puzzle registered for 2099 day 1 (registered: "),
    (("2015", "1", "--part", "2"), "2015_01/part2 is a bespoke network: it has no config to search"),
    (("2015", "1", "--part", "1", "--set", "model.nope=1"), "--set model.nope: unknown field 'nope' (known: vocab, "),
    (("2015", "1", "--part", "1", "--storage", "nosuch://x"), "--storage nosuch://x: "),
    (("2015", "1", "--part", "1", "--workers", "0"), "Invalid value for '--workers': 0 is not in the range x>=1."),
    (("2015", "1", "--part", "1", "--sampler", "grid"), "Invalid value for '--sampler': 'grid' is not one of "),
])
def test_bad_arguments_are_one_line_errors(args, message, tmp_path):
    storage = () if "--storage" in args else ("--storage", f"sqlite:///{tmp_path / 's.sqlite3'}")
    result = invoke("search", *args, *storage)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"aocnn: error: {message}"), result.stderr


@pytest.mark.parametrize("content, message", [
    ("nope", "not JSON"),
    ('{"model": {}}', 'expected a JSON object with a "config" object'),
    ('{"task": "2023_01/part1", "config": {}}', "a config for 2023_01/part1, not 2015_01/part1"),
    ('{"config": {"model": {"vocab": 3, "width": 0}}}', "model.width: need >= 1, got 0"),
])
def test_bad_config_files_are_one_line_errors(content, message, tmp_path):
    path = tmp_path / "config.json"
    path.write_text(content)
    result = invoke("train", "2015", "1", "--part", "1", "--config", str(path), "--out", str(tmp_path / "w"))
    assert result.exit_code == 2
    assert result.stderr == f"aocnn: error: --config {path}: {message}\n" or message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_train_config_needs_a_part(tmp_path):
    result = invoke("train", "2015", "1", "--config", str(tmp_path / "c.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith("aocnn: error: --config needs --part")


def test_help_documents_the_options():
    text = invoke("search", "--help").output
    for option in ("--sampler", "--trials", "--steps", "--workers", "--storage", "--study", "--seed", "--out", "--json",
                   "--pruner", "--set", "postgresql://", "reinforce"):
        assert option in text


def test_ctrl_c_marks_the_running_trial_interrupted_and_keeps_it(tmp_path):
    storage = f"sqlite:///{tmp_path / 's.sqlite3'}"
    sets = [a for s in SMALL for a in ("--set", s)]
    process = subprocess.Popen([sys.executable, "-c", COMMANDS["aocnn"], "search", "2015", "1", "--part", "1",
                                "--steps", "100000", "--sampler", "random", "--study", "stopped", "--storage", storage,
                                *sets], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    spec = search.Search(2015, 1, 1, "random", steps=100000, sets=SMALL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:  # until its trial has reported a held-out check
        time.sleep(0.5)
        try:
            trials = search.summary(spec, storage, "stopped")["trials"]
        except Exception:  # the study is not created yet
            continue
        if trials and trials[0]["state"] == "running" and optuna.load_study(
                study_name="stopped", storage=storage).trials[0].intermediate_values:
            break
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"still running 120 s after Ctrl-C: {process.communicate()[1][-3000:]}")
    assert process.returncode == 130 and stderr.endswith("aocnn: interrupted\n"), stderr
    assert [t["state"] for t in search.summary(spec, storage, "stopped")["trials"]] == ["interrupted"]
