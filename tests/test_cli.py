"""The `aocnn` command: list, solve and verify; output shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from aocnn import registry
from aocnn.cli import main
from conftest import run_command, toy_digits, toy_generate, toy_puzzle

TEXT = "ab1cd2\nthree4five\n"  # part 1: 12 + 44 = 56; part 2: 12 + 35 = 47


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


@pytest.fixture
def classical_2023_1(use_puzzles):
    """2023 day 1 as registered, minus any neural solver: these tests are about the CLI, not the network."""
    puzzle = replace(registry.get(2023, 1), neural={})
    use_puzzles(puzzle)
    return puzzle


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "input.txt"
    path.write_text(TEXT)
    return path


def wrong_toy(day: int = 2):
    """The toy with a classical part 1 that is off by one, sharing the trained network: they must disagree."""
    return toy_puzzle(day, task_name=f"2099_{day:02d}/part1", part1=lambda digits: sum(digits) + 1)


# --- list --------------------------------------------------------------------------------------

def test_list_shows_puzzles_solvers_and_weights(use_puzzles, toy_weights, monkeypatch):
    from aocnn.nn import model

    monkeypatch.setattr(model, "weights_root", lambda: toy_weights)  # as if the toy weights were shipped
    use_puzzles(toy_puzzle(), toy_puzzle(3, "2099_03/part1"))
    result = invoke("list")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["year", "day", "title", "classical", "neural", "weights"]
    assert rows[0].split() == ["2099", "1", "Toy", "digits", "1", "2", "1", "p1:yes"]
    assert rows[1].split() == ["2099", "3", "Toy", "digits", "1", "2", "1", "p1:missing"]


def test_list_json(use_puzzles):
    use_puzzles(toy_puzzle(3, "2099_03/part1"))
    rows = json.loads(invoke("list", "--json").stdout)
    assert rows == [{"year": 2099, "day": 3, "title": "Toy digits", "classical": [1, 2], "neural": [1],
                     "family": {"1": "bespoke"}, "hints": {"1": []}, "weights": {"1": False}, "opinions": {"1": 0}, "source": "test toy 3"}]


def test_list_real_registry_includes_2023_day_1():
    registry.all_puzzles.cache_clear()
    rows = json.loads(invoke("list", "--json").stdout)
    day1 = next(row for row in rows if (row["year"], row["day"]) == (2023, 1))
    assert (day1["title"], day1["source"], day1["classical"]) == ("Trebuchet?!", "module solvers.y2023.d01", [1, 2])


# --- solve: output contract ----------------------------------------------------------------------

def test_solve_json_contract_with_both_solvers(use_puzzles, toy_weights, tmp_path):
    use_puzzles(toy_puzzle())
    path = tmp_path / "toy.txt"
    path.write_text("3\n4\n9\n")
    result = invoke("solve", "2099", "1", "--input", str(path), "--weights", str(toy_weights), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert set(out) == {"year", "day", "title", "input", "parts"}
    assert (out["year"], out["day"], out["title"], out["input"]) == (2099, 1, "Toy digits", "file")
    assert list(out["parts"]) == ["1", "2"]
    part1, part2 = out["parts"]["1"], out["parts"]["2"]
    assert set(part1) == {"classical", "neural", "agree", "known", "correct", "error"}
    assert set(part1["classical"]) == {"answer", "seconds"}
    assert set(part1["neural"]) == {"answer", "seconds", "warm_calls", "load_seconds", "low_confidence", "device"}
    assert part1["classical"]["answer"] == part1["neural"]["answer"] == "16"  # answers are strings
    assert part1["neural"]["device"] == "cpu" and part1["neural"]["low_confidence"] == 0
    assert part1["neural"]["load_seconds"] > 0 and part1["neural"]["seconds"] > 0
    assert 1 <= part1["neural"]["warm_calls"] <= 3
    assert (part1["agree"], part1["known"], part1["correct"]) == (True, None, None)
    assert "neural" not in part2 and part2["classical"]["answer"] == "32"  # no neural solver: absent
    assert part2["agree"] is None  # nothing to compare with


def test_solve_json_one_part_classical(classical_2023_1, text_file):
    result = invoke("solve", "2023", "1", "--part", "2", "--solver", "classical", "--input", str(text_file), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert list(out["parts"]) == ["2"]
    assert out["parts"]["2"]["classical"]["answer"] == "47"


def test_solve_human_output(use_puzzles, toy_weights, tmp_path):
    use_puzzles(toy_puzzle())
    path = tmp_path / "toy.txt"
    path.write_text("3\n4\n")
    result = invoke("solve", "2099", "1", "--input", str(path), "--weights", str(toy_weights))
    assert result.exit_code == 0, result.output
    title, header, row1, row2 = result.stdout.splitlines()
    assert title == f"2099 day 1: Toy digits  (input: {path})"
    assert header.split() == ["part", "classical", "time", "neural", "load", "solve", "low-conf", "device",
                              "agree", "known"]
    assert row1.split()[:2] == ["1", "7"] and "cpu" in row1 and "✔" in row1
    assert row2.split()[:2] == ["2", "14"] and "n/a" in row2
    assert "no neural solver for 2099 day 1 part 2" in result.stderr


def test_solve_without_token_says_it_solves_a_sample(classical_2023_1):
    result = invoke("solve", "2023", "1")
    assert result.exit_code == 0, result.output
    assert "no AoC session token: solving a generated sample" in result.stderr
    assert "(input: sample (seed 2023))" in result.stdout


def test_solve_stdin(classical_2023_1):
    result = invoke("solve", "2023", "1", "--input", "-", "--json", stdin=TEXT)
    out = json.loads(result.stdout)
    assert out["input"] == "stdin"
    assert [out["parts"][p]["classical"]["answer"] for p in "12"] == ["56", "47"]


def test_solve_checks_known_answers_from_aocd(classical_2023_1, aocd_cache, monkeypatch):
    aocd_cache.plant(2023, 1, TEXT, answers=("56", "47"))
    aocd_cache.set_token(monkeypatch)
    result = invoke("solve", "2023", "1", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["input"] == "aocd"
    assert [(out["parts"][p]["known"], out["parts"][p]["correct"]) for p in "12"] == [("56", True), ("47", True)]


# --- exit codes ------------------------------------------------------------------------------------

def test_wrong_known_answer_exits_1(classical_2023_1, aocd_cache, monkeypatch):
    aocd_cache.plant(2023, 1, TEXT, answers=("56", "48"))
    aocd_cache.set_token(monkeypatch)
    result = invoke("solve", "2023", "1")
    assert result.exit_code == 1
    assert "✖ 48" in result.stdout.splitlines()[-1]


def test_disagreement_exits_1(use_puzzles, toy_weights, tmp_path):
    use_puzzles(wrong_toy())
    path = tmp_path / "toy.txt"
    path.write_text("1\n2\n")
    result = invoke("solve", "2099", "2", "--part", "1", "--input", str(path), "--weights", str(toy_weights), "--json")
    assert result.exit_code == 1
    part = json.loads(result.stdout)["parts"]["1"]
    assert (part["classical"]["answer"], part["neural"]["answer"], part["agree"]) == ("4", "3", False)


@pytest.mark.parametrize("args, message", [
    (["solve", "2099", "25"], "no puzzle registered for 2099 day 25 (registered: 2023/1)"),
    (["solve", "2023", "1", "--input", "/nonexistent/input.txt"], "cannot read input file /nonexistent/input.txt: No such file or directory"),
    (["solve", "2023", "1", "--solver", "neural"], "2023 day 1 has no neural solver yet; use --solver classical"),
    (["solve", "2023", "1", "--part", "2", "--solver", "neural"], "2023 day 1 part 2 has no neural solver yet; use --solver classical"),
    (["verify", "2098"], "no puzzle registered for 2098 (registered: 2023/1)"),
])
def test_user_errors_exit_2_with_one_line(classical_2023_1, args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"aocnn: error: {message}"]


def test_malformed_input_exits_2_naming_the_line(classical_2023_1):
    result = invoke("solve", "2023", "1", "--solver", "classical", "--input", "-", stdin="a1\nxyz\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["aocnn: error: line 2: no digit in line: 'xyz'"]


def test_usage_errors_exit_2(classical_2023_1):
    assert invoke("solve", "2023", "1", "--input", "-", "--sample").exit_code == 2
    assert invoke("solve", "2023", "1", "--part", "3").exit_code == 2
    assert invoke("solve", "2023").exit_code == 2


def test_missing_weights_exit_2_and_say_how_to_train(use_puzzles, tmp_path):
    use_puzzles(toy_puzzle(3, "2099_03/part1"))
    result = invoke("solve", "2099", "3", "--sample", "--solver", "neural", "--part", "1", "--weights", str(tmp_path))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("aocnn: error: neural: no trained weights at ") and "`aocnn train 2099 3 --part 1`" in line


def test_gpu_where_there_is_none_is_one_line(use_puzzles):
    import jax

    if any(d.platform == "gpu" for d in jax.devices()):
        pytest.skip("this machine has a GPU")
    use_puzzles(toy_puzzle(), replace(registry.get(2023, 1), neural={}))
    for command in (["solve", "2023", "1", "--sample"], ["verify"], ["train", "2099", "1"]):
        result = invoke(*command, "--device", "gpu")
        assert result.exit_code == 2, command
        assert result.stderr.splitlines()[-1] == "aocnn: error: no gpu device available to JAX (available: cpu)"


def test_debug_shows_the_exception_instead(classical_2023_1):
    result = invoke("--debug", "solve", "2023", "1", "--input", "-", stdin="xyz\n")
    assert result.exit_code == 1 and type(result.exception).__name__ == "InputError"


def test_real_process_prints_no_traceback():
    result = run_command("aocnn", "solve", "2023", "1", "--solver", "classical", "--input", "-", stdin="1\n\nzz\n")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["aocnn: error: line 2: no digit in line: ''"]


# --- verify ---------------------------------------------------------------------------------------

def verify_json(*args: str):
    result = invoke("verify", *args, "--json")
    return result, json.loads(result.stdout)


ROW_FIELDS = {"year", "day", "part", "input", "input_name", "classical", "agree", "known", "correct", "error"}


def test_verify_all_puzzles_on_samples(use_puzzles, toy_weights):
    use_puzzles(toy_puzzle())
    result = invoke("verify", "--weights", str(toy_weights))
    assert result.exit_code == 0, result.output
    assert "verifying generated samples for 2099/1" in result.stderr
    header, row1, row2, summary = result.stdout.splitlines()
    assert header.split()[:4] == ["puzzle", "part", "input", "classical"]
    assert row1.split()[:5] == ["2099/1", "1", "sample", "(seed", "2023)"]
    expected = str(sum(toy_digits(toy_generate(2023))))
    assert row1.split().count(expected) == 2 and "✔" in row1 and "cpu" in row1
    assert "n/a" in row2
    assert summary.startswith("verified 2 parts (1 puzzle, 1 input): 1 of 1 parts agree")
    assert "1 classical only" in summary and summary.endswith("0 errors")


def test_verify_json_rows(use_puzzles, toy_weights):
    use_puzzles(toy_puzzle())
    result, rows = verify_json("--weights", str(toy_weights))
    assert result.exit_code == 0
    assert [(r["year"], r["day"], r["part"], r["input"]) for r in rows] == [(2099, 1, 1, "sample"), (2099, 1, 2, "sample")]
    assert set(rows[0]) == ROW_FIELDS | {"neural"} and set(rows[1]) == ROW_FIELDS
    assert set(rows[0]["neural"]) == {"answer", "seconds", "warm_calls", "load_seconds", "low_confidence", "device"}
    assert rows[0]["agree"] is True and rows[0]["error"] is None and rows[1]["agree"] is None


def test_verify_inputs_dir_single_and_several_with_known_answers(use_puzzles, toy_weights, tmp_path):
    use_puzzles(toy_puzzle())
    tmp_path = tmp_path / "inputs"
    tmp_path.mkdir()
    (tmp_path / "2099_01.txt").write_text("1\n2\n")
    (tmp_path / "2099_01.answers").write_text("3\n6\n")
    (tmp_path / "2099_1").mkdir()
    (tmp_path / "2099_1" / "alice.txt").write_text("5\n")
    (tmp_path / "2099_1" / "alice.answers").write_text("?\n10\n")
    (tmp_path / "2099_1" / "bob.txt").write_text("9\r\n9\r\n")
    (tmp_path / "2023_01.txt").write_text("not a registered puzzle in this test")
    (tmp_path / "notes.md").write_text("ignored quietly: not a .txt")
    result, rows = verify_json("--inputs", str(tmp_path), "--weights", str(toy_weights))
    assert result.exit_code == 0, result.output
    assert "ignoring 2023_01.txt in" in result.stderr
    assert [(r["input"], r["input_name"].replace(str(tmp_path), "DIR"), r["part"], r["known"], r["correct"])
            for r in rows] == [
        ("file", "DIR/2099_01.txt", 1, "3", True), ("file", "DIR/2099_01.txt", 2, "6", True),
        ("file", "DIR/2099_1/alice.txt", 1, None, None), ("file", "DIR/2099_1/alice.txt", 2, "10", True),
        ("file", "DIR/2099_1/bob.txt", 1, None, None), ("file", "DIR/2099_1/bob.txt", 2, None, None),
    ]
    assert [r["neural"]["answer"] for r in rows if r["part"] == 1] == ["3", "5", "18"]


def test_verify_wrong_known_answer_exits_1(use_puzzles, toy_weights, tmp_path):
    use_puzzles(toy_puzzle())
    (tmp_path / "2099_01.txt").write_text("1\n2\n")
    (tmp_path / "2099_01.answers").write_text("4\n")
    result = invoke("verify", "--inputs", str(tmp_path), "--weights", str(toy_weights))
    assert result.exit_code == 1
    assert "✖ 4" in result.stdout.splitlines()[1]
    assert "known answers: 0 right, 1 wrong, 1 unknown" in result.stdout.splitlines()[-1]


def test_verify_disagreement_exits_1(use_puzzles, toy_weights):
    use_puzzles(toy_puzzle(), wrong_toy())
    result, rows = verify_json("--weights", str(toy_weights))
    assert result.exit_code == 1
    assert [(r["day"], r["part"], r["agree"]) for r in rows] == [(1, 1, True), (1, 2, None), (2, 1, False), (2, 2, None)]


def test_verify_missing_weights_is_an_error_in_its_row_only(use_puzzles, toy_weights):
    use_puzzles(toy_puzzle(), toy_puzzle(3, "2099_03/part1"))
    result = invoke("verify", "--weights", str(toy_weights))
    assert result.exit_code == 2  # something could not be checked
    lines = result.stdout.splitlines()
    assert "✔" in lines[1]  # 2099/1 still verified
    assert lines[3].startswith("2099/3") and "error" in lines[3].split()
    assert "neural: no trained weights at " in lines[3] and "`aocnn train 2099 3 --part 1`" in lines[3]
    assert lines[-1].endswith("1 error")
    _, rows = verify_json("--weights", str(toy_weights))
    day3 = [r for r in rows if r["day"] == 3]
    assert day3[0]["classical"]["answer"] and "neural" not in day3[0] and day3[0]["error"].startswith("neural: ")
    assert day3[1]["error"] is None  # part 2 has no neural solver: nothing missing


def test_verify_malformed_input_file_is_an_error_row(use_puzzles, toy_weights, tmp_path):
    use_puzzles(toy_puzzle())
    (tmp_path / "2099_01.txt").write_text("1\n22\n")
    result, rows = verify_json("--inputs", str(tmp_path), "--weights", str(toy_weights))
    assert result.exit_code == 2
    assert [row["error"] for row in rows] == ["input: line 2: expected one digit: '22'"] * 2  # parsed once for both


def test_verify_your_aocd_input_with_known_answers(classical_2023_1, aocd_cache, monkeypatch):
    aocd_cache.plant(2023, 1, TEXT, answers=("56", "47"))
    aocd_cache.set_token(monkeypatch)
    result, rows = verify_json("2023", "1")
    assert result.exit_code == 0
    assert result.stderr == ""  # no sample notice: it is the user's input
    assert [(r["input"], r["classical"]["answer"], r["correct"]) for r in rows] == [("aocd", "56", True), ("aocd", "47", True)]


def test_verify_token_but_offline_reports_each_puzzle_and_goes_on(use_puzzles, aocd_cache, monkeypatch, toy_weights):
    use_puzzles(toy_puzzle(), replace(registry.get(2023, 1), neural={}))
    aocd_cache.plant(2099, 1, "4\n", answers=("4", "8"))  # cached; 2023/1 is not: aocd goes to the (blocked) network
    aocd_cache.set_token(monkeypatch)
    result, rows = verify_json("--weights", str(toy_weights))
    assert result.exit_code == 2
    by_puzzle = {(r["year"], r["part"]): r for r in rows}
    assert by_puzzle[2099, 1]["correct"] is True and by_puzzle[2099, 2]["correct"] is True
    assert by_puzzle[2023, 1]["error"].startswith("input: could not get your input for 2023 day 1 through aocd")
    assert "classical" not in by_puzzle[2023, 1]


def test_verify_selects_by_year_and_day(use_puzzles, toy_weights):
    use_puzzles(toy_puzzle(), toy_puzzle(3, "2099_03/part1"), replace(registry.get(2023, 1), neural={}))
    _, rows = verify_json("2099", "1", "--weights", str(toy_weights))
    assert {(r["year"], r["day"]) for r in rows} == {(2099, 1)}
    _, rows = verify_json("2099", "--weights", str(toy_weights))
    assert {(r["year"], r["day"]) for r in rows} == {(2099, 1), (2099, 3)}


# --- the persistent compilation cache ------------------------------------------------------------

@pytest.mark.parametrize("setting, kept", [(None, True), ("off", False)])
def test_compiled_programs_are_kept_between_processes_unless_turned_off(tmp_path, setting, kept):
    env = {"AOCNN_CACHE_DIR": str(tmp_path / "cache")}
    if setting:
        env["AOCNN_COMPILATION_CACHE"] = setting
    result = run_command("aocnn", "solve", "2015", "1", "--part", "1", "--sample", "--solver", "neural", env=env)
    assert result.returncode == 0, result.stderr
    assert any((tmp_path / "cache" / "jax").glob("*")) == kept


# --- the console script: a read-only command that ran a network skips the interpreter's teardown -------

def test_the_console_script_ends_a_neural_verify_with_all_its_output_and_its_status(tmp_path):
    """`aocnn` (cli.entry) leaves a solve or verify by os._exit once JAX is loaded: stdout must still be
    whole and the status the command's own (1: a known answer is wrong)."""
    puzzle = registry.get(2015, 1)
    text = puzzle.generate_input(8)
    (tmp_path / "2015_01.txt").write_text(text)
    (tmp_path / "2015_01.answers").write_text(f"{puzzle.answer(1, text) + 1}\n{puzzle.answer(2, text)}\n")
    result = run_command("aocnn", "verify", "2015", "1", "--inputs", str(tmp_path), "--json")
    assert result.returncode == 1, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["part"], r["agree"], r["correct"]) for r in rows] == [(1, True, False), (2, True, True)]
    solved = run_command("aocnn", "solve", "2015", "1", "--input", str(tmp_path / "2015_01.txt"), "--json")
    assert solved.returncode == 0, solved.stderr
    assert json.loads(solved.stdout)["parts"]["2"]["neural"]["answer"] == str(puzzle.answer(2, text))
    refused = run_command("aocnn", "solve", "2015", "1", "--solver", "neural", "--input", "-", stdin="(()x\n")
    assert refused.returncode == 2 and refused.stderr.startswith("aocnn: error: ")
