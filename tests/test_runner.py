"""The runner's timing of neural solves: a first call (load and compile) apart, then warm calls."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from aocnn import runner


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class SlowNetwork:
    """A network whose every solve takes `seconds` on the fake clock."""

    def __init__(self, clock: Clock, seconds: float):
        self.clock, self.seconds, self.calls = clock, seconds, 0
        self.device = SimpleNamespace(platform="cpu")

    def solve(self, records):
        self.calls += 1
        self.clock.now += self.seconds
        return SimpleNamespace(answer=7, low_confidence=0)


class Loaded:
    def __init__(self, network):
        self.network = network

    def get(self, puzzle, part):
        return self.network, 0.5


@pytest.mark.parametrize(("seconds", "warm_calls"), [(0.001, 3), (0.02, 2), (0.03, 1), (0.06, 1), (2.0, 1)])
def test_warm_calls_fit_a_budget(monkeypatch, seconds, warm_calls):
    clock = Clock()
    monkeypatch.setattr(runner.time, "perf_counter", clock)
    network = SlowNetwork(clock, seconds)
    record = runner.run_neural(None, 1, [], Loaded(network))
    assert record["warm_calls"] == warm_calls and network.calls == 1 + warm_calls
    assert record["seconds"] == pytest.approx(seconds)
    assert record["load_seconds"] == pytest.approx(0.5 + seconds)  # restore plus the first call
    assert record["answer"] == "7"
