"""The baseline that fails on 2015 day 1: an MLP over a fixed window of characters.

Trained like the recurrent solver (same generator of 1-200-character walks, same training
loop), it sees the first 200 characters of its input and nothing more, so on a 7,000-
character input it cannot know the floor or a first basement visit past position 200.
The recurrent network carries its state along the whole line instead.

    pytest tests/benchmarks/test_baseline_2015_01.py -s            # tiny run, prints the figures
    python tests/benchmarks/test_baseline_2015_01.py --steps 3000 --count 1000
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from aocnn.errors import InputError
from aocnn.nn import model as nn_model
from aocnn.nn import training
from aocnn.nn.task import NeuralTask, TrainConfig
from solvers.y2015 import d01

WINDOW = d01.TRAIN_LENGTH


class WindowMLP(nn.Module):
    """One-hot of each of the first WINDOW characters ('(', ')', nothing), flattened, two Dense layers."""

    outputs: int
    hidden: int = 256

    @nn.compact
    def __call__(self, batch):
        ids_BxW = jnp.where(batch["mask"], batch["ids"], 2)[:, :WINDOW]
        x_BxW3 = jax.nn.one_hot(ids_BxW, 3).reshape(ids_BxW.shape[0], -1)
        y_BxO = nn.Dense(self.outputs)(nn.relu(nn.Dense(self.hidden)(x_BxW3)))
        return y_BxO[:, 0] if self.outputs == 1 else y_BxO


def floor_loss(floor_B, batch):
    error_B = floor_B - batch["floor"]
    return jnp.mean(error_B**2), jnp.abs(error_B) < 0.5  # the baseline only has to round right


def first_loss(logits_BxO, batch):
    per_example = optax.softmax_cross_entropy_with_integer_labels(logits_BxO, batch["first"])
    return jnp.mean(per_example), jnp.argmax(logits_BxO, axis=1) == batch["first"]


def window(text: str) -> dict[str, np.ndarray]:
    batch = d01.encode(d01.PUZZLE.records(text))  # '(' 0, ')' 1
    ids = np.zeros((1, WINDOW), np.int32)
    mask = np.zeros((1, WINDOW), bool)
    seen = min(WINDOW, batch["ids"].shape[1])
    ids[:, :seen], mask[:, :seen] = batch["ids"][:, :seen], True
    return {"ids": ids, "mask": mask}


def baseline_tasks(steps: int) -> dict[int, NeuralTask]:
    config = TrainConfig(batch_size=128, learning_rate=3e-3, warmup_steps=20, max_steps=steps, eval_every=50,
                         eval_size=1024, exact_evals=3)
    common = dict(solve=None, train=config, learned="everything, from a fixed window", hand_written="windowing")
    return {
        1: replace(d01.PART2, name="baseline/part1", model=WindowMLP(1), loss=floor_loss, hints=(), **common),
        2: replace(d01.PART2, name="baseline/part2", model=WindowMLP(WINDOW + 1), loss=first_loss, hints=(), **common),
    }


def answer(network, part: int, text: str) -> int | None:
    output = np.asarray(network(window(text)))[0]
    if part == 1:
        return round(float(output))
    best = int(np.argmax(output))
    return None if best == WINDOW else best + 1


def expected(part: int, text: str) -> int | None:
    try:
        return d01.PUZZLE.answer(part, text)
    except InputError:
        return None


def measure(steps: int, count: int, seed: int = 0) -> dict[int, dict[str, float]]:
    figures = {}
    texts = [d01.generate_input(90_000_000 + i) for i in range(count)]
    for part, task in baseline_tasks(steps).items():
        params, report = training.train(task, seed=seed)
        network = nn_model.Model(task, params)
        right = sum(answer(network, part, text) == expected(part, text) for text in texts)
        figures[part] = {"steps": report.steps, "held_out_200": report.exact, "full_7000": right / count,
                         "parameters": report.parameters}
    return figures


def test_window_mlp_fails_on_full_inputs():
    figures = measure(steps=150, count=50)
    for part, figure in figures.items():
        print(f"\nwindow MLP part {part}: {figure}")
        assert figure["full_7000"] < 0.05


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the fixed-window MLP baseline for 2015 day 1")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--count", type=int, default=1000, help="generated 7,000-char inputs to score")
    args = parser.parse_args()
    for part, figure in measure(args.steps, args.count).items():
        print(f"window MLP part {part}: {figure['parameters']:,} parameters, {figure['steps']} steps; exact on "
              f"held-out walks of 1-200 chars {figure['held_out_200']:.2%}, on 7,000-char inputs "
              f"{figure['full_7000']:.2%}")
