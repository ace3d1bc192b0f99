"""`aocnn ablate` and `aocnn train --set`: variants of a configured network, one-line errors otherwise."""

from __future__ import annotations

import json

from click.testing import CliRunner

from aocnn.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_ablate_retrains_each_named_variant_and_measures_it():
    result = invoke("ablate", "2015", "1", "--part", "1", "--variant", "shipped", "--variant", "no-clip",
                    "--max-steps", "3", "--in-range", "16", "--beyond", "8", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["variant"], r["sets"], r["steps"]) for r in rows] == [("shipped", [], 3), ("no-clip", ["model.exact_clip=false"], 3)]
    assert all(0.0 <= r["exact"] <= 1.0 and r["records"] == 16 and r["records_beyond"] == 8 for r in rows)
    assert "aocnn: ablate 2/2: no-clip" in result.stderr


def test_ablate_caps_the_recipes_restarts_for_every_variant():
    """2017/1 part 2's recipe restarts an unconverged attempt up to 40 times; `--restarts 1` allows one, and the
    row counts the attempts that failed (4 steps never converge)."""
    result = invoke("ablate", "2017", "1", "--part", "2", "--variant", "shipped", "--max-steps", "4", "--restarts", "1",
                    "--in-range", "8", "--beyond", "4", "--json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["converged"], row["failed_attempts"], row["steps"]) == (False, 1, 4)


def test_ablate_errors_are_one_line():
    unknown = invoke("ablate", "2015", "1", "--part", "1", "--variant", "nope")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("aocnn: error: no ablation named nope for 2015_01/part1 (declared: shipped, ")
    bespoke = invoke("ablate", "2015", "1", "--part", "2")
    assert bespoke.exit_code == 2
    assert bespoke.stderr == "aocnn: error: 2015_01/part2 is a bespoke network: it has no config to ablate\n"


def test_train_set_overrides_the_config_and_meta_records_it(tmp_path):
    result = invoke("train", "2015", "1", "--part", "1", "--max-steps", "2", "--out", str(tmp_path),
                    "--set", "model.width=3", "--set", "train.learning_rate=0.5")
    assert result.exit_code == 1  # 2 steps: not converged, saved marked so
    meta = json.loads((tmp_path / "2015_01" / "part1" / "meta.json").read_text())
    assert meta["config"]["model"]["width"] == 3 and meta["config"]["train"]["learning_rate"] == 0.5
    assert (meta["family"], meta["hints"], meta["converged"]) == ("aocnn-family-v1", [], False)
    solved = invoke("solve", "2015", "1", "--part", "1", "--sample", "--solver", "neural", "--weights", str(tmp_path),
                    "--allow-unconverged", "--json")  # rebuilt from the saved config, not the shipped one
    assert solved.exit_code in (0, 1), solved.output
    assert json.loads(solved.stdout)["parts"]["1"]["neural"]["low_confidence"] == 1


def test_bad_set_is_one_line():
    result = invoke("train", "2015", "1", "--part", "1", "--set", "model.nope=1")
    assert result.exit_code == 2
    assert result.stderr.startswith("aocnn: error: --set model.nope: unknown field 'nope' (known: vocab, ")


def test_every_declared_ablation_applies_to_its_config_and_changes_it():
    from aocnn import registry
    from aocnn.nn.config import override

    checked = 0
    for puzzle in registry.all_puzzles().values():
        for task in puzzle.neural.values():
            for ablation in task.ablations:
                assert task.config is not None, task.name
                assert override(task.config, list(ablation.sets)) != task.config, (task.name, ablation.name)
                checked += 1
    assert checked >= 10


def test_an_ablation_row_says_what_the_check_on_every_real_record_found():
    from dataclasses import replace

    from aocnn import ablate
    from conftest import toy_task

    task = replace(toy_task("toy/part1"), certify=lambda network, progress=None: ((9, 1, 0), "every digit"))
    [row] = ablate.ablate(task, [ablate.SHIPPED], seed=0, max_steps=None, in_range=64, beyond=16)
    assert row["converged"] and row["certified"] == "every digit: 9 exact, 1 flagged low-confidence, 0 confidently wrong"
