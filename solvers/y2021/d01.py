"""AoC 2021 day 1, "Sonar Sweep".

A submarine's sonar reports one depth per line, in order. Part 1 counts the depths that are larger
than the one just before them. Part 2 slides a window of three consecutive depths down the list
and counts the windows whose sum is larger than the previous window's; two neighbouring windows
share two depths, so that is the count of i with depth[i] > depth[i-3].

Input: one non-negative integer per line (real inputs: 2,000 lines, depths 94-10,194); anything
else is an error naming its line, for both solvers.

Neural solvers, both parts score 5: the shared family (aocnn.nn.family), configured only, trained on
final answers only (one "larger or not" per depth). The same config serves both parts.
- Record i is depth i with the three depths before it, as four aligned digit streams (the "digit
  sequences" encoder: right-aligned, zero-padded to a common width, one decimal place per position,
  digit + 1 as the id; a depth that does not exist, before the first line, is a "none" token).
- Learned: which earlier depth to compare with (part 1's network must find that the answer depends
  on stream 1, part 2's on stream 3; the other streams are distractors), the comparison of two
  numbers of any digit count (a backward latch that reads from the least significant place and ends,
  at the most significant place, holding the most significant differing digit pair), and that a
  missing predecessor means "not larger".
- Hand-written: parse, digits to ids, argmax, the count of "larger" over records.
- Exact range: depths of up to MAX_DIGITS digits (measured: trained on 1-8 digits, exact at 9-12
  and at 18). A record with a longer depth counts as low-confidence.
- Measured (`scripts/seeds.py 2021 1 --part P --seeds 0-2 --held-out 100000 --far 2000 --inputs 20`):
  every seed of both parts exact on 100,000 fresh windows and 2,000 of 9-12 digits, none flagged, and
  20/20 full inputs (2,400-2,600 steps for part 1, 2,500-4,500 for part 2, 10-18 s each). Before the
  training batches were padded to one shape (9fdebae), part 1's seed 2 flagged 5 records of its 20
  full inputs (right, p 0.98-0.99); retrained with today's code it flags none. The shipped weights
  (part 2: 4,200 steps) were trained before that change and measured the same.
"""

from __future__ import annotations

import re

import numpy as np

from aocnn.errors import line_error
from aocnn.nn.config import Config, DataConfig, DecoderConfig, ModelConfig, TrainSection
from aocnn.nn.encode import aligned_digit_ids, pad_positions
from aocnn.nn.family_task import FamilySpec, family_task
from aocnn.nn.task import Ablation, NeuralTask
from aocnn.registry import Puzzle
from aocnn.text import lines

DEPTH = re.compile(r"[0-9]+")
LAG = {1: 1, 2: 3}  # the part's window comparison is depth[i] against depth[i - LAG[part]]


# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> list[int]:
    """One depth per line: a non-negative integer."""
    depths = []
    for number, line in enumerate(lines(text), 1):
        if not DEPTH.fullmatch(line):
            raise line_error(number, line, "expected a depth (a non-negative integer)")
        depths.append(int(line))
    return depths


# --- classical ------------------------------------------------------------------------------

def increases(depths: list[int], lag: int) -> int:
    return sum(later > earlier for earlier, later in zip(depths, depths[lag:]))


def part1(depths: list[int]) -> int:
    return increases(depths, LAG[1])


def part2(depths: list[int]) -> int:
    return increases(depths, LAG[2])  # the two windows share the two depths between


# --- generator ------------------------------------------------------------------------------

def generate_input(seed: int, n_lines: int = 2000) -> str:
    """A full input of the real shape: a noisy descent from 94-200 to about 10,000 over 2,000 lines,
    about three steps in four going deeper, some level, a few big jumps."""
    rng = np.random.default_rng(seed)
    start = int(rng.integers(94, 201))
    mean_step = (int(rng.integers(9_000, 9_800)) - start) / n_lines
    steps = np.rint(rng.normal(mean_step, rng.uniform(6, 12), n_lines - 1)).astype(np.int64)
    jumps = rng.random(n_lines - 1) < 0.01
    steps[jumps] += rng.integers(-80, 81, int(jumps.sum()))
    depths = np.maximum(start + np.concatenate([[0], np.cumsum(steps)]), 0)
    return "\n".join(map(str, depths)) + "\n"


# --- neural: the shared family, configured ------------------------------------------------------

STREAMS = 4  # a depth and the three before it: every lag a part could ask for
NONE = 11  # the token of a depth that does not exist (digits are 1-10, 0 is padding)
MAX_DIGITS = 18  # the declared exact range: measured exact at 18 digits (training saw at most 8)
TRAIN_DIGITS, FAR_DIGITS = (1, 8), (9, 12)
CHUNK = 4096  # records per network call: memory stays flat however long the input

CONFIG = Config(
    model=ModelConfig(vocab=NONE + 1, channels=STREAMS, width=24, encoder_mlp=64, layers=1, state=8,
                      direction="backward", gate="tied", mlp=0,
                      decoders=(DecoderConfig("larger", classes=2, read="first"),)),
    data=DataConfig(min_length=TRAIN_DIGITS[0], max_length=TRAIN_DIGITS[1], ood_min_length=FAR_DIGITS[0],
                    ood_max_length=FAR_DIGITS[1]),
    train=TrainSection(batch_size=128, learning_rate=1e-2, warmup_steps=50, max_steps=6000, eval_every=100,
                       eval_size=4096, far_size=1024, exact_evals=5),
)


def windows(depths: list[int]) -> np.ndarray:
    """[N, STREAMS]: depth i, then the depths 1, 2, 3 before it (-1: before the first line)."""
    padded = np.array([-1] * (STREAMS - 1) + list(depths), dtype=object)
    return np.stack([padded[STREAMS - 1 - k: len(padded) - k] for k in range(STREAMS)], axis=1)


def encode_windows(rows: np.ndarray, width: int) -> dict[str, np.ndarray]:
    """The window's depths on STREAMS digit channels; NONE at every place of a missing depth (-1)."""
    missing = np.array([[v < 0 for v in row] for row in rows], dtype=bool).reshape(len(rows), STREAMS)
    ids = aligned_digit_ids(np.where(missing, 0, rows), width)
    ids[np.broadcast_to(missing[:, None, :], ids.shape)] = NONE
    return {"ids": ids, "lengths": np.full(len(rows), width, np.int32)}


def encode(depths: list[int]):
    rows = windows(depths)
    width = max(len(str(d)) for d in depths)  # one width per input: one compile
    for start in range(0, len(rows), CHUNK):
        yield encode_windows(rows[start:start + CHUNK], width)


def near(rng: np.random.Generator, values: np.ndarray, width: int) -> np.ndarray:
    """Values a little away from `values` (sometimes equal), kept in range: neighbours that share a long
    prefix, as real depths do. Half change one decimal place; half add a difference of a random number
    of digits, whose borrows and carries change several places (4160 after 4148)."""
    digits = np.array([len(str(v)) for v in values])
    place = 10 ** np.minimum(rng.integers(0, digits + 1), width - 1)  # mostly within the value's own digits
    one_place = rng.integers(-9, 10, len(values)) * place
    size = 10 ** rng.integers(0, np.minimum(digits, width) + 1)
    difference = np.array([int(rng.integers(-s, s + 1)) for s in size], dtype=np.int64)
    changed = values + np.where(rng.random(len(values)) < 0.5, one_place, difference) * (rng.random(len(values)) < 0.9)
    return np.clip(changed, 0, 10**width - 1)


def random_values(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    return rng.integers(0, 10 ** rng.integers(1, width + 1, n).astype(np.int64))


def examples(rng: np.random.Generator, n: int, data: DataConfig, far: bool, lag: int):
    """Windows of 4 numbers of up to a random width (one per batch): a run of close depths, or each
    earlier one near the latest or unrelated; some windows at the start of an input (missing depths). Target: is the
    latest larger than the one `lag` before it."""
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    width = int(rng.integers(low, high + 1))
    latest = random_values(rng, n, width)
    rows = [latest]
    chain = rng.random(n) < 0.4  # a run like a real input's: each depth near the one after it
    for _ in range(STREAMS - 1):
        close = np.where(chain, near(rng, rows[-1], width), near(rng, latest, width))
        rows.append(np.where(chain | (rng.random(n) < 0.6), close, random_values(rng, n, width)))
    rows = np.stack(rows, axis=1).astype(object)
    missing = rng.integers(0, STREAMS, n) * (rng.random(n) < 0.15)  # how many earlier depths do not exist
    rows[np.arange(STREAMS)[None, :] > STREAMS - 1 - missing[:, None]] = -1
    earlier = rows[:, lag]
    larger = np.array([e >= 0 and v > e for v, e in zip(rows[:, 0], earlier)], dtype=np.int32)
    return rows, pad_positions(encode_windows(rows, width), high), {"larger": larger}  # one shape: one compile


def combine(decoded, depths: list[int]):
    larger, sure = decoded["larger"]
    return larger, sure & np.array([len(str(d)) <= MAX_DIGITS for d in depths])


def neural_task(part: int) -> NeuralTask:
    lag = LAG[part]
    spec = FamilySpec(CONFIG, encode, lambda rng, n, data, far: examples(rng, n, data, far, lag), combine)
    return family_task(
        f"2021_01/part{part}", spec,
        learned="which earlier depth to compare with, the comparison of two numbers digit by digit (any digit "
                "count), and that a missing predecessor is not smaller",
        hand_written="parse, the depth and the three before it as digit ids (a none token before the first line), "
                     "argmax, count the records judged larger",
        far=f"depths of {FAR_DIGITS[0]}-{FAR_DIGITS[1]} digits",
        ablations=ABLATIONS,
    )


ABLATIONS = (
    Ablation("one-width", "every training batch has 8-digit numbers (leading zeros), not 1-8 digits",
             ("data.min_length=8",)),
    Ablation("no-gates", "a plain linear recurrence: nothing can latch onto the deciding place", ("model.gate=none",)),
    Ablation("no-encoder-mlp", "no per-position MLP: the digit pair's order must come from the embeddings alone",
             ("model.encoder_mlp=0",)),
)


PUZZLE = Puzzle(2021, 1, "Sonar Sweep", parse, part1, part2, generate_input,
                neural={1: neural_task(1), 2: neural_task(2)})
