"""Probe for 2024/1 part 1 outside the family: can an all-pairs layer that sums over partners learn each
number's sign in the sorted pairing?

    python scripts/probe_2024_01_signs.py [--steps 4000] [--seed 0]

The answer of part 1 is sum_i |L_(i) - R_(i)|. Each pair adds its larger number and subtracts its smaller,
so the answer is sum over all numbers of x * s(x), with s = +1 for the larger of its pair and -1 for the
smaller. With the left list free of repeats, and right-list repeats ranked by line:
- a left number a is the larger iff #{right < a} > #{left < a};
- a right number b (k = #{right < b} + #{right = b on an earlier line}) is the larger iff #{left <= b} > k.

So no rank and no partner has to be found: only two counts per number, each a sum over partners of a
comparison. That is one all-pairs layer with a sum, a learned pairwise function of (digits, list, line) of
both numbers. This script checks the identity on every generated input, then trains that layer (its pair
MLP has two hidden layers, since "equal and earlier" needs an AND of two comparisons). It reports per-number
accuracy and whole inputs with every sign right, in range (4-24 lines) and beyond (48 and 200 lines).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from aocnn.errors import run_script

DIGITS = 5


def signs(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """+1/-1 per left and per right number, as the docstring says (the rule, for targets only)."""
    s_left = np.array([1 if np.sum(right < a) > np.sum(left < a) else -1 for a in left])
    s_right = []
    for j, b in enumerate(right):
        k = np.sum(right < b) + np.sum(right[:j] == b)
        s_right.append(1 if np.sum(left <= b) > k else -1)
    return s_left, np.array(s_right)


def lists(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n left numbers without repeats and n right ones with repeats, some shared, numbers of 1-5 digits."""
    high = 10 ** int(rng.integers(1, DIGITS + 1))
    high = max(high, 4 * n)
    left = rng.choice(high, n, replace=False)
    right = rng.integers(0, high, n)
    shared = rng.random(n) < 0.3
    right[shared] = rng.choice(left, int(shared.sum()))
    repeat = rng.random(n) < 0.2
    right[repeat] = rng.choice(right, int(repeat.sum()))
    return left, right


def batch(rng: np.random.Generator, size: int, low: int, high: int):
    n_max = high
    feats = np.zeros((size, 2 * n_max, DIGITS + 2), np.float32)
    target = np.zeros((size, 2 * n_max), np.float32)
    valid = np.zeros((size, 2 * n_max), bool)
    for b in range(size):
        n = int(rng.integers(low, high + 1))
        left, right = lists(rng, n)
        s_left, s_right = signs(left, right)
        assert (np.sum(left * s_left) + np.sum(right * s_right)
                == sum(abs(int(a) - int(c)) for a, c in zip(sorted(left), sorted(right))))
        numbers = np.concatenate([left, right])
        places = (numbers[:, None] // 10 ** np.arange(DIGITS - 1, -1, -1)) % 10
        line = np.concatenate([np.arange(n), np.arange(n)]) / high
        which = np.concatenate([np.zeros(n), np.ones(n)])
        feats[b, :2 * n] = np.concatenate([places / 9, which[:, None], line[:, None]], axis=1)
        target[b, :2 * n] = np.concatenate([s_left, s_right]) > 0
        valid[b, :2 * n] = True
    return feats, target, valid


def main() -> None:
    import jax
    import jax.numpy as jnp
    import optax
    from flax import linen as nn

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hidden", type=int, default=32)
    args = parser.parse_args()

    class Signs(nn.Module):
        hidden: int

        @nn.compact
        def __call__(self, x, valid):
            receiver = nn.Dense(self.hidden)(x)
            sender = nn.Dense(self.hidden, use_bias=False)(x)
            pair = nn.relu(receiver[:, :, None] + sender[:, None, :])
            pair = nn.relu(nn.Dense(self.hidden)(pair))
            message = nn.Dense(8)(pair) * valid[:, None, :, None]
            counts = jnp.sum(message, axis=2)
            h = nn.relu(nn.Dense(self.hidden)(jnp.concatenate([x, counts], -1)))
            return nn.Dense(1)(h)[..., 0]

    model = Signs(args.hidden)
    rng = np.random.default_rng(args.seed)
    x, y, v = batch(rng, 2, 4, 24)
    params = model.init(jax.random.PRNGKey(args.seed), x, v)
    schedule = optax.cosine_onecycle_schedule(args.steps, 3e-3)
    optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(schedule))
    state = optimizer.init(params)

    def loss_fn(p, x, y, v):
        logits = model.apply(p, x, v)
        return jnp.sum(optax.sigmoid_binary_cross_entropy(logits, y) * v) / jnp.sum(v)

    @jax.jit
    def step(p, s, x, y, v):
        loss, grads = jax.value_and_grad(loss_fn)(p, x, y, v)
        updates, s = optimizer.update(grads, s, p)
        return optax.apply_updates(p, updates), s, loss

    predict = jax.jit(lambda p, x, v: model.apply(p, x, v))
    start = time.perf_counter()
    for i in range(1, args.steps + 1):
        x, y, v = batch(rng, 64, 4, 24)
        params, state, loss = step(params, state, x, y, v)
        if i % 500 == 0:
            print(f"step {i}: loss {float(loss):.4f} ({time.perf_counter() - start:.0f} s)", flush=True)

    test_rng = np.random.default_rng(10_000 + args.seed)
    for low, high, count in ((4, 24, 1000), (48, 48, 200), (200, 200, 20)):
        right_numbers = total = inputs = 0
        for _ in range(0, count, 20):
            x, y, v = batch(test_rng, 20, low, high)
            p = np.asarray(predict(params, x, v)) > 0
            ok = (p == (y > 0)) | ~v
            right_numbers += int((ok & v).sum())
            total += int(v.sum())
            inputs += int(ok.all(axis=1).sum())
        print(f"{low}-{high} lines: {right_numbers / total:.4%} of numbers' signs right, "
              f"{inputs}/{count} inputs with every sign right", flush=True)


if __name__ == "__main__":
    run_script(main)
