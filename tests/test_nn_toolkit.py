"""The shared neural toolkit: training loop, data parallelism, checkpoints, layers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jax
import numpy as np
import pytest

from aocnn.errors import WeightsError
from aocnn.nn import checkpoint, model, training
from aocnn.nn.encode import char_ids, char_table
from aocnn.nn.layers import TransformerEncoder, WindowEmbed, latch
from conftest import toy_task


def test_training_reaches_exactness_and_is_reproducible():
    task = toy_task("toy/part1")
    params_a, report_a = training.train(task, seed=3)
    params_b, report_b = training.train(task, seed=3)
    assert report_a.converged and report_a.exact == 1.0
    assert report_a.steps == report_b.steps and report_a.examples == report_a.steps * task.train.batch_size
    for a, b in zip(jax.tree_util.tree_leaves(params_a), jax.tree_util.tree_leaves(params_b)):
        np.testing.assert_array_equal(a, b)


def test_training_stops_at_max_steps_when_not_exact():
    params, report = training.train(toy_task("toy/part1"), seed=0, max_steps=3)
    assert report.steps == 3 and not report.converged


def test_progress_reports_every_evaluation():
    seen = []
    _, report = training.train(toy_task("toy/part1"), seed=0, max_steps=45, progress=seen.append)
    assert [p.step for p in seen] == [*range(10, report.steps, 10), report.steps]
    assert all(np.isfinite(p.loss) and 0 <= p.exact <= 1 and p.examples_per_s > 0 for p in seen)


def test_checkpoint_round_trip_and_metadata(tmp_path):
    task = toy_task("toy/part1")
    params, report = training.train(task, seed=0)
    path = model.save(task, "2099/1", [1], params, report, jax.local_devices(), tmp_path)
    restored = model.load(task, "2099/1", 1, tmp_path, allow_unconverged=True)
    for a, b in zip(jax.tree_util.tree_leaves(params), jax.tree_util.tree_leaves(restored.params)):
        np.testing.assert_array_equal(a, np.asarray(b))
    meta = json.loads((path / "meta.json").read_text())
    assert meta["seed"] == 0 and meta["steps"] == report.steps and meta["examples_seen"] == report.examples
    assert meta["held_out_exact"] == 1.0 and meta["far_exact"] == 1.0 and meta["architecture"]["module"] == "DigitReader"
    assert (meta["task"], meta["puzzle"], meta["parts"], meta["converged"]) == ("toy/part1", "2099/1", [1], True)
    assert (meta["family"], meta["hints"]) == ("bespoke", []) and meta["digest"].startswith("sha256:")
    assert {"jax", "flax", "optax", "orbax-checkpoint"} <= set(meta["versions"])
    assert not list(tmp_path.rglob("*.pkl")) and not list(tmp_path.rglob("*.pickle"))


def test_a_failed_save_leaves_the_old_checkpoint_whole(tmp_path, monkeypatch):
    task = toy_task("toy/part1")
    params, report = training.train(task, seed=0)
    model.save(task, "2099/1", [1], params, report, jax.local_devices(), tmp_path)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint.json, "dumps", interrupted)  # dies after orbax wrote, before meta.json
    with pytest.raises(KeyboardInterrupt):
        model.save(task, "2099/1", [1], params, report, jax.local_devices(), tmp_path)
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # no half checkpoint, no staging directory left behind


@pytest.mark.parametrize("damage", ["no meta", "bad meta", "no params"])
def test_missing_or_corrupt_weights_are_one_clear_error(tmp_path, damage):
    task = toy_task("toy/part1")
    params, report = training.train(task, seed=0, max_steps=5)
    path = model.save(task, "2099/1", [1], params, report, jax.local_devices(), tmp_path)
    if damage == "no meta":
        (path / "meta.json").unlink()
    elif damage == "bad meta":
        (path / "meta.json").write_text("{not json")
    else:
        for f in (path / "params").rglob("*"):
            if f.is_file():
                f.write_bytes(b"garbage")
    with pytest.raises(WeightsError, match=str(path)):
        model.load(task, "2099/1", 1, tmp_path, allow_unconverged=True)


SHARDED = """
import jax, numpy as np
from aocnn.nn import training
from conftest import toy_task
task = toy_task("toy/part1")
params = training.init_params(task, 0)
batch = task.make_batch(np.random.default_rng(1), 64)
losses = []
for devices in (jax.devices()[:1], jax.devices()):
    parallel = training.DataParallel(devices)
    from flax.training import train_state
    state = train_state.TrainState.create(apply_fn=None, params=parallel.replicate(params),
                                          tx=training.make_optimizer(task, 10))
    sharded = parallel.batch(batch)
    assert len(sharded["digit"].sharding.device_set) == len(devices)
    _, loss, _ = training.make_train_step(task)(state, sharded, np.float32(0.5))
    losses.append(float(loss))
print(len(jax.devices()), losses[0], losses[1])
"""


def test_train_step_is_data_parallel_over_two_devices_with_the_same_loss():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2", "JAX_PLATFORMS": "cpu"}
    out = subprocess.run([sys.executable, "-c", SHARDED], capture_output=True, text=True, env=env,
                         cwd=os.path.dirname(__file__), timeout=120)
    assert out.returncode == 0, out.stderr
    devices, one, two = out.stdout.split()
    assert devices == "2"
    assert float(one) == pytest.approx(float(two), rel=1e-5)


def test_char_ids_pads_after_each_line():
    ids, lengths = char_ids(["ab", "", "cab"], char_table("abc"), multiple=4)
    assert lengths.tolist() == [2, 0, 3]
    assert ids.tolist() == [[1, 2, 0, 0], [0, 0, 0, 0], [3, 1, 2, 0]]


def test_latch_matches_its_recurrence_step_by_step():
    rng = np.random.default_rng(0)
    values, gates = rng.normal(size=(3, 9, 4)), rng.normal(size=(3, 9)) * 3
    lengths = np.array([9, 4, 0])
    for reverse in (False, True):
        out = np.asarray(latch(values, gates, lengths, reverse))
        for b in range(3):
            h = np.zeros(4)
            order = range(lengths[b])[::-1] if reverse else range(lengths[b])
            for t in order:
                z = 1 / (1 + np.exp(-gates[b, t]))
                h = (1 - z) * h + z * values[b, t]
            np.testing.assert_allclose(out[b], h, rtol=1e-5, atol=1e-6)


def test_latch_holds_a_saturated_value_over_any_length():
    values = np.zeros((1, 5000, 2)); gates = np.full((1, 5000), -30.0)
    values[0, 7] = [3.0, -2.0]; gates[0, 7] = 30.0
    np.testing.assert_allclose(np.asarray(latch(values, gates, np.array([5000]))), [[3.0, -2.0]], rtol=1e-6)


def test_window_embed_sees_only_the_window_ahead():
    layer = WindowEmbed(vocab=5, features=3, window=2)
    ids = np.array([[1, 2, 3, 4]])
    params = layer.init(jax.random.PRNGKey(0), ids)
    changed = np.asarray(layer.apply(params, np.array([[1, 2, 3, 1]])) != layer.apply(params, ids)).any(-1)
    assert changed[0].tolist() == [False, False, True, True]  # position i reads i and i+1 only


def test_transformer_encoder_ignores_padding():
    encoder = TransformerEncoder(layers=2, heads=2, head_dim=4, mlp_dim=16)
    x = np.random.default_rng(0).normal(size=(1, 6, 8)).astype(np.float32)
    valid = np.array([[True] * 4 + [False] * 2])
    params = encoder.init(jax.random.PRNGKey(0), x, valid)
    noisy = x.copy(); noisy[0, 4:] = 100.0
    np.testing.assert_allclose(encoder.apply(params, x, valid)[0, :4], encoder.apply(params, noisy, valid)[0, :4], atol=1e-5)


def test_a_diverging_loss_stops_training_with_a_clear_error():
    from dataclasses import replace

    task = toy_task("toy/part1")
    broken = replace(task, loss=lambda out, batch: (task.loss(out, batch)[0] * np.nan, task.loss(out, batch)[1]))
    with pytest.raises(training.TrainingError, match="loss became nan at step 10"):
        training.train(broken, seed=0)


def test_outcomes_tally_exact_low_confidence_and_confidently_wrong_apart():
    from aocnn.nn.measure import Outcomes
    from aocnn.nn.task import NeuralAnswer

    said, sure, truth = np.array([5, 6, 7, 8, 9]), np.array([True, True, False, False, True]), np.array([5, 0, 7, 0, 9])
    tally = Outcomes.of(said, sure, truth)
    assert (tally.right, tally.unsure, tally.wrong, tally.records) == (2, 2, 1, 5)
    assert str(tally + tally) == "4/10 exact, 4 low-confidence, 2 confidently wrong"
    solves = [Outcomes.of_solve(NeuralAnswer(answer, flagged, 1), 42) for answer, flagged in ((42, 0), (42, 1), (41, 0))]
    assert [(o.right, o.unsure, o.wrong) for o in solves] == [(1, 0, 0), (0, 1, 0), (0, 0, 1)]

    class Puzzle:  # records: the text's numbers; the classical answer: their sum
        def records(self, text):
            return [int(word) for word in text.split()]

        def classical(self, part):
            return sum

    class Network:  # says the sum, flagging what holds a 0, and is off by one past 100
        def solve(self, records):
            return NeuralAnswer(sum(records) + (sum(records) > 100), int(0 in records), 1)

    inputs = Outcomes.of_inputs(Network(), Puzzle(), 1, ["1 2", "3 0", "60 50", "4"])
    assert (inputs.right, inputs.unsure, inputs.wrong) == (2, 1, 1)


def test_a_measuring_script_names_its_weights_and_its_sets():
    from pathlib import Path

    from aocnn.nn.measure import script_parser

    parser = script_parser("doc", {"lines": (100, "how many lines"), "inputs": (20, "full inputs")})
    assert vars(parser.parse_args([])) == {"root": None, "allow_unconverged": False, "lines": 100, "inputs": 20}
    args = parser.parse_args(["--root", "/tmp/seed1", "--lines", "7", "--allow-unconverged"])
    assert (args.root, args.lines, args.inputs, args.allow_unconverged) == (Path("/tmp/seed1"), 7, 20, True)
    with pytest.raises(SystemExit):
        parser.parse_args(["--lines", "many"])


def test_outcomes_count_a_sequence_record_right_only_when_every_position_is(monkeypatch):
    """`outcomes` (scripts/seeds.py's solver's view) on a head with a class at every position (2019/1's digits)."""
    from types import SimpleNamespace

    from aocnn.nn import family
    from aocnn.nn.config import DecoderConfig, ModelConfig
    from aocnn.nn.measure import outcomes

    config = ModelConfig(vocab=4, width=4, state=2, mlp=0, decoders=(DecoderConfig("digits", kind="sequence", classes=4),))
    target = np.array([[1, 2, 3], [1, 2, 0], [3, 3, 3], [2, 1, 0]])
    said = target.copy()
    said[1, 2], said[3, 0] = 3, 1  # two records wrong in one position each
    sure = np.array([True, True, True, False])
    monkeypatch.setattr(family, "decode", lambda cfg, out: {"digits": (said, sure)})
    task = SimpleNamespace(config=SimpleNamespace(model=config))
    make = lambda rng, n: {"inputs": {"ids": np.ones((n, 3), np.int32), "lengths": np.full(n, 3, np.int32)},  # noqa: E731
                           "targets": {"digits": target[:n]}}
    tally = outcomes(task, family.init(config, 0), make, 4, 0)
    assert (tally.right, tally.unsure, tally.wrong) == (2, 1, 1)
