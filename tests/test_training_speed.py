"""What training and solving compile, and the data producer thread: nothing compiled twice, the
same run with the thread as without it. Counts, never timings (speed lives in scripts/speed_*.py)."""

from __future__ import annotations

import dataclasses
import threading

import jax
import numpy as np
import pytest

from aocnn import registry, runner
from aocnn.nn import model as nn_model
from aocnn.nn import training
from aocnn.nn.compiles import compilations
from aocnn.nn.config import DataConfig, override
from conftest import toy_task


def tiny_2023_01(part: int = 1, steps: int = 9):
    task = registry.get(2023, 1).neural[part] if part == 1 else None
    tiny = override(task.config, ["model.width=8", "model.state=4", "model.encoder_mlp=8", "train.warmup_steps=2",
                                  f"train.max_steps={steps}", "train.eval_every=3", "train.eval_size=64",
                                  "train.far_size=32", "train.batch_size=16"])
    tiny = dataclasses.replace(tiny, data=DataConfig(min_length=1, max_length=20, ood_min_length=21, ood_max_length=40))
    return task.configure(tiny)


def same_params(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)))


# --- compilations ---------------------------------------------------------------------------

RUN_PROGRAMS = {"jit(init)", "jit(create_state)", "jit(train_step)", "jit(eval_step)", "jit(schedule)"}
FAMILY_PARTS = [pytest.param(key, part, id=f"{key[0]}_{key[1]:02d}-part{part}")
                for key, puzzle in sorted(registry.all_puzzles().items())
                for part, task in sorted(puzzle.neural.items()) if task.configure is not None]


@pytest.mark.parametrize("key, part", FAMILY_PARTS)
def test_every_registered_family_recipe_compiles_its_step_once(key, part):
    """The shipped recipe's own generators (a few steps of it): batches of records of any size in one
    padded shape, so the train step compiles once per run (2021/1 and 2022/4 once compiled it per width)."""
    task = registry.get(*key).neural[part]
    # one attempt (a restart, train.restarts, is a run of its own and compiles its step again)
    few = task.configure(override(task.config, ["train.max_steps=8", "train.eval_every=4", "train.eval_size=16",
                                                "train.far_size=8", "train.warmup_steps=2", "train.restarts=0"]))
    with compilations() as seen:
        training.train(few, seed=0)
    assert seen.count("train_step") == 1, seen.programs
    assert seen.count("eval_step") <= 2, seen.programs  # one shape in range, one beyond
    assert seen.count("init") == 1, seen.programs
    # and nothing op by op: the optimizer state and the schedule's rate are one program each, not one per operation
    assert set(seen.programs) <= RUN_PROGRAMS, seen.programs


@pytest.mark.parametrize("year, day", [(2021, 1), (2022, 4)])
def test_padding_training_batches_to_one_width_changes_no_output(year, day):
    """What made those steps compile once: records right-padded to the range's widest, lengths unchanged.
    The shipped network answers bit for bit the same on the padded and the unpadded batch."""
    task = registry.get(year, day).neural[1]
    network, _ = runner.Networks().get(registry.get(year, day), 1)
    rng = np.random.default_rng(3)
    for _ in range(3):
        inputs = task.make_batch(rng, 64)["inputs"]
        width = int(inputs["lengths"].max())
        assert inputs["ids"].shape[1] == task.config.data.max_length >= width
        unpadded = {name: value if name == "lengths" else value[:, :width] for name, value in inputs.items()}
        padded, plain = network(inputs), network(unpadded)
        for name in padded:
            assert np.array_equal(np.asarray(padded[name]), np.asarray(plain[name])), name


def test_a_bespoke_training_run_compiles_its_step_once():
    with compilations() as seen:
        training.train(toy_task("toy/part1"), seed=0, max_steps=25)
    assert seen.count("train_step") == 1 and seen.count("eval_step") <= 2, seen.programs  # held-out sets of two sizes
    assert set(seen.programs) <= RUN_PROGRAMS, seen.programs


@pytest.mark.parametrize("year, day, part", [(2021, 1, 1), (2023, 1, 2), (2024, 2, 1), (2015, 1, 2)])
def test_initialisation_compiled_with_less_optimisation_gives_the_same_parameters(year, day, part):
    """init_params compiles its one program with INIT_COMPILER_OPTIONS (faster to compile): bit for bit what
    the default optimisation gives, so a seed's run is the run it always was (checked for all 29 parts x 3 seeds
    when it was introduced; here a few, exact channels and truncated normals included)."""
    task = registry.get(year, day).neural[part]
    for seed in (0, 5):
        inputs = task.make_batch(np.random.default_rng(seed), 2)
        inputs = inputs["inputs"] if task.objective is not None else inputs
        default = jax.jit(task.model.init)(jax.random.PRNGKey(seed), inputs)["params"]
        ours = training.init_params(task, seed)
        assert jax.tree_util.tree_structure(ours) == jax.tree_util.tree_structure(default)
        assert same_params(ours, default)


@pytest.mark.parametrize("year, day, networks", [(2022, 4, 2), (2023, 1, 1), (2023, 9, 1)])
def test_solving_both_parts_compiles_one_forward_per_network(year, day, networks):
    """2022/4's parts run two architectures (their heads differ); 2023/1's parts one architecture with two
    sets of weights, and 2023/9's one network: one compiled forward each, however often they are solved."""
    puzzle = registry.get(year, day)
    records = puzzle.records(puzzle.generate_input(5))
    nn_model._FORWARDS.clear()  # as in a fresh process
    with compilations() as seen:
        loaded = runner.Networks()
        for part in (1, 2):
            runner.run_neural(puzzle, part, records, loaded)  # a first solve and the warm ones
    assert seen.count("forward") == networks, seen.programs


# --- the data producer thread ---------------------------------------------------------------

@pytest.mark.parametrize("make_task", [lambda: toy_task("toy/part1"), lambda: tiny_2023_01(steps=12)], ids=["toy", "2023_01"])
def test_the_producer_thread_changes_nothing_in_the_run(make_task):
    params_loop, report_loop = training.train(make_task(), seed=4, prefetch=0)
    params_thread, report_thread = training.train(make_task(), seed=4, prefetch=2)
    assert same_params(params_loop, params_thread)
    assert (report_loop.steps, report_loop.exact, report_loop.far_exact, report_loop.loss) == (
        report_thread.steps, report_thread.exact, report_thread.far_exact, report_thread.loss)


def test_producer_gives_items_in_order_and_raises_what_make_raised():
    rng = np.random.default_rng(0)
    expected = np.random.default_rng(0).integers(0, 1000, 20).tolist()
    calls = iter(range(21))

    def make():
        if next(calls) == 20:
            raise ValueError("generator broke")
        return int(rng.integers(0, 1000))

    with training.Producer(make, ahead=3) as producer:
        assert [next(producer) for _ in range(20)] == expected
        with pytest.raises(ValueError, match="generator broke"):
            next(producer)


def test_producer_makes_at_most_ahead_and_stops_on_close():
    made = []
    producer = training.Producer(lambda: made.append(1) or len(made), ahead=2)
    assert next(producer) == 1
    producer.close()
    assert not producer._thread.is_alive() and len(made) <= 3
    assert not [t for t in threading.enumerate() if t.name == "aocnn-data"]


def test_an_error_in_the_generator_stops_training_with_it():
    task = toy_task("toy/part1")
    seen = []

    def broken(rng, n):
        seen.append(n)
        if len(seen) > 5:
            raise RuntimeError("generator broke")
        return task.make_batch(rng, n)

    with pytest.raises(RuntimeError, match="generator broke"):
        training.train(dataclasses.replace(task, make_batch=broken), seed=0)
    assert not [t for t in threading.enumerate() if t.name.startswith("aocnn-") and t.is_alive()]
