"""The measuring scripts (scripts/*.py) fail as the `aocnn` command does: one line, exit status 2."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from aocnn.errors import InputError, run_script

SCRIPTS = sorted((Path(__file__).parent.parent / "scripts").glob("*.py"))


def test_run_script_turns_an_aocnn_error_into_one_line_and_status_2(capsys):
    def main():
        raise InputError("no trained weights at /nowhere (missing meta.json)")

    with pytest.raises(SystemExit) as exit_:
        run_script(main)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error: no trained weights at /nowhere" in err


def test_run_script_leaves_other_exceptions_their_traceback():
    def main():
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        run_script(main)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_runs_its_main_through_run_script(script):
    """The `if __name__ == "__main__":` block of every script calls run_script, never main() bare."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    guards = [node for node in tree.body if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)]
    assert len(guards) == 1
    assert "run_script(" in ast.unparse(guards[0]) and "\n    main()" not in "\n" + ast.unparse(guards[0])


def test_a_measuring_script_given_weights_that_are_not_there_says_so_on_one_line(tmp_path):
    script = Path(__file__).parent.parent / "scripts" / "measure_2023_09.py"
    done = subprocess.run([sys.executable, str(script), "--count", "10", "--per-length", "1", "--inputs", "1",
                           "--weights", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "measure_2023_09.py: error: no trained weights at" in done.stderr
    assert "Traceback" not in done.stderr


def test_seeds_measures_saved_weights_with_their_own_seed_instead_of_training():
    script = Path(__file__).parent.parent / "scripts" / "seeds.py"
    root = Path(__file__).parent.parent / "weights"
    done = subprocess.run([sys.executable, str(script), "2021", "1", "--part", "1", "--root", str(root),
                           "--held-out", "500", "--far", "50", "--inputs", "1"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    [row] = [line.split() for line in done.stdout.splitlines() if line.split()[:2] == ["0", "True"]]
    steps = json.loads((root / "2021_01" / "part1" / "meta.json").read_text())["steps"]
    assert row[2] == str(steps) and row[5:8] == ["100.0000%", "100.0000%", "1/1"] and row[8] == "ok"
