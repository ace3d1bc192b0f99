"""2022 day 4: the classical parts against an oracle, input checking, the generator's shape, and the
shipped family networks on fresh lines of 1-8 digits, on 9-18 digits (far beyond 10^9) and on full inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn import runner
from aocnn.nn import training
from aocnn.nn.family import decode
from solvers.y2022 import d04
from conftest import assert_line_error

PUZZLE = d04.PUZZLE
TEST_SEED = 220_400  # not a training seed


def oracle(text: str) -> tuple[int, int]:
    """Both parts by sets of sections: one holds the other when their union is one of them; they
    overlap when their intersection is not empty."""
    holds = overlaps = 0
    for line in text.split():
        (a, b), (c, d) = (map(int, half.split("-")) for half in line.split(","))
        first, second = set(range(a, b + 1)), set(range(c, d + 1))
        holds += (first | second) in (first, second)
        overlaps += bool(first & second)
    return holds, overlaps


RANGE = st.integers(1, 60).flatmap(lambda a: st.tuples(st.just(a), st.integers(a, 60)))
LINES = st.lists(st.tuples(RANGE, RANGE), min_size=1, max_size=60)


def text_of(lines) -> str:
    return "".join(f"{a}-{b},{c}-{d}\n" for (a, b), (c, d) in lines)


# --- classical ------------------------------------------------------------------------------

@given(LINES)
def test_classical_matches_oracle(lines):
    text = text_of(lines)
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_the_example():
    text = "2-4,6-8\n2-3,4-5\n5-7,7-9\n2-8,3-7\n6-6,4-6\n2-6,4-8\n"
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (2, 4)


@pytest.mark.parametrize("text, number, why, line", [
    ("1-2,3-4\n1-2,3\n", 2, "expected 'a-b,c-d'", "1-2,3"),
    ("1-2;3-4\n", 1, "expected 'a-b,c-d'", "1-2;3-4"),
    ("1-2,3-4\n-1-2,3-4\n", 2, "expected 'a-b,c-d'", "-1-2,3-4"),
    ("1-2,3-4\n\n5-6,7-8\n", 2, "expected 'a-b,c-d'", ""),
    ("5-2,3-4\n", 1, "a range runs backwards", "5-2,3-4"),
    ("1-2,3-4\n1-2,9-4\n", 2, "a range runs backwards", "1-2,9-4"),
])
def test_a_malformed_line_is_one_error_naming_it(text, number, why, line):
    assert_line_error(PUZZLE, text, number, why, line)


# --- generator and training data --------------------------------------------------------------

def test_generated_input_has_the_real_shape():
    for seed in range(5):
        text = d04.generate_input(seed)
        assert text == d04.generate_input(seed)
        bounds = np.array(PUZZLE.records(text))
        assert bounds.shape == (1000, 4) and bounds.min() >= 1 and bounds.max() <= 99
        holds, overlaps = oracle(text)
        assert 0 < holds < overlaps < 1000  # both answers are far from all-or-nothing


@pytest.mark.parametrize("far", [False, True])
@pytest.mark.parametrize("part", [1, 2])
def test_training_targets_are_the_answers_per_line(part, far):
    data = d04.config(part).data
    bounds, inputs, targets = d04.examples(np.random.default_rng(part), 400, data, far, part)
    # one array shape per range (one compile): in range, records of one width padded with PAD to the widest
    assert inputs["ids"].shape == (400, data.ood_max_length if far else data.max_length, 4)
    width = int(inputs["lengths"][0])
    assert (inputs["lengths"] == width).all() and (inputs["ids"][:, width:] == 0).all()
    digits = inputs["ids"][:, :width] - 1  # back to numbers, most significant place first
    values = (digits * 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)[None, :, None]).sum(axis=1)
    assert np.array_equal(values, bounds)
    if not far:  # against the oracle where its sets stay small
        small = bounds.max(axis=1) < 10**5
        assert small.sum() > 100
        text = "".join(f"{a}-{b},{c}-{d}\n" for a, b, c, d in bounds[small].tolist())
        assert targets[d04.HEADS[part]][small].sum() == oracle(text)[part - 1]
    assert 0.2 < targets[d04.HEADS[part]].mean() < 0.8
    assert (bounds[:, 0] == bounds[:, 2]).mean() > 0.03 and (bounds[:, 1] == bounds[:, 2]).mean() > 0.03


def test_encoding_right_aligns_the_digits_on_four_channels():
    [inputs] = list(d04.encode([(7, 12, 345, 6789)]))
    assert inputs["ids"][0].T.tolist() == [[1, 1, 1, 8], [1, 1, 2, 3], [1, 4, 5, 6], [7, 8, 9, 10]]


# --- the shipped networks ---------------------------------------------------------------------

@pytest.fixture(scope="module", params=[1, 2])
def network(request):
    return request.param, runner.load_neural(PUZZLE, request.param)


def network_answers(net, bounds: np.ndarray, width: int) -> np.ndarray:
    """The network's yes/no per line, or -1 where it is not sure."""
    answers, sure = decode(net.task.config.model, net(d04.digit_ids(bounds, width)))[net.task.config.model.decoders[0].name]
    return np.where(sure, answers, -1)


@pytest.mark.parametrize("digits, width", [(2, 4), (8, 8), (12, 12), (18, 20)])
def test_shipped_weights_are_exact_in_range_and_far_beyond(network, digits, width):
    part, net = network
    bounds = d04.random_bounds(np.random.default_rng(TEST_SEED + digits), np.full(2000, digits))
    truth = d04.answers(bounds, part)
    wrong = bounds[network_answers(net, bounds, width) != truth]
    assert wrong.tolist() == []


@given(st.lists(st.tuples(*[st.integers(1, 10**12)] * 4), min_size=1, max_size=50))
def test_the_rule_on_every_line_at_once_is_the_classical_one(rows):
    bounds = np.sort(np.array(rows, dtype=np.int64).reshape(-1, 2, 2), axis=2).reshape(-1, 4)
    for part in (1, 2):
        assert d04.rule_of_every(bounds, part).tolist() == [bool(v) for v in d04.answers(bounds, part)]


def test_every_real_line_holds_each_pair_of_ranges_once():
    lines = np.concatenate(list(d04.every_real_line(high=6, block=4)))
    ranges = {(a, b) for a in range(1, 7) for b in range(a, 7)}
    assert len(lines) == len(ranges) ** 2
    assert {tuple(row) for row in lines.tolist()} == {r + q for r in ranges for q in ranges}


def test_shipped_weights_are_never_sure_and_wrong_on_any_line_of_small_bounds(network):
    """Every line `a-b,c-d` with bounds 1-25 (105,625 lines; scripts/measure_2022_04.py --every 99 checks
    all 24,502,500 lines of real inputs' 1-99): each is right, or flagged; none is confidently wrong."""
    part, net = network
    bounds = np.concatenate(list(d04.every_real_line(high=25)))
    said = network_answers(net, bounds, 4)
    a, b, c, d = bounds.T
    truth = ((a <= c) & (d <= b)) | ((c <= a) & (b <= d)) if part == 1 else (a <= d) & (c <= b)
    assert len(bounds) == 325**2
    assert bounds[(said != -1) & (said != truth)].tolist() == []
    assert np.sum(said == -1) == 0  # training's hard rounds left none flagged on any line of bounds 1-99


def test_shipped_weights_answer_generated_inputs_exactly(network):
    part, net = network
    for seed in range(3):
        text = d04.generate_input(TEST_SEED + seed)
        answer = net.solve(PUZZLE.records(text.replace("\n", "\r\n")))
        assert (answer.answer, answer.low_confidence) == (oracle(text)[part - 1], 0)


@pytest.mark.parametrize("part", [1, 2])
def test_hard_rounds_mix_kept_lines_encoded_as_a_solve_encodes_them(part):
    """Training's hard rounds: a share of each batch comes from the lines `certify` kept, each row as the
    solve would feed it to the network, with the rule's answer; the rest are fresh and shaped alike."""
    task = PUZZLE.neural[part]
    rows = np.array([[9, 24, 25, 92], [1, 99, 2, 98], [5, 5, 5, 5]])
    rng = np.random.default_rng(TEST_SEED)
    batch, plain = training.mixed_batch(task, rng, 512, task.hard_rows(rows)), task.make_batch(rng, 512)
    head = d04.HEADS[part]
    assert {k: v.shape for k, v in batch["inputs"].items()} == {k: v.shape for k, v in plain["inputs"].items()}
    hard = round(512 * task.train.hard_share)
    solved = {tuple(row): list(d04.encode([tuple(row)]))[0]["ids"][0] for row in rows.tolist()}
    truth = {tuple(row): d04.answers(row[None], part)[0] for row in rows}
    for ids, target in zip(batch["inputs"]["ids"][-hard:], batch["targets"][head][-hard:]):
        [row] = [r for r, enc in solved.items() if np.array_equal(ids[:len(enc)], enc) and not ids[len(enc):].any()]
        assert target == truth[row]


def test_lines_beyond_18_digits_are_answered_but_flagged(network):
    part, net = network
    pairs = [(1, 5, 2, 3), (10**19, 10**20, 5, 10**19 + 1)]
    answer = net.solve(pairs)
    assert answer.low_confidence == 1 and answer.records == 2


class Scripted:
    """A stand-in network for 2022/4: the rule's answer on every line, except unsure on `unsure` and sure but
    wrong on `wrong` (lines as (a, b, c, d))."""

    def __init__(self, part: int, unsure=(), wrong=()):
        self.task, self.part, self.unsure, self.wrong = PUZZLE.neural[part], part, set(unsure), set(wrong)

    def __call__(self, inputs):
        digits = np.maximum(inputs["ids"].astype(np.int64) - 1, 0)  # N x width x 4, most significant first
        bounds = (digits * 10 ** np.arange(digits.shape[1])[::-1][None, :, None]).sum(axis=1)
        truth = d04.rule_of_every(bounds, self.part).astype(int)
        logits = np.zeros((len(bounds), 2))
        for i, row in enumerate(map(tuple, bounds.tolist())):
            if row not in self.unsure:
                logits[i, truth[i] ^ (row in self.wrong)] = 20.0
        return {d04.HEADS[self.part]: logits}


def test_certify_counts_and_keeps_the_lines_flagged_or_wrong():
    unsure, wrong = [(1, 2, 3, 4), (2, 5, 1, 6)], [(3, 3, 1, 6)]
    kept = []
    (right, flagged, confidently_wrong), what = d04.certify(Scripted(1, unsure, wrong), 1, keep=kept, high=6)
    assert (right, flagged, confidently_wrong) == (21**2 - 3, 2, 1) and what.startswith("every line with bounds 1-6")
    assert sorted(map(tuple, np.concatenate(kept).tolist())) == sorted(unsure + wrong)
