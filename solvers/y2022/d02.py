"""AoC 2022 day 2, "Rock Paper Scissors".

Each line is one round of rock-paper-scissors, written `A X`: the first letter (A, B, C: rock,
paper, scissors) is what the opponent plays; the second (X, Y, Z) is a tip. A round scores the
shape you play (rock 1, paper 2, scissors 3) plus its outcome (loss 0, draw 3, win 6); rock beats
scissors, scissors beat paper, paper beats rock. The answer is the total score over all rounds.
- Part 1 reads the tip as your shape (X rock, Y paper, Z scissors).
- Part 2 reads it as the outcome you must reach (X lose, Y draw, Z win): you play what gets it.

Neural solvers (one per part), score 5: the shared family (aocnn.nn.family), configured only,
trained on each line's score (a 10-way class, scores 1-9), no hints. One line is one position
with two id channels (the two letters). Learned: the whole game table, i.e. which shape beats
which, what the tip means in the part, and the points of shape and outcome. Hand-written: split
lines, map letters to ids, argmax, sum of the line scores.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from aocnn.errors import line_error
from aocnn.nn.config import Config, DataConfig, DecoderConfig, ModelConfig, TrainSection
from aocnn.nn.family_task import FamilySpec, family_task
from aocnn.nn.task import Ablation
from aocnn.registry import Puzzle
from aocnn.text import lines

OPPONENT, TIP = "ABC", "XYZ"
ROUNDS = {f"{a} {x}": (i, j) for i, a in enumerate(OPPONENT) for j, x in enumerate(TIP)}  # the 9 valid lines
REAL_LINES = 2500


# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> list[tuple[int, int]]:
    """Each line as (opponent, tip), both 0-2; anything but `A X` (A-C, X-Z) is an error naming the line."""
    rounds = []
    for number, line in enumerate(lines(text), 1):
        found = ROUNDS.get(line)
        if found is None:
            raise line_error(number, line, "expected 'A X' with A one of A, B, C and X one of X, Y, Z")
        rounds.append(found)
    return rounds


# --- classical ------------------------------------------------------------------------------

ROCK, PAPER, SCISSORS = 0, 1, 2
LOSS, DRAW, WIN = 0, 1, 2
BEATS = {ROCK: SCISSORS, PAPER: ROCK, SCISSORS: PAPER}  # shape -> the shape it beats


def outcome(mine: int, theirs: int) -> int:
    return DRAW if mine == theirs else WIN if BEATS[mine] == theirs else LOSS


def score(mine: int, result: int) -> int:
    return (mine + 1) + 3 * result


def shape_for(theirs: int, result: int) -> int:
    return next(mine for mine in (ROCK, PAPER, SCISSORS) if outcome(mine, theirs) == result)


def part1(rounds: list[tuple[int, int]]) -> int:
    return sum(score(mine, outcome(mine, theirs)) for theirs, mine in rounds)


def part2(rounds: list[tuple[int, int]]) -> int:
    return sum(score(shape_for(theirs, result), result) for theirs, result in rounds)


# --- generator ------------------------------------------------------------------------------

def generate_input(seed: int, n_lines: int = REAL_LINES) -> str:
    """`n_lines` rounds (real inputs: 2,500); each input draws its own frequencies of the 9 lines,
    so no answer follows from the line count."""
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.full(9, 2.0))
    lines_ = list(ROUNDS)
    picks = rng.choice(9, size=n_lines, p=weights)
    return "\n".join(lines_[i] for i in picks) + "\n"


# --- neural solver: the shared family, configured ---------------------------------------------
#
# Learned (trained on the line's score only, 1-9 as a 10-way class): the whole game table. A line
# is one position with two id channels (opponent, tip: id = letter index + 1, 0 is padding); each
# channel has its own embedding table, a per-position ReLU MLP mixes them and a class head reads
# the score. No processor layer: a round depends on its own line only.
# Hand-written: parse, ids, argmax, sum over lines.
# Exact range: the network reads one line at a time and the line scores are added as Python
# integers, so any number of lines; every line there is (all 9) is checked as the out-of-range set.

CHUNK = 4096  # lines per network call; the last chunk is padded to it too, so one compiled shape
SCORES = 10  # classes 0-9; real scores are 1-9

CONFIG = Config(
    model=ModelConfig(vocab=4, channels=2, width=16, window=1, encoder_mlp=32, layers=0, mlp=0,
                      decoders=(DecoderConfig("score", classes=SCORES, read="first"),)),
    data=DataConfig(min_length=1, max_length=1),
    train=TrainSection(batch_size=128, learning_rate=1e-2, warmup_steps=20, max_steps=1500, eval_every=50,
                       eval_size=2048, far_size=9 * 57, exact_evals=3),
)


def round_ids(pairs) -> dict[str, np.ndarray]:
    """(N, 2) opponent/tip indices -> ids N x 1 x 2 (one position, two channels) and lengths."""
    pairs = np.asarray(pairs, dtype=np.int32).reshape(-1, 2)
    return {"ids": (pairs + 1)[:, None, :], "lengths": np.ones(len(pairs), np.int32)}


def encode(rounds: list[tuple[int, int]]):
    pairs = np.asarray(rounds, dtype=np.int32).reshape(-1, 2)
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        yield round_ids(np.pad(chunk, ((0, CHUNK - len(chunk)), (0, 0))))  # padding rows are dropped in combine


def line_scores(pairs: np.ndarray, part: int) -> np.ndarray:
    """Targets for training, from the classical rule, per line."""
    rule = part1 if part == 1 else part2
    table = {(a, b): rule([(a, b)]) for a in range(3) for b in range(3)}
    return np.array([table[(int(a), int(b))] for a, b in pairs], dtype=np.int32)


def examples(rng: np.random.Generator, n: int, data: DataConfig, far: bool, part: int):
    """In range: lines drawn uniformly. Beyond: every one of the 9 lines, repeated (the whole table)."""
    pairs = np.array(list(ROUNDS.values()))[np.arange(n) % 9] if far else rng.integers(0, 3, (n, 2))
    return pairs, round_ids(pairs), {"score": line_scores(pairs, part)}


def combine(decoded, rounds):
    values, sure = decoded["score"]
    return values[:len(rounds)], sure[:len(rounds)]


def neural_task(part: int):
    return family_task(
        f"2022_02/part{part}", FamilySpec(CONFIG, encode, partial(examples, part=part), combine),
        learned="the whole game table: which shape beats which, what the tip means ("
                + ("your shape" if part == 1 else "the outcome you need") + "), the points for shape and outcome",
        hand_written="split lines, letters -> ids (two channels), argmax of the 10-way score head, sum over lines",
        far="every one of the 9 possible lines (the whole table); the network reads one line at a time, so an "
            "input of any length (250,000 lines measured) is exact when every line is",
        ablations=ABLATIONS,
    )


ABLATIONS = (
    Ablation("no-encoder-mlp", "no per-position MLP: the head sees only the sum of the two letters' embeddings",
             ("model.encoder_mlp=0",)),
    Ablation("mlp-4", "a per-position MLP of 4 units instead of 32", ("model.encoder_mlp=4",)),
)


PUZZLE = Puzzle(2022, 2, "Rock Paper Scissors", parse, part1, part2, generate_input,
                neural={1: neural_task(1), 2: neural_task(2)})
