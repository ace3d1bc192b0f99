"""AoC 2018 day 1, "Chronal Calibration".

A device's frequency starts at 0 and is changed by a list of signed amounts, one per line (`+N` or
`-N`). Part 1 is the frequency after the whole list: the sum of the changes. Part 2 replays the list
again and again (the frequency carries over from one pass to the next) and asks for the first
frequency that the device reaches a second time; the starting 0 counts as reached.

The input is lines `+N` / `-N` (N a whole number); anything else is an error naming its line, for
both solvers. A list whose frequencies never repeat (they are all different within a pass, and no
two are a whole positive number of totals apart) has no part 2 answer; the solver says so.

Part 2 without replaying: with prefix sums p_0 = 0, p_1, ..., p_{n-1} and total T, pass j visits
p_k + j*T. Once the first pass holds no repeat (so the p's differ and T != 0), the value at
(pass j, position k) was seen before exactly when some p_m equals p_k + d*T with 1 <= d <= j, and
then it was first seen in pass 0 at m. So position k repeats first in pass d_k, the smallest such d,
found by grouping the p's by residue mod |T| and taking each one's nearest neighbour in the
direction of T; the answer is the p_m of the smallest (d_k, k).

Neural solvers:
- part 1, score 5: the shared family (aocnn.nn.family), configured only, trained on the sum of
  short lists (1-200 changes). Each line is one position; its signed change arrives as an integer
  scalar on the exact channel (what `parse` read; the token id is the same for every line). Learned:
  how a change enters the stream, that the answer is a running sum (the gate-free recurrence's
  decay settles exactly on 1), and the read-out; integer weights (pull, then rounding, then snapped)
  keep it exact at 10,000 lines and any total in float32's exact range. Hand-written: parse, ids,
  round. An answer is low-confidence once the changes' magnitudes add up past 2^22 (`EXACT_BOUND`).
  Ablations (seed 0): without the integer pull and rounding, and with an input-gated recurrence,
  nothing is exact after 3,000 steps; without the clip to [-1, 1] it still converges (1,800 steps).
- part 2: no network (classical only; `aocnn solve` says the neural solver is not available). Tried on
  the family (`PART2_ATTEMPT`, not registered; `python scripts/probe_2018_01_part2.py`): part 1's exact
  counter both ways (each line's running total, its index, the total), two all-pairs layers (max over
  partners), and a gated value per line (the gate: "the repeat is my running total"; the value: an
  integer map of the counter), on lists of 2-10 changes that repeat within 12 passes, most after the
  first (`small_changes`). Seed 0, pair layers of 128 (`--set model.pairs_hidden=128`):
  - the answer only (`--mode answer`), stopped at 15,000 of 40,000 steps: 24-28% of held-out lists
    throughout, about the share whose answer is 0; the loss never fell.
  - told where the repeat is (`--mode pointer`: the hint `first_seen`, a pointer head to the line whose
    running total it is, alone), 40,000 steps, unconverged (81% at training's margin at the end): of
    5,000 fresh lists 90.5% pointed right (4,133 sure and right, 857 unsure, 10 sure and wrong); by the
    pass the list repeats in (another 5,000), pass 0 99.9%, pass 1 99.0%, pass 2 53%, pass 3 or later
    40%; of 5,000 lists of 11-24 changes 85% (306 sure and wrong; pass 2 and later 12-18%).
  - both heads at once (`--mode hinted`, PART2_HINTED), 40,000 steps: the value still right only where
    the answer is 0 (1,289 of 5,000), and the pointer worse (98.7% in pass 0, 31-37% later).
  - the pointer alone on lists that mostly repeat later (`--early-kept 0.2`: 26% pass 0, 22% pass 1,
    31% pass 2, 20% later), 40,000 steps (48% at training's margin at the end): pass 0 and 1 98.8%,
    pass 2 77%, pass 3 or later 44% (3,972 sure and right, 1,025 unsure, 3 sure and wrong of 5,000
    drawn as before); of lists of 11-24 changes, 173 of 5,000 sure and wrong.
  So the pair layers learn "equal" and "one total apart", and each further pass only from its own
  lists, not "some whole number of totals apart". A ReLU pair function tests "differs by exactly d
  totals" with about two units per d (relu(x - dT) + relu(dT - x) is 0 only there), so real inputs (d
  up to about 150, running totals up to 10^5) need some 300 exact units per pair and a maximum over 150
  channels; the family has no test "is a whole multiple of a total that differs per input" that a few
  weights could learn. Not tried: a periodic (sine) pair unit with a learned frequency, or a quotient
  in log space (NALU): either builds the divisibility test in rather than learning it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import accumulate

import numpy as np

from aocnn.errors import InputError, line_error
from aocnn.nn.config import Config, DataConfig, DecoderConfig, ModelConfig, TrainSection
from aocnn.nn.family_task import COUNTER_ABLATIONS, FamilySpec, family_task
from aocnn.registry import Puzzle
from aocnn.text import lines

CHANGE = re.compile(r"[+-][0-9]+")


# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> list[int]:
    """The signed changes; a line that is not `+N` or `-N` is an error naming it."""
    changes = []
    for number, line in enumerate(lines(text), 1):
        if not CHANGE.fullmatch(line):
            raise line_error(number, line, "expected a signed change '+N' or '-N' (N a whole number)")
        changes.append(int(line))
    return changes


def never_repeats(why: str) -> InputError:
    return InputError(f"no part 2 answer: no frequency is ever reached twice ({why})")


# --- classical ------------------------------------------------------------------------------

def part1(changes: list[int]) -> int:
    return sum(changes)


def part2(changes: list[int]) -> int:
    return first_repeat(changes)[2]


def first_repeat(changes: list[int]) -> tuple[int, int, int]:
    """(pass, position, frequency) of the first frequency reached twice: pass 0 is the first reading
    of the list; the frequency after its change at 0-based `position` is the repeat."""
    seen = {0}
    frequency = 0
    for position, change in enumerate(changes):  # the first pass
        frequency += change
        if frequency in seen:
            return 0, position, frequency
        seen.add(frequency)
    total = frequency  # != 0 here, or the first pass would have ended on 0 again
    size, sign = abs(total), (1 if total > 0 else -1)
    prefix = [0, *accumulate(changes[:-1])]  # p_0..p_{n-1}, all different
    by_residue: dict[int, list[tuple[int, int]]] = {}
    for position, value in enumerate(prefix):
        by_residue.setdefault(value % size, []).append((value * sign, position))
    best = None
    for group in by_residue.values():
        group.sort()
        for (low, position), (high, _) in zip(group, group[1:]):  # p at `position` + d*total reaches the next one first
            # in pass d it is reached after the change at position - 1 (position 0: the last change of pass d - 1)
            step = ((high - low) // size) * len(changes) + position - 1
            best = min(best, (step, high * sign)) if best is not None else (step, high * sign)
    if best is None:
        raise never_repeats(f"the total is {total} and no two running totals are a multiple of it apart")
    step, value = best
    return step // len(changes), step % len(changes), value


def passes(changes: list[int]) -> int:
    """How many times the list is read, in part or in full, until part 2's repeat."""
    return first_repeat(changes)[0] + 1


# --- generator ------------------------------------------------------------------------------
#
# Why the shape: part 2 repeats in pass d only if two running totals are d totals apart, so real
# inputs (about 1,000 lines, totals 400-600, 135-145 passes) keep every running total of a pass in a
# few clusters, each with all its values different mod the total, the clusters some 70,000 apart: the
# 2-3 huge changes are the jumps between clusters. Here each cluster is a random set of frequencies
# inside a window narrower than the total (so different mod it), visited in the order of their value
# plus noise: small changes of both signs (median |N| about 11), the walk drifting up or down through
# the window. The first cluster holds 0 and ends the pass just below the total.

REAL_LINES = (959, 1029)
REAL_TOTAL = (400, 600)
REAL_PASSES = (130, 150)  # the offsets between clusters, in totals (real inputs: 135-145 passes)


def cluster_walk(rng: np.random.Generator, values: np.ndarray, descending: bool) -> np.ndarray:
    """`values` in the order of value plus noise (descending: the other way)."""
    noisy = values + rng.normal(0.0, 11.0, values.size)
    order = np.argsort(-noisy if descending else noisy, kind="stable")
    return values[order]


def frequencies(rng: np.random.Generator, n_lines: int, total: int) -> np.ndarray:
    """p_0 = 0, p_1, ..., p_{n-1} of one pass (then the pass ends on `total`)."""
    clusters = 2 if n_lines <= 1.8 * total else 3
    sizes = rng.multinomial(n_lines - 1, np.ones(clusters) / clusters)  # -1: p_0 = 0 is fixed
    sizes = np.minimum(sizes, int(0.92 * total) - 1)
    sizes[0] = n_lines - 1 - sizes[1:].sum()
    # cluster 0: 0 and values in 1..total-2, split between the start and the end of the pass
    home = np.sort(rng.choice(np.arange(1, total - 1), sizes[0], replace=False))
    home = cluster_walk(rng, home, descending=False)
    split = int(rng.integers(sizes[0] // 4, 3 * sizes[0] // 4 + 1))
    middle = []
    offsets = [int(rng.integers(*REAL_PASSES)), -int(rng.integers(*REAL_PASSES))][: clusters - 1]
    for size, passes_apart in zip(sizes[1:], offsets):
        width = int(rng.integers(size + 10, int(0.95 * total)))
        start = passes_apart * total + int(rng.integers(-total // 2, total // 2))
        chosen = start + np.sort(rng.choice(width, size, replace=False))
        middle.append(cluster_walk(rng, chosen, descending=bool(rng.random() < 0.5)))
    return np.concatenate([[0], home[:split], *middle, home[split:]]).astype(np.int64)


def realistic_changes(rng: np.random.Generator, n_lines: int, total: int) -> np.ndarray:
    prefix = frequencies(rng, n_lines, total)
    return np.diff(np.append(prefix, total))


def as_text(changes) -> str:
    return "".join(f"{int(c):+d}\n" for c in changes)


def generate_input(seed: int) -> str:
    """A full input of the real shape: 959-1,029 lines, total 400-600, part 2 after 130-150 passes."""
    rng = np.random.default_rng(seed)
    while True:
        n_lines = int(rng.integers(REAL_LINES[0], REAL_LINES[1] + 1))
        total = int(rng.integers(REAL_TOTAL[0], REAL_TOTAL[1] + 1))
        changes = realistic_changes(rng, n_lines, total)
        if REAL_PASSES[0] - 5 <= passes(changes.tolist()) <= REAL_PASSES[1] + 5:
            return as_text(changes)


# --- part 1: the shared family, configured ----------------------------------------------------
#
# One position per line, the same token id (1) at each, the signed change as an integer scalar on the
# exact channel. Learned (trained on the sum only): how a change enters the stream (the scalar's
# weights), that the answer is a running sum (a forward gate-free recurrence whose decay must settle
# exactly on 1), the read-out after the last line. As in 2015/1 part 1, an integer pull and, late in
# training, rounding in the forward pass make the exact weights integers, snapped before anything is
# checked or saved. Training lists: 1-200 changes, mostly small with a few huge ones and totals of
# either sign; beyond: 201-10,000 changes.
# Hand-written: parse, the constant id, round the sum.

TRAIN_LINES = 200
FAR_LINES = 10_000
WIDTH = 4
EXACT_BOUND = 2**22  # float32 holds every integer below 2^24; the stream's 4 channels can each carry up
# to the magnitudes seen so far, so answers count as exact while the |changes| plus the lines add up below 2^24 / 4

SUM_CONFIG = Config(
    model=ModelConfig(vocab=2, scalars=1, width=WIDTH, window=1, layers=1, state=1, direction="forward", gate="none",
                      mlp=0, decoders=(DecoderConfig("total", kind="scalar", read="last"),), integer_pull=0.05,
                      exact_clip=True, quantise="weights"),
    data=DataConfig(min_length=1, max_length=TRAIN_LINES, ood_min_length=TRAIN_LINES + 1, ood_max_length=FAR_LINES),
    train=TrainSection(batch_size=128, learning_rate=0.02, warmup_steps=20, max_steps=3000, eval_every=50,
                       eval_size=2048, far_size=256, exact_evals=3, round_start=0.3),
)


def change_inputs(changes: np.ndarray, lengths: np.ndarray) -> dict[str, np.ndarray]:
    """Padded changes (n x L) and their counts -> the family's inputs."""
    mask = np.arange(changes.shape[1])[None, :] < lengths[:, None]
    return {"ids": mask.astype(np.int32), "lengths": lengths.astype(np.int32),
            "scalars": np.where(mask, changes, 0).astype(np.float32)[..., None]}


PAD_TO = 512  # lists are padded to a multiple of this many lines: few compiled shapes


def encode(changes: list[int]):
    padded = np.zeros((1, -(-len(changes) // PAD_TO) * PAD_TO), dtype=np.int64)
    padded[0, :len(changes)] = changes
    yield change_inputs(padded, np.array([len(changes)]))


def random_changes(rng: np.random.Generator, n: int, shortest: int, longest: int) -> tuple[np.ndarray, np.ndarray]:
    """n padded lists of shortest..longest changes: each list its own scale of small changes (up to a
    few hundred), its own drift (totals of both signs), and now and then a huge change (up to 150,000).
    Only the lines that exist are drawn (beyond the training range a list averages half the longest)."""
    lengths = rng.integers(shortest, longest + 1, n)
    scale = rng.choice([3, 10, 30, 100, 300], n)
    drift = rng.uniform(-0.5, 0.5, n) * scale
    huge_rate = rng.choice([0.0, 0.003, 0.02], n)
    lines = int(lengths.sum())
    normal = rng.standard_normal(lines, dtype=np.float32)
    values = np.rint(np.repeat(drift, lengths) + np.repeat(scale, lengths) * normal).astype(np.int64)
    huge = rng.random(lines, dtype=np.float32) < np.repeat(huge_rate, lengths)
    values[huge] = rng.integers(-150_000, 150_001, int(huge.sum()))
    changes = np.zeros((n, longest), dtype=np.int64)
    changes[np.arange(longest)[None, :] < lengths[:, None]] = values  # row by row, in order
    return changes, lengths


def sum_examples(rng: np.random.Generator, n: int, data: DataConfig, far: bool):
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    changes, lengths = random_changes(rng, n, low, high)
    return changes, change_inputs(changes, lengths), {"total": changes.sum(axis=1).astype(np.float32)}


def in_exact_range(changes: list[int]) -> bool:
    return sum(map(abs, changes)) + len(changes) < EXACT_BOUND


def sum_answer(decoded, changes: list[int]):
    total, sure = decoded["total"]
    return total, sure & in_exact_range(changes)


PART1 = family_task(
    "2018_01/part1", FamilySpec(SUM_CONFIG, encode, sum_examples, sum_answer),
    learned="how a signed change enters the stream, that the answer is a running sum (decay exactly 1), the read-out",
    hand_written="parse, the same id for every line with its change as an integer scalar, rounding the sum",
    far=f"lists of {TRAIN_LINES + 1}-{FAR_LINES:,} changes (training: 1-{TRAIN_LINES}), totals of both signs",
    ablations=COUNTER_ABLATIONS,
)


# --- part 2: an attempt on the shared family, not registered (module docstring) ---------------
#
# One position per line as in part 1. Layer 0 is part 1's exact counter, both ways: each position can
# hold its running total p (before its change: the frequency the device shows when it reads that line),
# its index, and the total T. Two all-pairs layers (max over partners) follow: the first can test, for
# a position m and each other position k, whether p_m - p_k is d totals with d >= 1 (the frequency at k
# reaches p_m in pass d), and keep the best (d, k) as a score; the second can compare m's score with
# everyone's. The head is gated, one value per position: the gate says "the repeat is my running total",
# the value is an integer map of the stream (the counter's p). Trained on the answer only (the sum of
# gate x value); no hints. Training lists: 2-10 changes with totals of both signs and an answer within
# 12 passes, most of them after the first (`small_changes`); beyond: 11-24 changes.

REPEAT_LINES, REPEAT_FAR = (2, 10), (11, 24)
REPEAT_PASSES = 12  # training lists repeat within this many passes: their values stay small


def small_changes(rng: np.random.Generator, n_lines: int, early_kept: float = 1.0) -> list[int] | None:
    """A short list with a part 2 answer within REPEAT_PASSES passes, or None (draw again). A quarter
    are random walks (they mostly repeat in the first pass); the rest pick the pass's running totals
    (all different, within a few totals of 0) and a total, as real inputs do, so they repeat later.
    Only `early_kept` of the lists that repeat in pass 0 or 1 are kept (fewer: more later repeats)."""
    if rng.random() < 0.25:
        scale = int(rng.choice([1, 2, 3, 5, 8]))
        changes = rng.integers(-scale, scale + 1, n_lines).tolist()
    else:
        total = int(rng.integers(2, 21)) * int(rng.choice([-1, 1]))
        reach = max(int(rng.integers(1, 5)) * abs(total), n_lines)
        values = np.concatenate([np.arange(-reach, 0), np.arange(1, reach + 1)])
        running = np.concatenate([[0], rng.choice(values, n_lines - 1, replace=False), [total]])
        changes = np.diff(running).tolist()
    try:
        passes_before = first_repeat(changes)[0]
    except InputError:
        return None
    keep = passes_before < REPEAT_PASSES and (passes_before >= 2 or rng.random() < early_kept)
    return changes if keep else None


def repeat_examples(rng: np.random.Generator, n: int, data: DataConfig, far: bool, early_kept: float = 1.0):
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    lists = []
    while len(lists) < n:
        drawn = small_changes(rng, int(rng.integers(low, high + 1)), early_kept)
        if drawn is not None:
            lists.append(drawn)
    padded = np.zeros((n, high), dtype=np.int64)
    for row, changes in enumerate(lists):
        padded[row, :len(changes)] = changes
    lengths = np.array([len(c) for c in lists])
    repeats = [part2(c) for c in lists]
    targets = {"repeat": np.array(repeats, np.float32)}
    if "first_seen" in data.hints:  # the line whose running total (before its change) is the repeat
        targets["first_seen"] = np.array([first_seen(c, r) for c, r in zip(lists, repeats)], np.int32)
    return lists, change_inputs(padded, lengths), targets


def first_seen(changes: list[int], repeat: int) -> int:
    """The first line whose running total before its change is `repeat`, part 2's answer (there always
    is one: a repeat's value was first reached in the first pass, or it is 0, line 0's)."""
    return [0, *accumulate(changes[:-1])].index(repeat)


def repeat_answer(decoded, changes: list[int]):
    return decoded["repeat"]


REPEAT_CONFIG = Config(
    model=ModelConfig(vocab=2, scalars=1, width=16, window=1, layers=3, kinds=("recurrence", "all_pairs", "all_pairs"),
                      state=4, direction="bidirectional", gate="none", exact_layers=1, mlp=64, pairs_hidden=64,
                      aggregate="max",
                      decoders=(DecoderConfig("repeat", kind="scalar", read="each", gated=True, hidden=32),),
                      integer_pull=0.05, exact_clip=True, quantise="weights"),
    data=DataConfig(min_length=REPEAT_LINES[0], max_length=REPEAT_LINES[1], ood_min_length=REPEAT_FAR[0],
                    ood_max_length=REPEAT_FAR[1]),
    train=TrainSection(batch_size=64, learning_rate=3e-3, warmup_steps=50, max_steps=8000, eval_every=100,
                       eval_size=1024, far_size=256, exact_evals=3, round_start=0.6),
)

# The hinted variant: also a pointer to the line that first reached the repeat (`first_seen`, from the
# classical answer): can the layers find it at all when told where it is?
HINTED_CONFIG = replace(REPEAT_CONFIG, model=replace(REPEAT_CONFIG.model, decoders=(
    *REPEAT_CONFIG.model.decoders, DecoderConfig("first_seen", kind="pointer", hidden=32))),
    data=replace(REPEAT_CONFIG.data, hints=("first_seen",)))

PART2_ATTEMPT = family_task(  # not registered: see the module docstring for how far it got
    "2018_01/part2", FamilySpec(REPEAT_CONFIG, encode, repeat_examples, repeat_answer),
    learned="the running totals and the total (the counter), which running total another reaches after whole passes, "
            "the earliest such, and its value",
    hand_written="parse, the same id for every line with its change as an integer scalar, the gate's argmax, rounding",
    far=f"lists of {REPEAT_FAR[0]}-{REPEAT_FAR[1]} changes (training: {REPEAT_LINES[0]}-{REPEAT_LINES[1]})",
)

PART2_HINTED = family_task(  # not registered either
    "2018_01/part2", FamilySpec(HINTED_CONFIG, encode, repeat_examples, repeat_answer),
    learned=PART2_ATTEMPT.learned, hand_written=PART2_ATTEMPT.hand_written, far=PART2_ATTEMPT.far)

PUZZLE = Puzzle(2018, 1, "Chronal Calibration", parse, part1, part2, generate_input,
                neural={1: PART1})
