"""2015 day 1: classical solvers against an oracle, input checking, generator shape, and the
recurrent neural solvers (a tiny training run, the shipped weights, the CLI)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from itertools import accumulate

import jax
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from aocnn import runner
from aocnn.cli import main
from aocnn.errors import InputError
from aocnn.nn import model as nn_model
from aocnn.nn import training
from aocnn.nn.recurrent import linear_scan, stick_breaking
from aocnn.nn.config import override
from aocnn.nn.task import NeuralAnswer
from solvers.y2015 import d01

def records_of(text: str) -> str:
    return d01.PUZZLE.records(text)


PARENS = st.text(alphabet="()", min_size=1, max_size=300)


def oracle(text: str) -> tuple[int, int | None]:
    """Final floor and first basement position, by a running sum over +-1 values."""
    floors = list(accumulate({"(": 1, ")": -1}[c] for c in text.strip()))
    return floors[-1], next((i for i, f in enumerate(floors, 1) if f == -1), None)


PUZZLE = d01.PUZZLE


def classical(text: str) -> tuple[int, int | None]:
    try:
        second = PUZZLE.answer(2, text)
    except InputError:
        second = None
    return PUZZLE.answer(1, text), second


# --- classical ------------------------------------------------------------------------------

@given(PARENS, st.sampled_from(["", "\n", "\r\n"]))
def test_classical_matches_oracle(line, ending):
    assert classical(line + ending) == oracle(line)


def test_classical_on_generated_inputs():
    for seed in range(20):
        text = d01.generate_input(seed)
        assert classical(text) == oracle(text)


@pytest.mark.parametrize("text, position, char", [("(()x)", 4, "x"), ("( )", 2, " "), ("é(", 1, "é"),
                                                  ("(((]", 4, "]")])
def test_malformed_character_is_named_with_its_position(text, position, char):
    with pytest.raises(InputError, match=re.escape(f"position {position}: unexpected character {char!r}")):
        PUZZLE.records(text)


def test_a_second_line_is_an_error():
    with pytest.raises(InputError, match="line 2: expected one line"):
        PUZZLE.records("((\n))\n")


@pytest.mark.parametrize("text", ["", "\n", "\r\n"])
def test_empty_input_is_an_error(text):
    with pytest.raises(InputError, match="empty input"):
        PUZZLE.records(text)


def test_no_basement_has_no_part_2_answer():
    with pytest.raises(InputError, match="never reaches floor -1"):
        PUZZLE.answer(2, "(()()\n")


# --- generator ------------------------------------------------------------------------------

def test_generated_input_has_the_real_shape():
    for seed in range(10):
        text = d01.generate_input(seed)
        assert text == d01.generate_input(seed)
        assert text.endswith("\n") and len(text.strip()) == 7000 and set(text.strip()) == {"(", ")"}
        floor, first = oracle(text)
        assert 1000 <= first <= 3000
        assert 70 <= floor <= 281


@pytest.mark.parametrize("length", [1, 2, 3, 10, 70_000])
def test_generated_inputs_of_other_lengths_reach_the_basement(length):
    text = d01.generate_input(7, length)
    assert len(text.strip()) == length
    assert oracle(text)[1] is not None


def test_inputs_without_basement_never_go_below_ground():
    for seed in range(5):
        text = d01.generate_input_without_basement(seed)
        floors = np.cumsum([1 if c == "(" else -1 for c in text.strip()])
        assert len(floors) == 7000 and floors.min() >= 0


def walks_of(ids: np.ndarray, lengths: np.ndarray) -> list[str]:
    return ["".join("()"[j] for j in row[:length]) for row, length in zip(ids, lengths)]


@pytest.mark.parametrize("far", [False, True])
def test_part1_examples_agree_with_the_classical_solver(far):
    data = d01.FLOOR_CONFIG.data
    _, inputs, targets = d01.floor_examples(np.random.default_rng(0), 300, data, far)
    lengths = inputs["lengths"]
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    assert lengths.min() >= low and lengths.max() <= high
    walks = walks_of(inputs["ids"] - 1, lengths)
    assert targets["floor"].tolist() == [classical(walk)[0] for walk in walks]


def test_part2_labels_agree_with_the_classical_solver():
    batch = d01.part2_batch(np.random.default_rng(0), 300)
    lengths = batch["mask"].sum(axis=1)
    assert lengths.min() >= 1 and lengths.max() <= d01.TRAIN_LENGTH
    for i, walk in enumerate(walks_of(batch["ids"], lengths)):
        floor, first = classical(walk)
        assert batch["floor"][i] == floor and batch["first"][i] == (d01.TRAIN_LENGTH if first is None else first - 1)
    first = batch["first"]  # every kind of answer is taught: early, late, never
    assert (first == 0).any() and (first > 100).any() and (first == d01.TRAIN_LENGTH).any()


def test_built_walks_first_reach_the_basement_where_drawn_and_zigzags_linger_above_it():
    """`first_basement_walks`, a batch at a time: every even row is built to reach floor -1 (first at an odd
    1-based step, after a balanced path that never went below ground), at positions spread over the walk; rows
    1, 5, 9, ... start with a zigzag "()()..." of even length."""
    ids, mask = d01.first_basement_walks(np.random.default_rng(11), 2000)
    floors = d01.step_floors(ids, mask)
    below = (floors == -1) & mask
    built = below[0::2]
    assert built.any(axis=1).all()
    first = built.argmax(axis=1)  # 0-based: an even index is an odd 1-based step
    assert (first % 2 == 0).all()
    assert all(floors[2 * i, :first[i]].min(initial=0) >= 0 for i in range(len(first)))
    share = (first + 1) / mask[0::2].sum(axis=1)
    assert share.min() < 0.05 and share.max() > 0.95 and 0.4 < share.mean() < 0.6
    zigzags = ids[1::4, :4]  # a zigzag of 4 steps or more is the usual case (its length is uniform up to the walk's)
    assert np.mean((zigzags == [0, 1, 0, 1]).all(axis=1)) > 0.8 > np.mean((ids[3::4, :4] == [0, 1, 0, 1]).all(axis=1))


def test_the_count_attempts_targets_are_the_steps_before_the_basement_or_the_whole_walk():
    _, inputs, targets = d01.count_examples(np.random.default_rng(0), 300, d01.COUNT_CONFIG.data, False)
    walks = walks_of(inputs["ids"] - 1, inputs["lengths"])
    for walk, before in zip(walks, targets["before"]):
        first = classical(walk)[1]
        assert before == (len(walk) if first is None else first - 1)


# --- recurrent layers -----------------------------------------------------------------------

def test_linear_scan_matches_a_step_by_step_loop():
    rng = np.random.default_rng(0)
    drive = rng.normal(size=(2, 600, 3)).astype(np.float32)
    decay = np.array([1.0, 0.9, -0.5], dtype=np.float32)
    state, expected = np.zeros((2, 3)), []
    for t in range(600):
        state = decay * state + drive[:, t]
        expected.append(state)
    np.testing.assert_allclose(linear_scan(decay, drive), np.stack(expected, axis=1), atol=1e-4)


def test_stick_breaking_is_a_distribution_over_first_stops():
    logits = np.array([[-30.0, 30.0, 30.0, -30.0], [-30.0, -30.0, -30.0, -30.0]], dtype=np.float32)
    mask = np.array([[True] * 4, [True, True, False, False]])
    log_first, log_never = stick_breaking(logits, mask)
    p = np.exp(np.concatenate([np.asarray(log_first), np.asarray(log_never)[:, None]], axis=1))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    assert p[0].argmax() == 1 and p[1].argmax() == 4 and p[1, 2:4].sum() == 0


# --- neural: training from scratch ----------------------------------------------------------

def test_part1_trains_from_the_final_floor_alone_to_an_exact_counter():
    task = d01.PART1
    quick = override(task.config, ["data.max_length=50", "data.ood_min_length=51", "data.ood_max_length=400",
                                   "train.eval_size=512", "train.far_size=128"])
    params, report = training.train(task.configure(quick), seed=0)
    assert report.converged, report
    assert integral(params) and np.asarray(params["recurrence0"]["exact_decay_fwd"]).tolist() == [1.0]
    network = nn_model.Model(task, params, meta={"converged": True})
    for seed in range(3):
        text = d01.generate_input(seed)
        assert network.solve(records_of(text)) == NeuralAnswer(PUZZLE.answer(1, text), 0, 1)


def integral(params) -> bool:
    return all(np.array_equal(leaf, np.round(leaf)) for leaf in jax.tree_util.tree_leaves(params))


# --- neural: the shipped weights ------------------------------------------------------------

@pytest.fixture(scope="module")
def networks():
    return {part: runner.load_neural(PUZZLE, part) for part in PUZZLE.neural}


def test_shipped_counters_sit_exactly_on_integers(networks):
    assert integral(networks[1].params) and np.asarray(networks[1].params["recurrence0"]["exact_decay_fwd"]).tolist() == [1.0]
    recurrence = jax.tree_util.tree_map(lambda w: np.clip(w, -1, 1), networks[2].params["LinearRecurrence_0"])
    assert np.asarray(recurrence["decay"]).tolist() == [1.0]
    assert sorted(np.asarray(recurrence["embed"])[:, 0].tolist()) == [-1.0, 1.0]


@pytest.mark.parametrize("part", [1, 2])
def test_shipped_weights_exact_on_training_length_records(networks, part):
    task = networks[part].task
    for make in (task.make_batch, task.make_far_batch):
        _, exact = task.evaluate(networks[part].params, make(np.random.default_rng(12345), 1000))
        assert np.asarray(exact).all()


@pytest.mark.slow
def test_shipped_weights_exact_on_full_inputs(networks):
    for seed in range(100, 130):
        text = d01.generate_input(seed)
        assert networks[1].solve(records_of(text)).answer == PUZZLE.answer(1, text)
        assert networks[2].solve(records_of(text)).answer == PUZZLE.answer(2, text)
    long_text = d01.generate_input(1, 70_000)
    assert networks[1].solve(records_of(long_text)).answer == PUZZLE.answer(1, long_text)
    assert networks[2].solve(records_of(long_text)).answer == PUZZLE.answer(2, long_text)


def test_network_says_when_there_is_no_basement(networks):
    for seed in range(5):
        with pytest.raises(InputError, match="never reaches floor -1"):
            networks[2].solve(records_of(d01.generate_input_without_basement(seed)))


def test_network_is_not_worn_down_by_lingering_above_the_basement(networks):
    """7,000 characters spent on floors 0 and 1, far more than any training walk."""
    assert networks[2].solve(records_of("()" * 3499 + "))")).answer == 6999
    with pytest.raises(InputError, match="never reaches floor -1"):
        networks[2].solve(records_of("()" * 3500))
    assert networks[1].solve(records_of("(" * 7000)).answer == 7000


@pytest.mark.parametrize("part", [1, 2])
def test_neural_path_rejects_malformed_input(networks, part):
    with pytest.raises(InputError, match="position 3: unexpected character 'x'"):
        networks[part].solve(records_of("()x("))


def test_cli_solves_a_file_with_both_solvers(tmp_path):
    path = tmp_path / "input.txt"
    text = d01.generate_input(3).replace("\n", "\r\n")
    path.write_text(text, newline="")
    result = CliRunner().invoke(main, ["solve", "2015", "1", "--input", str(path), "--json"])
    assert result.exit_code == 0, result.output
    parts = json.loads(result.output)["parts"]
    assert parts["1"]["neural"]["answer"] == parts["1"]["classical"]["answer"] == str(PUZZLE.answer(1, text))
    assert parts["2"]["neural"]["answer"] == parts["2"]["classical"]["answer"] == str(PUZZLE.answer(2, text))


@pytest.mark.parametrize("text, message", [("(()x", "position 4: unexpected character 'x'"),
                                           ("(((\n", "never reaches floor -1")])
def test_cli_reports_bad_input_in_one_line(tmp_path, text, message):
    path = tmp_path / "input.txt"
    path.write_text(text)
    result = CliRunner().invoke(main, ["solve", "2015", "1", "--input", str(path)])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
