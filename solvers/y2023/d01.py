"""AoC 2023 day 1, "Trebuchet?!".

Each line hides a calibration value: its first and its last digit, read as a two-digit
number. Part 1 counts the characters 0-9 as digits. Part 2 also counts the words
one..nine, which may overlap ("twone" starts with 2 and ends with 1, "eightwo" is 82).
The answer is the sum over all lines.

Input: lines of lowercase letters and digits, each with at least one digit character (as
every real input has); anything else is an error naming its line, for both solvers.

Neural solvers (both parts): the shared family, configured only, trained on final answers only
(the calibration value's tens and units digit per line; no hint, no per-position labels). Score 5
for both parts. Part 2 uses part 1's config with a stricter training margin (p >= 0.9999 on each
head before a held-out line counts as exact) and more steps: the 5-character window already fits the
longest words ("three", "seven", "eight"), and the network learns from answers alone which windows
spell a digit, overlaps included. What is learned and what is hand-written is listed below.
"""

from __future__ import annotations

import re

from dataclasses import replace
from functools import partial

import numpy as np

from aocnn.errors import line_error
from aocnn.nn.config import Config, DataConfig, DecoderConfig, ModelConfig
from aocnn.nn.config import TrainSection as TrainConfig
from aocnn.nn.encode import char_ids, char_table, chunks
from aocnn.nn.family_task import FamilySpec, family_task
from aocnn.nn.task import Ablation, NeuralTask
from aocnn.registry import Puzzle
from aocnn.text import lines

WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
NUMERALS = "0123456789"


# --- reading the input ----------------------------------------------------------------------

LINE = re.compile(r"[a-z0-9]*[0-9][a-z0-9]*")


def parse(text: str) -> list[str]:
    """The lines of normalized text; each must be lowercase letters and digits with at least one digit."""
    found = lines(text)
    for number, line in enumerate(found, 1):
        if not LINE.fullmatch(line):
            why = "no digit in line" if line.isalpha() or not line else "unexpected character (expected a-z, 0-9)"
            raise line_error(number, line, why)
    return found


# --- classical ------------------------------------------------------------------------------

FOUND = {False: re.compile(f"(?=([{NUMERALS}]))"), True: re.compile(f"(?=([{NUMERALS}]|{'|'.join(WORDS)}))")}
VALUE = {**{numeral: int(numeral) for numeral in NUMERALS}, **{word: value for value, word in enumerate(WORDS, 1)}}


def digit_starts(line: str, spelled: bool) -> list[tuple[int, int]]:
    """(position, value) of every digit, in order; with `spelled`, words count too. The pattern only looks
    ahead, so matches overlap ("twone" is 2 and 1); no word starts with another or with a numeral."""
    return [(match.start(), VALUE[match[1]]) for match in FOUND[spelled].finditer(line)]


def digits(line: str, spelled: bool) -> list[int]:
    return [value for _, value in digit_starts(line, spelled)]


def calibration_value(line: str, spelled: bool) -> int:
    found = digits(line, spelled)
    return 10 * found[0] + found[-1]


def part1(rows: list[str]) -> int:
    return sum(calibration_value(line, spelled=False) for line in rows)


def part2(rows: list[str]) -> int:
    return sum(calibration_value(line, spelled=True) for line in rows)


# --- generator ------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyz"
LETTER_CODES = np.frombuffer(LETTERS.encode("ascii"), np.uint8)


def _letters(rng: np.random.Generator, count) -> str:
    """`count` random letters: the draws of rng.choice(list(LETTERS), count), without building the list."""
    return LETTER_CODES[rng.integers(0, len(LETTERS), count)].tobytes().decode("ascii")
OVERLAPS = ("twone", "oneight", "eightwo", "eighthree", "threeight", "fiveight", "nineight", "sevenine", "twoneight")
NEAR_MISSES = ("nin", "seve", "thre", "fiv", "eigh", "tw", "on", "fou", "si", "ni", "sevn", "eght", "fivve", "ninr")


def _misspelled(rng: np.random.Generator, word: str) -> str:
    """A word with one letter changed, dropped or doubled: almost a digit, but not one."""
    at = int(rng.integers(len(word)))
    edit = rng.integers(3)
    if edit == 0:
        return word[:at] + LETTERS[rng.integers(26)] + word[at + 1:]
    return word[:at] + word[at + 1:] if edit == 1 else word[:at] + word[at] + word[at:]


def _token(rng: np.random.Generator, zero: bool, spelled_rate: float) -> str:
    roll = rng.random()
    if roll < 0.22:
        return NUMERALS[rng.integers(0 if zero else 1, 10)]
    if roll < 0.22 + spelled_rate:
        return WORDS[rng.integers(9)] if rng.random() < 0.8 else OVERLAPS[rng.integers(len(OVERLAPS))]
    if roll < 0.27 + spelled_rate:
        return NEAR_MISSES[rng.integers(len(NEAR_MISSES))]
    if roll < 0.34 + spelled_rate:
        return _misspelled(rng, WORDS[rng.integers(9)])
    return _letters(rng, rng.integers(1, 6))


def random_line(rng: np.random.Generator, min_len: int, max_len: int, zero: bool = False,
                spelled_rate: float = 0.3, need_numeral: bool = True) -> str:
    """A line shaped like the real ones: letter runs, digits, words, overlaps and near misses."""
    length = int(rng.integers(min_len, max_len + 1))
    style = rng.random()
    if style < 0.1:  # a single digit, or digits only at the very ends
        body = "".join(_token(rng, zero, 0.0) for _ in range(length))
        body = "".join(c for c in body if c not in NUMERALS)[: max(length - 2, 0)]
        ends = [NUMERALS[rng.integers(0 if zero else 1, 10)] for _ in range(2)]
        line = {0: ends[0] + body, 1: body + ends[1]}.get(int(rng.integers(3)), ends[0] + body + ends[1])
    else:
        parts, size = [], 0
        while size < length + 2:
            token = _token(rng, zero, spelled_rate if style < 0.9 else 0.0)
            parts.append(token)
            size += len(token)
        offset = int(rng.integers(0, 3)) if rng.random() < 0.3 else 0  # start inside a word sometimes
        line = "".join(parts)[offset:offset + length]
    line += _letters(rng, max(min_len - len(line), 0))
    if need_numeral and not any(c in NUMERALS for c in line):
        at = int(rng.integers(0, max(len(line), 1)))  # replace a character, keeping the length
        line = line[:at] + NUMERALS[rng.integers(0 if zero else 1, 10)] + line[at + 1:]
    return line


def generate_input(seed: int, n_lines: int = 1000) -> str:
    """A full input of the real shape: 1000 lines of 2-65 characters, digits 1-9, rich in words.
    Short lines are the most common (a triangular length distribution, mean 23), so a whole input
    has about 24,000 characters, close to real ones (about 22,000; uniform lengths gave 34,000)."""
    rng = np.random.default_rng(seed)
    lengths = np.rint(rng.triangular(2, 2, 65, n_lines)).astype(int)
    return "\n".join(random_line(rng, length, length) for length in lengths) + "\n"


# --- neural solver: the shared family, configured ---------------------------------------------
#
# Learned (trained on final answers only, the calibration value's tens and units digit): which
# characters and spelled words are digits (a 5-character look-ahead window, the longest words'
# length, and a per-position MLP), which comes first and which last (a bidirectional gated linear
# recurrence whose gates the network learns to open on digits; read at the line's two ends), and the
# two 10-way answers. Nothing tells it where digits start: no per-position labels, no hint.
# Hand-written: split lines, map characters to ids, argmax of each head, 10*tens+units, sum.
# Score 5 (both parts): the shared family, configured only, trained on final answers.

ALPHABET = LETTERS + NUMERALS
CHARS = char_table(ALPHABET)
MAX_TRAIN_LENGTH = 65
CHUNK = 4096  # lines per network call: memory stays flat however long the input

CONFIG = Config(
    model=ModelConfig(
        vocab=len(ALPHABET) + 2, width=48, window=5, encoder_mlp=64, layers=1, state=32,
        direction="bidirectional", gate="tied", mlp=0,
        decoders=(DecoderConfig("tens", classes=10, read="ends", train_confident=0.9999),
                  DecoderConfig("units", classes=10, read="ends", train_confident=0.9999)),
    ),
    data=DataConfig(min_length=1, max_length=MAX_TRAIN_LENGTH, ood_min_length=100, ood_max_length=260),
    train=TrainConfig(batch_size=128, learning_rate=5e-3, warmup_steps=50, max_steps=8000, eval_every=100,
                      eval_size=2048, far_size=1024, exact_evals=3, anneal_steps=3000, anneal_learning_rate=5e-4),
)


def encode(rows: list[str]):
    for chunk in chunks(rows, CHUNK):
        ids, lengths = char_ids(chunk, CHARS)
        yield {"ids": ids, "lengths": lengths}


def examples(rng: np.random.Generator, n: int, data: DataConfig, far: bool, spelled: bool):
    """Generated lines (each with a digit in the part's sense), their ids, and their answers."""
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    rows = training_lines(rng, n, spelled, low, high, uniform=0.0 if spelled else PART1_UNIFORM)
    ids, lengths = char_ids(rows, CHARS, min_width=-(-high // 8) * 8)  # one width per kind of batch: one compile
    values = np.array([calibration_value(line, spelled) for line in rows], dtype=np.int32)
    return rows, {"ids": ids, "lengths": lengths}, {"tens": values // 10, "units": values % 10}


PART1_UNIFORM = 0.25  # part 1's training lines: this share drawn character by character (`uniform_line`)


def training_lines(rng: np.random.Generator, n: int, spelled: bool, min_len: int = 1, max_len: int = MAX_TRAIN_LENGTH,
                   uniform: float = 0.0) -> list[str]:
    """Lines with at least one digit in the part's sense, '0' included, words as signal or as noise; a share
    `uniform` of them with every character drawn on its own (`uniform_line`)."""
    out = []
    while len(out) < n:
        if uniform and rng.random() < uniform:
            line = uniform_line(rng, min_len, max_len)
        else:
            line = random_line(rng, min_len, max_len, zero=True, spelled_rate=float(rng.uniform(0.05, 0.45)),
                               need_numeral=not spelled or rng.random() < 0.5)
        if digit_starts(line, spelled):
            out.append(line)
    return out


def uniform_line(rng: np.random.Generator, min_len: int, max_len: int) -> str:
    """A line whose every character is a numeral (0-9) with a probability drawn for the line (0.05-0.9), else a
    letter, each uniform: runs of digits and letter windows the token generator rarely makes."""
    length = int(rng.integers(min_len, max_len + 1))
    numeral = rng.random(length) < rng.uniform(0.05, 0.9)
    return "".join(np.where(numeral, rng.choice(np.array(list(NUMERALS)), length),
                            rng.choice(np.array(list(LETTERS)), length)))


# Declared exact range: lines of at most 260 characters, the longest the stop rule checks (4x training's 65;
# real lines have about 50). Past it every line is answered low-confidence: the recurrence carries the first and
# last digit across the line with gates that are not exactly shut, and across long runs of letters it forgets
# them. Shipped part 1 on a short line inside runs of letters that spell no digit word (`python
# scripts/measure_2023_01.py --runs 24`, heads alone): 1,000 and 10,000 characters 24 of 24 right; 20,000, 21
# right and 3 flagged; 60,000, 6 right, 7 flagged and 11 confidently wrong (the digit across the run read as
# another). Part 2's shipped network was 24 of 24 right at every length. Until this range was declared, such
# lines counted as in range.
EXACT_LENGTH = CONFIG.data.ood_max_length


def combine(decoded, rows):
    (tens, tens_sure), (units, units_sure) = decoded["tens"], decoded["units"]
    in_range = np.fromiter((len(row) <= EXACT_LENGTH for row in rows), dtype=bool, count=len(rows))
    return 10 * tens + units, tens_sure & units_sure & in_range


# Annealing (`train.anneal_steps=3000` at learning rate 0.0005, both parts, new this stop): once the stop rule holds,
# 3,000 more steps at a tenth of the rate. The stop rule cannot see a rate of one line in 100,000: the shipped part 1
# before it (seed 0) was confidently wrong on 4 and flagged 14 of 400,000 fresh lines (part 2: 3 and 5), though it had
# looked clean on the measuring seed's 100,000 (`python scripts/measure_2023_01.py --extra 400000`). Annealed, part 1's
# three seeds were confidently wrong on 2 and flagged 4 of 1,500,000 (README row): fewer, not none.
# Training asks each head for p >= 0.9999 before it stops (both parts): with 0.999, part 2 left 1-3
# of 100,000 fresh lines confidently wrong (a spelled word is only right when all of its window is
# read right), and part 1's seeds 1 and 2 one line each. Stopping later does not remove the last rare line:
# with a stricter stop rule (`--set train.eval_size=8192 --set train.exact_evals=5`) part 1's seed 0 stopped
# at 4,400 steps (the shipped run at 2,700) and was confidently wrong on 1 of 100,000 fresh lines
# (`ayqjotfbqja8003911npebxwtcacoqjiralkfiveiqrqwo6`: 0s, which real inputs never hold), where the shipped
# network flags 1 and gets none wrong (`python scripts/measure_2023_01.py --part 1 --weights D`).
# Hard rounds on sweeps of 400,000 fresh lines (`--set train.hard_rounds=3 --set train.sweep_size=400000`, seed 0)
# did no better: after one round a sweep of 401,408 found no line below training's margin, yet the same line was
# confidently wrong among 100,000 fresh ones (and 1 of 10,000 long lines flagged). Gates snapped to shut or open within 0.02
# (`--set model.gate_snap=0.02`, seed 0, 2,500 steps): 1 of 100,000 fresh lines confidently wrong (42 read as 49),
# 1 flagged. A per-position MLP of 128 units (`--set model.encoder_mlp=128`, seed 0): 3 (part 1) and 2 (part 2) of
# 100,000 fresh lines confidently wrong, e.g. '0686ybrftwoneight57sixsixthreefour' read as 67 (the tens from its
# second digit, where a 0 leads).


# Part 1 also drills, after the anneal, the lines a sweep of 500,000 fresh training-range lines finds below
# training's margin (hard rounds, at most 4), and a quarter of its training lines are drawn character by character
# (`PART1_UNIFORM`, `uniform_line`); both new this stop. Measured (`python scripts/measure_2023_01.py --part 1
# --weights D --extra 400000`, then `--uniform 20000`), seeds 0, 1 and 2 are each exact and unflagged on 500,000
# fresh lines, 10,000 of 66-99 and of 100-260 characters and 20 full inputs; on 120,000 uniform lines seeds 0 and 1
# are exact, seed 2 flags 1. Shipped: seed 0, with seeds 1 and 2 as second opinions (aocnn.nn.opinions).
# With hard rounds but the token law alone (4 seeds): seeds 1 and 2 exact on the 500,000, seed 3 flagged 1, and
# seed 0 was confidently wrong on `ayqjotfbqja8003911...`, a blind spot, not noise: `a8003911q6` and 20 more of the
# 234 lines `<letter><digit>003911q6` read with tens 0, which the token law (digits 22% of tokens, runs rare) almost
# never shows it; and on uniform lines seed 2 was confidently wrong on 2 (`qb4gclkdzjjlenkjmjemoihkjp6vv2eew`).
# Trained with the uniform lines, no seed reads any of those wrong. Hard rounds before annealing existed did no
# better on that line (below). Part 2 ships seed 0 with seeds 1 and 2 as second opinions: 3 of 500,000 fresh lines
# flagged (seed 1 alone was confidently wrong on one of them), none wrong; on 120,000 uniform lines 2 flagged.
PART1_CONFIG = replace(CONFIG, train=replace(CONFIG.train, hard_rounds=4, sweep_size=500_000))


def neural_task(part: int) -> NeuralTask:
    spelled = part == 2
    spec = FamilySpec(CONFIG if spelled else PART1_CONFIG, encode, partial(examples, spelled=spelled), combine)
    return family_task(
        f"2023_01/part{part}", spec,
        learned="which characters" + (" and spelled words" if spelled else "") + " are digits, their values, "
                "which comes first and which last on a line",
        hand_written="split lines, map characters to ids, argmax of the tens and units heads, 10*tens+units, sum",
        far=f"lines of {CONFIG.data.ood_min_length}-{CONFIG.data.ood_max_length} characters",
        ablations=ABLATIONS + (SPELLED_ABLATIONS if spelled else ()),
    )


ABLATIONS = (
    Ablation("window-1", "reads one character per position: spelled words must be put together by the recurrence",
             ("model.window=1",)),
    Ablation("forward-only", "one reading direction: the first digit must be carried to the end of the line",
             ("model.direction=forward",)),
    Ablation("no-gates", "a plain linear recurrence, no input-dependent gate: nothing can latch onto a digit",
             ("model.gate=none",)),
    Ablation("no-encoder-mlp", "no per-position MLP between the window and the recurrence", ("model.encoder_mlp=0",)),
)
SPELLED_ABLATIONS = (
    Ablation("window-3", "a 3-character window: 'four', 'five', 'nine', 'three', 'seven' and 'eight' no longer fit in one "
             "window, so the recurrence must put them together", ("model.window=3",)),
)


PUZZLE = Puzzle(2023, 1, "Trebuchet?!", parse, part1, part2, generate_input,
                neural={1: neural_task(1), 2: neural_task(2)})
