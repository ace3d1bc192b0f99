"""2022 day 3: the classical parts against an oracle, every broken promise as one line error, and
the generator's shape."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2022 import d03

PUZZLE = d03.PUZZLE


def priority(letter: str) -> int:
    return ord(letter) - ord("a") + 1 if letter.islower() else ord(letter) - ord("A") + 27


def in_both_halves(row: str) -> int:
    """The priority of the one letter seen in both halves of a rucksack."""
    n = len(row) // 2
    both = [ch for ch in sorted(set(row)) if ch in row[:n] and ch in row[n:]]
    assert len(both) == 1
    return priority(both[0])


def oracle(text: str) -> tuple[int, int]:
    """Both parts by counting, per letter, the places it occurs in: a letter seen in both halves
    (part 1) or in three lines of a group (part 2) is the one, and there must be exactly one."""
    rows = text.split()
    first = sum(map(in_both_halves, rows))
    second = 0
    for start in range(0, len(rows), 3):
        seen = {ch: sum(ch in row for row in rows[start:start + 3]) for ch in set("".join(rows[start:start + 3]))}
        badges = [ch for ch, count in seen.items() if count == 3]
        assert len(badges) == 1
        second += priority(badges[0])
    return first, second


def group(rng) -> list[str]:
    """Three rucksacks keeping the puzzle's promises, built from disjoint pools of letters."""
    letters = rng.sample(d03.LETTERS, 46)
    badge, pools = letters[0], [letters[1 + 5 * i:1 + 5 * (i + 1)] for i in range(9)]
    rows = []
    for i in range(3):
        left, right = pools[3 * i], pools[3 * i + 1]
        shared = rng.choice([badge, pools[3 * i + 2][0]])
        a = rng.choices(left, k=rng.randint(0, 6)) + [shared]
        b = rng.choices(right, k=rng.randint(0, 6)) + [shared]
        (a if shared != badge and rng.random() < 0.5 else b).append(badge)
        rng.shuffle(a)
        rng.shuffle(b)
        a += [rng.choice(left)] * (len(b) - len(a))
        b += [right[0]] * (len(a) - len(b))
        rows.append("".join(a) + "".join(b))
    return rows


@given(st.randoms(use_true_random=False), st.integers(1, 8))
def test_classical_matches_oracle(rng, n_groups):
    text = "".join(row + "\n" for _ in range(n_groups) for row in group(rng))
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_an_example_of_our_own():
    text = "abcaxy\nbdefgb\ncbhihj\n"  # halves share a, b, h; all three lines share b
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (1 + 2 + 8, 2)
    text = "ZqZr\nZrrs\nsZZt\n"  # upper case: Z is 52
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (52 + 18 + 52, 52)


@pytest.mark.parametrize("text, message", [
    ("abca\nabcb\nab1b\n", "line 3: expected letters a-z and A-Z only: 'ab1b'"),
    ("abca\n\nabcb\n", "line 2: expected letters a-z and A-Z only: ''"),
    ("abca\nab cb\nabcb\n", "line 2: expected letters a-z and A-Z only: 'ab cb'"),
    ("abca\nabcba\nabcb\n", "line 2: odd length 5: the two compartments must be equally long: 'abcba'"),
    ("abcd\naa\naa\n", "line 1: the two halves share 0 kinds of item, expected exactly 1: 'abcd'"),
    ("aa\naa\nabab\n", "line 3: the two halves share 2 kinds of item, expected exactly 1: 'abab'"),
    ("aA\naa\naa\n", "line 1: the two halves share 0 kinds of item, expected exactly 1: 'aA'"),
    ("aa\nbb\ncc\n", "line 3: lines 1-3 share 0 kinds of item, expected exactly 1: 'cc'"),
    ("aa\naa\naa\nabab\n", "line 4: the two halves share 2 kinds of item, expected exactly 1: 'abab'"),
    ("aa\naa\naa\nabca\nabdb\nbaeb\n", "line 6: lines 4-6 share 2 kinds of item, expected exactly 1: 'baeb'"),
    ("aa\naa\naa\nbb\n", "line 4: the last group has 1 of 3 lines (the line count must be a multiple of 3): 'bb'"),
    ("aa\naa\n", "line 2: the last group has 2 of 3 lines (the line count must be a multiple of 3): 'aa'"),
])
def test_a_broken_promise_is_one_error_naming_the_line(text, message):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == message


def test_crlf_and_no_final_newline_read_the_same():
    text = d03.generate_input(7)
    assert PUZZLE.records(text.replace("\n", "\r\n").rstrip()) == PUZZLE.records(text)


def test_generated_input_has_the_real_shape():
    for seed in range(5):
        text = d03.generate_input(seed)
        assert text == d03.generate_input(seed) != d03.generate_input(seed + 1)
        rows = PUZZLE.records(text)  # the parser checks every promise
        assert len(rows) == 300 and {len(r) for r in rows} <= set(range(16, 49, 2))
        assert min(map(len, rows)) <= 20 and max(map(len, rows)) >= 44
        first, second = oracle(text)
        assert 6500 < first < 9500 and 2000 < second < 3300  # about 26.5 per line and per group
        assert len(set(text) - {"\n"}) == 52


def test_the_badge_is_not_always_the_shared_kind_and_halves_repeat_kinds():
    rows = PUZZLE.records(d03.generate_input(11))
    badge_is_shared = sum(d03.common(*rows[i:i + 3]) == d03.common(*d03.halves(rows[i + j]))
                          for i in range(0, 300, 3) for j in range(3))
    assert badge_is_shared < 30
    assert sum(len(set(half)) < len(half) for r in rows for half in d03.halves(r)) > 500


# --- neural (both parts) ---------------------------------------------------------------------

TEST_SEED = 3_030_303  # not a training seed


def badge(rows: list[str]) -> int:
    """The priority of the one letter in all three lines of a group."""
    (letter,) = [ch for ch in set(rows[0]) if ch in rows[1] and ch in rows[2]]
    return priority(letter)


def test_part1_encodes_each_letter_with_its_code_place_and_the_lines_length():
    [inputs] = list(d03.encode_part1(["aZbZ", "Ab" * 5]))
    assert inputs["ids"].shape == (2, 16) and inputs["lengths"].tolist() == [4, 10]
    assert inputs["ids"][0, :5].tolist() == [1, 52, 2, 52, 0] and inputs["ids"][1, :2].tolist() == [27, 2]
    assert inputs["scalars"][0, :5].tolist() == [[97, 0, 4], [90, 1, 4], [98, 2, 4], [90, 3, 4], [0, 0, 0]]


def test_part2_encodes_a_group_as_its_three_lines_with_which_line_as_a_second_id():
    [inputs] = list(d03.encode_part2(["ab", "cdef", "gh", "xy", "zz", "AB"]))
    assert inputs["ids"].shape == (2, 8, 2) and inputs["lengths"].tolist() == [8, 6]
    assert inputs["ids"][0, :, 1].tolist() == [1, 1, 2, 2, 2, 2, 3, 3]
    assert inputs["ids"][1, :, 0].tolist() == [24, 25, 26, 26, 27, 28, 0, 0]
    assert inputs["scalars"][1, :, 0].tolist() == [120, 121, 122, 122, 65, 66, 0, 0]


def test_long_records_are_encoded_in_chunks_within_the_pair_budget():
    rows = d03.random_lines(np.random.default_rng(1), 40, 480, 500)
    chunks = list(d03.encode_part1(rows))
    assert sum(len(c["ids"]) for c in chunks) == 40 and all(c["ids"].shape[1] == 504 for c in chunks)
    assert max(len(c["ids"]) for c in chunks) * 504**2 <= max(504**2, d03.PAIR_BUDGET)
    groups = [r for _ in range(5) for r in d03.random_group(np.random.default_rng(2), 400, 500)]
    assert sum(len(c["ids"]) for c in d03.encode_part2(groups)) == 5


@pytest.mark.parametrize("far", [False, True])
def test_training_targets_are_each_records_priority(far):
    rng = np.random.default_rng(5)
    data = d03.PART1.data
    rows, inputs, targets = d03.examples_part1(rng, 400, data, far)
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    assert all(low <= len(r) <= high and len(r) % 2 == 0 for r in rows)
    assert inputs["lengths"].tolist() == list(map(len, rows))
    assert (targets["priority"] + 1).tolist() == [in_both_halves(r) for r in rows]
    assert len(set(targets["priority"].tolist())) == 52
    groups, inputs, targets = d03.examples_part2(rng, 400, d03.PART2.data, far)
    assert inputs["lengths"].tolist() == [sum(map(len, g)) for g in groups]
    assert (targets["badge"] + 1).tolist() == [badge(g) for g in groups]
    assert len(set(targets["badge"].tolist())) == 52


@pytest.fixture(scope="module")
def networks():
    from aocnn import runner

    return {part: runner.load_neural(PUZZLE, part) for part in (1, 2)}


def neural(net, part: int, rows: list[str]) -> tuple[np.ndarray, np.ndarray]:
    from aocnn.nn.family import decode

    encode, combine, head = ((d03.encode_part1, d03.combine_part1, "priority") if part == 1 else
                             (d03.encode_part2, d03.combine_part2, "badge"))
    heads = [decode(net.task.config.model, net(inputs))[head] for inputs in encode(rows)]
    return combine({head: tuple(np.concatenate(a) for a in zip(*heads))}, rows)


@pytest.mark.parametrize("lengths, count", [((8, 32), 2000), ((16, 48), 2000), ((34, d03.PART1_MAX), 1000)])
def test_part1_weights_are_exact_on_fresh_rucksacks(networks, lengths, count):
    rows = d03.random_lines(np.random.default_rng(TEST_SEED + lengths[1]), count, *lengths)
    value, sure = neural(networks[1], 1, rows)
    assert sure.all() and value.tolist() == [in_both_halves(r) for r in rows]


@pytest.mark.parametrize("lengths, count", [((8, 16), 1000), ((16, 48), 1000), ((200, 500), 10)])
def test_part2_weights_are_exact_on_fresh_groups(networks, lengths, count):
    rng = np.random.default_rng(TEST_SEED + lengths[1])
    groups = [d03.random_group(rng, *lengths) for _ in range(count)]
    value, sure = neural(networks[2], 2, [r for g in groups for r in g])
    assert sure.all() and value.tolist() == [badge(g) for g in groups]


def test_every_letter_is_recognised_as_the_shared_kind(networks):
    """Each of the 52 letters as the one shared kind of a rucksack, and as the badge of a group."""
    rng = np.random.default_rng(TEST_SEED)
    rows = [d03.random_rucksack(rng, 20, letter, set()) for letter in d03.LETTERS for _ in range(5)]
    value, sure = neural(networks[1], 1, rows)
    assert sure.all() and value.tolist() == [in_both_halves(r) for r in rows]
    groups = []
    for letter in d03.LETTERS:
        group: list[str] = []
        for _ in range(3):
            avoid = set.intersection(*map(set, group)) - {letter} if len(group) == 2 else set()
            group.append(d03.random_rucksack(rng, 20, letter, avoid))
        groups.append(group)
    value, sure = neural(networks[2], 2, [r for g in groups for r in g])
    assert sure.all() and value.tolist() == [priority(letter) for letter in d03.LETTERS]


def test_records_beyond_the_declared_range_are_flagged_not_answered(networks):
    rng = np.random.default_rng(TEST_SEED)
    assert not neural(networks[1], 1, d03.random_lines(rng, 30, d03.PART1_MAX + 2, 500))[1].any()
    rows = d03.random_lines(rng, 3, d03.PART2_MAX + 2, d03.PART2_MAX + 10)
    assert not neural(networks[2], 2, rows)[1].any()


@pytest.mark.parametrize("part", [1, 2])
def test_full_inputs_match_classical(networks, part):
    for seed in range(2):
        text = d03.generate_input(TEST_SEED + seed)
        result = networks[part].solve(PUZZLE.records(text))
        assert (result.answer, result.low_confidence) == (PUZZLE.answer(part, text), 0)
