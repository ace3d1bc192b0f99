"""2019 day 1: classical solvers against an oracle, input checking, the training examples, and the
shipped family network: exact on every mass below 100,000 and on masses up to 12 digits, flagged
beyond."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from aocnn import runner
from aocnn.cli import main
from aocnn.errors import InputError
from aocnn.nn import model as nn_model
from aocnn.nn.encode import digit_ids, digits_value
from aocnn.nn.family import decode
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


def written_fuel(digits: np.ndarray, sign: int, places: int) -> int:
    value = int("".join(map(str, digits[:places])))
    return value - 10**places if sign == d01.NEGATIVE else (0 if sign == d01.ZERO else value)


@pytest.mark.parametrize("far", [False, True])
def test_training_examples_agree_with_the_oracle(far):
    data = d01.CONFIG.data
    masses, inputs, targets = d01.examples(np.random.default_rng(int(far)), 3000, data, far)
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    places = [len(str(int(m))) for m in masses]
    assert min(places) == low and max(places) == high and inputs["ids"].shape[1] % 4 == 0
    assert inputs["lengths"].tolist() == places
    for mass, digits, sign, n in zip(masses, targets["fuel"], targets["sign"], places):
        assert written_fuel(digits, sign, n) == oracle_fuel(int(mass))
    if not far:  # the edge cases: fuel exactly zero, negative, borrows through a run of zeros
        assert {0, 1, 2} <= set(targets["sign"].tolist())
        assert any(str(int(m) // 3).endswith("000") for m in masses)


@given(st.lists(st.integers(0, 10**25), min_size=1, max_size=5))
def test_digit_ids_round_trip(values):
    ids, lengths = digit_ids(values)
    assert digits_value(ids - 1, lengths) == values


# --- neural: the shipped weights ------------------------------------------------------------

@pytest.fixture(scope="module")
def network():
    return runner.load_neural(d01.PUZZLE, 1)


def test_both_parts_share_one_family_checkpoint():
    assert d01.PUZZLE.neural[1].name == d01.PUZZLE.neural[2].name == "2019_01/fuel"
    meta = json.loads((nn_model.weights_root() / "2019_01" / "fuel" / "meta.json").read_text())
    assert meta["family"] == "aocnn-family-v1" and meta["hints"] == [] and meta["converged"]


def fuel_of(network, masses):
    """Per mass: the network's fuel and whether it is sure."""
    values, sure = [], []
    for chunk in d01.encode(masses):
        done = len(values)
        more, more_sure = d01.combine(decode(d01.CONFIG.model, network(chunk)), masses[done:done + len(chunk["lengths"])])
        values += list(more)
        sure += list(more_sure)
    return values, np.array(sure)


def test_shipped_weights_exact_on_every_mass_below_100000(network):
    masses = list(range(100_000))
    values, sure = fuel_of(network, masses)
    assert sure.all() and values == [oracle_fuel(m) for m in masses]


@pytest.mark.parametrize("places", [6, 8, 10, 12])
def test_shipped_weights_exact_on_long_masses_and_borrow_chains(network, places):
    rng = np.random.default_rng(places)
    masses = [int(rng.integers(10 ** (places - 1), 10**places)) for _ in range(1000)]
    masses += [3 * 10 ** (places - 1) + r for r in range(9)]  # borrow through every digit
    values, sure = fuel_of(network, masses)
    assert sure.all() and values == [oracle_fuel(m) for m in masses]


def test_the_network_is_not_confidently_wrong_just_past_its_declared_range(network):
    rng = np.random.default_rng(13)
    masses = [int("".join(map(str, [rng.integers(1, 10), *rng.integers(0, 10, 13)]))) for _ in range(500)]
    values, sure = fuel_of(network, masses)
    assert not np.any(sure & np.array([v != oracle_fuel(m) for v, m in zip(values, masses)]))


@pytest.mark.parametrize("places", [13, 16, 24])
def test_masses_past_the_declared_range_are_always_flagged(network, places):
    rng = np.random.default_rng(places)
    masses = [int("".join(map(str, [rng.integers(1, 10), *rng.integers(0, 10, places - 1)]))) for _ in range(200)]
    text = "".join(f"{m}\n" for m in masses) + "100756\n"
    records = d01.PUZZLE.records(text)
    for part in (1, 2):
        assert d01.PUZZLE.neural[part].solve(network, records).low_confidence == len(masses)


def test_shipped_weights_solve_generated_inputs(network):
    for seed in range(100, 120):
        text = d01.generate_input(seed)
        records = d01.PUZZLE.records(text)
        for part in (1, 2):
            answer = d01.PUZZLE.neural[part].solve(network, records)
            assert (answer.answer, answer.low_confidence) == (d01.PUZZLE.answer(part, text), 0)


def test_part2_stops_on_the_networks_sign(network):
    text = "0\n5\n6\n8\n9\n14\n1969\n100756\n1234567890\n"
    records = d01.PUZZLE.records(text)
    for part in (1, 2):
        answer = d01.PUZZLE.neural[part].solve(network, records)
        assert (answer.answer, answer.low_confidence) == (d01.PUZZLE.answer(part, text), 0)


def test_neural_path_rejects_bad_input(network):
    with pytest.raises(InputError, match="line 3: a mass cannot be negative"):
        d01.PUZZLE.neural[2].solve(network, d01.PUZZLE.records("12\n14\n-3\n"))


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
