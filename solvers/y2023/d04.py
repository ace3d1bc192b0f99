"""AoC 2023 day 4, "Scratchcards".

Each line is a numbered card, `Card N: <winning numbers> | <numbers you have>`; its matches are
the numbers you have that are among its winning numbers.
- Part 1: a card with k >= 1 matches is worth 2^(k-1) points (none with no match); sum the points.
- Part 2: you start with one of each card. A card with k matches wins one more copy of each of the
  next k cards, and every copy of a card wins the same as the card. How many cards do you end with?

Input: lines `Card N: ... | ...`, N counting 1, 2, 3, ... down the lines (padded with spaces, as
`Card   1:`), whole numbers separated by spaces (real inputs: 190-220 cards, 10 winning and 25 held
numbers of 1-99 each, right-aligned in 2-character fields, 0-10 matches, part 2 about 10^7). A
number may not repeat within one list, and no card may win copies of cards past the last one (the
puzzle promises it); anything else is an error naming its line, for both parts.

Neural solvers: none yet; both parts answer classically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from aocnn.errors import line_error
from aocnn.registry import Puzzle
from aocnn.text import lines

LINE = re.compile(r"Card +([0-9]+):((?: +[0-9]+)+) +\|((?: +[0-9]+)+)")
REAL_CARDS = (190, 220)
PART2_WINDOW = (3 * 10**6, 3 * 10**7)  # the generator's part 2 answers at the real size (real: about 10^7)


@dataclass(frozen=True)
class Card:
    number: int
    winning: tuple[int, ...]
    held: tuple[int, ...]

    @property
    def matches(self) -> int:
        return len(set(self.held) & set(self.winning))


# --- reading the input ----------------------------------------------------------------------

def parse(text: str) -> list[Card]:
    rows = lines(text)
    cards = []
    for number, line in enumerate(rows, 1):
        found = LINE.fullmatch(line)
        if found is None:
            raise line_error(number, line, "expected 'Card N: winning numbers | numbers you have'")
        if int(found[1]) != number:
            raise line_error(number, line, f"expected card {number} (cards count 1, 2, 3, ... down the lines)")
        card = Card(number, tuple(map(int, found[2].split())), tuple(map(int, found[3].split())))
        for name, values in (("the winning numbers", card.winning), ("the numbers you have", card.held)):
            if len(set(values)) != len(values):
                raise line_error(number, line, f"a number repeats among {name}")
        if number + card.matches > len(rows):
            raise line_error(number, line, f"{card.matches} matches would win copies of cards past the last "
                                           f"(card {len(rows)})")
        cards.append(card)
    return cards


# --- classical ------------------------------------------------------------------------------

def part1(cards: list[Card]) -> int:
    return sum(2 ** (card.matches - 1) for card in cards if card.matches)


def copies(matches: list[int]) -> list[int]:
    """How many of each card you end with, given each card's matches."""
    held = [1] * len(matches)
    for i, k in enumerate(matches):
        for j in range(i + 1, i + 1 + k):
            held[j] += held[i]
    return held


def part2(cards: list[Card]) -> int:
    return sum(copies([card.matches for card in cards]))


# --- generator ------------------------------------------------------------------------------

def random_matches(rng: np.random.Generator, n_cards: int, most: int) -> np.ndarray:
    """Each card's matches, 0..most: about two cards in three none, a few all `most`, the rest anything
    between; none reaching past the last card."""
    none = rng.uniform(0.6, 0.7)
    some = rng.choice(np.arange(1, most + 1), n_cards, p=np.r_[np.full(most - 1, 0.5 / (most - 1)), 0.5])
    matches = np.where(rng.random(n_cards) < none, 0, some)
    return np.minimum(matches, n_cards - 1 - np.arange(n_cards))


def random_card(rng: np.random.Generator, k: int, winning: int, held: int, high: int) -> tuple[list[int], list[int]]:
    """`winning` and `held` distinct numbers of 1..high, exactly k in both, each list in random order."""
    pool = rng.choice(np.arange(1, high + 1), winning + held - k, replace=False)
    wins, hold = pool[:winning], np.concatenate([pool[:k], pool[winning:]])
    rng.shuffle(hold)
    return wins.tolist(), hold.tolist()


def generate_input(seed: int, n_cards: int | None = None, winning: int = 10, held: int = 25, high: int = 99) -> str:
    """A full input: by default of the real shape (190-220 cards, 10 winning and 25 held numbers of
    1-99, part 2 within PART2_WINDOW: match counts are drawn again until it is); other sizes, as the
    out-of-range ones, take the first draw. Numbers and card numbers are right-aligned as in real inputs."""
    rng = np.random.default_rng(seed)
    real = n_cards is None
    n = int(rng.integers(REAL_CARDS[0], REAL_CARDS[1] + 1)) if real else n_cards
    while True:
        matches = random_matches(rng, n, min(winning, held))
        if not real or PART2_WINDOW[0] <= sum(copies(matches.tolist())) <= PART2_WINDOW[1]:
            break
    card_width, number_width = len(str(n)), len(str(high))
    rows = []
    for number, k in enumerate(matches.tolist(), 1):
        wins, hold = random_card(rng, k, winning, held, high)
        rows.append(f"Card {number:>{card_width}}: " + " ".join(f"{x:>{number_width}}" for x in wins) + " | "
                    + " ".join(f"{x:>{number_width}}" for x in hold) + "\n")
    return "".join(rows)


PUZZLE = Puzzle(2023, 4, "Scratchcards", parse, part1, part2, generate_input)  # none yet: see the module docstring
