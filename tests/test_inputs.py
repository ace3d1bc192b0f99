"""Where an input comes from: --input, stdin, a generated sample, or aocd (token, cache, offline)."""

from __future__ import annotations

import io
import json

import pytest

from aocnn import inputs, registry
from aocnn.errors import InputError
from conftest import FAKE_TOKEN, run_command

TEXT = "ab1cd2\nthree4five\n"  # part 1: 12 + 44 = 56; part 2: 12 + 35 = 47


@pytest.fixture
def puzzle():
    return registry.get(2023, 1)


def test_no_token_falls_back_to_a_marked_sample(puzzle):
    assert not inputs.has_token()
    found, notice = inputs.resolve(puzzle)
    assert found.source == "sample"
    assert found.text == puzzle.generate_input(inputs.SAMPLE_SEED)
    assert found.known == {}
    assert "no AoC session token" in notice and "AOC_SESSION" in notice and "--input" in notice


def test_sample_flag_uses_the_fixed_seed_without_a_notice(puzzle, aocd_cache, monkeypatch):
    aocd_cache.set_token(monkeypatch)  # even with a token, --sample means the sample
    found, notice = inputs.resolve(puzzle, use_sample=True)
    assert (found.source, notice) == ("sample", None)
    assert found.text == inputs.resolve(puzzle, use_sample=True)[0].text


def test_input_file_overrides_everything(puzzle, tmp_path, aocd_cache, monkeypatch):
    aocd_cache.set_token(monkeypatch)
    path = tmp_path / "mine.txt"
    path.write_text(TEXT)
    found, notice = inputs.resolve(puzzle, str(path))
    assert (found.text, found.source, found.name, notice) == (TEXT, "file", str(path), None)


def test_stdin(puzzle, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(TEXT))
    found, _ = inputs.resolve(puzzle, "-")
    assert (found.text, found.source) == (TEXT, "stdin")


def test_unreadable_file_is_an_input_error(puzzle, tmp_path):
    with pytest.raises(InputError, match="cannot read input file .*missing.txt"):
        inputs.resolve(puzzle, str(tmp_path / "missing.txt"))
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="cannot read input file"):
        inputs.resolve(puzzle, str(tmp_path / "binary.txt"))


def test_token_in_environment_reads_aocd_cache_with_known_answers(puzzle, aocd_cache, monkeypatch):
    aocd_cache.plant(2023, 1, TEXT, answers=("56", "47"))
    aocd_cache.set_token(monkeypatch)
    found, notice = inputs.resolve(puzzle)
    assert notice is None
    assert found.source == "aocd"
    assert found.text == TEXT.rstrip("\n")  # aocd strips the final newline
    assert found.known == {1: "56", 2: "47"}


def test_token_file_counts_as_a_token(puzzle, aocd_cache):
    aocd_cache.plant(2023, 1, TEXT, answers=("56", None))
    (aocd_cache.root / "token").write_text(FAKE_TOKEN + "\n")
    assert inputs.has_token()
    found, _ = inputs.resolve(puzzle)
    assert found.known == {1: "56"}  # part 2 not solved yet: unknown, not fetched


def test_empty_token_file_is_no_token(aocd_cache):
    (aocd_cache.root / "token").write_text("\n")
    assert not inputs.has_token()


def test_token_but_no_network_is_one_clear_line(puzzle, aocd_cache, monkeypatch):
    aocd_cache.set_token(monkeypatch)
    (aocd_cache.root / "token2id.json").write_text(json.dumps({FAKE_TOKEN: "fake.user.1"}))
    with pytest.raises(InputError) as caught:
        inputs.resolve(puzzle)  # nothing cached: aocd goes to the network, which is blocked
    message = str(caught.value)
    assert message.startswith("could not get your input for 2023 day 1 through aocd: ")
    assert "\n" not in message
    assert "NetworkBlocked" in message or "Error" in message


def test_cli_token_but_no_network_exits_2_with_one_line(aocd_cache):
    # a real subprocess whose aocd sends requests to a closed local port: urllib3 gives up
    result = run_command("aocnn", "solve", "2023", "1", "--solver", "classical", env={"AOC_SESSION": FAKE_TOKEN})
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aocnn: error: could not get your input for 2023 day 1 through aocd")
    assert "Traceback" not in result.stderr
