"""The registry: built-ins found in solvers/, plugins through entry points, one declaration per day."""

from __future__ import annotations

import sys
import types
from importlib.metadata import EntryPoint

import pytest

import solvers
from aocnn import registry
from aocnn.errors import RegistryError


def make_puzzle(year: int = 2099, day: int = 5, title: str = "Plugged in") -> registry.Puzzle:
    return registry.Puzzle(year, day, title, parse=str.split, part1=len, part2=lambda words: 2 * len(words),
                           generate_input=lambda seed: "x" * (seed + 1))


@pytest.fixture
def fresh_registry():
    registry.all_puzzles.cache_clear()
    yield
    registry.all_puzzles.cache_clear()


@pytest.fixture
def fake_plugins(monkeypatch, fresh_registry):
    """Install entry points in group aocnn.puzzles that load objects from an in-memory module."""

    def install(**objects) -> None:
        module = types.ModuleType("fake_aocnn_plugin")
        for name, obj in objects.items():
            setattr(module, name, obj)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        eps = [EntryPoint(name=name, value=f"{module.__name__}:{name}", group=registry.ENTRY_POINT_GROUP)
               for name in objects]

        def entry_points(group: str):
            return [ep for ep in eps if ep.group == group]

        monkeypatch.setattr(registry, "entry_points", entry_points)

    return install


def test_builtin_2023_day_1_is_discovered_from_its_module(fresh_registry):
    puzzle = registry.get(2023, 1)
    assert puzzle.title == "Trebuchet?!"
    assert puzzle.source == "module solvers.y2023.d01"
    assert puzzle.slug == "2023_01"
    assert puzzle.answer(1, "a1b2\n") == 12


def test_every_registered_puzzle_is_complete(fresh_registry):
    puzzles = registry.all_puzzles()
    assert list(puzzles) == sorted(puzzles)
    for (year, day), puzzle in puzzles.items():
        assert (puzzle.year, puzzle.day) == (year, day)
        assert 2015 <= year and 1 <= day <= 25
        assert puzzle.generate_input(0) == puzzle.generate_input(0)  # deterministic for a seed
        for part, task in puzzle.neural.items():
            assert part in (1, 2)
            assert task.name.startswith(f"{puzzle.slug}/")


def test_adding_a_module_is_all_it_takes(tmp_path, monkeypatch, fresh_registry):
    package = tmp_path / "y2098"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text("X = 1\n")  # a module without PUZZLE is not a puzzle
    (package / "d03.py").write_text(
        "from aocnn.registry import Puzzle\n"
        "PUZZLE = Puzzle(2098, 3, 'New one', str.split, len, len, lambda seed: 'ab')\n"
    )
    monkeypatch.setattr(solvers, "__path__", [*solvers.__path__, str(tmp_path)])
    for name in ("solvers.y2098", "solvers.y2098.d03", "solvers.y2098.helpers"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    try:
        puzzle = registry.get(2098, 3)
    finally:
        for name in ("solvers.y2098", "solvers.y2098.d03", "solvers.y2098.helpers"):
            sys.modules.pop(name, None)
    assert puzzle.title == "New one"
    assert puzzle.source == "module solvers.y2098.d03"
    assert (2023, 1) in registry.all_puzzles()


def test_module_whose_puzzle_is_not_a_puzzle_is_an_error():
    module = types.ModuleType("solvers.y2099.d09")
    module.PUZZLE = {"year": 2099}
    with pytest.raises(RegistryError, match=r"solvers\.y2099\.d09\.PUZZLE is not an aocnn Puzzle"):
        registry._from_module(module)


def test_entry_point_can_register_a_puzzle_object(fake_plugins):
    fake_plugins(extra=make_puzzle())
    puzzle = registry.get(2099, 5)
    assert puzzle.title == "Plugged in"
    assert puzzle.source == "entry point extra (fake_aocnn_plugin:extra)"
    assert (2023, 1) in registry.all_puzzles()  # built-ins still there


def test_entry_point_can_register_a_module_with_puzzle(fake_plugins, monkeypatch):
    module = types.ModuleType("fake_day_module")
    module.PUZZLE = make_puzzle(day=6)
    monkeypatch.setitem(sys.modules, "fake_day_module", module)
    monkeypatch.setattr(registry, "entry_points", lambda group: [
        EntryPoint(name="day6", value="fake_day_module", group=group)])
    assert registry.get(2099, 6).source == "entry point day6 (fake_day_module)"


def test_entry_point_that_is_not_a_puzzle_is_an_error(fake_plugins):
    fake_plugins(broken=lambda text: 0)
    with pytest.raises(RegistryError, match=r"entry point broken \(fake_aocnn_plugin:broken\) is not an aocnn Puzzle"):
        registry.all_puzzles()


def test_duplicate_day_names_both_sources(fake_plugins):
    fake_plugins(again=make_puzzle(year=2023, day=1, title="Impostor"))
    with pytest.raises(RegistryError) as caught:
        registry.all_puzzles()
    message = str(caught.value)
    assert "2023 day 1 is registered twice" in message
    assert "module solvers.y2023.d01" in message
    assert "entry point again (fake_aocnn_plugin:again)" in message


def test_get_of_a_built_in_day_that_a_plugin_declares_again_is_the_same_error(fake_plugins):
    fake_plugins(again=make_puzzle(year=2023, day=1, title="Impostor"))
    with pytest.raises(RegistryError, match=r"2023 day 1 is registered twice: by module solvers\.y2023\.d01 and by entry point again"):
        registry.get(2023, 1)


def test_get_of_a_built_in_day_is_its_module_puzzle(fresh_registry):
    puzzle = registry.get(2023, 1)
    assert puzzle.source == "module solvers.y2023.d01"
    assert puzzle == registry.all_puzzles()[(2023, 1)]  # the same declaration either way


def test_two_plugins_for_one_day_name_both(fake_plugins):
    fake_plugins(first=make_puzzle(title="A"), second=make_puzzle(title="B"))
    with pytest.raises(RegistryError, match=r"by entry point first .* and by entry point second"):
        registry.all_puzzles()


def test_unknown_day_lists_the_registered_ones(fresh_registry):
    with pytest.raises(RegistryError, match=r"no puzzle registered for 2099 day 25 \(registered: .*2023/1"):
        registry.get(2099, 25)
