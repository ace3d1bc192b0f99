"""The baseline for 2023 day 1: the seed post's transformer, rebuilt with aocnn's toolkit.

As in seed post 000: character embeddings plus *learned absolute position* embeddings for a
fixed 60-character window, a small transformer encoder, and heads that flatten the whole
window into a linear layer. It is trained like the shipped solver (same generator, same loop)
on part 1 lines that fit its window. It reads a line only if the line fits; real inputs have
lines of up to 65 characters, so a whole input fails on its longest lines even when nearly
every other line is right. The shipped solver has no positions and no flattening.

    pytest tests/benchmarks/test_baseline_2023_01.py -s                   # tiny run, prints the figures
    python tests/benchmarks/test_baseline_2023_01.py --steps 1500 --count 5000
"""

from __future__ import annotations

import argparse

import flax.linen as nn
import jax.numpy as jnp
import numpy as np

from aocnn.nn import model as nn_model
from aocnn.nn import training
from aocnn.nn.encode import char_ids
from aocnn.nn.layers import TransformerEncoder
from aocnn.nn.task import NeuralTask, TrainConfig
from aocnn.text import lines
from solvers.y2023 import d01

WINDOW = 60


class SeedTransformer(nn.Module):
    width: int = 32
    layers: int = 2
    heads: int = 4

    @nn.compact
    def __call__(self, batch):
        ids_BxW = batch["ids"][:, :WINDOW]
        x_BxWxD = nn.Embed(len(d01.ALPHABET) + 2, self.width)(ids_BxW)
        x_BxWxD = x_BxWxD + self.param("positions", nn.initializers.normal(0.02), (WINDOW, self.width))
        h_BxWxD = TransformerEncoder(self.layers, self.heads, self.width // self.heads, 2 * self.width)(x_BxWxD, ids_BxW > 0)
        flat_BxWD = h_BxWxD.reshape(h_BxWxD.shape[0], -1)
        return {"first": nn.Dense(10, name="first")(flat_BxWD), "last": nn.Dense(10, name="last")(flat_BxWD)}


def fitted(batch_lines: list[str]) -> dict[str, np.ndarray]:
    """Lines in the seed model's fixed window, with their first and last digits."""
    ids, lengths = char_ids(batch_lines, d01.CHARS, min_width=WINDOW)
    found = [d01.digits(line, False) for line in batch_lines]
    return {"ids": ids[:, :WINDOW], "lengths": lengths, "first": np.array([f[0] for f in found], np.int32),
            "last": np.array([f[-1] for f in found], np.int32)}


def loss(outputs, batch):
    import optax

    first = optax.softmax_cross_entropy_with_integer_labels(outputs["first"], batch["first"])
    last = optax.softmax_cross_entropy_with_integer_labels(outputs["last"], batch["last"])
    exact = (jnp.argmax(outputs["first"], -1) == batch["first"]) & (jnp.argmax(outputs["last"], -1) == batch["last"])
    return jnp.mean(first + last), exact


def baseline_task(steps: int) -> NeuralTask:
    make = lambda rng, n: fitted(d01.training_lines(rng, n, False, 1, WINDOW))  # noqa: E731
    return NeuralTask(
        name="baseline/2023_01", model=SeedTransformer(), loss=loss, solve=None, make_batch=make,
        make_far_batch=make,  # it cannot read beyond its window at all: nothing further to check
        train=TrainConfig(batch_size=128, learning_rate=3e-3, warmup_steps=50, max_steps=steps, eval_every=50,
                          eval_size=2048, exact_evals=3),
    )


def line_values(network, batch_lines: list[str]) -> np.ndarray | None:
    """Per-line 10*first+last, or None when a line does not fit the window (the seed model cannot read it)."""
    if max(map(len, batch_lines)) > WINDOW:
        return None
    ids, lengths = char_ids(batch_lines, d01.CHARS, min_width=WINDOW)
    out = network({"ids": ids, "lengths": lengths})
    return 10 * np.argmax(out["first"], -1) + np.argmax(out["last"], -1)


def measure(steps: int, count: int, inputs: int, seed: int = 0) -> dict[str, float]:
    task = baseline_task(steps)
    params, report = training.train(task, seed=seed)
    network = nn_model.Model(task, params)
    rng = np.random.default_rng(31_337)
    fresh = d01.training_lines(rng, count, False, 1, WINDOW)
    values = line_values(network, fresh)
    truth = np.array([10 * d01.digits(line, False)[0] + d01.digits(line, False)[-1] for line in fresh])
    right = readable = 0
    for i in range(inputs):
        text = d01.generate_input(77_000 + i)
        got = line_values(network, lines(text))
        readable += got is not None
        right += got is not None and int(got.sum()) == d01.PUZZLE.answer(1, text)
    return {"parameters": report.parameters, "steps": report.steps, "examples": report.examples,
            "fresh_lines_exact": float(np.mean(values == truth)), "inputs_readable": readable / inputs,
            "inputs_right": right / inputs}


def test_seed_transformer_cannot_answer_real_shaped_inputs():
    figures = measure(steps=120, count=300, inputs=5)
    print(f"\nseed transformer: {figures}")
    assert figures["fresh_lines_exact"] > 0.3  # it learns something on lines that fit its window...
    assert figures["inputs_readable"] == 0.0  # ...but real-shaped inputs have lines of 61-65 characters


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the seed post's transformer as a baseline for 2023 day 1")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--count", type=int, default=5000, help="fresh lines of 1-60 characters to score")
    parser.add_argument("--inputs", type=int, default=50, help="generated full inputs to score")
    args = parser.parse_args()
    f = measure(args.steps, args.count, args.inputs)
    print(f"seed transformer: {f['parameters']:,} parameters, {f['steps']} steps ({f['examples']:,} examples); "
          f"exact on fresh lines of 1-{WINDOW} characters {f['fresh_lines_exact']:.2%}; full generated inputs "
          f"readable {f['inputs_readable']:.0%}, right {f['inputs_right']:.0%}")
