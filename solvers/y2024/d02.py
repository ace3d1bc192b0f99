"""AoC 2024 day 2, "Red-Nosed Reports".

Each line is a report: a few numbers (levels) separated by spaces. A report is safe when, read
from left to right, its levels only go up or only go down, and every step between neighbours
changes the level by 1, 2 or 3. Part 1 counts the safe reports. Part 2 counts the reports that
are safe, or become safe when one of their levels (any one: the first, the last, one inside) is
taken out.

Neural solver for part 1, score 5: the shared family (aocnn.nn.family), configured only, trained on
one safe/unsafe answer per report, no hints. Part 2 has no network yet (see below and the README).
- Encoding (no arithmetic): a report becomes the tokens START, START, then one LEVEL token per
  level; the family's look-ahead window shows position t the kinds of tokens t..t+w-1, and its
  exact channel carries their levels, as plain integers side by side (0 for START and PAD).
  Nothing is computed from the numbers: which of them to subtract, and which differences make a
  valid step in which direction, is learned.
- Part 1 (window 2, no token mixing): learned: the step test (1-3 up, or 1-3 down) from a pair of
  levels, "some step is bad for going up / for going down" (max-pooled over positions), and
  "safe = not both". One step per position leaves the network nothing else to lean on.
  Trained on reports of 2-19 levels (below the out-of-range set), with broken steps more than half
  the time at the edge of the valid ones (0 or 4). An attempt the stop rule passes must also be sure and
  right on 100,000 fresh reports of 20-50 levels (`train.far_sweep`: a stream of their own, never trained
  on, judged as the solve judges them), or it starts again (`train.restarts=12`). 3/3 seeds exact
  (`aocnn train 2024 2 --part 1 --seed S --out DIR`, then `python scripts/seeds.py 2024 2 --part 1
  --held-out 100000 --far 100000 --inputs 20 --root DIR`, solver's view): seed 0 (shipped, the same
  parameters as before) in 8,000 steps and seed 1 in 8,300, each on its first attempt; seed 2 on its second
  (its first, 12,200 steps, the run that used to ship as seed 2, was unsure of 10 of the sweep's 102,400
  reports) in 12,300; each exact on 100,000/100,000 fresh reports, 100,000/100,000 of 20-50 levels and
  20/20 full inputs, none flagged, none wrong. Before the far sweep seed 2 flagged 1 of 10,000 long
  reports (a first level near 99 falling to 1 with a last step of 4, p = 0.986). A far sweep at training's
  margin (p >= 0.999, stricter than the solve's 0.99; tried first, not kept) failed 8 of 10 attempts, all 7
  of seed 1's (3-52 of 102,400 reports below that margin). The earlier recipe (2-12
  levels, broken steps uniform) converged for seed 0 only: seeds 1 and 2 left long increasing reports
  with one step of +4 unsure.
- Part 2, not shipped (window 5, one bidirectional gated recurrence; `PART2_ATTEMPT`, not
  registered; `python scripts/try_config.py 2024 2 --task PART2_ATTEMPT --set train.max_steps=80000`):
  position t shows the level that removing token t+2 would drop with two tokens either side (the
  two STARTs give the first level such a position). Learned: the step test between any two of them,
  also over the dropped level; whether every step before and every step after the dropped level is
  valid in one direction (the recurrence's gates must learn to latch on a bad step, forwards and
  backwards); that the step over it must be valid too; "some removal works" (max over positions).
  No removal is enumerated in code.
  Tried on a shared CPU: with levels as ids, 26% of held-out reports exact after 4,500 steps; with
  levels on the exact channel, 37% after 4,400 (loss still falling). With part 1's data (edge-heavy
  broken steps, 2-19 levels), seed 0, training's margin: 91% of fresh reports after 16,000 steps
  (gate-free counters instead of latches: 86%); 92% after 40,000, 95% with an encoder MLP of 128.
  What was left unsure: a level inserted inside a report with a big jump (half of those), while
  insertions at the ends were sure (1 unsure in 1,311); the training reports put two thirds of their
  insertions at an end. With half of part 2's insertions inside (`PART2_INNER`; part 1's data
  unchanged), 40,000 steps gave 96.8% of 4,000 fresh reports and 98.4% of 1,000 of 20-50 levels; the
  rest are mostly reports with two levels inserted (unfixable ones judged unsurely, a few wrongly). 80,000 steps
  (`--set train.max_steps=80000`), solver's view (p >= 0.99): seed 0 19,889/20,000 fresh reports
  exact, 107 flagged, 4 wrong; 4,996/5,000 of 20-50 levels, 4 flagged; 4/20 full inputs exact with
  none flagged (the rest flagged 1-4 reports). Seed 1: 19,308 exact, 690 flagged, 2 wrong; 4,720/5,000
  beyond; 0/20 inputs. Confidently wrong reports, however rare, rule it out: not converged, not shipped.
- Hand-written: parse, START START and a LEVEL token per level with the levels shown, argmax of
  the safe/unsafe head, the count.

Declared exact range: levels 1-99 (the training range; real inputs hold 1-99) in reports of
2-`MAX_LEVELS` levels. A report outside it (a level of 0 or of 100 and more, one level, or too many)
is answered but counted as low-confidence: the learned step test is a float function of the
levels, not digit arithmetic, and nothing shows it exact for levels it never saw, so levels up to
10^6 are flagged, not trusted (see the README for how often they would have been right).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from aocnn.errors import InputError, line_error
from aocnn.nn.config import Config, DataConfig, DecoderConfig, ModelConfig, TrainSection
from aocnn.nn.encode import chunks
from aocnn.nn.family_task import FamilySpec, family_task
from aocnn.nn.task import Ablation
from aocnn.registry import Puzzle
from aocnn.text import lines

# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> list[list[int]]:
    """The reports of normalized text: one line each, levels as non-negative integers separated by spaces."""
    reports = []
    for number, line in enumerate(lines(text), 1):
        tokens = line.split()
        if not tokens:
            raise line_error(number, line, "empty line, expected levels separated by spaces")
        bad = next((t for t in tokens if not (t.isascii() and t.isdigit())), None)
        if bad is not None:
            raise line_error(number, line, f"{bad!r} is not a level (a non-negative integer)")
        reports.append([int(t) for t in tokens])
    if not reports:
        raise InputError("empty input: expected lines of levels")
    return reports


# --- classical ------------------------------------------------------------------------------

def safe(levels: list[int]) -> bool:
    steps = [b - a for a, b in pairwise(levels)]
    return all(1 <= s <= 3 for s in steps) or all(-3 <= s <= -1 for s in steps)


def safe_without_one(levels: list[int]) -> bool:
    return safe(levels) or any(safe(levels[:i] + levels[i + 1:]) for i in range(len(levels)))


def part1(reports: list[list[int]]) -> int:
    return sum(safe(levels) for levels in reports)


def part2(reports: list[list[int]]) -> int:
    return sum(safe_without_one(levels) for levels in reports)


# --- generator ------------------------------------------------------------------------------

LOW, HIGH = 1, 99  # real levels
MAX_JUMP = 7  # real neighbours differ by at most this


def safe_levels(rng: np.random.Generator, n: int, low: int = LOW, high: int = HIGH) -> list[int]:
    """A safe report of n levels in low..high (steps 1-3; mostly 1-2 when n is large, to fit). Past
    high - low + 1 levels no report fits: the levels then climb by 1 and stay at `high` (not safe)."""
    for _ in range(100):  # a fresh mix of steps until one fits (always the first draw up to 33 levels)
        weights = rng.dirichlet(np.ones(3))
        steps = rng.choice([1, 2, 3], size=n - 1, p=weights)
        span = int(steps.sum())
        if span <= high - low:
            break
    else:  # near or past the most levels that fit: steps of 1 from the front until they do
        steps = np.where(np.cumsum(steps[::-1] - 1)[::-1] > high - low - (n - 1), 1, steps)
        span = min(int(steps.sum()), high - low)
    start = int(rng.integers(low, high - span + 1))
    levels = np.minimum(start + np.concatenate([[0], np.cumsum(steps)]), high)
    return (levels if rng.random() < 0.5 else levels[::-1]).tolist()


def near(rng: np.random.Generator, level: int, low: int, high: int, jump: int) -> int:
    return int(np.clip(level + rng.integers(-jump, jump + 1), low, high))


def broken_step(rng: np.random.Generator, jump: int) -> int:
    """A step that is never valid going up: 0, 4 or more, or down; more than half the time one right
    at the edge of the valid steps (0 or 4), where a learned step test is least sure."""
    if rng.random() < 0.6:
        return int(rng.choice([0, 4]))
    return int(rng.choice([0, *range(4, jump + 1), *range(-jump, 0)]))


KINDS = ("safe", "extra", "changed", "two", "walk", "wild")
TRAINING_MIX = (.22, .32, .14, .12, .15, .05)  # safe, unsafe and "safe after one removal" all common
REAL_MIX = (.3, .06, .16, .06, .42, 0)  # about 30% safe, 40% after one removal, as in real inputs


def report(rng: np.random.Generator, n: int, jump: int = MAX_JUMP, low: int = LOW, high: int = HIGH,
           mix: tuple[float, ...] = TRAINING_MIX, inner: float = 0.0) -> list[int]:
    """One report of n levels from one of several kinds: safe, a safe one with a level inserted
    (at the first, the last or an inner place; with `inner` > 0, that share of insertions more at
    an inner place) or a step broken, two levels inserted, a random walk, random levels."""
    kind = rng.choice(KINDS, p=mix)
    if kind == "two" and n < 4:
        kind = "extra"
    if kind == "safe":
        return safe_levels(rng, n, low, high)
    if kind in ("extra", "two"):  # a safe report with one (or two) levels inserted: often fixed by one removal
        levels = safe_levels(rng, n - (2 if kind == "two" else 1), low, high)
        for _ in range(2 if kind == "two" else 1):
            at = int(rng.choice([0, len(levels), int(rng.integers(0, len(levels) + 1))]))  # ends often
            if inner and len(levels) > 1 and rng.random() < inner:  # drawn only when asked: part 1's data unchanged
                at = int(rng.integers(1, len(levels)))
            anchor = levels[min(at, len(levels) - 1)]
            levels.insert(at, near(rng, anchor, low, high, jump))
        return levels
    if kind == "changed":  # a safe report with one step broken; the rest shifted along
        levels = safe_levels(rng, n, low, high)
        at = int(rng.integers(1, n))
        sign = 1 if levels[-1] > levels[0] else -1
        shift = sign * broken_step(rng, jump) - (levels[at] - levels[at - 1])
        levels = levels[:at] + [v + shift for v in levels[at:]]
        return [int(np.clip(v, low, high)) for v in levels]
    if kind == "walk":  # neighbours within `jump` of each other, directions mixed
        levels = [int(rng.integers(low, high + 1))]
        while len(levels) < n:
            levels.append(near(rng, levels[-1], low, high, jump))
        return levels
    return rng.integers(low, high + 1, n).tolist()  # wild: any levels, any steps


def generate_input(seed: int, n_reports: int = 1000) -> str:
    """A full input of the real shape: 1,000 reports of 5-8 levels 1-99, neighbours within 7."""
    rng = np.random.default_rng(seed)
    rows = []
    while len(rows) < n_reports:
        levels = report(rng, int(rng.integers(5, 9)), mix=REAL_MIX)
        if all(abs(b - a) <= MAX_JUMP for a, b in pairwise(levels)):
            rows.append(levels)
    return "\n".join(" ".join(map(str, levels)) for levels in rows) + "\n"


# --- neural: the shared family, configured ----------------------------------------------------
#
# A report of n levels is n + 2 tokens: START, START, then one LEVEL token per level. Through part 2's
# 5-wide window, position t holds the level that removing token t+2 would drop, with two tokens either
# side: the step over the dropped level and the steps next to it are in view; the steps further out
# reach position t through the recurrence. Which of them are valid is learned, nothing is computed.

PAD, START, LEVEL = 0, 1, 2  # token kinds; a level's value travels on the family's exact (integer) channel
MAX_LEVELS = 100  # declared: reports of up to this many levels (tests measure 51-100; training saw 2-19)
TRAIN_LEVELS = (2, 19)  # below FAR_LEVELS: what is beyond is beyond
FAR_LEVELS = (20, 50)  # the out-of-range reports
CHUNK = 4096  # reports per network call
PART2_INNER = 0.5  # part 2's training: half its inserted levels inside (an inner one with a big jump is hard)


def config(part: int) -> Config:
    """Part 1 reads one step per position (window 2) and joins them by max alone; part 2 reads the
    two levels either side of the one a removal would drop (window 5) and a bidirectional recurrence."""
    one = part == 1
    window = 2 if one else 5
    return Config(
        model=ModelConfig(
            vocab=3, width=32, window=window, scalars=window, exact_init=0.1, encoder_mlp=64, layers=0 if one else 1,
            state=8, direction="bidirectional", gate="tied", mlp=32,
            decoders=(DecoderConfig("safe", classes=2, read="max", hidden=16),),
        ),
        data=DataConfig(min_length=TRAIN_LEVELS[0], max_length=TRAIN_LEVELS[1], ood_min_length=FAR_LEVELS[0],
                        ood_max_length=FAR_LEVELS[1]),
        train=TrainSection(batch_size=128, learning_rate=5e-3, warmup_steps=50, max_steps=16000 if one else 40000,
                           eval_every=100, eval_size=2048, far_size=1024, exact_evals=3,
                           # part 1: an attempt the stop rule passes must also be exact on 100,000 fresh reports of
                           # 20-50 levels (never trained on), or it starts again: 3 x 1,024 missed 1 in 10,000
                           **({"restarts": 12, "far_sweep": 100_000} if one else {})),
    )


def level_inputs(reports: list[list[int]], window: int, width: int = 0) -> dict[str, np.ndarray]:
    """Token kinds START, START, LEVEL, ... (PAD after), and at each position the values of the
    tokens the window shows there (0 for START and PAD): the levels as numbers, side by side.
    Width: the longest report + 2, rounded up to 8."""
    lengths = np.array([len(levels) + 2 for levels in reports], dtype=np.int32)
    width = max(width, -(-int(lengths.max()) // 8) * 8)
    ids = np.full((len(reports), width), PAD, dtype=np.int32)
    values = np.zeros((len(reports), width + window - 1), dtype=np.float32)
    ids[:, :2] = START
    for row, levels in enumerate(reports):
        ids[row, 2:2 + len(levels)] = LEVEL
        values[row, 2:2 + len(levels)] = levels
    shown = np.stack([values[:, k:k + width] for k in range(window)], axis=-1)
    return {"ids": ids, "lengths": lengths, "scalars": shown}


def in_range(levels: list[int]) -> bool:
    return 2 <= len(levels) <= MAX_LEVELS and LOW <= min(levels) and max(levels) <= HIGH


def encode(reports: list[list[int]], window: int):
    for chunk in chunks(reports, CHUNK):
        yield level_inputs(chunk, window)


def examples(rng: np.random.Generator, n: int, data: DataConfig, far: bool, part: int, window: int):
    low, high = (data.ood_min_length, data.ood_max_length) if far else (data.min_length, data.max_length)
    # in range, half the reports as short as the range allows: one or two steps must be judged as surely as many
    short = rng.random(n) < (0 if far else 0.5)
    lengths = np.where(short, rng.integers(low, low + 4, n), rng.integers(low, high + 1, n))
    rows = [report(rng, int(length), inner=0.0 if part == 1 else PART2_INNER) for length in lengths]
    rule = safe if part == 1 else safe_without_one
    labels = np.array([rule(levels) for levels in rows], dtype=np.int32)
    return rows, level_inputs(rows, window, -(-(high + 2) // 8) * 8), {"safe": labels}


def combine(decoded, reports):
    label, sure = decoded["safe"]
    return label, sure & np.array([in_range(levels) for levels in reports], dtype=bool)


ABLATIONS = {  # the window is also what the encoding shows (scalars = window), so it is not varied here
    1: (Ablation("no-encoder-mlp", "no per-position MLP: the step test must come from the head after the max",
                 ("model.encoder_mlp=0",)),),
    2: (Ablation("no-recurrence", "no token mixing: only the max over positions joins the steps", ("model.layers=0",)),
        Ablation("no-gates", "a plain linear recurrence: nothing can latch onto a bad step", ("model.gate=none",))),
}


def neural_task(part: int):
    cfg = config(part)
    spec = FamilySpec(cfg, lambda reports: encode(reports, cfg.model.window),
                      lambda rng, n, data, far: examples(rng, n, data, far, part, cfg.model.window), combine)
    rule = ("every step valid in one direction" if part == 1 else
            "whether the steps before and after each level are valid in one direction and the step over it too, and "
            "whether any removal works")
    return family_task(
        f"2024_02/part{part}", spec,
        learned=f"the step test between levels (1-3 up or down), {rule}; from one safe/unsafe answer per report",
        hand_written="parse, START START then a LEVEL token per level, the window's levels side by side on the "
                     "exact channel, argmax of the safe head, count",
        far=f"reports of {FAR_LEVELS[0]}-{FAR_LEVELS[1]} levels (training: {TRAIN_LEVELS[0]}-{TRAIN_LEVELS[1]})",
        ablations=ABLATIONS[part],
    )


PART2_ATTEMPT = neural_task(2)  # not registered: it has not converged (see the docstring)

PUZZLE = Puzzle(2024, 2, "Red-Nosed Reports", parse, part1, part2, generate_input, neural={1: neural_task(1)})
