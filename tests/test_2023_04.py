"""2023 day 4: the classical parts against an oracle, input errors naming the line, and the
generator's shape (the real one, and the out-of-range sizes)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aocnn.errors import InputError
from solvers.y2023 import d04

PUZZLE = d04.PUZZLE


def oracle(text: str) -> tuple[int, int]:
    """Both parts from the text by splitting; part 2 by playing the cards out one copy at a time
    with a queue of cards still to scratch (fine for small piles only)."""
    matches = []
    for row in text.splitlines():
        wins, have = row.split(":")[1].split("|")
        matches.append(sum(x in wins.split() for x in have.split()))
    points = sum(1 << (k - 1) for k in matches if k > 0)
    queue, total = list(range(len(matches))), 0
    while queue:
        card = queue.pop()
        total += 1
        queue.extend(range(card + 1, card + 1 + matches[card]))
    return points, total


@st.composite
def decks(draw):
    n = draw(st.integers(1, 9))
    rows = []
    for number in range(1, n + 1):
        wins = draw(st.lists(st.integers(1, 30), min_size=1, max_size=6, unique=True))
        others = draw(st.lists(st.integers(31, 60), max_size=6, unique=True))
        k = draw(st.integers(0, min(len(wins), n - number)))
        have = draw(st.permutations(wins[:k] + others)) if k or others else [31]
        spaces = draw(st.integers(1, 3))
        rows.append(f"Card{' ' * spaces}{number}: {' '.join(map(str, wins))} | {' '.join(map(str, have))}")
    return "\n".join(rows) + "\n"


@given(decks())
def test_classical_matches_oracle(text):
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == oracle(text)


def test_an_example_of_our_own():
    text = ("Card 1:  5 10 | 10  5  7\n"   # 2 matches: 2 points, one copy of cards 2 and 3
            "Card 2:  1  2 |  2  9  8\n"   # 1 match: 1 point; its 2 copies each win a card 3
            "Card 3: 40 41 | 42 43 44\n"   # none
            "Card 4:  7  8 |  9  7  6\n"   # 1 match: one more card 5
            "Card 5: 11 12 | 13 14 15\n")
    # copies: card 1: 1, card 2: 2, card 3: 1 + 1 + 2 = 4, card 4: 1, card 5: 2
    assert (PUZZLE.answer(1, text), PUZZLE.answer(2, text)) == (2 + 1 + 1, 1 + 2 + 4 + 1 + 2)


def test_copies_cascade():
    assert d04.copies([3, 2, 1, 0]) == [1, 2, 4, 8]
    assert d04.copies([0, 0]) == [1, 1]


@pytest.mark.parametrize("text, message", [
    ("Card 1: 1 2 | 3 4\nCard 2: 1 2 3 4\n",
     "line 2: expected 'Card N: winning numbers | numbers you have': 'Card 2: 1 2 3 4'"),
    ("Card 1: 1 2 | 3 4\n\nCard 2: 1 | 3\n", "line 2: expected 'Card N: winning numbers | numbers you have': ''"),
    ("Card 1: | 3 4\n", "line 1: expected 'Card N: winning numbers | numbers you have': 'Card 1: | 3 4'"),
    ("Card 1: 1 2 |\n", "line 1: expected 'Card N: winning numbers | numbers you have': 'Card 1: 1 2 |'"),
    ("Card 1: 1 -2 | 3\n", "line 1: expected 'Card N: winning numbers | numbers you have': 'Card 1: 1 -2 | 3'"),
    ("card 1: 1 | 3\n", "line 1: expected 'Card N: winning numbers | numbers you have': 'card 1: 1 | 3'"),
    ("Card 1: 1 | 2\nCard 3: 1 | 2\n", "line 2: expected card 2 (cards count 1, 2, 3, ... down the lines): 'Card 3: 1 | 2'"),
    ("Card 0: 1 | 2\n", "line 1: expected card 1 (cards count 1, 2, 3, ... down the lines): 'Card 0: 1 | 2'"),
    ("Card 1: 1 2 1 | 3\n", "line 1: a number repeats among the winning numbers: 'Card 1: 1 2 1 | 3'"),
    ("Card 1: 1 2 | 3 3\n", "line 1: a number repeats among the numbers you have: 'Card 1: 1 2 | 3 3'"),
    ("Card 1: 1 2 | 1 3\nCard 2: 1 2 | 1 2\nCard 3: 5 | 6\n",
     "line 2: 2 matches would win copies of cards past the last (card 3): 'Card 2: 1 2 | 1 2'"),
    ("Card 1: 7 | 7\n", "line 1: 1 matches would win copies of cards past the last (card 1): 'Card 1: 7 | 7'"),
])
def test_a_malformed_line_is_one_error_naming_it(text, message):
    with pytest.raises(InputError) as error:
        PUZZLE.records(text)
    assert str(error.value) == message


def test_padding_crlf_and_no_final_newline_read_the_same():
    text = d04.generate_input(5)
    assert PUZZLE.records(text.replace("\n", "\r\n").rstrip()) == PUZZLE.records(text)
    assert PUZZLE.records("Card   1:  1  2 |  3  4\n") == PUZZLE.records("Card 1: 1 2 | 3 4\n")


def test_generated_input_has_the_real_shape():
    for seed in range(6):
        text = d04.generate_input(seed)
        assert text == d04.generate_input(seed) != d04.generate_input(seed + 1)
        rows = text.splitlines()
        assert 190 <= len(rows) <= 220 and rows[0].startswith("Card   1: ") and rows[98].startswith("Card  99: ")
        assert {len(row) for row in rows} == {116}  # "Card 123: " + 10 and 25 two-character fields, "| "
        cards = PUZZLE.records(text)  # the parser also checks that no card wins past the last
        assert all(len(c.winning) == 10 and len(c.held) == 25 for c in cards)
        numbers = np.array([c.winning + c.held for c in cards])
        assert numbers.min() == 1 and numbers.max() == 99
        matches = np.bincount([c.matches for c in cards], minlength=11)
        assert len(matches) == 11 and matches[0] > 100 and matches[10] > 15 and (matches[1:10] > 0).sum() >= 7
        points, total = d04.part1(cards), d04.part2(cards)
        assert 10**4 < points < 3 * 10**4 and 10**6 < total < 10**8  # real: about 2 x 10^4 and 10^7


def test_matches_sit_anywhere_among_the_numbers():
    cards = PUZZLE.records(d04.generate_input(2))
    where = [i for c in cards for i, x in enumerate(c.held) if x in c.winning]
    assert set(where) == set(range(25))


def test_out_of_range_sizes():
    text = d04.generate_input(1, n_cards=1000, winning=20, held=50, high=10**6)
    cards = PUZZLE.records(text)
    assert len(cards) == 1000 and all(len(c.winning) == 20 and len(c.held) == 50 for c in cards)
    assert max(x for c in cards for x in c.held) > 9 * 10**5 and max(c.matches for c in cards) == 20
    assert d04.part2(cards) > 2**53  # beyond float64's exact integers: a network must flag it


# --- neural (part 1) ------------------------------------------------------------------------

TEST_SEED = 4_040_404  # not a training seed


def card(winning, held) -> d04.Card:
    return d04.Card(1, tuple(winning), tuple(held))


def oracle_points(c: d04.Card) -> int:
    """Points by doubling once per held number found among the winning ones (not 2 ** (k - 1))."""
    points = 0
    for x in c.held:
        if any(x == w for w in c.winning):
            points = points * 2 if points else 1
    return points


def test_a_card_is_one_token_per_number_with_the_number_on_the_exact_channel():
    inputs = d04.card_inputs([card([5, 10], [10, 5, 7]), card([3], [4])])
    assert inputs["ids"].tolist() == [[1, 1, 2, 2, 2, 0, 0, 0], [1, 2, 0, 0, 0, 0, 0, 0]]
    assert inputs["lengths"].tolist() == [5, 2]
    assert inputs["scalars"][0, :, 0].tolist() == [5, 10, 10, 5, 7, 0, 0, 0]


def test_training_cards_cover_every_points_class():
    cards, inputs, targets = d04.examples(np.random.default_rng(1), 4000, d04.CONFIG.data, False)
    assert targets["points"].tolist() == [oracle_points(c) for c in cards]
    counts = np.bincount([c.matches for c in cards], minlength=11)
    assert len(counts) == 11 and counts.min() >= 20  # even 10 matches (512 points) is well represented
    assert {len(c.held) for c in cards} == set(range(1, 26)) and {len(c.winning) for c in cards} == set(range(1, 11))
    far, _, _ = d04.examples(np.random.default_rng(2), 500, d04.CONFIG.data, True)
    assert {len(c.held) for c in far} <= set(range(26, 51))


@pytest.fixture(scope="module")
def network():
    from aocnn import runner

    return runner.load_neural(PUZZLE, 1)


def neural_points(net, cards: list[d04.Card]) -> tuple[np.ndarray, np.ndarray]:
    from aocnn.nn.family import decode

    parts = [decode(net.task.config.model, net(inputs))["points"] for inputs in d04.encode(cards)]
    decoded = {"points": tuple(np.concatenate(a) for a in zip(*parts))}
    return d04.combine(decoded, cards)


def test_shipped_weights_judge_every_pair_of_numbers(network):
    """All 99 x 99 pairs as a card with one winning and one held number, and with the pair among others."""
    a, b = np.meshgrid(np.arange(1, 100), np.arange(1, 100), indexing="ij")
    pairs = list(zip(a.ravel().tolist(), b.ravel().tolist()))
    cards = [card([x], [y]) for x, y in pairs] + [card([x, y], [y, x]) for x, y in pairs[::5] if x != y]
    points, sure = neural_points(network, cards)
    assert sure.all() and points.tolist() == [oracle_points(c) for c in cards]


@pytest.mark.parametrize("held, count", [((25, 25), 3000), ((1, 25), 2000), ((26, 50), 1000)])
def test_shipped_weights_are_exact_on_fresh_cards(network, held, count):
    rng = np.random.default_rng(TEST_SEED + held[1])
    cards = [d04.training_card(rng, *held) for _ in range(count)]
    points, sure = neural_points(network, cards)
    assert sure.all() and points.tolist() == [oracle_points(c) for c in cards]


def test_cards_outside_the_declared_range_are_flagged_not_answered(network):
    rng = np.random.default_rng(TEST_SEED)
    big = [card([w * 1000 for w in c.winning], [h * 1000 for h in c.held])
           for c in (d04.training_card(rng, 10, 25) for _ in range(100))]
    edges = [card([0, 1], [0, 2]), card([100], [100]), card(range(1, 12), range(1, 26)), card([1], range(1, 52))]
    _, sure = neural_points(network, big + edges)
    assert not sure.any()


def test_full_inputs_match_classical(network):
    for seed in range(3):
        text = d04.generate_input(TEST_SEED + seed)
        result = network.solve(PUZZLE.records(text))
        assert (result.answer, result.low_confidence) == (PUZZLE.answer(1, text), 0)
