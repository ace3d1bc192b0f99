"""2020 day 2: the classical solver against an oracle, input errors, the generator's shape, and the
shipped family networks (exact on fresh lines in range, on 60-100 letter passwords, on full inputs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2020 import d02

PUZZLE = d02.PUZZLE
TEST_SEED = 626262  # not a training seed


def oracle(line: str) -> tuple[bool, bool]:
    """Both policies of one line, read by splitting on the separators."""
    policy, password = line.split(": ")
    bounds, letter = policy.split(" ")
    lo, hi = (int(b) for b in bounds.split("-"))
    hits = [i + 1 for i, ch in enumerate(password) if ch == letter]
    return lo <= len(hits) <= hi, (lo in hits) ^ (hi in hits)


@st.composite
def policy_lines(draw):
    password = draw(st.text(alphabet="abc", min_size=2, max_size=30))
    lo = draw(st.integers(1, len(password) - 1))
    hi = draw(st.integers(lo + 1, len(password)))
    return f"{lo}-{hi} {draw(st.sampled_from('abcz'))}: {password}"


@given(st.lists(policy_lines(), min_size=1, max_size=30))
def test_classical_matches_an_oracle(rows):
    text = "\n".join(rows) + "\n"
    assert PUZZLE.answer(1, text) == sum(oracle(row)[0] for row in rows)
    assert PUZZLE.answer(2, text) == sum(oracle(row)[1] for row in rows)


def test_worked_example():
    text = "1-3 a: abcde\n1-3 b: cdefg\n2-9 c: ccccccccc\n"
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (2, 1)


@pytest.mark.parametrize("text, message", [
    ("1-3 a: abcde\n1-3 B: cdefg\n", "line 2: expected 'lo-hi c: password' (c and the password lowercase letters): '1-3 B: cdefg'"),
    ("1-3 a abcde\n", "line 1: expected 'lo-hi c: password' (c and the password lowercase letters): '1-3 a abcde'"),
    ("1-3 a: abcde\n\n2-4 b: bbbb\n", "line 2: expected 'lo-hi c: password' (c and the password lowercase letters): ''"),
    ("3-3 a: abcde\n", "line 1: expected 1 <= lo < hi <= the password's length: '3-3 a: abcde'"),
    ("1-6 a: abcde\n", "line 1: expected 1 <= lo < hi <= the password's length: '1-6 a: abcde'"),
    ("0-2 a: abcde\n", "line 1: expected 1 <= lo < hi <= the password's length: '0-2 a: abcde'"),
])
def test_a_malformed_line_is_one_error_naming_it(text, message):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == message


def test_generator_has_the_real_shape():
    text = d02.generate_input(3)
    entries = PUZZLE.records(text)
    assert len(entries) == 1000 and all(4 <= len(e.password) <= 20 and e.hi <= 20 for e in entries)
    assert 300 <= d02.part1(entries) <= 700 and 300 <= d02.part2(entries) <= 700
    assert d02.generate_input(3) == text != d02.generate_input(4)


@pytest.mark.parametrize("lengths, at_end", [((2, 20), 0.25), ((60, 100), 0.5), ((2, 3), 1.0)])
def test_generated_lines_keep_the_policy_rules_and_land_near_their_edges(lengths, at_end):
    entries = d02.random_entries(np.random.default_rng(TEST_SEED), 4000, *lengths, at_end)
    assert all(1 <= e.lo < e.hi <= len(e.password) and lengths[0] <= len(e.password) <= lengths[1] for e in entries)
    assert all(set(e.password) <= set(d02.LETTERS) for e in entries)
    counts = np.array([e.password.count(e.letter) for e in entries])
    assert all(e.lo - 3 <= count <= e.hi + 3 or count in (0, len(e.password)) for e, count in zip(entries, counts))
    at_lo = np.mean([e.password[e.lo - 1] == e.letter for e in entries])
    assert abs(at_lo - at_end) < 0.05 or at_end == 1.0 and at_lo == 1.0
    assert len({len(e.password) for e in entries}) == lengths[1] - lengths[0] + 1


# --- neural: tokens, training data, the shipped weights ----------------------------------------

def test_part_2_marks_lo_and_hi_on_a_third_channel():
    [inputs] = list(d02.encode([d02.Entry(2, 4, "a", "abaaa")], part=2))
    assert inputs["ids"][0, :, 0].tolist() == [1, 2, 1, 1, 1, 0, 0, 0]
    assert inputs["ids"][0, :, 1].tolist() == [1] * 5 + [0] * 3
    assert inputs["ids"][0, :, 2].tolist() == [3, 1, 3, 2, 3, 0, 0, 0]
    assert inputs["lengths"].tolist() == [5] and "scalars" not in inputs


def test_part_1_puts_lo_and_hi_on_a_policy_position_before_the_password():
    [inputs] = list(d02.encode([d02.Entry(2, 4, "b", "abaaa")], part=1))
    assert inputs["ids"][0, :6, 0].tolist() == [d02.POLICY, 1, 2, 1, 1, 1]
    assert inputs["ids"][0, :6, 1].tolist() == [2] * 6
    assert inputs["scalars"][0, :3].tolist() == [[2, 4], [0, 0], [0, 0]] and not inputs["scalars"][0, 1:].any()
    assert inputs["lengths"].tolist() == [6]


@pytest.mark.parametrize("part", [1, 2])
@pytest.mark.parametrize("far", [False, True])
def test_training_targets_agree_with_the_oracle(part, far):
    entries, _, targets = d02.examples(np.random.default_rng(TEST_SEED), 300, d02.config(part).data, far, part)
    lines = [f"{e.lo}-{e.hi} {e.letter}: {e.password}" for e in entries]
    assert targets["valid"].tolist() == [int(oracle(line)[part - 1]) for line in lines]
    low, high = d02.FAR_LENGTHS if far else d02.TRAIN_LENGTHS
    assert all(low <= len(e.password) <= high for e in entries)


def test_only_part_2_has_a_network():
    assert sorted(PUZZLE.neural) == [2]


@pytest.fixture(scope="module")
def network():
    from aocnn import runner

    return runner.load_neural(PUZZLE, 2)


@pytest.mark.parametrize("lengths", [d02.TRAIN_LENGTHS, d02.FAR_LENGTHS])
def test_shipped_part_2_is_exact_on_fresh_lines(network, lengths):
    from aocnn.nn.family import decode

    rng = np.random.default_rng(TEST_SEED + lengths[1])
    entries = d02.random_entries(rng, 3000 if lengths == d02.TRAIN_LENGTHS else 500, *lengths)
    [inputs] = list(d02.encode(entries, part=2))
    said, sure = decode(network.task.config.model, network(inputs))["valid"]
    wrong = [e for e, s, ok in zip(entries, said, sure) if not ok or s != d02.position_valid(e)]
    assert not wrong, f"{len(wrong)} of {len(entries)} lines not exact, e.g. {wrong[0]}"


def test_shipped_part_2_on_a_full_input_and_past_its_range(network):
    entries = PUZZLE.records(d02.generate_input(TEST_SEED))
    result = network.solve(entries)
    assert (result.answer, result.low_confidence) == (d02.part2(entries), 0)
    rng = np.random.default_rng(TEST_SEED)
    past = d02.random_entries(rng, 3, d02.MAX_LENGTH + 1, d02.MAX_LENGTH + 20)
    assert network.solve(entries[:5] + past).low_confidence == 3
