"""AoC 2019 day 1, "The Tyranny of the Rocket Equation".

Each line is a module's mass. The fuel it needs is fuel(m) = m // 3 - 2. Part 1 adds up
fuel(m) over all modules. Part 2 counts the fuel's own mass too: fuel(m), fuel(fuel(m)),
... for as long as the result is positive, summed over all modules.

Neural solver (bespoke; score 3 for part 1: a generic automaton family whose two-pass template is
the borrow algorithm; score 2 for part 2: the iteration loop and its bound are hand-written):
one network, `TwoPassTransducer` (aocnn/nn/digits.py), maps the digits of m
to the digits of fuel(m) and a sign (negative / zero / positive).
- Learned: the whole arithmetic, digit by digit: dividing by 3 (a remainder carried left to
  right), subtracting 2 (a borrow carried right to left), and whether the result is negative,
  zero or positive. Every table (start states, transitions, outputs, sign) is a trained
  parameter; nothing in the code knows about 3 or 2.
- Hand-written: reading the lines, turning masses into digit ids and output digit ids back
  into numbers (a negative result comes out in ten's complement, as written digits do), the
  part 2 loop (feed the network's output digits back in until it says "not positive"; every
  step is the network), and the sums.
It trains only on masses 0..9999 written with 4 digits, and is measured on 5-12 digits
(scripts/measure_2019_01.py). One checkpoint, weights/2019_01/fuel, serves both parts.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from aocnn.errors import InputError, line_error
from aocnn.nn.encode import from_digits, to_digits
from aocnn.nn.task import LazyModule, NeuralAnswer, NeuralTask, TrainConfig
from aocnn.registry import Puzzle
from aocnn.text import lines

MASS = re.compile(r"[0-9]+")


# --- classical ------------------------------------------------------------------------------

def parse(text: str) -> list[int]:
    """The masses of normalized text, one whole number per line."""
    found = []
    for number, line in enumerate(lines(text), 1):
        mass = line.strip()
        if mass.startswith("-") and MASS.fullmatch(mass[1:]):
            raise line_error(number, line, "a mass cannot be negative")
        if not MASS.fullmatch(mass):
            raise line_error(number, line, "not a mass (expected a whole number)")
        found.append(int(mass))
    if not found:
        raise InputError("no masses in the input")
    return found


def fuel(mass: int) -> int:
    return mass // 3 - 2


def fuel_for_fuel(mass: int) -> int:
    total, step = 0, fuel(mass)
    while step > 0:
        total += step
        step = fuel(step)
    return total


def part1(masses: list[int]) -> int:
    return sum(fuel(m) for m in masses)


def part2(masses: list[int]) -> int:
    return sum(fuel_for_fuel(m) for m in masses)


# --- generator ------------------------------------------------------------------------------

def generate_input(seed: int, n_lines: int = 100) -> str:
    """A full input of the real shape: 100 masses of 5-6 digits, around 50,000-150,000."""
    rng = np.random.default_rng(seed)
    return "\n".join(str(m) for m in rng.integers(50_000, 150_000, n_lines)) + "\n"


TRAIN_WIDTH = 4  # training masses have at most 4 digits
NEGATIVE, ZERO, POSITIVE = 0, 1, 2


def training_masses(rng: np.random.Generator, n: int, max_digits: int = TRAIN_WIDTH) -> np.ndarray:
    """Masses below 10**max_digits: every length equally often, plus the edge cases.

    The edge cases are masses whose quotient ends in a run of zeros (3000..3008, 60..68), where
    subtracting 2 borrows through every zero, and tiny masses, around the three whose fuel is
    exactly zero (6, 7, 8) and the ones whose fuel is negative (0..5). Tiny masses are one in five:
    the "zero" sign hangs on three masses only, and rarer than that some seeds never learn it.
    """
    limit = 10**max_digits
    length = rng.integers(1, max_digits + 1, n)
    by_length = rng.integers(10 ** (length - 1) - (length == 1), 10**length)
    zeros = rng.integers(1, max(max_digits, 2), n)
    quotient = rng.integers(1, np.maximum((limit - 9) // 3 // 10**zeros, 1) + 1) * 10**zeros
    borrow_edge = 3 * quotient + rng.integers(0, 9, n)
    small = rng.integers(0, min(100, limit), n)
    tiny = rng.integers(0, min(12, limit), n)
    kind = rng.random(n)
    picked = np.select([kind < 0.5, kind < 0.7, kind < 0.8], [by_length, borrow_edge, small], tiny)
    return np.where(picked < limit, picked, by_length)


def fuel_example(mass: np.ndarray, width: int) -> dict[str, np.ndarray]:
    """Labels for the network: fuel's digits (ten's complement when negative) and its sign."""
    value = np.asarray(mass, dtype=object) // 3 - 2
    return {
        "digits": to_digits(mass, width),
        "symbols": to_digits(value % 10**width, width),
        "label": np.array([(v > 0) - (v < 0) + 1 for v in value], dtype=np.int32).reshape(-1),
    }


TRAIN_WIDTHS = np.arange(1, TRAIN_WIDTH + 1)
WIDTH_ODDS = np.array([0.1, 0.15, 0.25, 0.5])


def make_batch(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """One width per batch, 1 to 4 digits, so no position is special: 7 and 0007 mean the same."""
    width = int(rng.choice(TRAIN_WIDTHS, p=WIDTH_ODDS))
    return fuel_example(training_masses(rng, n, width), width)


def make_eval_batch(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return fuel_example(training_masses(rng, n), TRAIN_WIDTH)


FAR_WIDTH = 12  # held-out masses beyond training: 3x the digits


def make_far_batch(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Masses of 5-12 digits, half of them long borrow chains (quotients ending in runs of zeros),
    written with 12 digits: a network exact below 10**4 only is not converged."""
    digits = rng.integers(TRAIN_WIDTH + 1, FAR_WIDTH + 1, n)
    by_length = np.array([int(rng.integers(10 ** (d - 1), 10**d)) for d in digits], dtype=object)
    zeros = rng.integers(1, digits - 1)
    quotient = np.array([int(rng.integers(1, 10 ** (d - z - 1))) * 10 ** int(z) for d, z in zip(digits, zeros)], dtype=object)
    chains = 3 * quotient + rng.integers(0, 9, n)
    return fuel_example(np.where(rng.random(n) < 0.5, by_length, chains), FAR_WIDTH)


# --- neural solver ---------------------------------------------------------------------------

SHIPPED_SEED = 0  # the seed of weights/2019_01/fuel (`aocnn train 2019 1 --part 1 --seed 0`)
# Probability of the chosen symbol below which a record counts as low-confidence. Training counts
# an example as exact only when it is right with at least this probability everywhere (the loss
# below), so early stopping never accepts soft tables, which drift on longer masses.
CONFIDENT = 0.9


def run_fuel(model, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One network step on [N, width] digit ids: fuel digits, sign, and which records were unsure."""
    outputs = model({"digits": digits})
    log_symbols, log_label = np.asarray(outputs["symbols"]), np.asarray(outputs["label"])
    sure = (np.exp(log_symbols.max(-1)).min(-1) >= CONFIDENT) & (np.exp(log_label.max(-1)) >= CONFIDENT)
    return log_symbols.argmax(-1).astype(np.int32), log_label.argmax(-1), ~sure


def encode_masses(masses: list[int]) -> np.ndarray:
    return to_digits(np.array(masses, dtype=object), max(len(str(m)) for m in masses))


def solve_part1(model, masses: list[int]) -> NeuralAnswer:
    digits = encode_masses(masses)
    fuel_digits, sign, unsure = run_fuel(model, digits)
    values = from_digits(fuel_digits)
    values = np.where(sign == NEGATIVE, values - 10 ** digits.shape[1], np.where(sign == ZERO, 0, values))
    return NeuralAnswer(int(sum(int(v) for v in values)), int(unsure.sum()), len(masses))


def solve_part2(model, masses: list[int]) -> NeuralAnswer:
    digits = encode_masses(masses)
    total, active = 0, np.ones(len(digits), dtype=bool)
    unsure = np.zeros(len(digits), dtype=bool)
    # fuel shrinks at least threefold per step, so 3 steps per digit is a generous bound
    for _ in range(3 * digits.shape[1] + 3):
        digits, sign, step_unsure = run_fuel(model, digits)
        unsure |= step_unsure & active
        active &= sign == POSITIVE
        if not active.any():
            break
        total += sum(int(v) for v in from_digits(digits[active]))
    else:
        unsure |= active  # the network never said "not positive": its answer is a guess
    return NeuralAnswer(total, int(unsure.sum()), len(masses))


def fuel_network():
    from aocnn.nn.digits import TwoPassTransducer

    return TwoPassTransducer(forward_states=4, backward_states=6, output_symbols=10, sequence_labels=3)


def fuel_loss(outputs, batch):
    """Exact in training means sure when solving."""
    from aocnn.nn.digits import sequence_loss

    return sequence_loss(outputs, batch, confident=CONFIDENT)


FUEL = NeuralTask(
    name="2019_01/fuel",
    model=LazyModule(fuel_network),
    make_batch=make_batch,
    make_eval_batch=make_eval_batch,
    make_far_batch=make_far_batch,
    far=f"masses of {TRAIN_WIDTH + 1}-{FAR_WIDTH} digits, half of them long borrow chains",
    loss=fuel_loss,
    solve=solve_part1,
    train=TrainConfig(batch_size=256, learning_rate=0.1, warmup_steps=50, max_steps=6000, eval_every=50,
                      eval_size=4096, exact_evals=20),
    learned="fuel(m) = m // 3 - 2 digit by digit (remainder left to right, borrow right to left) and its sign",
    hand_written="masses <-> digit ids, ten's complement for negative fuel, the part 2 loop, the sums",
)

PUZZLE = Puzzle(
    year=2019,
    day=1,
    title="The Tyranny of the Rocket Equation",
    parse=parse,
    part1=part1,
    part2=part2,
    generate_input=generate_input,
    neural={1: FUEL, 2: replace(FUEL, solve=solve_part2)},
)
