"""AoC 2023 day 2, "Cube Conundrum".

A bag holds red, green and blue cubes. In each game an elf shows a handful of cubes several times,
putting them back in between; a line records one game: `Game 7: 3 blue, 4 red; 1 red, 2 green`
(draws separated by `;`, each draw naming 1-3 colours with their counts, in any order).
- Part 1: a game is possible with 12 red, 13 green and 14 blue cubes when no draw shows more of a
  colour than that. The answer is the sum of the ids of the possible games.
- Part 2: the fewest cubes that make a game possible are, per colour, its largest count in any draw
  (0 for a colour never shown). The answer is the sum over games of the product of those three.

Input: one game per line, `Game N: ` then draws `count colour, count colour; ...`, colours red, green
or blue, each at most once per draw, counts and ids non-negative integers (real inputs: 100 games,
ids 1-100, 3-6 draws, counts 1-20, lines up to about 160 characters); anything else is an error
naming its line, for both solvers.

Neural solvers: none yet (classical only; the runner skips a part without a network).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from aocnn.errors import line_error
from aocnn.registry import Puzzle
from aocnn.text import lines

COLOURS = ("red", "green", "blue")
BAG = {"red": 12, "green": 13, "blue": 14}  # part 1's cubes
REAL_GAMES, REAL_DRAWS, REAL_HIGH = 100, (3, 6), 20

HEAD = re.compile(r"Game ([0-9]+): (.+)")
CUBES = re.compile(r"([0-9]+) (red|green|blue)")

Draw = tuple[tuple[int, str], ...]  # (count, colour) in the order written


@dataclass(frozen=True)
class Game:
    id: int
    draws: tuple[Draw, ...]


# --- reading the input ----------------------------------------------------------------------

def parse_draw(text: str) -> Draw | None:
    cubes = [CUBES.fullmatch(part) for part in text.split(", ")]
    if not all(cubes):
        return None
    return tuple((int(found[1]), found[2]) for found in cubes)


def parse(text: str) -> list[Game]:
    """Each line as a Game: its id and its draws, each a tuple of (count, colour) as written."""
    games = []
    for number, line in enumerate(lines(text), 1):
        head = HEAD.fullmatch(line)
        draws = head and [parse_draw(part) for part in head[2].split("; ")]
        if not draws or not all(draws):
            raise line_error(number, line, "expected 'Game N: ' then draws like '3 blue, 4 red' separated by '; '")
        if any(len({colour for _, colour in draw}) < len(draw) for draw in draws):
            raise line_error(number, line, "a draw names a colour twice")
        games.append(Game(int(head[1]), tuple(draws)))
    return games


# --- classical ------------------------------------------------------------------------------

def fewest(game: Game) -> dict[str, int]:
    """Each colour's largest count in the game (0 if never shown)."""
    most = dict.fromkeys(COLOURS, 0)
    for draw in game.draws:
        for count, colour in draw:
            most[colour] = max(most[colour], count)
    return most


def possible(game: Game) -> bool:
    most = fewest(game)
    return all(most[colour] <= BAG[colour] for colour in COLOURS)


def power(game: Game) -> int:
    most = fewest(game)
    return most["red"] * most["green"] * most["blue"]


def part1(games: list[Game]) -> int:
    return sum(game.id for game in games if possible(game))


def part2(games: list[Game]) -> int:
    return sum(map(power, games))


# --- generator ------------------------------------------------------------------------------

def random_game(rng: np.random.Generator, game_id: int, draws: tuple[int, int], high: int) -> Game:
    """A game of draws[0]..draws[1] draws. Each colour first gets its own ceiling, 1..high, then each draw
    names 1-3 colours (mostly 2 or 3) in random order with counts up to their ceilings, so that about half of the games
    are possible (with high = 20) and most impossible ones break the limit in one colour only."""
    ceiling = rng.integers(1, high + 1, 3)
    shown = []
    for _ in range(int(rng.integers(draws[0], draws[1] + 1))):
        colours = rng.permutation(3)[: rng.choice([1, 2, 3], p=[0.2, 0.4, 0.4])]
        shown.append(tuple((int(rng.integers(1, ceiling[c] + 1)), COLOURS[c]) for c in colours.tolist()))
    return Game(game_id, tuple(shown))


def format_game(game: Game) -> str:
    return f"Game {game.id}: " + "; ".join(", ".join(f"{n} {colour}" for n, colour in draw) for draw in game.draws)


def generate_input(seed: int, n_games: int = REAL_GAMES, draws: tuple[int, int] = REAL_DRAWS,
                   high: int = REAL_HIGH) -> str:
    """Games 1..n_games (real inputs: 100 games of 3-6 draws, counts 1-20)."""
    rng = np.random.default_rng(seed)
    return "".join(format_game(random_game(rng, i, draws, high)) + "\n" for i in range(1, n_games + 1))


PUZZLE = Puzzle(
    year=2023,
    day=2,
    title="Cube Conundrum",
    parse=parse,
    part1=part1,
    part2=part2,
    generate_input=generate_input,
    neural={},  # classical only so far
)
