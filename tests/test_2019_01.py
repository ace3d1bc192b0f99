"""2019 day 1: classical solvers against an oracle, input checking, the generator, the digit
transducer (a tiny training run) and the shipped weights, including masses far longer than
any the network trained on."""

from __future__ import annotations

import json
import re

import jax
import jax.numpy as jnp
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
from aocnn.nn.digits import TwoPassTransducer, from_digits, to_digits
from aocnn.nn.task import TrainConfig
from solvers.y2019 import d01

MASSES = st.lists(st.integers(0, 10**15), min_size=1, max_size=40)


def oracle_fuel(mass: int) -> int:
    """Floor division written out as repeated subtraction of 3, on the decimal string's value."""
    quotient, rest = 0, int(str(mass))
    for power in range(len(str(mass)), -1, -1):
        chunk = 3 * 10**power
        while rest >= chunk:
            rest -= chunk
            quotient += 10**power
    return quotient - 2


def oracle(values: list[int]) -> tuple[int, int]:
    first = sum(oracle_fuel(m) for m in values)
    second = 0
    for m in values:
        chain = [oracle_fuel(m)]
        while chain[-1] > 0:
            chain.append(oracle_fuel(chain[-1]))
        second += sum(f for f in chain if f > 0)
    return first, second


def text_of(values: list[int], ending: str = "\n") -> str:
    return ending.join(map(str, values)) + ending


# --- classical ------------------------------------------------------------------------------

def test_puzzle_examples():
    assert [d01.fuel(m) for m in (12, 14, 1969, 100756)] == [2, 2, 654, 33583]
    assert [d01.fuel_for_fuel(m) for m in (14, 1969, 100756)] == [2, 966, 50346]


@given(MASSES, st.sampled_from(["\n", "\r\n"]))
def test_classical_matches_oracle(values, ending):
    text = text_of(values, ending)
    assert (d01.PUZZLE.answer(1, text), d01.PUZZLE.answer(2, text)) == oracle(values)


def test_classical_on_generated_inputs():
    for seed in range(20):
        text = d01.generate_input(seed)
        assert (d01.PUZZLE.answer(1, text), d01.PUZZLE.answer(2, text)) == oracle([int(x) for x in text.split()])


@pytest.mark.parametrize("part", [1, 2])
@pytest.mark.parametrize("text, message", [
    ("12\n-5\n", "line 2: a mass cannot be negative: '-5'"),
    ("12\nabc\n", "line 2: not a mass (expected a whole number): 'abc'"),
    ("12\n\n14\n", "line 2: not a mass"),
    ("1.5\n", "line 1: not a mass"),
    ("", "empty input"),
])
def test_bad_input_is_named_with_its_line(part, text, message):
    with pytest.raises(InputError, match=re.escape(message)):
        d01.PUZZLE.answer(part, text)


# --- generator and training data ------------------------------------------------------------

def test_generated_input_has_the_real_shape():
    for seed in range(10):
        text = d01.generate_input(seed)
        assert text == d01.generate_input(seed) and text.endswith("\n")
        values = [int(x) for x in text.split()]
        assert len(values) == 100 and 50_000 <= min(values) and max(values) < 150_000


def test_training_labels_agree_with_the_classical_fuel():
    rng = np.random.default_rng(0)
    widths = set()
    for _ in range(20):
        batch = d01.make_batch(rng, 500)
        width = batch["digits"].shape[1]
        widths.add(width)
        assert width <= d01.TRAIN_WIDTH
        for digits, symbols, label in zip(from_digits(batch["digits"]), from_digits(batch["symbols"]), batch["label"]):
            expected = oracle_fuel(int(digits))
            assert symbols == expected % 10**width
            assert label == (d01.NEGATIVE if expected < 0 else d01.ZERO if expected == 0 else d01.POSITIVE)
    assert widths == {1, 2, 3, 4}
    masses = d01.training_masses(rng, 20_000)
    assert masses.max() <= 9999 and {6, 7, 8, 3000, 3008} <= set(masses.tolist())


@given(st.lists(st.integers(0, 10**25), min_size=1, max_size=5))
def test_digit_ids_round_trip(values):
    width = max(len(str(v)) for v in values)
    assert from_digits(to_digits(np.array(values, dtype=object), width)).tolist() == values


# --- neural: the transducer and a tiny training run -----------------------------------------

def test_transducer_outputs_are_distributions_at_any_length():
    model = TwoPassTransducer(forward_states=3, backward_states=2)
    digits = np.random.default_rng(0).integers(0, 10, (5, 7)).astype(np.int32)
    params = model.init(jax.random.PRNGKey(0), {"digits": digits})
    apply = jax.jit(model.apply)
    for width in (1, 40):
        out = apply(params, {"digits": digits[:, :1].repeat(width, 1)})
        assert out["symbols"].shape == (5, width, 10) and out["label"].shape == (5, 3)
        np.testing.assert_allclose(jnp.exp(out["symbols"]).sum(-1), 1.0, atol=1e-4)
        np.testing.assert_allclose(jnp.exp(out["label"]).sum(-1), 1.0, atol=1e-4)


def test_training_counts_a_right_but_soft_example_as_not_exact():
    """Early stopping must not accept soft tables: right but unsure is not exact."""
    symbols = np.array([[3, 1]], dtype=np.int32)
    batch = {"symbols": symbols, "label": np.array([d01.POSITIVE], dtype=np.int32)}

    def outputs(p_symbol):
        sure = jnp.log(jnp.full((1, 2, 10), 1e-4).at[0, jnp.arange(2), symbols[0]].set(1 - 9e-4))
        soft = sure.at[0, 1].set(jnp.log(jnp.full(10, (1 - p_symbol) / 9).at[1].set(p_symbol)))
        return {"symbols": soft, "label": jnp.log(jnp.array([[1e-3, 1e-3, 1 - 2e-3]]))}

    for p_symbol, exact in ((0.6, False), (d01.CONFIDENT - 0.01, False), (d01.CONFIDENT + 0.01, True)):
        assert bool(d01.FUEL.loss(outputs(p_symbol), batch)[1][0]) == exact, p_symbol


@pytest.mark.slow
def test_fuel_network_trains_from_scratch():
    # the shipped recipe as it is: one exact held-out set is not enough evidence to stop on
    task = d01.FUEL
    params, report = training.train(task, seed=d01.SHIPPED_SEED)
    assert report.converged, report
    network = nn_model.Model(task, params)
    text = d01.generate_input(3)
    assert network.solve(d01.PUZZLE.records(text)).answer == d01.PUZZLE.answer(1, text)


# --- neural: the shipped weights ------------------------------------------------------------

@pytest.fixture(scope="module")
def network():
    return runner.load_neural(d01.PUZZLE, 1)


def test_both_parts_share_one_checkpoint():
    assert d01.PUZZLE.neural[1].name == d01.PUZZLE.neural[2].name == "2019_01/fuel"


def fuel_exact(network, values, width):
    batch = d01.fuel_example(np.array(values, dtype=object), width)
    digits, sign, unsure = d01.run_fuel(network, batch["digits"])
    return (digits == batch["symbols"]).all(1) & (sign == batch["label"]), unsure


def test_shipped_weights_exact_on_every_training_mass(network):
    exact, unsure = fuel_exact(network, np.arange(0, 10_000), 4)
    assert exact.all() and not unsure.any()


@pytest.mark.parametrize("width", [5, 6, 7, 9, 12, 20])
def test_shipped_weights_exact_on_masses_longer_than_training(network, width):
    rng = np.random.default_rng(width)
    values = [int("".join(map(str, [rng.integers(1, 10), *rng.integers(0, 10, width - 1)]))) for _ in range(1000)]
    values += [3 * 10 ** (width - 1) + r for r in range(9)]  # borrow through every digit
    exact, _ = fuel_exact(network, values, width)
    assert exact.all()


def test_small_masses_padded_far_beyond_training(network):
    exact, _ = fuel_exact(network, np.arange(0, 100), 16)
    assert exact.all()


def test_shipped_weights_solve_generated_inputs(network):
    for seed in range(100, 120):
        text = d01.generate_input(seed)
        assert d01.solve_part1(network, d01.PUZZLE.records(text)).answer == d01.PUZZLE.answer(1, text)
        assert d01.solve_part2(network, d01.PUZZLE.records(text)).answer == d01.PUZZLE.answer(2, text)


def test_part2_stops_on_the_networks_sign(network):
    text = "0\n5\n6\n8\n9\n14\n1969\n100756\n123456789012\n"
    assert d01.solve_part1(network, d01.PUZZLE.records(text)).answer == d01.PUZZLE.answer(1, text)
    assert d01.solve_part2(network, d01.PUZZLE.records(text)).answer == d01.PUZZLE.answer(2, text)


def test_neural_path_rejects_bad_input(network):
    with pytest.raises(InputError, match="line 3: a mass cannot be negative"):
        d01.solve_part2(network, d01.PUZZLE.records("12\n14\n-3\n"))


def test_cli_solves_a_file_with_both_solvers(tmp_path):
    path = tmp_path / "input.txt"
    text = d01.generate_input(5).replace("\n", "\r\n")
    path.write_text(text, newline="")
    result = CliRunner().invoke(main, ["solve", "2019", "1", "--input", str(path), "--json"])
    assert result.exit_code == 0, result.output
    parts = json.loads(result.output)["parts"]
    assert parts["1"]["neural"]["answer"] == parts["1"]["classical"]["answer"] == str(d01.PUZZLE.answer(1, text))
    assert parts["2"]["neural"]["answer"] == parts["2"]["classical"]["answer"] == str(d01.PUZZLE.answer(2, text))


def test_cli_reports_bad_input_in_one_line(tmp_path):
    path = tmp_path / "input.txt"
    path.write_text("100\nten\n")
    result = CliRunner().invoke(main, ["solve", "2019", "1", "--input", str(path)])
    assert result.exit_code == 2
    assert "line 2: not a mass" in result.output and "Traceback" not in result.output
