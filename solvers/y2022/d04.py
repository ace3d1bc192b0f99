"""AoC 2022 day 4, "Camp Cleanup".

Each line, `a-b,c-d`, gives two elves' section assignments: the whole numbers from a to b and
from c to d (both ends included, a <= b and c <= d).
- Part 1: in how many lines does one range hold all of the other?
- Part 2: in how many lines do the two ranges share at least one section?

Neural solvers (one per part), score 5: the shared family (aocnn.nn.family), configured only,
trained on each line's yes/no (a 2-way class), no hints. The four bounds are digit sequences on
four id channels (right-aligned, zero-padded to a common width, one decimal place per position);
a backward gated recurrence reads them from the least significant place. Learned: which of the
four bounds to compare with which, the comparison of two numbers digit by digit (the most
significant differing place decides, whatever the number of digits), and how the comparisons
make "holds" (part 1) or "overlaps" (part 2). Hand-written: parse, digits -> ids, argmax, sum.
"""

from __future__ import annotations

import re
from functools import partial

import numpy as np

from aocnn.errors import line_error
from aocnn.nn.config import Config, DataConfig, DecoderConfig, ModelConfig, TrainSection
from aocnn.nn.encode import aligned_digit_ids, pad_positions
from aocnn.nn.family_task import FamilySpec, family_task
from aocnn.nn.task import Ablation
from aocnn.registry import Puzzle
from aocnn.text import matched_lines

Pair = tuple[int, int, int, int]  # a, b, c, d
REAL_LINES, REAL_HIGH = 1000, 99


# --- reading the input ----------------------------------------------------------------------

LINE = re.compile(r"(\d+)-(\d+),(\d+)-(\d+)")


def parse(text: str) -> list[Pair]:
    """Each line as (a, b, c, d); anything but `a-b,c-d` with a <= b and c <= d is an error naming the line."""
    pairs = []
    for number, line, found in matched_lines(text, LINE, "'a-b,c-d' with whole numbers a, b, c, d"):
        a, b, c, d = map(int, found.groups())
        if a > b or c > d:
            raise line_error(number, line, "a range runs backwards (need a <= b and c <= d)")
        pairs.append((a, b, c, d))
    return pairs


# --- classical ------------------------------------------------------------------------------

def one_holds_the_other(a: int, b: int, c: int, d: int) -> bool:
    return (a <= c and d <= b) or (c <= a and b <= d)


def overlap(a: int, b: int, c: int, d: int) -> bool:
    return a <= d and c <= b


def part1(pairs: list[Pair]) -> int:
    return sum(one_holds_the_other(*pair) for pair in pairs)


def part2(pairs: list[Pair]) -> int:
    return sum(overlap(*pair) for pair in pairs)


# --- generator ------------------------------------------------------------------------------

def generate_input(seed: int, n_lines: int = REAL_LINES, high: int = REAL_HIGH) -> str:
    """`n_lines` lines of two ranges within 1..high (real inputs: 1,000 lines, 1-99); ranges of every
    size, and about a third of the lines with shared or nested ends."""
    rng = np.random.default_rng(seed)
    bounds = np.sort(rng.integers(1, high + 1, (n_lines, 2, 2)), axis=2)
    tie = rng.random(n_lines) < 0.35
    which = rng.integers(0, 4, n_lines)  # which bound of the second range takes one of the first's
    for row in np.flatnonzero(tie):
        bounds[row, 1, which[row] % 2] = bounds[row, 0, which[row] // 2]
        bounds[row, 1].sort()
    swap = rng.random(n_lines) < 0.5
    bounds[swap] = bounds[swap, ::-1]
    return "".join(f"{a}-{b},{c}-{d}\n" for (a, b), (c, d) in bounds.tolist())


# --- neural solver: the shared family, configured ---------------------------------------------
#
# Learned (trained on each line's yes/no only): the four bounds arrive as digits on four channels,
# one decimal place per position, most significant first (id = digit + 1, 0 is padding). A
# backward tied-gate recurrence (a latch) reads from the least significant place; where the
# network learns to open a gate (two bounds' digits differ) it writes which is larger, so at place 0
# each latch holds the most significant differing digits of a pair of bounds: their order, for any
# number of digits. Which pairs to compare, and how the orders make the answer (a small ReLU layer
# in the head), are learned too. Training uses 1-8 digits per bound, a different width per batch.
# Hand-written: parse, digits -> ids, argmax, sum over lines.
# Tried first: 8 latch channels and learning rate 1e-2. Part 2 did not converge in 10,000 steps (its loss
# kept jumping; every miss was a right but unsure answer), and part 1's seed 1 converged with 1 line in
# 100,000 confidently wrong. 16 channels at 5e-3, and held-out sets twice as large, came next; with
# batches of 128, 2 of 6 seeds (part 1's seed 1, part 2's seed 2) passed the held-out stop rule and were
# confidently wrong on real lines (below). Batches of 512 are what ships: every one of 3 seeds per part
# converges and is never confidently wrong on any real line.
# Exact range: bounds of up to MAX_DIGITS digits (the out-of-range set: 9-18 digits, i.e. far beyond
# 10^9); a line with a longer bound is answered but counted as low-confidence.
# Every line a real input can hold (bounds 1-99: 24,502,500 lines) is few enough to check one by one
# (`certify`, about a minute). Held-out sets cannot show errors this rare: with batches of 128, part 1's
# seed 1 and part 2's seed 2 passed the stop rule and were confidently wrong on 1 and 8 real lines. So
# training calls a network converged only when `certify` finds no real line confidently wrong
# (scripts/measure_2022_04.py --every runs the same check). With batches of 512, 3 seeds of each part
# are wrong on none, but flag (right but unsure) 15-557 real lines, near ties such as 9-24,25-92: a real
# input of 1,000 lines got a low-confidence answer now and then. So training has hard rounds
# (train.hard_rounds): while the check finds lines flagged or wrong, 1,000 more steps with an eighth of
# each batch drawn from every line it has found, at a lower rate, then the stop rule and the check again.
# The drilled lines are generated (the enumeration above), never a real input, and the out-of-range set
# (9-18 digits) is never drilled: it, not the check of bounds 1-99, is the evidence that the comparison
# was learned. Hard rounds at the first try's rate (1e-3, a sixteenth of each batch) shook the held-out
# sets (part 1's seeds 1 and 2 ended unconverged; part 2's seed 0 found 57, then 3, then 53 lines).

MAX_TRAIN_DIGITS = 8
MAX_DIGITS = 18
CHUNK = 4096
CERTIFY_CHUNK = 32768  # lines per network call when every real line is checked
CERTIFY_BLOCK = 250  # first ranges per block of every real line (4,950 ranges for 1-99: 20 blocks)
WIDTH_STEP = 4  # padded widths are multiples of this: few compiled shapes

HEADS = {1: "holds", 2: "overlaps"}


def config(part: int) -> Config:
    return Config(
        model=ModelConfig(vocab=11, channels=4, width=32, window=1, encoder_mlp=64, layers=1, state=16,
                          direction="backward", gate="tied", mlp=0,
                          decoders=(DecoderConfig(HEADS[part], classes=2, read="first", hidden=16),)),
        data=DataConfig(min_length=1, max_length=MAX_TRAIN_DIGITS, ood_min_length=MAX_TRAIN_DIGITS + 1,
                        ood_max_length=MAX_DIGITS),
        train=TrainSection(batch_size=512, learning_rate=5e-3, warmup_steps=50, max_steps=10000, eval_every=100,
                           eval_size=4096, far_size=2048, exact_evals=3, hard_rounds=4),
    )


def digit_ids(bounds, width: int) -> dict[str, np.ndarray]:
    """(N, 4) bounds -> ids N x width x 4: each bound's decimal digits, right-aligned, zero-padded, + 1."""
    ids = aligned_digit_ids(np.asarray(bounds, dtype=object).reshape(-1, 4), width)
    return {"ids": ids, "lengths": np.full(len(ids), width, np.int32)}


def digit_count(value: int) -> int:
    return len(str(value))


def encode(pairs: list[Pair]):
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        longest = max(digit_count(v) for pair in chunk for v in pair)
        yield digit_ids(chunk, -(-longest // WIDTH_STEP) * WIDTH_STEP)


def random_bounds(rng: np.random.Generator, digits: np.ndarray) -> np.ndarray:
    """(n, 4) sorted-pair bounds, each of 1..digits[i] digits on line i; many pairs of bounds share a long
    prefix or are equal, so that the decisive digit is anywhere, the last place included."""
    n = len(digits)
    counts = rng.integers(1, digits[:, None] + 1, (n, 4))
    values = rng.integers(np.where(counts > 1, 10 ** (counts - 1), 0), 10**counts)
    for first, second in ((0, 2), (1, 3), (0, 3), (2, 1), (0, 1), (2, 3)):
        near = rng.random(n) < 0.3
        step = rng.integers(-9, 10, n) * np.where(rng.random(n) < 0.25, 0, 10 ** rng.integers(0, digits))
        values[:, second] = np.where(near, np.clip(values[:, first] + step, 0, 10**digits - 1), values[:, second])
    values = values.reshape(n, 2, 2)
    values.sort(axis=2)
    return values.reshape(n, 4)


def answers(bounds: np.ndarray, part: int) -> np.ndarray:
    """Targets for training, from the classical rule, per line."""
    rule = one_holds_the_other if part == 1 else overlap
    return np.array([rule(*map(int, row)) for row in bounds], dtype=np.int32)


def examples(rng: np.random.Generator, n: int, data: DataConfig, far: bool, part: int):
    """In range: one number of digits per batch, 1-8. Beyond: 9-18 digits per line, padded to 18."""
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    digits = rng.integers(low, high + 1, n) if far else np.full(n, rng.integers(low, high + 1))
    width = high if far else int(digits[0])
    bounds = random_bounds(rng, digits)
    return bounds, pad_positions(digit_ids(bounds, width), high), {HEADS[part]: answers(bounds, part)}  # one compile


def examples_of(bounds: np.ndarray, data: DataConfig, part: int):
    """(N, 4) bounds (lines `certify` kept) as training rows: encoded as a solve encodes them, padded as
    `examples` pads lines in range."""
    width = -(-max(digit_count(int(v)) for v in np.ravel(bounds)) // WIDTH_STEP) * WIDTH_STEP
    return pad_positions(digit_ids(bounds, width), data.max_length), {HEADS[part]: answers(bounds, part)}


def combine(decoded, pairs: list[Pair]):
    (head, (values, sure)), = decoded.items()
    in_range = np.array([max(map(digit_count, pair)) <= MAX_DIGITS for pair in pairs], dtype=bool)
    return values, sure & in_range


def every_real_line(high: int = REAL_HIGH, block: int = CERTIFY_BLOCK):
    """Every line a real input can hold: all a <= b and c <= d in 1..high (24,502,500 lines for 99), as
    (N, 4) bounds, `block` first ranges at a time."""
    ranges = np.array([(a, b) for a in range(1, high + 1) for b in range(a, high + 1)], dtype=np.int64)
    for k in range(0, len(ranges), block):
        firsts = ranges[k:k + block]
        yield np.concatenate([np.repeat(firsts, len(ranges), axis=0), np.tile(ranges, (len(firsts), 1))], axis=1)


def rule_of_every(bounds: np.ndarray, part: int) -> np.ndarray:
    """The part's rule on (N, 4) bounds at once (the classical functions, elementwise)."""
    a, b, c, d = bounds.T
    return ((a <= c) & (d <= b)) | ((c <= a) & (b <= d)) if part == 1 else (a <= d) & (c <= b)


def certify(network, part: int, progress=None, keep: list | None = None,
            high: int = REAL_HIGH) -> tuple[tuple[int, int, int], str]:
    """(exact, flagged, confidently wrong) over every line a real input can hold, each read as a solve reads
    it (bounds of at most 4 digits: width 4). Training saves a network as converged only with none wrong.
    `keep`: a list the (N, 4) bounds of the lines flagged or wrong are appended to (training's hard rounds);
    `high`: a smaller largest bound (tests)."""
    from aocnn.nn.family import decode

    totals, blocks = np.zeros(3, np.int64), -(-high * (high + 1) // 2 // CERTIFY_BLOCK)
    for k, bounds in enumerate(every_real_line(high)):
        for start in range(0, len(bounds), CERTIFY_CHUNK):
            chunk = bounds[start:start + CERTIFY_CHUNK]
            said, sure = decode(network.task.config.model, network(digit_ids(chunk, WIDTH_STEP)))[HEADS[part]]
            truth = rule_of_every(chunk, part)
            totals += [np.sum(sure & (said == truth)), np.sum(~sure), np.sum(sure & (said != truth))]
            if keep is not None and not np.all(sure & (said == truth)):
                keep.append(chunk[~sure | (said != truth)])
        if progress is not None:
            progress(k + 1, blocks)
    return tuple(int(t) for t in totals), f"every line with bounds 1-{high} ({int(totals.sum()):,} lines)"


def neural_task(part: int):
    cfg = config(part)
    return family_task(
        f"2022_04/part{part}", FamilySpec(cfg, encode, partial(examples, part=part), combine,
                                           examples_of=partial(examples_of, part=part)),
        learned="which bounds to compare, the order of two numbers digit by digit for any number of digits, and "
                + ("'one range holds the other'" if part == 1 else "'the ranges overlap'") + " from those orders",
        hand_written="parse, the four bounds' digits -> ids on four channels, argmax of the yes/no head, sum over lines",
        far=f"bounds of {cfg.data.ood_min_length}-{cfg.data.ood_max_length} digits (training: 1-{MAX_TRAIN_DIGITS}); "
            f"lines with a bound of more than {MAX_DIGITS} digits count as low-confidence",
        ablations=ABLATIONS,
        certify=partial(certify, part=part),
    )


ABLATIONS = (
    Ablation("forward", "reads from the most significant place: the latch ends on the least significant difference",
             ("model.direction=forward",)),
    Ablation("no-gates", "a plain linear recurrence, no input-dependent gate: nothing can latch",
             ("model.gate=none",)),
    Ablation("no-encoder-mlp", "no per-position MLP: the gates see only the sum of the four digits' embeddings",
             ("model.encoder_mlp=0",)),
    Ablation("batch-128", "batches of 128 (the earlier recipe): held-out sets pass networks wrong on real lines",
             ("train.batch_size=128",)),
    Ablation("no-hard-rounds", "no hard rounds: the real lines the check finds flagged are left as they are",
             ("train.hard_rounds=0",)),
)


PUZZLE = Puzzle(2022, 4, "Camp Cleanup", parse, part1, part2, generate_input,
                neural={1: neural_task(1), 2: neural_task(2)})
