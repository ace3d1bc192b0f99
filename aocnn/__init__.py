"""aocnn: Advent of Code puzzles solved by a classical reference and by a small network."""

__version__ = "0.1.0"
