"""Paths that run no network import no deep-learning stack: `aocnn list`, `--help`, a classical
solve and the aoc plugin set to classical never load jax, flax, optax or orbax (about a second of
a cold start). Each check runs in a fresh interpreter, where sys.modules tells what was imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aocnn import registry

HEAVY = ("jax", "jaxlib", "flax", "optax", "orbax")

# Runs aocnn's CLI (or plugin) in-process, then prints which heavy packages were imported.
PROBE = """
import json, sys
steps = json.loads(sys.argv[1])
for kind, args in steps:
    if kind == "cli":
        from aocnn.cli import main
        try:
            main(args, prog_name="aocnn")
        except SystemExit as exc:
            assert exc.code in (0, None), ("aocnn", args, exc.code)
    elif kind == "plugin":
        from aocnn import plugin
        print(plugin.solve(*args), file=sys.stderr)
    else:
        __import__(args)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[2].split(",")))))
"""


def imported(steps: list, env: dict | None = None) -> list[str]:
    import os

    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(steps), ",".join(HEAVY)], capture_output=True,
                            text=True, timeout=120, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture
def input_file(tmp_path):
    path = tmp_path / "input.txt"
    path.write_text(registry.get(2023, 1).generate_input(3))
    return path


def test_list_and_help_import_no_jax():
    assert imported([["cli", ["list"]], ["cli", ["list", "--json"]], ["cli", ["--help"]], ["cli", ["solve", "--help"]]]) == []


def test_classical_solve_imports_no_jax(input_file):
    steps = [["cli", ["solve", str(year), str(day), "--sample", "--solver", "classical"]] for year, day in registry.all_puzzles()]
    steps.append(["cli", ["solve", "2023", "1", "--input", str(input_file), "--solver", "classical", "--json"]])
    assert imported(steps) == []


def test_plugin_set_to_classical_imports_no_jax(input_file):
    assert imported([["plugin", [2023, 1, input_file.read_text()]]], env={"AOCNN_SOLVER": "classical"}) == []


def test_what_a_puzzle_module_imports_at_top_level_is_jax_free():
    """New puzzle modules import these at top level (the family_task pattern); they must stay jax-free."""
    modules = ["aocnn.nn.config", "aocnn.nn.family_task", "aocnn.nn.task", "aocnn.nn.encode", "aocnn.nn.model",
               "aocnn.registry", "aocnn.runner"]
    modules += [f"solvers.y{year}.d{day:02d}" for year, day in registry.all_puzzles()]
    assert imported([["import", name] for name in modules]) == []


def test_a_neural_solve_does_import_jax(input_file):
    """The probe can fail: the neural path loads jax and flax."""
    found = imported([["cli", ["solve", "2023", "1", "--input", str(input_file), "--part", "1", "--solver", "neural"]]])
    assert {"jax", "flax"} <= set(found)


def test_a_solve_imports_its_own_puzzle_module_only(input_file):
    """`registry.get` reads the day's own module (and plugins), not every puzzle's."""
    probe = ("import sys; from aocnn.cli import main\n"
             "try: main(sys.argv[1:], prog_name='aocnn')\n"
             "except SystemExit as exc: assert exc.code in (0, None)\n"
             "print(sorted(m for m in sys.modules if m.startswith('solvers.y')), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe, "solve", "2023", "1", "--input", str(input_file),
                             "--solver", "classical"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "['solvers.y2023', 'solvers.y2023.d01']"
