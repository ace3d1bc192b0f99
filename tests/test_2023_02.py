"""2023 day 2: the classical parts against an oracle, input errors, the generator's shape, and part 1's
shipped family networks (both parts) on fresh games, long games (30 draws, counts to 99) and full inputs."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn import runner
from aocnn.nn.family import decode
from solvers.y2023 import d02
from conftest import assert_line_error

PUZZLE = d02.PUZZLE


def oracle(text: str) -> tuple[int, int]:
    """Both parts from every `count colour` mention of a line, ignoring the draws: a game is possible when
    no mention exceeds the bag; the fewest cubes of a colour are its largest mention."""
    ids = power = 0
    bag = {"red": 12, "green": 13, "blue": 14}
    for line in text.splitlines():
        game_id = int(line.split(":")[0].removeprefix("Game "))
        mentions = [(int(n), colour) for n, colour in re.findall(r"(\d+) (\w+)", line.split(":")[1])]
        if all(n <= bag[colour] for n, colour in mentions):
            ids += game_id
        product = 1
        for colour in bag:
            product *= sorted([0] + [n for n, c in mentions if c == colour])[-1]
        power += product
    return ids, power


DRAW = st.lists(st.tuples(st.integers(0, 99), st.sampled_from(d02.COLOURS)), min_size=1, max_size=3,
                unique_by=lambda cube: cube[1])
GAMES = st.lists(st.tuples(st.integers(0, 1000), st.lists(DRAW, min_size=1, max_size=12)), min_size=1, max_size=12)


def text_of(games) -> str:
    return "".join(d02.format_game(d02.Game(game_id, tuple(map(tuple, draws)))) + "\n" for game_id, draws in games)


@given(GAMES)
def test_classical_matches_oracle(games):
    text = text_of(games)
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_a_small_record():
    text = ("Game 1: 2 red, 5 blue; 1 green\n"
            "Game 2: 13 red; 4 green, 1 blue\n"
            "Game 3: 12 red, 13 green, 14 blue; 3 red\n"
            "Game 4: 15 blue\n")
    # possible: 1 and 3; powers: 2*1*5, 13*4*1, 12*13*14, 0 (no red, no green)
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (4, 10 + 52 + 2184 + 0)


def test_records_keep_the_written_order():
    [game] = PUZZLE.records("Game 12: 3 blue, 4 red; 1 red, 2 green, 6 blue; 2 green\n")
    assert game == d02.Game(12, (((3, "blue"), (4, "red")), ((1, "red"), (2, "green"), (6, "blue")), ((2, "green"),)))


SYNTAX = "expected 'Game N: ' then draws like '3 blue, 4 red' separated by '; '"


@pytest.mark.parametrize("text, number, why, line", [
    ("Game 1: 3 blue\nGame 2 3 blue\n", 2, SYNTAX, "Game 2 3 blue"),
    ("Game 1: 3 blue, 4 purple\n", 1, SYNTAX, "Game 1: 3 blue, 4 purple"),
    ("Game 1: 3 blue;; 4 red\n", 1, SYNTAX, "Game 1: 3 blue;; 4 red"),
    ("Game 1: 3 blue,4 red\n", 1, SYNTAX, "Game 1: 3 blue,4 red"),
    ("Game 1: \n", 1, SYNTAX, "Game 1:"),
    ("Game 1: 3 blue\n\nGame 2: 1 red\n", 2, SYNTAX, ""),
    ("Game 1: -3 blue\n", 1, SYNTAX, "Game 1: -3 blue"),
    ("game 1: 3 blue\n", 1, SYNTAX, "game 1: 3 blue"),
    ("Game 1: 3 blue, 4 red, 1 blue\n", 1, "a draw names a colour twice", "Game 1: 3 blue, 4 red, 1 blue"),
])
def test_a_malformed_line_is_one_error_naming_it(text, number, why, line):
    assert_line_error(PUZZLE, text, number, why, line)


def test_generated_input_has_the_real_shape():
    for seed in range(5):
        text = d02.generate_input(seed)
        assert text == d02.generate_input(seed) != d02.generate_input(seed + 1)
        games = PUZZLE.records(text)
        assert [game.id for game in games] == list(range(1, 101))
        assert {len(game.draws) for game in games} == {3, 4, 5, 6}
        assert {len(draw) for game in games for draw in game.draws} == {1, 2, 3}
        assert {n for game in games for draw in game.draws for n, _ in draw} == set(range(1, 21))
        assert 120 <= max(map(len, text.splitlines())) <= 170
        possible = sum(map(d02.possible, games))
        assert 30 <= possible <= 70  # both answers of part 1's test are common
        assert oracle(text) == (PUZZLE.answer(1, text), PUZZLE.answer(2, text))
        # colours come in every order
        assert len({tuple(c for _, c in draw) for game in games for draw in game.draws if len(draw) == 3}) == 6


def test_the_generator_goes_far_beyond_on_request():
    games = PUZZLE.records(d02.generate_input(4, n_games=200, draws=(30, 30), high=99))
    assert len(games) == 200 and {len(g.draws) for g in games} == {30}
    assert max(n for g in games for draw in g.draws for n, _ in draw) == 99


# --- part 1's network: encoding, training data, the shipped weights ------------------------------

TEST_SEED = 230_200  # not a training seed


def test_encoding_puts_each_mention_on_one_position():
    game = d02.Game(5, (((3, "blue"), (14, "red")), ((99, "green"),), ((0, "red"),)))
    [inputs] = list(d02.encode([game]))
    assert inputs["lengths"].tolist() == [4] and inputs["ids"].shape == (1, 8, 3)
    assert inputs["ids"][0, :4].tolist() == [[3, 1, 4], [1, 2, 5], [2, 10, 10], [1, 1, 1]]
    assert not inputs["ids"][0, 4:].any()


@pytest.mark.parametrize("far", [False, True])
def test_training_targets_agree_with_the_oracle(far):
    data = d02.part1_config().data
    arrays, inputs, targets = d02.examples(np.random.default_rng(far), 500, data, far)
    games = d02.as_games(*arrays)
    # the arrays' encoding is the games' own, mention by mention, and their labels the classical rule's
    assert np.array_equal(inputs["ids"], d02.encode_games(games, inputs["ids"].shape[1])["ids"])
    assert inputs["lengths"].tolist() == [len(d02.mentions(g)) for g in games]
    assert targets["possible"].tolist() == [int(d02.possible(g)) for g in games]
    text = "".join(d02.format_game(d02.Game(1, g.draws)) + "\n" for g in games)
    assert targets["possible"].sum() == oracle(text)[0]
    assert 0.25 < targets["possible"].mean() < 0.75
    draws = [len(g.draws) for g in games]
    assert (min(draws), max(draws)) == ((data.ood_min_length, data.ood_max_length) if far else (1, 12))
    assert inputs["ids"].shape[1] >= max(inputs["lengths"])


@pytest.fixture(scope="module")
def network():
    return runner.load_neural(PUZZLE, 1)


def network_says(net, games) -> np.ndarray:
    """The network's yes/no per game, or -1 where it is not sure."""
    [inputs] = list(d02.encode(games))
    possible, sure = decode(net.task.config.model, net(inputs))["possible"]
    return np.where(sure, possible, -1)


@pytest.mark.parametrize("kind", ["training", "real", "long"])
def test_shipped_weights_are_exact_on_fresh_games(network, kind):
    rng = np.random.default_rng(TEST_SEED + len(kind))
    games = {"training": lambda: d02.training_game(rng, (1, 12)),
             "real": lambda: d02.random_game(rng, 1, (3, 6), 20),
             "long": lambda: d02.random_game(rng, 1, (30, 30), 99)}[kind]
    games = [games() for _ in range(2000 if kind != "long" else 500)]
    truth = np.array([d02.possible(g) for g in games], np.int64)
    wrong = [d02.format_game(g) for g, said, right in zip(games, network_says(network, games), truth) if said != right]
    assert wrong == []


def test_shipped_weights_on_full_inputs(network):
    for seed in range(2):
        text = d02.generate_input(TEST_SEED + seed)
        answer = network.solve(PUZZLE.records(text.replace("\n", "\r\n")))
        assert (answer.answer, answer.low_confidence) == (oracle(text)[0], 0)
    text = d02.generate_input(TEST_SEED, n_games=1000, draws=(30, 30), high=99)
    answer = network.solve(PUZZLE.records(text))
    assert (answer.answer, answer.low_confidence, answer.records) == (oracle(text)[0], 0, 1000)


def test_a_count_past_two_digits_is_answered_but_flagged(network):
    games = PUZZLE.records("Game 1: 3 blue\nGame 2: 100 red, 1 blue\nGame 3: 7 green\n")
    answer = network.solve(games)
    assert answer.low_confidence == 1 and answer.records == 3


# --- part 2's network: each colour's count on its own channel, max, product ----------------------

def test_part2_encoding_gives_each_mention_its_colour_and_count():
    game = d02.Game(5, (((3, "blue"), (14, "red")), ((99, "green"),)))
    [inputs] = list(d02.encode_part2([game]))
    assert inputs["ids"][0, :3].tolist() == [3, 1, 2] and inputs["scalars"][0, :3, 0].tolist() == [3, 14, 99]
    assert inputs["lengths"].tolist() == [3] and not inputs["ids"][0, 3:].any()


@pytest.mark.parametrize("far", [False, True])
def test_part2_training_targets_agree_with_the_oracle(far):
    games, inputs, targets = d02.power_examples(np.random.default_rng(far), 300, d02.part2_config().data, far)
    text = "".join(d02.format_game(d02.Game(1, g.draws)) + "\n" for g in games)
    assert targets["power"].sum() == oracle(text)[1]
    assert max(n for g in games for n, _ in d02.mentions(g)) > 20 if far else max(
        n for g in games for n, _ in d02.mentions(g)) <= 20


@pytest.mark.parametrize("draws, high", [((1, 12), 20), ((24, 40), 99)])
def test_games_made_a_batch_at_a_time_follow_the_one_game_generators_law(draws, high):
    batch = d02.random_games(np.random.default_rng(TEST_SEED), 4000, draws, high)
    rng = np.random.default_rng(TEST_SEED + 1)
    single = [d02.random_game(rng, 0, draws, high) for _ in range(4000)]
    for games in (batch, single):
        assert all(draws[0] <= len(g.draws) <= draws[1] for g in games)
        assert all(1 <= len(d) <= 3 and len({c for _, c in d}) == len(d) for g in games for d in g.draws)
        assert all(1 <= n <= high for g in games for n, _ in d02.mentions(g))

    def summary(games):
        sizes = np.bincount([len(d) for g in games for d in g.draws], minlength=4)[1:]
        return (sizes / sizes.sum(), np.mean([len(g.draws) for g in games]),
                np.mean([max(n for n, _ in d02.mentions(g)) for g in games]) / high)

    (sizes_a, draws_a, top_a), (sizes_b, draws_b, top_b) = summary(batch), summary(single)
    assert np.abs(sizes_a - sizes_b).max() < 0.02 and abs(draws_a - draws_b) < 0.03 * draws[1]
    assert abs(top_a - top_b) < 0.03


def test_training_games_made_a_batch_at_a_time_follow_the_one_game_law():
    batch = d02.training_games(np.random.default_rng(TEST_SEED), 4000, (1, 12))
    rng = np.random.default_rng(TEST_SEED + 1)
    single = [d02.training_game(rng, (1, 12)) for _ in range(4000)]

    def summary(games):
        counts = [n for g in games for n, _ in d02.mentions(g)]
        return (np.mean([len(g.draws) for g in games]) / 12, np.mean([d02.possible(g) for g in games]),
                np.mean(counts) / 10, np.mean(np.array(counts) == 0))

    assert all(1 <= len(g.draws) <= 12 and all(1 <= len(d) <= 3 and len({c for _, c in d}) == len(d) for d in g.draws)
               and all(0 <= n <= d02.MAX_COUNT for n, _ in d02.mentions(g)) for g in batch)
    assert np.abs(np.array(summary(batch)) - np.array(summary(single))).max() < 0.05


@pytest.fixture(scope="module")
def power_network():
    return runner.load_neural(PUZZLE, 2)


@pytest.mark.parametrize("draws, high", [((3, 6), 20), ((30, 30), 99)])
def test_part2_shipped_weights_are_exact_on_fresh_games(power_network, draws, high):
    rng = np.random.default_rng(TEST_SEED + high)
    games = [d02.random_game(rng, 1, draws, high) for _ in range(2000)]
    [inputs] = list(d02.encode_part2(games))
    powers, sure = decode(power_network.task.config.model, power_network(inputs))["power"]
    assert sure.all() and powers.tolist() == [d02.power(g) for g in games]


def test_part2_shipped_weights_on_full_inputs(power_network):
    for seed in range(2):
        text = d02.generate_input(TEST_SEED + seed)
        answer = power_network.solve(PUZZLE.records(text.replace("\n", "\r\n")))
        assert (answer.answer, answer.low_confidence) == (oracle(text)[1], 0)
    games = PUZZLE.records("Game 1: 3 blue\nGame 2: 100 red, 1 blue\nGame 3: 7 green, 2 red\n")
    answer = power_network.solve(games)
    assert (answer.answer, answer.low_confidence) == (0 + 0 + 0, 0)  # a colour never shown counts 0
    answer = power_network.solve(PUZZLE.records("Game 1: 300 red, 200 blue, 100 green\n"))
    assert (answer.answer, answer.low_confidence) == (6_000_000, 0)  # counts far past training's, exact
