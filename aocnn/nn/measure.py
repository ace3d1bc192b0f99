"""Exactness of a trained network on fresh generated data: in the training range and beyond it.

Shared by `aocnn ablate` and the measuring scripts. Data come from their own random stream, apart
from training's and from its held-out checks, and far more of them than the stop rule looks at.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from aocnn.nn.task import NeuralAnswer, NeuralTask

MEASURE_OFFSET = 7_777_777  # a random stream that neither training nor its held-out sets use
CHUNK = 1024


def script_parser(doc: str, counts: dict[str, tuple[int, str]]) -> argparse.ArgumentParser:
    """A measuring script's arguments: which weights (`--root`, `--allow-unconverged`) and how many records
    of each set (`counts`: name -> (default, help))."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=None, help="weights root (default: the shipped weights/)")
    parser.add_argument("--allow-unconverged", action="store_true", help="measure weights saved unconverged too")
    for name, (default, text) in counts.items():
        parser.add_argument(f"--{name}", type=int, default=default, help=text)
    return parser


@dataclass(frozen=True)
class Exactness:
    in_range: float  # fraction of records right and confident (the task's own exactness)
    beyond: float  # the same on the task's out-of-range set
    in_range_records: int
    beyond_records: int


@dataclass(frozen=True)
class Outcomes:
    """Records by what a solve would make of them, with the solver's own confidence thresholds."""

    right: int = 0  # right and confident: exact
    unsure: int = 0  # flagged low-confidence (right or not): the answer says not to trust it
    wrong: int = 0  # wrong and confident: the defect that must not happen

    @classmethod
    def of(cls, said: np.ndarray, sure: np.ndarray, truth: np.ndarray) -> "Outcomes":
        """Tally one decoded head's answers and confidence against the truth, record by record."""
        return cls(int(np.sum(sure & (said == truth))), int(np.sum(~sure)), int(np.sum(sure & (said != truth))))

    @classmethod
    def of_solve(cls, answer: NeuralAnswer, truth: int) -> "Outcomes":
        """One whole solve as one record: right only when the answer is right and nothing was flagged."""
        return cls.of(np.array([answer.answer]), np.array([answer.low_confidence == 0]), np.array([truth]))

    @classmethod
    def of_inputs(cls, network: Any, puzzle: Any, part: int, texts: list[str]) -> "Outcomes":
        """Whole inputs through the network's solver, each one record against the classical answer."""
        total = cls()
        for text in texts:
            records = puzzle.records(text)
            total += cls.of_solve(network.solve(records), puzzle.classical(part)(records))
        return total

    @property
    def records(self) -> int:
        return self.right + self.unsure + self.wrong

    def __add__(self, other: "Outcomes") -> "Outcomes":
        return Outcomes(self.right + other.right, self.unsure + other.unsure, self.wrong + other.wrong)

    def __str__(self) -> str:
        return f"{self.right:,}/{self.records:,} exact, {self.unsure:,} low-confidence, {self.wrong:,} confidently wrong"


def outcomes(task: NeuralTask, params: Any, make: Callable, count: int, seed: int,
             rng: np.random.Generator | None = None) -> Outcomes:
    """For a family task: every head decoded as the solver decodes it, compared with the targets (records from
    `rng`, default a stream of the seed's own)."""
    import jax

    from aocnn.nn.family import decode

    config = task.config.model
    forward = _forward(config)
    rng = rng if rng is not None else np.random.default_rng(seed + MEASURE_OFFSET)
    total = Outcomes()
    while total.records < count:
        batch = make(rng, min(CHUNK, count - total.records))
        decoded = decode(config, forward(params, batch["inputs"]))
        right = sure = True
        for head in config.decoders:
            answer, confident = decoded[head.name]
            target = np.asarray(batch["targets"][head.name])
            same = answer == (np.rint(target).astype(np.int64) if head.kind in ("scalar", "product") else target)
            right = right & same.reshape(len(same), -1).all(axis=1)  # a sequence head: every position
            sure = sure & confident
        total = total + Outcomes(int(np.sum(right & sure)), int(np.sum(~sure)), int(np.sum(~right & sure)))
    return total


_FORWARDS: dict[Any, Any] = {}


def _forward(config: Any) -> Any:
    """The family network's jitted forward, one per model config (a far sweep calls `outcomes` chunk by chunk)."""
    if config not in _FORWARDS:
        import jax

        from aocnn.nn.family import FamilyModel

        _FORWARDS[config] = jax.jit(lambda p, inputs: FamilyModel(config).apply({"params": p}, inputs))
    return _FORWARDS[config]


def exact_fraction(task: NeuralTask, params: Any, make: Callable, count: int, seed: int) -> float:
    import jax

    rng = np.random.default_rng(seed + MEASURE_OFFSET)
    step = jax.jit(lambda p, batch: task.evaluate(p, batch)[1])
    right = total = 0
    while total < count:
        batch = make(rng, min(CHUNK, count - total))
        right += int(np.sum(np.asarray(step(params, batch))))
        total += len(jax.tree_util.tree_leaves(batch)[0])
    return right / total


def exactness(task: NeuralTask, params: Any, in_range: int, beyond: int, seed: int = 0) -> Exactness:
    return Exactness(exact_fraction(task, params, task.held_out_batch, in_range, seed),
                     exact_fraction(task, params, task.make_far_batch, beyond, seed + 1), in_range, beyond)
