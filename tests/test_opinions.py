"""Second opinions (aocnn.nn.opinions): they can flag a record, never change an answer, and each one
proves what it is as the network does. Works on copies of the shipped weights; nothing shipped changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from aocnn import registry, runner
from aocnn.errors import WeightsError
from aocnn.nn import checkpoint, opinions
from aocnn.nn.model import weights_root
from conftest import invoke, one_error_line
from solvers.y2023 import d01

PART1 = Path("2023_01") / "part1"


@pytest.fixture
def root(tmp_path) -> Path:
    """A weights root with 2023/1's main networks and no second opinion."""
    copy = tmp_path / "weights"
    for part in ("part1", "part2"):
        shutil.copytree(weights_root() / "2023_01" / part, copy / "2023_01" / part)
    return copy


def save_opinion(root: Path, name: str, seed: int, edit=None) -> Path:
    """The main network re-saved as an opinion claiming `seed`, its parameters changed by `edit`."""
    params, meta = checkpoint.load(root / PART1)
    if edit is not None:
        edit(params)
    meta = {k: v for k, v in meta.items() if k not in ("digest", "history_digest", checkpoint.SEAL)}
    target = opinions.folder(root / PART1) / name
    checkpoint.save(target, params, {**meta, "seed": seed})
    return target


def tens_off_by_one(params) -> None:
    """Sure and wrong on every line: the tens head's classes moved round by one."""
    head = params["decoder_tens"]["logits"]
    head["kernel"], head["bias"] = np.roll(head["kernel"], 1, axis=1), np.roll(head["bias"], 1)


def fresh_lines(count: int = 300) -> list[str]:
    return d01.training_lines(np.random.default_rng(4242), count, spelled=False)


def test_an_agreeing_opinion_changes_nothing_and_a_disagreeing_one_flags_every_record(root):
    rows = fresh_lines()
    truth = d01.part1(rows)
    alone = runner.load_neural(d01.PUZZLE, 1, root=root)
    assert alone.opinions == () and alone.solve(rows).answer == truth

    save_opinion(root, "agrees", seed=101)
    agreeing = runner.load_neural(d01.PUZZLE, 1, root=root)
    assert len(agreeing.opinions) == 1
    answer = agreeing.solve(rows)
    assert (answer.answer, answer.low_confidence) == (truth, 0)

    save_opinion(root, "disagrees", seed=102, edit=tens_off_by_one)
    doubted = runner.load_neural(d01.PUZZLE, 1, root=root)
    assert len(doubted.opinions) == 2
    answer = doubted.solve(rows)
    assert answer.low_confidence == len(rows)  # every line: the opinion is sure of another value
    flagged = invoke("solve", "2023", "1", "--sample", "--part", "1", "--solver", "neural", "--json", "--weights", str(root))
    assert json.loads(flagged.stdout)["parts"]["1"]["neural"]["low_confidence"] == 1000


def test_an_opinion_flags_only_the_records_it_reads_otherwise(root):
    """One opinion sure of another value on some lines: exactly those are flagged."""
    rows = fresh_lines()
    main = runner.load_neural(d01.PUZZLE, 1, root=root)
    save_opinion(root, "other", seed=103, edit=tens_off_by_one)
    other = runner.load_neural(d01.PUZZLE, 1, root=root).opinions[0]
    main.opinions = ()  # judged apart: the lines where the two disagree
    mixed = rows[:150] + rows[150:]
    from aocnn.nn.family import decode

    def values(network):
        [inputs] = list(d01.encode(mixed))
        return d01.combine(decode(network.task.config.model, network(inputs)), mixed)

    (mine, mine_sure), (theirs, theirs_sure) = values(main), values(other)
    expected = int(np.sum(~(mine_sure & theirs_sure & (mine == theirs))))
    main.opinions = (other,)
    assert main.solve(mixed).low_confidence == expected > 0


@pytest.mark.parametrize("damage, message", [
    ("same seed", "an opinion must come from a seed of its own"),
    ("another part", "were trained for task '2023_01/part2', not '2023_01/part1'"),
    ("edited meta", "meta.json itself was edited or damaged"),
    ("another network", "is another network than the one at"),
])
def test_an_opinion_that_cannot_prove_what_it_is_is_refused_in_one_line(root, damage, message):
    main_seed = checkpoint.read_meta(root / PART1)["seed"]
    if damage == "same seed":
        save_opinion(root, "twin", seed=main_seed)
    elif damage == "another part":
        shutil.copytree(root / "2023_01" / "part2", opinions.folder(root / PART1) / "part2")
    elif damage == "edited meta":
        path = save_opinion(root, "edited", seed=104) / checkpoint.META
        meta = json.loads(path.read_text())
        meta["seed"] = 105
        path.write_text(json.dumps(meta))
    else:
        target = save_opinion(root, "wider", seed=106)
        meta = checkpoint.read_meta(target)
        meta["config"]["model"]["mlp"] = 8  # rebuilt as another network than the main one
        checkpoint.write_meta(target, meta)
    with pytest.raises(WeightsError):
        runner.load_neural(d01.PUZZLE, 1, root=root)
    result = invoke("solve", "2023", "1", "--sample", "--part", "1", "--solver", "neural", "--weights", str(root))
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert message in line and "to solve without it" in line and "rebuild them" not in line  # the fix: remove it


def test_aocnn_opinion_adds_a_checked_copy_and_refuses_a_seed_already_there(root, tmp_path):
    other = tmp_path / "other"
    save_opinion(root, "seed7", seed=7)
    shutil.move(str(opinions.folder(root / PART1) / "seed7"), str(other / PART1))  # a weights root of its own
    added = invoke("opinion", "2023", "1", "--part", "1", "--from", str(other), "--weights", str(root))
    assert added.exit_code == 0, added.stderr
    assert [p.name for p in opinions.paths(root / PART1)] == ["seed7"]
    assert len(runner.load_neural(d01.PUZZLE, 1, root=root).opinions) == 1
    again = invoke("opinion", "2023", "1", "--part", "1", "--from", str(other), "--weights", str(root))
    assert again.exit_code == 2 and "already exists" in one_error_line(again.stderr)
    main = invoke("opinion", "2023", "1", "--part", "1", "--from", str(root), "--weights", str(root))
    assert main.exit_code == 2 and "trained with seed" in one_error_line(main.stderr)
    assert not [p for p in opinions.folder(root / PART1).iterdir() if p.name.startswith(".")]  # nothing half-written


def test_list_json_counts_each_parts_opinions():
    rows = json.loads(invoke("list", "--json").stdout)
    counts = {(r["year"], r["day"]): r["opinions"] for r in rows}
    shipped = {(y, d): {str(p): len(opinions.paths(weights_root() / t.name)) for p, t in puzzle.neural.items()}
               for (y, d), puzzle in registry.all_puzzles().items()}
    assert counts == shipped
    assert counts[(2023, 1)]["1"] == 2  # the shipped second opinions of 2023/1 part 1
