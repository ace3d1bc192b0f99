"""2023 day 1 neural solver: shipped weights exact, any line length, learned not hand-written."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from aocnn import runner
from aocnn.nn import training
from aocnn.nn.task import TrainConfig
from solvers.y2023 import d01

TEST_SEED = 424242  # not a training seed


@pytest.fixture(scope="module", params=[1, 2])
def network(request):
    return request.param, runner.load_neural(d01.PUZZLE, request.param)


def predicted(network, lines):
    batch = d01.examples(lines, spelled=network.task.name.endswith("2"))
    out = network({"ids": batch["ids"], "lengths": batch["lengths"]})
    return np.argmax(out["first"], -1), np.argmax(out["last"], -1), batch


@pytest.mark.parametrize("min_len,max_len,count", [(1, d01.MAX_TRAIN_LENGTH, 3000), (100, 260, 1000)])
def test_shipped_weights_are_exact_on_fresh_and_on_4x_longer_lines(network, min_len, max_len, count):
    part, net = network
    lines = d01.training_lines(np.random.default_rng(TEST_SEED + max_len), count, part == 2, min_len, max_len)
    first, last, batch = predicted(net, lines)
    wrong = [line for line, ok in zip(lines, (first == batch["first"]) & (last == batch["last"])) if not ok]
    assert wrong == []


def test_hand_picked_lines(network):
    part, net = network
    lines = ["twone", "eightwo", "oneight", "1", "7pqrstsixteen", "zoneight234", "abc9", "5abc", "nin3seve",
             "thre8fiv", "0", "ab0cd", "sevenine", "x" * 500 + "4" + "y" * 500]
    if part == 1:
        lines = [line for line in lines if d01.digit_starts(line, False)]
    first, last, batch = predicted(net, lines)
    assert first.tolist() == batch["first"].tolist() and last.tolist() == batch["last"].tolist()


def test_full_inputs_match_classical_with_crlf_and_trailing_spaces(network):
    part, net = network
    for seed in range(3):
        text = d01.generate_input(TEST_SEED + seed)
        messy = "\r\n".join(line + " " * (i % 3) for i, line in enumerate(text.splitlines())) + "\r\n\r\n"
        answer = net.solve(d01.PUZZLE.records(messy))
        assert answer.answer == d01.PUZZLE.answer(part, text) == d01.PUZZLE.answer(part, messy)
        assert answer.low_confidence <= 3  # of 1000 lines; scripts/measure_2023_01.py reports the rate


def test_a_tiny_config_learns_part_1_on_short_lines():
    task = d01.neural_task(1)
    easy = dataclasses.replace(
        task,
        make_batch=lambda rng, n: d01.examples(d01.training_lines(rng, n, False, 1, 8), False),
        make_far_batch=lambda rng, n: d01.examples(d01.training_lines(rng, n, False, 9, 32), False, 32),
        train=TrainConfig(batch_size=64, learning_rate=1e-2, warmup_steps=10, max_steps=400, eval_every=20,
                          eval_size=512, exact_evals=2),
    )
    _, report = training.train(easy, seed=0)
    assert report.converged and report.examples <= 400 * 64


def test_generator_has_the_real_shape():
    text = d01.generate_input(7)
    lines = text.splitlines()
    assert len(lines) == 1000 and all(2 <= len(line) <= 65 for line in lines)
    assert set("".join(lines)) <= set(d01.LETTERS + "123456789")
    assert d01.generate_input(7) == text != d01.generate_input(8)
    assert sum(any(o in line for o in d01.OVERLAPS) for line in lines) > 50
