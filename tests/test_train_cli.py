"""`aocnn train`: trains from scratch, writes weights that `solve` then uses, never replaces good weights with bad."""

from __future__ import annotations

import json
from dataclasses import replace

from click.testing import CliRunner

from aocnn.cli import main
from conftest import toy_puzzle


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_train_writes_weights_that_solve_uses(use_puzzles, tmp_path):
    use_puzzles(toy_puzzle(4, "2099_04/part1"))
    result = invoke("train", "2099", "4", "--seed", "1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "2099 day 4 part 1: exact: held-out 100.0000%" in result.stdout
    meta = json.loads((tmp_path / "2099_04" / "part1" / "meta.json").read_text())
    assert meta["seed"] == 1 and meta["converged"] and meta["held_out_exact"] == 1.0

    solved = invoke("solve", "2099", "4", "--sample", "--part", "1", "--weights", str(tmp_path), "--json")
    assert solved.exit_code == 0, solved.output
    part = json.loads(solved.stdout)["parts"]["1"]
    assert part["neural"]["answer"] == part["classical"]["answer"] and part["agree"] is True


def test_inexact_training_does_not_replace_existing_weights(use_puzzles, tmp_path, monkeypatch):
    from aocnn.nn import model

    use_puzzles(toy_puzzle(5, "2099_05/part1"))
    assert invoke("train", "2099", "5", "--out", str(tmp_path)).exit_code == 0
    good = (tmp_path / "2099_05" / "part1" / "meta.json").read_text()
    monkeypatch.setattr(model, "weights_root", lambda: tmp_path)  # the default destination, as for shipped weights
    result = invoke("train", "2099", "5", "--max-steps", "2")
    assert result.exit_code == 1
    assert "NOT exact, weights not replaced" in result.stdout
    assert (tmp_path / "2099_05" / "part1" / "meta.json").read_text() == good


def test_parts_sharing_one_network_train_it_once(use_puzzles, tmp_path):
    toy = toy_puzzle(6, "2099_06/shared")
    use_puzzles(replace(toy, neural={1: toy.neural[1], 2: toy.neural[1]}))
    result = invoke("train", "2099", "6", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("exact: held-out") == 1 and "part 1 and 2" in result.stdout


def test_train_without_a_neural_solver_is_one_line_exit_2(use_puzzles):
    toy = toy_puzzle(7)
    use_puzzles(replace(toy, neural={}))
    result = invoke("train", "2099", "7")
    assert result.exit_code == 2 and result.stderr.strip() == "aocnn: error: 2099 day 7 has no neural solver to train"


def test_training_one_part_of_a_shared_network_records_every_part_it_serves(use_puzzles, tmp_path):
    toy = toy_puzzle(8, "2099_08/shared")
    use_puzzles(replace(toy, neural={1: toy.neural[1], 2: toy.neural[1]}))
    result = invoke("train", "2099", "8", "--part", "1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "2099_08" / "shared" / "meta.json").read_text())
    assert meta["parts"] == [1, 2]  # part 2 loads these weights too


def test_training_continues_saved_weights_and_records_where_it_started(use_puzzles, tmp_path):
    use_puzzles(toy_puzzle(9, "2099_09/part1"))
    first, second = tmp_path / "first", tmp_path / "second"
    assert invoke("train", "2099", "9", "--seed", "3", "--max-steps", "2", "--out", str(first)).exit_code == 1
    before = json.loads((first / "2099_09" / "part1" / "meta.json").read_text())
    assert before["converged"] is False and before["steps"] == 2

    result = invoke("train", "2099", "9", "--seed", "3", "--continue-from", str(first), "--out", str(second))
    assert result.exit_code == 0, result.output
    after = json.loads((second / "2099_09" / "part1" / "meta.json").read_text())
    assert after["converged"] is True and after["steps"] > 2
    assert after["continued_from"] == {"digest": before["digest"], "steps": 2, "examples_seen": before["examples_seen"]}
    assert after["examples_seen"] > before["examples_seen"]
    history = json.loads((second / "2099_09" / "part1" / "history.json").read_text())
    first_history = json.loads((first / "2099_09" / "part1" / "history.json").read_text())
    assert history[:len(first_history)] == first_history  # the whole run's history, the first part unchanged
    assert [row["step"] for row in history[len(first_history):]][0] > 2


def test_continuing_needs_the_same_seed_and_existing_weights(use_puzzles, tmp_path):
    use_puzzles(toy_puzzle(10, "2099_10/part1"))
    assert invoke("train", "2099", "10", "--seed", "3", "--max-steps", "2", "--out", str(tmp_path)).exit_code == 1
    result = invoke("train", "2099", "10", "--seed", "4", "--continue-from", str(tmp_path), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "continue them with --seed 3" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("train", "2099", "10", "--continue-from", str(empty), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "no trained weights" in result.stderr
