"""The baseline that fails on 2023 day 9: an MLP over the 21 values of a line.

Trained by the same loop on the same generator (polynomial sequences with |x| <= 100),
at the real length of 21 so that it can even be run on real-shaped lines (the NAC network
trained on 3-8 values only), it fits its training range and falls apart on values in the
millions, where the NAC difference table stays exact.

    pytest tests/benchmarks/test_baseline_2023_09.py -s          # tiny run, prints the figures
    python tests/benchmarks/test_baseline_2023_09.py --steps 3000 --inputs 20
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import flax.linen as nn
import jax.numpy as jnp
import numpy as np

from aocnn.nn import model as nn_model
from aocnn.nn import training
from aocnn.nn.task import NeuralTask, TrainConfig
from solvers.y2023 import d09

LENGTH = 21
SCALE = float(d09.TRAIN_BOUND)  # inputs and outputs in units of the training bound


class SequenceMLP(nn.Module):
    hidden: int = 256

    @nn.compact
    def __call__(self, batch):
        x_BxL = jnp.asarray(batch["values"], jnp.float32) / SCALE
        h = nn.relu(nn.Dense(self.hidden)(x_BxL))
        h = nn.relu(nn.Dense(self.hidden)(h))
        return nn.Dense(1)(h)[:, 0] * SCALE


def make_loss(label: str):
    def loss(prediction_B, batch):
        error_B = prediction_B - batch[label]
        return jnp.mean(jnp.abs(error_B)) / SCALE, jnp.abs(error_B) < 0.5

    return loss


def examples(rng: np.random.Generator, n: int):
    return d09.make_examples(rng, n, (LENGTH, LENGTH))


def baseline_task(part: int, steps: int) -> NeuralTask:
    label = {1: "next", 2: "previous"}[part]
    config = TrainConfig(batch_size=256, learning_rate=3e-3, warmup_steps=20, max_steps=steps, eval_every=100,
                         eval_size=1024, exact_evals=3)
    return replace(d09.neural_task(part), name=f"baseline/part{part}", model=SequenceMLP(), loss=make_loss(label),
                   make_batch=examples, make_eval_batch=examples, train=config)


def measure(steps: int, inputs: int, seed: int = 0) -> dict[int, dict[str, float]]:
    figures = {}
    texts = [d09.generate_input(80_000 + i) for i in range(inputs)]
    rows = [[int(v) for v in line.split()] for text in texts for line in text.splitlines()]
    values = np.array(rows, dtype=np.float64)
    beyond = np.abs(values).max(axis=1) > d09.TRAIN_BOUND
    for part in (1, 2):
        task = baseline_task(part, steps)
        params, report = training.train(task, seed=seed)
        network = nn_model.Model(task, params)
        predicted = np.asarray(network({"values": values.astype(np.float32)}), dtype=np.float64)
        truth = np.array([d09.next_value(r) if part == 1 else d09.previous_value(r) for r in rows], dtype=np.float64)
        error = np.abs(predicted - truth)
        classical = d09.PUZZLE.classical(part)
        answers = np.add.reduceat(np.rint(predicted), np.arange(0, len(rows), 200))
        figures[part] = {
            "parameters": report.parameters,
            "steps": report.steps,
            "held_out_exact": report.exact,  # |x| <= 100, 21 values: its own training range
            "real_lines_exact": float(np.mean(error < 0.5)),
            "beyond_100_exact": float(np.mean(error[beyond] < 0.5)),  # lines with a value beyond |x| <= 100
            "real_median_abs_error": float(np.median(error)),
            "real_inputs_exact": float(np.mean([a == classical(d09.parse(t)) for a, t in zip(answers, texts)])),
        }
    return figures


def test_mlp_fails_on_real_shaped_inputs():
    figures = measure(steps=200, inputs=2)
    for part, figure in figures.items():
        print(f"\nMLP part {part}: {figure}")
        assert figure["beyond_100_exact"] < 0.05 and figure["real_inputs_exact"] == 0.0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the MLP baseline for 2023 day 9")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--inputs", type=int, default=20, help="generated real-shaped inputs (200 x 21) to score")
    args = parser.parse_args()
    for part, f in measure(args.steps, args.inputs).items():
        print(f"MLP part {part}: {f['parameters']:,} parameters, {f['steps']} steps; exact on held-out lines "
              f"(|x| <= 100, 21 values) {f['held_out_exact']:.2%}; on real-shaped lines {f['real_lines_exact']:.2%}, "
              f"on those beyond |x| <= 100 {f['beyond_100_exact']:.2%} "
              f"(median |error| {f['real_median_abs_error']:.3g}); whole inputs right {f['real_inputs_exact']:.0%}")
