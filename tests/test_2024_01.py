"""2024 day 1: the classical parts against an oracle (duplicates tested hard), input errors naming
the line, and the generator's shape (the real one and 10,000 lines of 9 digits)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2024 import d01

PUZZLE = d01.PUZZLE


def oracle(text: str) -> tuple[int, int]:
    """Part 1 by repeatedly taking out the smallest of each list (no sort); part 2 by counting
    equal pairs over all left-right combinations."""
    left, right = [], []
    for row in text.splitlines():
        a, b = row.split()
        left.append(int(a))
        right.append(int(b))
    distance = 0
    rest_left, rest_right = list(left), list(right)
    while rest_left:
        a, b = min(rest_left), min(rest_right)
        rest_left.remove(a)
        rest_right.remove(b)
        distance += abs(a - b)
    similarity = sum(a for a in left for b in right if a == b)
    return distance, similarity


PAIRS = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=40)


@given(PAIRS, st.sampled_from([" ", "   "]))
def test_classical_matches_oracle(pairs, gap):
    text = "".join(f"{a}{gap}{b}\n" for a, b in pairs)
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


@given(st.lists(st.integers(10**8, 10**8 + 3), min_size=2, max_size=30).flatmap(
    lambda left: st.tuples(st.just(left), st.permutations(left))))
def test_a_permuted_copy_is_at_distance_zero(lists):
    left, right = lists  # many duplicates on both sides: ties must pair up with ties
    text = "".join(f"{a}   {b}\n" for a, b in zip(left, right))
    assert PUZZLE.answer(1, text) == 0
    assert PUZZLE.answer(2, text) == sum(a * c * c for a, c in Counter(left).items())


def test_an_example_of_our_own():
    text = "5   4\n1   5\n9   5\n4   8\n"  # sorted: 1 4 5 9 / 4 5 5 8
    assert PUZZLE.answer(1, text) == 3 + 1 + 0 + 1
    assert PUZZLE.answer(2, text) == 5 * 2 + 4 * 1


@pytest.mark.parametrize("text, message", [
    ("1   2\n3\n", "line 2: expected two whole numbers separated by spaces: '3'"),
    ("1   2\n\n3   4\n", "line 2: expected two whole numbers separated by spaces: ''"),
    ("1   2   3\n", "line 1: expected two whole numbers separated by spaces: '1   2   3'"),
    ("1\t2\n", "line 1: expected two whole numbers separated by spaces: '1\\t2'"),
    ("1   -2\n", "line 1: expected two whole numbers separated by spaces: '1   -2'"),
    ("  1   2\n", "line 1: expected two whole numbers separated by spaces: '  1   2'"),
    ("1,2\n", "line 1: expected two whole numbers separated by spaces: '1,2'"),
])
def test_a_malformed_line_is_one_error_naming_it(text, message):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == message


def test_crlf_and_no_final_newline_read_the_same():
    text = d01.generate_input(9)
    assert PUZZLE.records(text.replace("\n", "\r\n").rstrip()) == PUZZLE.records(text)


def test_generated_input_has_the_real_shape():
    for seed in range(6):
        text = d01.generate_input(seed)
        assert text == d01.generate_input(seed) != d01.generate_input(seed + 1)
        rows = text.splitlines()
        assert len(rows) == 1000 and all(len(row) == 13 and row[5:8] == "   " for row in rows)
        left, right = zip(*PUZZLE.records(text))
        assert min(left + right) >= 10_000 and max(left + right) <= 99_999
        counts = Counter(right)
        assert len(set(left)) == 1000 and max(counts.values()) <= 20 and len(counts) < 800
        shared = set(left) & set(right)
        assert 30 <= len(shared) <= 50
        assert any(c > 1 for v, c in counts.items() if v not in shared)  # repeating is no sign of being shared
        assert {counts[v] for v in shared} > {1, 20}
        assert 10**7 < d01.part2(PUZZLE.records(text)) < 4 * 10**7


def test_out_of_range_size():
    pairs = PUZZLE.records(d01.generate_input(3, n_lines=10_000, digits=9))
    left, right = zip(*pairs)
    assert len(pairs) == 10_000 and min(left + right) >= 10**8 and max(left + right) < 10**9
    assert len(set(left)) == 10_000 and 300 < len(set(left) & set(right)) < 500


# --- neural, part 2 ----------------------------------------------------------------------------

def test_part2_encodes_each_number_with_its_list_and_nine_places():
    [inputs] = list(d01.encode_part2([(5, 123456789), (40, 7)]))
    assert inputs["ids"].shape == (1, 16, 10) and inputs["lengths"].tolist() == [4]
    assert inputs["ids"][0, :5, 0].tolist() == [1, 2, 1, 2, 0]  # left, right, left, right, padding
    assert inputs["ids"][0, 0, 1:].tolist() == [1] * 8 + [6]  # 5: eight zeros then a 5, each digit + 1
    assert inputs["ids"][0, 1, 1:].tolist() == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert inputs["ids"][0, 2, 1:].tolist() == [1] * 7 + [5, 1]


@given(st.integers(0, 2**32))
def test_generated_lists_keep_the_promise_and_targets_sum_to_part_2(seed):
    rng = np.random.default_rng(seed)
    pairs = d01.random_lists(rng, int(rng.integers(8, 49)))
    left, right = zip(*pairs)
    assert len(set(left)) == len(left) and max(left + right) < 10**d01.PLACES
    per_number = d01.contributions(pairs)
    assert per_number[0::2].tolist() == [0] * len(pairs)
    assert per_number[1::2].tolist() == [b if b in left else 0 for b in right]
    assert int(per_number.sum()) == d01.part2(pairs)


def test_training_inputs_hold_matches_near_misses_and_every_size():
    rng = np.random.default_rng(5)
    inputs, encoded, targets = d01.examples_part2(rng, 300, d01.PART2.data, False)
    matched = sum(int((d01.contributions(p) > 0).sum()) for p in inputs) / sum(map(len, inputs))
    assert 0.15 < matched < 0.6
    near = sum(1 for p in inputs for _, b in p if any(sum(x != y for x, y in zip(str(a).zfill(9), str(b).zfill(9))) == 1
                                                       for a, _ in p))
    assert near > 0.2 * sum(map(len, inputs))  # right numbers one digit away from a left one
    chimeras = sum(1 for p in inputs for _, b in p if b not in {a for a, _ in p} and all(
        any(str(a).zfill(9)[k] == str(b).zfill(9)[k] for a, _ in p) for k in range(9)) and not any(
        sum(x != y for x, y in zip(str(a).zfill(9), str(b).zfill(9))) <= 1 for a, _ in p))
    assert chimeras > 0.1 * sum(map(len, inputs))  # every place matches some left number, none matches all
    assert {len(str(b)) for p in inputs for _, b in p} == set(range(1, 10))
    value = sum(targets[h].astype(np.int64) * 10**k for k, h in enumerate(d01.HEADS))
    assert [int(v.sum()) for v in value] == [d01.part2(p) for p in inputs]


def test_outside_the_declared_range_is_flagged():
    decoded = {head: (np.zeros((1, 16), np.int64), np.array([True])) for head in d01.HEADS}
    assert d01.combine_part2(decoded, [(1, 2), (3, 4)])[1].all()
    assert not d01.combine_part2(decoded, [(1, 2), (1, 4)])[1].any()  # a left list with a repeat
    assert not d01.combine_part2(decoded, [(10**9, 2), (3, 4)])[1].any()  # ten digits

    def declared(lines: int, digits: int) -> bool:
        pairs = [(10 ** (digits - 1) + 2 * i, 10 ** (digits - 1) + 2 * i + 1) for i in range(lines)]
        decoded = {head: (np.zeros((1, 2 * lines), np.int64), np.array([True])) for head in d01.HEADS}
        sure = d01.combine_part2(decoded, pairs)[1]
        assert sure.all() or not sure.any()
        return bool(sure.all())

    assert declared(192, 9) and not declared(193, 9)  # up to the stop rule's longest inputs, any size of number
    assert declared(1000, 5) and not declared(1001, 5)  # a real input's shape
    assert not declared(1000, 6) and not declared(193, 6)  # longer inputs of larger numbers: flagged
    [inputs] = list(d01.encode_part2([(10**30, 2), (3, 4)]))  # past int64: encoded (to be flagged), no overflow
    assert inputs["ids"][0, 0, 1:].tolist() == [1] * 9


@given(st.integers(0, 2**32))
def test_part1_attempt_targets_are_each_left_numbers_share_of_the_oracle(seed):
    """PART1_TASK (not registered) learns a distance per left number; they add up to part 1's answer."""
    rng = np.random.default_rng(seed)
    inputs, encoded, targets = d01.examples_part1(rng, 4, d01.PART1_ATTEMPT.data, False)
    value = sum(targets[h].astype(np.int64) * 10**k for k, h in enumerate(d01.HEADS))
    for row, pairs in enumerate(inputs):
        assert value[row, 1::2].tolist() == [0] * len(value[row, 1::2])  # right numbers and padding: 0
        assert int(value[row].sum()) == oracle("".join(f"{a} {b}\n" for a, b in pairs))[0]
    decoded = {head: (targets[head][:1], np.array([True])) for head in d01.HEADS}
    said, sure = d01.combine_part1(decoded, inputs[0])
    assert said.tolist() == value[0, 0:2 * len(inputs[0]):2].tolist() and sure.all()
    assert 1 not in d01.PUZZLE.neural
    exact = d01.PART1_EXACT_TASK.config.model
    assert exact.pairs_exact and exact.aggregate == "sum" and d01.PART1_EXACT_TASK.config.data == d01.PART1_ATTEMPT.data


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=24))
def test_the_rank_hint_counts_the_smaller_numbers_of_the_same_list(pairs):
    """PART1_RANKS_TASK's hint: a number's rank is how many of its list are smaller, or equal and earlier."""
    for side in (0, 1):
        column = [pair[side] for pair in pairs]
        expected = [1 + sum(b < a or (b == a and j < i) for j, b in enumerate(column)) for i, a in enumerate(column)]
        assert d01.ranks(pairs)[side::2].tolist() == expected


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=24))
def test_the_matched_hint_says_whether_the_other_list_holds_the_number(pairs):
    """PART2_MATCH_ONLY_TASK's hint, per number in token order (left, right, ...): 2 when some number of the
    other list equals it, else 1 (0 stays padding)."""
    hint = d01.matches(pairs)
    for i, (a, b) in enumerate(pairs):
        assert hint[2 * i] == (2 if any(b2 == a for _, b2 in pairs) else 1)
        assert hint[2 * i + 1] == (2 if any(a2 == b for a2, _ in pairs) else 1)


def test_the_match_probe_is_the_hint_alone_on_the_float_pair_layer():
    rng = np.random.default_rng(3)
    records, inputs, targets = d01.examples_part2(rng, 4, d01.PART2_MATCH_ONLY_TASK.config.data, False)
    width = inputs["ids"].shape[1]
    assert targets["matched"].tolist() == d01.per_token(records, width, d01.matches).tolist()
    model = d01.PART2_MATCH_ONLY_TASK.config.model
    assert [d.name for d in model.decoders] == ["matched"] and not model.pairs_self and model.aggregate == "max"
    assert "matched" not in d01.examples_part2(rng, 2, d01.PART2.data, False)[2]  # answers only without the hint


def test_digits_as_they_are_keeps_the_list_id_alone_and_the_places_as_scalars():
    rng = np.random.default_rng(4)
    records, inputs, targets = d01.examples_list_only(rng, 3, d01.PART2_DIGITS_AS_THEY_ARE_TASK.config.data, False)
    assert inputs["ids"].shape[2] == 1 == d01.PART2_DIGITS_AS_THEY_ARE_TASK.config.model.channels
    for row, pairs in enumerate(records):
        numbers = [v for pair in pairs for v in pair]
        assert inputs["ids"][row, :len(numbers), 0].tolist() == [d01.LEFT, d01.RIGHT] * len(pairs)
        places = inputs["scalars"][row, :len(numbers)].astype(np.int64) @ (10 ** np.arange(d01.PLACES - 1, -1, -1))
        assert places.tolist() == numbers
    assert "matched" in targets


def test_the_shipped_network_learns_the_hint_first_on_the_pair_layers_score():
    """Part 2 as registered: the nine digit heads on the stream, the hint's head on the pair layer's score (a token
    not its own partner), the hint alone for the first 40% of the steps; its batches carry both."""
    task = PUZZLE.neural[2]
    assert task is d01.PART2_HINTED_TASK and task.hints == ("matched",)
    config = task.config
    assert [d.source for d in config.model.decoders] == ["stream"] * d01.PLACES + ["pairs"]
    assert not config.model.pairs_self and config.model.aggregate == "max" and config.train.hints_first == 0.4
    rng = np.random.default_rng(5)
    _, inputs, targets = d01.examples_list_only(rng, 3, config.data, False)
    assert set(targets) == set(d01.HEADS) | {"matched"} and inputs["ids"].shape[2] == 1


# --- the shipped part 2 network ----------------------------------------------------------------

@pytest.fixture(scope="module")
def network():
    from aocnn import runner

    return runner.load_neural(PUZZLE, 2)


def solved(network, pairs):
    from aocnn.nn.family import decode

    [inputs] = list(d01.encode_list_only(pairs))
    return d01.combine_part2(decode(network.task.config.model, network(inputs)), pairs)


@pytest.mark.parametrize("low, high, count", [(8, 48, 120), (96, 192, 10)])
def test_shipped_weights_are_never_sure_and_wrong_and_mostly_sure(network, low, high, count):
    """Fresh training-style lists (near misses, chimeras, repeats) and lists beyond the training's length: every
    right-list number is either right or its input flagged, and most inputs are answered."""
    rng = np.random.default_rng(24_011 + high)
    answered = 0
    for _ in range(count):
        pairs = d01.random_lists(rng, int(rng.integers(low, high + 1)))
        values, sure = solved(network, pairs)
        if sure.all():
            answered += 1
            assert values.tolist() == d01.contributions(pairs)[1::2].tolist()
    assert answered >= 0.8 * count


def test_shipped_weights_answer_real_shaped_inputs_as_classical(network):
    for seed in range(2):
        text = d01.generate_input(24_012 + seed)
        result = network.solve(PUZZLE.records(text))
        assert (result.answer, result.low_confidence) == (PUZZLE.answer(2, text), 0)


def test_a_left_list_with_repeats_is_flagged_by_the_shipped_network(network):
    pairs = d01.random_lists(np.random.default_rng(7), 20)
    pairs[1] = (pairs[0][0], pairs[1][1])
    assert not solved(network, pairs)[1].any()


def test_the_score_probe_recomputes_the_pair_layer_as_the_network_runs_it(network, capsys):
    """scripts/probe_2024_01_scores.py reads each pair's score off the weights; it checks its own max scores against
    the network's hint logits and stops if they differ, so a report at all means they agree."""
    import importlib.util
    from pathlib import Path

    import jax

    path = Path(__file__).parent.parent / "scripts" / "probe_2024_01_scores.py"
    spec = importlib.util.spec_from_file_location("probe_2024_01_scores", path)
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    module = network.task.model.module
    run = jax.jit(lambda params, batch: module.apply({"params": params}, batch, capture_intermediates=True,
                                                     mutable=["intermediates"]))
    probe.probe(network, run, "60x5x3")
    report = capsys.readouterr().out
    assert report.startswith("60 lines of 5-digit numbers (seed 3): matched numbers' max score >= ")
    lowest_matched = float(report.split(">= ")[1].split(";")[0])
    highest_unmatched = float(report.split("highest ")[1].split(" ")[0])
    assert highest_unmatched < lowest_matched  # a real-shaped input: the two are apart, as its exact answers need
