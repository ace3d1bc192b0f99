"""Shared fixtures: an isolated, offline aocd; a planted aocd cache; a tiny trainable toy puzzle.

Every test runs with no AoC token, aocd's directories in a temp dir and the network blocked, so a
developer's real token or cache is never used and nothing leaves the machine. Subprocesses inherit
the environment: aocd's dirs point at the temp dir, and any HTTP they try goes to a closed local port.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import aocd.models
import numpy as np
import pytest

from aocnn import registry

FAKE_TOKEN = "53616c7465645f5ffake0000token"
FAKE_USER = "fake.user.424242"
CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # discard port, nothing listens: any request fails at once


def pytest_addoption(parser):
    parser.addoption("--aocnn-device", choices=("cpu", "gpu"), default=None,
                     help="JAX backend for the neural benchmarks in tests/benchmarks (default: JAX's default)")


class NetworkBlocked(OSError):
    pass


def _blocked(*args, **kwargs):
    raise NetworkBlocked("network access is blocked in tests")


@pytest.fixture(scope="session")
def compilation_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("jax-cache")


@pytest.fixture(autouse=True)
def private_compilation_cache(compilation_cache, monkeypatch):
    """JAX's persistent compilation cache in a temp dir shared by the session: nothing in ~/.cache."""
    monkeypatch.setenv("AOCNN_CACHE_DIR", str(compilation_cache))
    monkeypatch.delenv("AOCNN_COMPILATION_CACHE", raising=False)


@pytest.fixture(autouse=True)
def offline_aocd(tmp_path, monkeypatch):
    """No token, aocd's data and config in a temp dir, no network (in this process or in children)."""
    data = tmp_path / "aocd"
    data.mkdir()
    for name in ("AOC_SESSION", "AOCNN_SOLVER", "AOCNN_DEVICE", "AOCNN_WEIGHTS", "AOCD_EXTRA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AOCD_DIR", str(data))
    monkeypatch.setenv("AOCD_CONFIG_DIR", str(data))
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, CLOSED_PORT_PROXY)
    monkeypatch.setattr(aocd.models, "AOCD_DATA_DIR", data)
    monkeypatch.setattr(aocd.models, "AOCD_CONFIG_DIR", data)
    monkeypatch.setattr(aocd.models.User, "_token2id", None)
    monkeypatch.setattr(socket, "getaddrinfo", _blocked)
    monkeypatch.setattr(socket.socket, "connect", _blocked)
    return data


@dataclass(frozen=True)
class AocdCache:
    """Plants what aocd would have cached after fetching a user's input and solving both parts."""

    root: Path

    def plant(self, year: int, day: int, text: str, answers: tuple[str | None, str | None] = (None, None),
              title: str | None = None, token: str = FAKE_TOKEN, user: str = FAKE_USER) -> Path:
        (self.root / "token2id.json").write_text(json.dumps({token: user}), encoding="utf-8")
        memo = self.root / user
        memo.mkdir(exist_ok=True)
        (memo / f"{year}_{day:02d}_input.txt").write_text(text, encoding="utf-8")
        for letter, answer in zip("ab", answers):
            if answer is not None:
                (memo / f"{year}_{day:02d}{letter}_answer.txt").write_text(f"{answer}\n", encoding="utf-8")
        if title is not None:  # aocd's runner shows the title, read from the cached puzzle page
            prose = self.root / "prose" / f"{year}_{day:02d}_prose.0.html"
            prose.parent.mkdir(exist_ok=True)
            prose.write_text(f"<article><h2>--- Day {day}: {title} ---</h2></article>", encoding="utf-8")
        return memo

    def set_token(self, monkeypatch, token: str = FAKE_TOKEN) -> None:
        monkeypatch.setenv("AOC_SESSION", token)


@pytest.fixture
def aocd_cache(offline_aocd) -> AocdCache:
    return AocdCache(offline_aocd)


COMMANDS = {
    "aocnn": "from aocnn.cli import entry; entry()",  # the console script
    "aoc": "from aocd.runner import main; main()",  # advent-of-code-data's runner
}


def run_command(command: str, *args: str, stdin: str | None = None, env: dict | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`aocnn ...` or `aoc ...` in a real subprocess: what a user sees, tracebacks included."""
    return subprocess.run([sys.executable, "-c", COMMANDS[command], *args], input=stdin, capture_output=True,
                          text=True, timeout=240, env={**os.environ, **(env or {})}, cwd=cwd)


@pytest.fixture
def use_puzzles(monkeypatch):
    """Replace the registry's contents for one test: `use_puzzles(puzzle, ...)`."""

    def use(*puzzles: registry.Puzzle) -> None:
        found = registry.index(list(puzzles))
        monkeypatch.setattr(registry, "all_puzzles", lambda: found)
        monkeypatch.setattr(registry, "day_module_puzzle", lambda year, day: None)  # `get` looks in `found` too

    return use


# --- a toy puzzle with a network small enough to train in a second ------------------------------
# Each line is one digit; part 1 sums them, part 2 sums their doubles. Part 1 has a neural
# solver: a single Dense layer that must learn to read a digit from its one-hot code.

def toy_digits(text: str) -> list[int]:
    """The toy puzzle's parser: normalized text to one digit per line."""
    from aocnn.errors import line_error
    from aocnn.text import lines

    values = []
    for number, line in enumerate(lines(text), 1):
        if len(line) != 1 or not line.isdigit():
            raise line_error(number, line, "expected one digit")
        values.append(int(line))
    return values


def toy_generate(seed: int, n_lines: int = 200) -> str:
    rng = np.random.default_rng(seed)
    return "".join(f"{d}\n" for d in rng.integers(0, 10, n_lines))


def toy_task(name: str):
    import flax.linen as nn
    import jax
    import jax.numpy as jnp
    import optax

    from aocnn.nn.task import NeuralAnswer, NeuralTask, TrainConfig, total

    class DigitReader(nn.Module):
        classes: int = 10

        @nn.compact
        def __call__(self, batch):
            return nn.Dense(self.classes)(jax.nn.one_hot(batch["digit"], self.classes))

    def make_batch(rng: np.random.Generator, n: int):
        digit = rng.integers(0, 10, n).astype(np.int32)
        return {"digit": digit, "label": digit}

    def loss(logits, batch):
        per_example = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"])
        return jnp.mean(per_example), jnp.argmax(logits, -1) == batch["label"]

    def solve(model, digits: list[int]) -> NeuralAnswer:
        probabilities = np.asarray(jax.nn.softmax(model({"digit": np.array(digits, dtype=np.int32)})))
        return total(probabilities.argmax(-1), probabilities.max(-1) >= 0.9)

    config = TrainConfig(batch_size=64, learning_rate=0.3, warmup_steps=1, max_steps=300, eval_every=10,
                         eval_size=256, far_size=64, exact_evals=2)
    return NeuralTask(name=name, model=DigitReader(), make_batch=make_batch, make_far_batch=make_batch, loss=loss,
                      solve=solve, train=config, learned="reading a digit from its one-hot code",
                      hand_written="splitting lines, summing")


def toy_puzzle(day: int = 1, task_name: str | None = None, part1=None) -> registry.Puzzle:
    """2099 day DAY; its part 1 network's weights live under `task_name` (default: the trained ones)."""
    return registry.Puzzle(
        year=2099, day=day, title="Toy digits", parse=toy_digits,
        part1=part1 or sum,
        part2=lambda digits: sum(2 * d for d in digits),
        generate_input=toy_generate,
        neural={1: toy_task(task_name or "2099_01/part1")},
        source=f"test toy {day}",
    )


@pytest.fixture(scope="session")
def toy_weights(tmp_path_factory) -> Path:
    """A weights root holding the trained toy network, trained once per session and saved for 2099/1
    (2099_01/part1) and for 2099/2 (2099_02/part1, used by the tests' deliberately wrong toy)."""
    import jax

    from aocnn.nn import model, training

    root = tmp_path_factory.mktemp("weights")
    task = toy_task("2099_01/part1")
    params, report = training.train(task, seed=0)
    assert report.converged, report
    model.save(task, "2099/1", [1], params, report, jax.local_devices(), root)
    model.save(toy_task("2099_02/part1"), "2099/2", [1], params, report, jax.local_devices(), root)
    return root


def invoke(*args: str, stdin: str | None = None):
    """The CLI in this process (click's runner), stdout and stderr apart."""
    from click.testing import CliRunner

    from aocnn.cli import main

    return CliRunner().invoke(main, list(args), input=stdin)


def one_error_line(stderr: str) -> str:
    """The message of stderr's one and only line, which must be an aocnn error."""
    [line] = stderr.splitlines()
    assert line.startswith("aocnn: error: "), line
    return line.removeprefix("aocnn: error: ")


def assert_line_error(puzzle: registry.Puzzle, text: str, number: int, why: str, line: str) -> None:
    """The input is refused with one line that names the line number, says why, and quotes the line."""
    from aocnn.errors import InputError

    with pytest.raises(InputError) as error:
        puzzle.records(text)
    message = str(error.value)
    assert message.startswith(f"line {number}: {why}") and message.endswith(repr(line)) and "\n" not in message
