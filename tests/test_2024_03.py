"""2024 day 3: the classical parts against a character-by-character oracle, input errors, the
generator's shape, and part 1's network (its tokens, training data and shipped weights)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn import runner
from aocnn.errors import InputError
from aocnn.nn.family import decode
from solvers.y2024 import d03, d03_batch

PUZZLE = d03.PUZZLE


def read_number(text: str, at: int, end: str) -> tuple[int, int] | None:
    """1-3 digits at `at` followed by `end`: (value, position after `end`), else None."""
    stop = at
    while stop < len(text) and text[stop].isdigit() and text[stop].isascii():
        stop += 1
    if not 1 <= stop - at <= 3 or text[stop:stop + 1] != end:
        return None
    return int(text[at:stop]), stop + 1


def oracle(text: str) -> tuple[int, int]:
    """Both parts by walking the whole text one position at a time, without regular expressions."""
    everything = enabled = 0
    on = True
    for at in range(len(text)):
        if text.startswith("do()", at):
            on = True
        elif text.startswith("don't()", at):
            on = False
        elif text.startswith("mul(", at):
            first = read_number(text, at + 4, ",")
            second = first and read_number(text, first[1], ")")
            if second:
                everything += first[0] * second[0]
                enabled += on * first[0] * second[0]
    return everything, enabled


PIECES = st.sampled_from(["mul(", "mul", "(", ")", ",", "1", "23", "456", "7890", "do()", "don't()", "do", "don't",
                          " ", "x", "\n", "[", "*", "%"])


@given(st.lists(PIECES, min_size=1, max_size=120).map("".join).filter(str.strip))
def test_classical_matches_oracle(text):
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_a_small_memory():
    text = "xmul(2,4)%&mul[3,7]!@^do_not_mul(5,5)+mul(32,64]then(mul(11,8)mul(8,5))\n"
    assert PUZZLE.answer(1, text) == 2 * 4 + 5 * 5 + 11 * 8 + 8 * 5


@pytest.mark.parametrize("text, one, two", [
    ("mul(4*mul ( 2 , 4 )mul(12,3mul[3,7]mul(2, 4)mul(1234,5)mul(-2,4)mul(2,4 )\n", 0, 0),
    ("xmul(2,4)%\n", 8, 8),
    ("mul(2,3)don't()mul(5,5)do()mul(7,7)\n", 6 + 25 + 49, 6 + 49),
    ("don't()mul(5,5)\nmul(3,3)do()\nmul(2,2)\n", 25 + 9 + 4, 4),  # the state carries across lines
    ("don't( )mul(5,5)dont()mul(1,1)\n", 26, 26),  # near-misses of don't() switch nothing off
    ("mul(5,5\n)\n", 0, 0),  # an instruction does not span lines
    ("mul(999,999)mul(0,0)mul(007,1)\n", 999 * 999 + 7, 999 * 999 + 7),
])
def test_the_exact_syntax(text, one, two):
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (one, two) == oracle(text)


def test_any_printable_line_is_memory():
    text = "".join(map(chr, range(32, 127))) + "\n\n  mul(1,2)\n"
    assert PUZZLE.records(text) == ["".join(map(chr, range(32, 127))), "", "  mul(1,2)"]


@pytest.mark.parametrize("text, number, line", [
    ("mul(1,2)\nmul(3,4)\tx\n", 2, "mul(3,4)\tx"),
    ("mul(1,2)é\n", 1, "mul(1,2)é"),
    ("ok\nok\n\x7fmul(1,2)\n", 3, "\x7fmul(1,2)"),
    ("\x00\n", 1, "\x00"),
])
def test_a_line_with_a_character_outside_printable_ascii_is_an_error_naming_it(text, number, line):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == f"line {number}: expected printable ASCII characters only (space to '~'): {line!r}"


def test_generated_input_has_the_real_shape():
    for seed in range(4):
        text = d03.generate_input(seed)
        assert text == d03.generate_input(seed) != d03.generate_input(seed + 1)
        memory = PUZZLE.records(text)
        assert len(memory) == 6 and all(3_000 <= len(line) <= 3_700 for line in memory)
        muls = [found for line in memory for found in d03.MUL.finditer(line)]
        assert 600 <= len(muls) <= 800
        assert all(25 <= text.count(switch) <= 45 for switch in ("do()", "don't()"))
        for near in ("mul ( ", "mul[", "mul("):
            assert text.count(near) >= 3
        assert text.count("don't( )") >= 1  # one of eight switch-like misses, in one of fourteen kinds
        assert len(re.findall(r"mul\([0-9]{1,3},[0-9]{1,3}[^0-9)]", text)) >= 30  # unclosed ones
        assert len(re.findall(r"[a-z]mul\([0-9]{1,3},[0-9]{1,3}\)", text)) >= 5  # valid after a letter
        assert {len(found[1]) for found in muls} == {1, 2, 3}
        one, two = oracle(text)
        assert (one, two) == (PUZZLE.answer(1, text), PUZZLE.answer(2, text))
        assert 0.2 * one < two < 0.8 * one  # the switches matter


def test_the_generator_goes_far_beyond_on_request():
    memory = PUZZLE.records(d03.generate_input(5, n_lines=60))
    assert len(memory) == 60
    one_line = d03.generate_input(5, n_lines=1, length=(20_000, 20_000))
    assert len(one_line) == 20_001 and 600 < len(d03.MUL.findall(one_line)) < 800


# --- part 1's network: tokens, training data, the shipped weights ----------------------------------

TEST_SEED = 240_300  # not a training seed


def test_each_run_of_digits_is_one_token_with_its_digit_count_and_value():
    ids, values = d03.tokens(["mul(12,34567)", "x0"])
    char = lambda c: d03.CHAR_BASE + ord(c) - 32  # noqa: E731
    assert ids == [char("m"), char("u"), char("l"), char("("), d03.NUMBER_BASE + 1, char(","), d03.NUMBER_BASE + 3,
                   char(")"), d03.NEWLINE_ID, char("x"), d03.NUMBER_BASE]
    assert values == [0, 0, 0, 0, 12, 0, 4567, 0, 0, 0, 0]  # a run of 4+ digits: its last four, and its own id
    inputs = d03.encode_memories([["mul(1,2)"], ["", ""]])
    assert inputs["ids"].shape == (2, d03.SHAPE_CLASS) and inputs["lengths"].tolist() == [8, 1]
    assert inputs["scalars"][0, :8, 0].tolist() == [0, 0, 0, 0, 1, 0, 2, 0] and not inputs["ids"][0, 8:].any()


@given(st.lists(st.lists(st.text(alphabet="0123456789mul(),do'nt!x ~", max_size=40), max_size=3), min_size=1,
                max_size=4), st.sampled_from(["", "\u00e9", "1\x002"]))
def test_the_batch_encoding_is_tokens_memory_by_memory(memories, extra):
    """`encode_memories` reads every memory's bytes at once (`token_arrays`); it gives exactly `tokens`' ids and
    values, memory by memory, digit runs of any length included (and falls back to `tokens` off ASCII)."""
    if extra:
        memories = [memories[0] + [extra]] + memories[1:]
    inputs = d03.encode_memories(memories)
    for row, memory in enumerate(memories):
        ids, values = d03.tokens(memory)
        assert inputs["lengths"][row] == len(ids)
        assert inputs["ids"][row, :len(ids)].tolist() == ids and not inputs["ids"][row, len(ids):].any()
        assert inputs["scalars"][row, :len(ids), 0].tolist() == values


@pytest.mark.parametrize("far", [False, True])
def test_training_targets_agree_with_the_oracle(far):
    data = d03.part1_config().data
    memories, inputs, targets = d03.examples_for(d03.part1, 60)(np.random.default_rng(far), 300, data, far)
    assert targets["products"].tolist() == [oracle("\n".join(m))[0] for m in memories]
    assert (targets["products"] > 0).mean() > 0.3
    lengths = [sum(map(len, m)) for m in memories]
    assert (max(lengths) <= data.max_length) != far and (min(lengths) >= data.ood_min_length) == far
    operands = [int(x) for m in memories for line in m for pair in d03.MUL.findall(line) for x in pair]
    assert (max(operands) > 100) == far  # training: 0-30 (with 1-3 digits); beyond: real operands
    assert inputs["ids"].shape[1] >= inputs["lengths"].max()


MISSPELT_CALL = re.compile(r"(?<![a-zA-Z])(?:mu|ml|mal|nul|mol|mll|mut|Mul|mUl|muL|mull|mu l)\(\d")


def memory_laws(memories: list[list[str]]) -> dict[str, np.ndarray]:
    """Per memory: what the batch generator must draw as `training_memory` does."""
    texts = ["\n".join(m) for m in memories]
    return {"characters": np.array([sum(map(len, m)) for m in memories]), "lines": np.array([len(m) for m in memories]),
            "valid muls": np.array([len(d03.MUL.findall(t)) for t in texts]),
            "answered": np.array([d03.part1(m) > 0 for m in memories]),
            "part 2 differs": np.array([d03.part1(m) != d03.part2(m) for m in memories]),
            "do()": np.array([t.count("do()") for t in texts]), "don't()": np.array([t.count("don't()") for t in texts]),
            "mul ( near-misses": np.array([t.count("mul (") for t in texts]),
            "misspelt names": np.array([len(MISSPELT_CALL.findall(t)) for t in texts]),
            "four digits": np.array([len(re.findall(r"\d{4}", t)) for t in texts]),
            "junk words": np.array([t.count("select") + t.count("where") for t in texts]),
            "digits": np.array([sum(c.isdigit() for c in t) for t in texts]),
            "spaces": np.array([t.count(" ") for t in texts])}


@pytest.mark.parametrize("far, switches, n", [(False, 60, 4000), (False, 25, 4000), (True, 60, 400)])
def test_a_batch_of_memories_follows_the_one_memory_law(far, switches, n):
    """`d03_batch.training_memories` (training's batches) against `d03.training_memory` (the measuring sets):
    the mean of every statistic agrees within 5 standard errors."""
    length = (400, 800) if far else (8, 80)
    rng = np.random.default_rng(7)
    one = memory_laws([d03.training_memory(rng, length, far, switches) for _ in range(n)])
    batch = memory_laws(d03_batch.training_memories(np.random.default_rng(8), n, length, far, switches))
    for name in one:
        a, b = one[name].astype(float), batch[name].astype(float)
        error = np.sqrt(a.var() / n + b.var() / n)
        assert abs(a.mean() - b.mean()) <= 5 * error + 1e-9, (name, a.mean(), b.mean(), error)
    lengths = batch["characters"] + batch["lines"] - 1
    assert lengths.max() <= length[1] + 2 if not far else lengths.min() >= length[0]


def test_gaps_follow_generate_lines_law():
    """`d03_batch.gap_sizes` against `generate_line`'s own draw (a multinomial over weights uniform in [0, 1),
    a third of them 0): the share of empty gaps and the mean size of each gap agree within 5 standard errors."""
    n, room, slots = 20_000, 30, 4
    rng = np.random.default_rng(3)
    one = []
    for _ in range(n):
        weights = rng.random(slots) * (rng.random(slots) > 0.33)
        one.append(rng.multinomial(room, weights / weights.sum()) if weights.sum() else np.zeros(slots, int))
    one = np.array(one)
    batch = d03_batch.gap_sizes(np.random.default_rng(4), np.full(n, room), np.full(n, slots)).reshape(n, slots)
    for a, b in ((one == 0, batch == 0), (one, batch)):
        a, b = a.astype(float), b.astype(float)
        error = np.sqrt(a.var(axis=0) / n + b.var(axis=0) / n)
        assert (abs(a.mean(axis=0) - b.mean(axis=0)) <= 5 * error).all(), (a.mean(axis=0), b.mean(axis=0))


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), min_size=1, max_size=12), st.integers(0, 2**32 - 1))
def test_gaps_share_out_each_lines_room(lines, seed):
    """Every character of a line's room falls in one of its own gaps (all of it, unless every weight drew 0)."""
    rooms, slots = (np.array(column) for column in zip(*lines))
    gaps = d03_batch.gap_sizes(np.random.default_rng(seed), rooms, slots)
    per_line = np.add.reduceat(gaps, np.cumsum(slots) - slots)
    assert gaps.size == slots.sum() and (gaps >= 0).all()
    assert all(got in (room, 0) for got, room in zip(per_line.tolist(), rooms.tolist()))


def test_the_part_2_attempts_train_on_part_2_answers_and_stay_unregistered():
    """PART2_LATCH (a latch, and a third factor read from the stream), PART2_AUTOMATON (the latch as a 2-state
    soft automaton) and PART2_ATTEMPT (module docstring)."""
    assert 2 not in PUZZLE.neural
    latch, automaton = d03.PART2_LATCH.config.model, d03.PART2_AUTOMATON.config.model
    assert (latch.gate, automaton.gate, automaton.state, automaton.gate_snap) == ("separate", "matrix", 2, 0.001)
    assert dataclasses.replace(automaton, gate="separate", gate_snap=latch.gate_snap, gate_bias=latch.gate_bias,
                               values_from_stream=latch.values_from_stream) == latch  # the latch, but for the automaton
    for task, factors, stream in ((d03.PART2_LATCH, 3, 1), (d03.PART2_AUTOMATON, 3, 1), (d03.PART2_ATTEMPT, 2, 0)):
        head, = task.config.model.decoders
        assert (head.factors, head.stream_factors) == (factors, stream)
        targets = task.make_batch(np.random.default_rng(1), 200)["targets"]["products"]
        rng = np.random.default_rng(1)  # the batch's draws, made again
        memories = d03_batch.training_memories(rng, 200, (8, 80), False, 25)
        assert targets.tolist() == [oracle("\n".join(m))[1] for m in memories]  # part 2's answers, a switch every 25
        assert sum(oracle("\n".join(m))[0] != oracle("\n".join(m))[1] for m in memories) > 20  # switches matter


@pytest.fixture(scope="module")
def network():
    return runner.load_neural(PUZZLE, 1)


@pytest.mark.parametrize("kind", ["training", "beyond", "near-misses"])
def test_shipped_weights_are_exact_on_fresh_memories(network, kind):
    rng = np.random.default_rng(TEST_SEED + len(kind))
    data = network.task.config.data
    make = {"training": lambda: d03.training_memory(rng, (data.min_length, data.max_length), False),
            "beyond": lambda: d03.training_memory(rng, (data.ood_min_length, data.ood_max_length), True),
            "near-misses": lambda: ["".join(d03.near_miss(rng) for _ in range(150)) + "mul(999,998)"]}[kind]
    memories = [make() for _ in range({"training": 3000, "beyond": 200, "near-misses": 50}[kind])]
    said, sure = decode(network.task.config.model, network(d03.encode_memories(memories)))["products"]
    wrong = [m for m, s, ok in zip(memories, said, sure) if not ok or s != oracle("\n".join(m))[0]]
    assert wrong == []


def test_shipped_weights_on_full_inputs(network):
    for text in (d03.generate_input(TEST_SEED).replace("\n", "\r\n"), d03.generate_input(TEST_SEED + 1, n_lines=60),
                 "".join(d03.generate_input(TEST_SEED + 2).splitlines())):
        answer = network.solve(PUZZLE.records(text))
        assert (answer.answer, answer.low_confidence) == (oracle(text.replace("\r", ""))[0], 0)
