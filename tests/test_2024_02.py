"""2024 day 2: the classical solver against an oracle, input errors, the generator's shape, and the
shipped family networks on fresh reports, longer ones, and levels outside the declared range."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn import runner
from aocnn.errors import InputError
from aocnn.nn.family import decode
from solvers.y2024 import d02

PUZZLE = d02.PUZZLE
TEST_SEED = 8_080_808  # not a training seed


# --- classical ------------------------------------------------------------------------------

def oracle_safe(levels: list[int]) -> bool:
    """Safe by sorting: strictly monotone means equal to its sorted (or reverse-sorted) self with no
    repeats, then the largest gap between neighbours must be at most 3."""
    if len(set(levels)) != len(levels) or (levels != sorted(levels) and levels != sorted(levels, reverse=True)):
        return False
    return max((abs(a - b) for a, b in zip(levels, levels[1:])), default=0) <= 3


def oracle_fixable(levels: list[int]) -> bool:
    """Safe after deleting at most one level: try every mask that leaves out at most one index."""
    n = len(levels)
    keeps = [[j for j in range(n) if j != skip] for skip in range(-1, n)]  # -1: keep everything
    return any(oracle_safe([levels[j] for j in keep]) for keep in keeps)


REPORTS = st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=9), min_size=1, max_size=20)


@given(REPORTS)
def test_classical_matches_the_oracle(reports):
    text = "\n".join(" ".join(map(str, levels)) for levels in reports) + "\n"
    records = PUZZLE.records(text)
    assert records == reports
    assert d02.part1(records) == sum(map(oracle_safe, reports))
    assert d02.part2(records) == sum(map(oracle_fixable, reports))


def test_classical_on_generated_inputs():
    for seed in range(5):
        reports = PUZZLE.records(d02.generate_input(seed))
        assert (d02.part1(reports), d02.part2(reports)) == (sum(map(oracle_safe, reports)), sum(map(oracle_fixable, reports)))


def test_the_example_kinds():
    assert [d02.safe_without_one(r) for r in ([7, 6, 4, 2, 1], [1, 2, 7, 8, 9], [1, 3, 2, 4, 5], [8, 6, 4, 4, 1],
                                               [9, 1, 2, 3], [1, 2, 3, 9])] == [True, False, True, True, True, True]
    assert [d02.safe(r) for r in ([7, 6, 4, 2, 1], [1, 3, 2, 4, 5], [9, 1, 2, 3])] == [True, False, False]


@pytest.mark.parametrize("text, message", [
    ("1 2 3\n4 x 6\n", "line 2: 'x' is not a level (a non-negative integer): '4 x 6'"),
    ("1 2 3\n\n4 5 6\n", "line 2: empty line, expected levels separated by spaces: ''"),
    ("1 -2 3\n", "line 1: '-2' is not a level (a non-negative integer): '1 -2 3'"),
    ("1 2.5\n", "line 1: '2.5' is not a level (a non-negative integer): '1 2.5'"),
    ("1 ２\n", "line 1: '２' is not a level (a non-negative integer): '1 ２'"),
    ("", "empty input: the puzzle input has no text"),
])
def test_malformed_input_is_one_error_naming_its_line(text, message):
    with pytest.raises(InputError, match=f"^{re.escape(message)}$"):
        PUZZLE.records(text)


def test_crlf_bom_and_trailing_spaces_parse_the_same():
    text = d02.generate_input(3)
    messy = "\ufeff" + "\r\n".join(line + "  " for line in text.splitlines()) + "\r\n\r\n"
    assert PUZZLE.records(messy) == PUZZLE.records(text)


# --- generator ------------------------------------------------------------------------------

def test_generator_has_the_real_shape():
    text = d02.generate_input(7)
    reports = PUZZLE.records(text)
    assert len(reports) == 1000 and d02.generate_input(7) == text != d02.generate_input(8)
    assert all(5 <= len(r) <= 8 and min(r) >= 1 and max(r) <= 99 for r in reports)
    assert all(abs(b - a) <= 7 for r in reports for a, b in zip(r, r[1:]))
    safe, fixable = d02.part1(reports), d02.part2(reports)
    assert 200 <= safe and 100 <= fixable - safe and fixable <= 700


def removals_that_work(levels: list[int]) -> set[str]:
    where = {0: "first", len(levels) - 1: "last"}
    return {where.get(i, "inner") for i in range(len(levels)) if d02.safe(levels[:i] + levels[i + 1:])}


def test_safe_reports_of_any_length_come_at_once_and_are_safe_while_they_fit():
    """Up to 99 levels a safe report fits in 1-99 (even where almost every step must be 1); past
    that none does, and the generator says so with an unsafe one rather than searching forever."""
    rng = np.random.default_rng(TEST_SEED)
    for n in [2, 33, 50, 90, 98, 99, 100, 150]:
        for _ in range(5):
            levels = d02.safe_levels(rng, n)
            assert len(levels) == n and 1 <= min(levels) and max(levels) <= 99
            assert oracle_safe(levels) == (n <= 99)


def test_training_reports_cover_every_kind_of_answer():
    rows, _, _ = d02.examples(np.random.default_rng(1), 4000, d02.config(2).data, False, 2, 5)
    fixed_by = [removals_that_work(r) for r in rows if not d02.safe(r)]
    assert 0.2 < np.mean([d02.safe(r) for r in rows]) < 0.4
    for where in ("first", "last", "inner"):
        assert sum(where in found for found in fixed_by) > 300, where
    assert sum(not found for found in fixed_by) > 800  # unsafe even after any one removal


def test_part_2s_inner_insertions_leave_part_1s_data_as_its_weights_were_trained(monkeypatch):
    def draw(part: int):
        rows, _, labels = d02.examples(np.random.default_rng(3), 500, d02.config(part).data, False, part, 2)
        return rows, labels["safe"].tolist()

    part1, part2 = draw(1), draw(2)
    monkeypatch.setattr(d02, "PART2_INNER", 0.0)
    assert draw(1) == part1
    assert draw(2) != part2  # part 2's training reports do use it


def test_inner_insertions_go_inside():
    rng = np.random.default_rng(TEST_SEED)
    extra = (0, 1, 0, 0, 0, 0)
    ends, inside = [], []
    for share, found in ((0.0, ends), (1.0, inside)):
        for _ in range(400):
            levels = d02.report(rng, 8, mix=extra, inner=share)
            found.append(not (d02.safe(levels[1:]) or d02.safe(levels[:-1])))  # no end removal fixes it
    assert np.mean(inside) > 0.75 and np.mean(ends) < 0.4  # an inner level on the trend can leave it safe


# --- neural ---------------------------------------------------------------------------------

def test_each_position_shows_the_kinds_and_levels_of_its_window():
    inputs = d02.level_inputs([[5, 6, 7], [9, 8]], window=5)
    assert inputs["ids"].tolist() == [[1, 1, 2, 2, 2, 0, 0, 0], [1, 1, 2, 2, 0, 0, 0, 0]]
    assert inputs["lengths"].tolist() == [5, 4]
    assert inputs["scalars"][0, :4].tolist() == [[0, 0, 5, 6, 7], [0, 5, 6, 7, 0], [5, 6, 7, 0, 0], [6, 7, 0, 0, 0]]
    assert inputs["scalars"][1, 0].tolist() == [0, 0, 9, 8, 0]
    assert d02.level_inputs([[5, 6, 7]], window=2)["scalars"][0, 1:4].tolist() == [[0, 5], [5, 6], [6, 7]]


@pytest.fixture(scope="module", params=[1])  # part 2 has no network yet
def network(request):
    return request.param, runner.load_neural(PUZZLE, request.param)


def answers(net, reports: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """The network's safe/unsafe per report, and whether the solver would trust it."""
    decoded = {"safe": tuple(np.concatenate(a) for a in zip(*(decode(net.task.config.model, net(inputs))["safe"]
                                                                for inputs in d02.encode(reports, net.task.config.model.window))))}
    return d02.combine(decoded, reports)


def truth(part: int, reports: list[list[int]]) -> np.ndarray:
    return np.array([(oracle_safe if part == 1 else oracle_fixable)(r) for r in reports])


@pytest.mark.parametrize("shortest, longest, count", [(5, 8, 3000), (20, 50, 1000), (51, 100, 300)])
def test_shipped_weights_are_exact_on_fresh_and_on_longer_reports(network, shortest, longest, count):
    part, net = network
    rng = np.random.default_rng(TEST_SEED + longest)
    reports = [d02.report(rng, int(rng.integers(shortest, longest + 1))) for _ in range(count)]
    label, sure = answers(net, reports)
    assert sure.all() and np.array_equal(label, truth(part, reports))


def test_every_pair_of_levels_in_range_is_judged_exactly(network):
    """All 99 x 99 two-level steps, as the middle of a report (what a removal exposes) and at its ends."""
    part, net = network
    a, b = np.meshgrid(np.arange(1, 100), np.arange(1, 100), indexing="ij")
    pairs = list(zip(a.ravel().tolist(), b.ravel().tolist()))
    reports = [[x, y] for x, y in pairs] + [[x, x, y, y] for x, y in pairs[::7]]
    label, sure = answers(net, reports)
    assert sure.all() and np.array_equal(label, truth(part, reports))


def test_levels_outside_the_declared_range_are_flagged_not_answered(network):
    part, net = network
    rng = np.random.default_rng(TEST_SEED)
    large = [[v * 10_000 for v in d02.report(rng, 6)] for _ in range(200)]
    edges = [[0, 1, 2, 3, 4], [98, 99, 100, 101, 102], [5], list(range(1, 99)) + list(range(99, 0, -1))]  # 197 levels
    reports = large + edges
    _, sure = answers(net, reports)
    assert not sure.any()


def test_full_inputs_match_classical(network):
    part, net = network
    for seed in range(3):
        reports = PUZZLE.records(d02.generate_input(TEST_SEED + seed))
        result = net.solve(reports)
        assert (result.answer, result.low_confidence) == (PUZZLE.answer(part, d02.generate_input(TEST_SEED + seed)), 0)
