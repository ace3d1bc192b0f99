"""aocnn as advent-of-code-data's `adventofcode.user` plugin, in-process and through the real `aoc`."""

from __future__ import annotations

import re
from importlib.metadata import entry_points

import pytest

from aocnn import plugin, registry
from aocnn.errors import AocnnError, WeightsError
from conftest import FAKE_TOKEN, run_command, toy_digits, toy_puzzle

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_entry_point_is_declared():
    [ep] = [ep for ep in entry_points(group="adventofcode.user") if ep.name == "aocnn"]
    assert ep.value == "aocnn.plugin:solve" and ep.load() is plugin.solve


def test_real_aoc_runner_marks_both_parts_correct(aocd_cache, tmp_path):
    puzzle = registry.get(2023, 1)
    text = puzzle.generate_input(11)
    expected = str(puzzle.answer(1, text)), str(puzzle.answer(2, text))
    aocd_cache.plant(2023, 1, text, answers=expected, title=puzzle.title)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()  # aocd runs plugins in a temp dir; we start from an unrelated one too
    result = run_command("aoc", "-p", "aocnn", "-y", "2023", "-d", "1", "-s", "-t", "200",
                         env={"AOC_SESSION": FAKE_TOKEN}, cwd=elsewhere)
    out = ANSI.sub("", result.stdout)
    assert result.returncode == 0, (out, result.stderr)
    [line] = [line for line in out.splitlines() if "2023/1" in line]
    assert "Trebuchet?!" in line and "aocnn/default" in line
    assert f"✔ part a: {expected[0]}" in line
    assert f"✔ part b: {expected[1]}" in line
    assert "✖" not in line and "?" not in line.split("aocnn/default")[1]


@pytest.fixture
def toys(use_puzzles, toy_weights, monkeypatch):
    """A toy whose classical part 1 is off by one: the answer shows which solver gave it."""
    monkeypatch.setenv("AOCNN_WEIGHTS", str(toy_weights))
    use_puzzles(toy_puzzle(1, part1=lambda digits: sum(digits) + 1), toy_puzzle(3, "2099_03/part1"))


def test_neural_where_there_is_one_classical_otherwise(toys):
    assert plugin.solve(year=2099, day=1, data="2\n5\n") == ("7", "14")  # part 1 neural, part 2 classical


def test_classical_on_request(toys, monkeypatch):
    monkeypatch.setenv("AOCNN_SOLVER", "classical")
    assert plugin.solve(year=2099, day=1, data="2\n5\n") == ("8", "14")


def test_missing_weights_fall_back_to_classical_and_say_so(toys, capsys):
    assert plugin.solve(year=2099, day=3, data="2\n5\n") == ("7", "14")
    assert "2099/3 part 1: classical solver used: no trained weights" in capsys.readouterr().err


def test_missing_weights_are_an_error_when_neural_is_required(toys, monkeypatch):
    monkeypatch.setenv("AOCNN_SOLVER", "neural")
    with pytest.raises(WeightsError):
        plugin.solve(year=2099, day=3, data="2\n")
    with pytest.raises(AocnnError, match="part 2 has no neural solver"):
        plugin.solve(year=2099, day=1, data="2\n")


def test_unknown_setting_is_an_error(toys, monkeypatch):
    monkeypatch.setenv("AOCNN_SOLVER", "fastest")
    with pytest.raises(AocnnError, match="AOCNN_SOLVER='fastest'"):
        plugin.solve(year=2099, day=1, data="2\n")


def test_unregistered_day_returns_aocds_non_answers(toys):
    assert plugin.solve(year=2015, day=25, data="x") == (None, None)


def test_independent_of_the_working_directory(toys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert plugin.solve(year=2099, day=1, data="9\n") == ("9", "18")


@pytest.fixture
def unsure_network(monkeypatch):
    """Every neural answer comes with one low-confidence record."""
    from aocnn.nn import model
    from aocnn.nn.task import NeuralAnswer

    solve = model.Model.solve
    monkeypatch.setattr(model.Model, "solve", lambda self, records: NeuralAnswer(solve(self, records).answer, 1, 2))


def test_an_unsure_neural_answer_is_never_submitted_in_auto_mode(toys, unsure_network, capsys):
    assert plugin.solve(year=2099, day=1, data="2\n5\n") == ("8", "14")  # the classical (off by one) answer
    assert "2099/1 part 1: 1 low-confidence records: classical solver used" in capsys.readouterr().err


def test_an_unsure_neural_answer_is_kept_with_a_warning_when_neural_is_required(toys, unsure_network, toy_weights, capsys):
    puzzle = registry.all_puzzles()[(2099, 1)]
    assert plugin.answer(puzzle, 1, [2, 5], "neural", plugin.runner.Networks(None, toy_weights)) == "7"
    assert "1 low-confidence records; the neural answer may be wrong" in capsys.readouterr().err
