"""Can one all-pairs layer learn "the other list holds this number" by gradient? A probe of the mechanism
outside the family (2024/1 part 2's module docstring tells what it found).

    python scripts/probe_2024_01_match.py [--float-steps 3000] [--pull-steps 3000] [--clip] [--seed 0]

The layer reads each number's nine digits (integer scalars) and its list (1: right), as the exact
solution does: max over partners j != i of v . relu(W_r x_i + W_s x_j + b) + c, then one logit per
number, trained on the named hint `matched` (2024/1's `matches`) over part 2's training lists (8-48 lines,
near misses and chimeras). After `--float-steps` in floats, `--pull-steps` more pull every weight to
integers (0.01 x the squared distance, ramped in over a third) and round them in the forward pass (ramped
in over half); `--clip` keeps every weight in [-1, 1] throughout. It reports the loss as it goes, then
with the weights as they end (rounded when pulled): numbers classified right on 50 fresh training-style
inputs and on 10 real-shaped ones (1,000 lines of 5-digit numbers), and the lowest score of a matched
number against the highest of an unmatched one (a margin > 0 would be exact at any size).
"""

from __future__ import annotations

import argparse

import jax
import jax.numpy as jnp
import numpy as np
import optax

from aocnn.errors import run_script
from solvers.y2024 import d01

HIDDEN = 2 * d01.PLACES + 6  # as PART2_EXACT's pair units


def features(records, inputs):
    """Per number: its nine digits and "is right" (B x L x 10), which are valid, and the hint (1 no, 2 yes)."""
    x = np.concatenate([inputs["scalars"], (inputs["ids"][..., :1] == d01.RIGHT).astype(np.float32)], -1)
    valid = np.arange(x.shape[1])[None] < inputs["lengths"][:, None]
    return jnp.asarray(x), jnp.asarray(valid), jnp.asarray(d01.per_token(records, inputs["ids"].shape[1], d01.matches))


def used(params, clip: bool, mix):
    """The weights as the forward pass uses them: clipped (straight through) and moved `mix` to integers."""
    out = {}
    for name, w in params.items():
        if clip:
            w = w + jax.lax.stop_gradient(jnp.clip(w, -1, 1) - w)
        out[name] = w + mix * jax.lax.stop_gradient(jnp.round(w) - w)
    return out


def scores(params, x, valid, block: int = 0):
    """Each number's max over its partners (not itself) of the pair function, senders `block` at a time."""
    receiver, sender = x @ params["wr"] + params["b"], x @ params["ws"]
    length, position = x.shape[1], jnp.arange(x.shape[1])
    best = jnp.full(x.shape[:2], -1e9)
    for start in range(0, length, block or length):
        stop = start + (block or length)
        message = jax.nn.relu(receiver[:, :, None] + sender[:, None, start:stop]) @ params["v"] + params["c"]
        pairs = valid[:, :, None] & valid[:, None, start:stop] & (position[:, None] != position[None, start:stop])[None]
        best = jnp.maximum(best, jnp.max(jnp.where(pairs, message, -1e9), -1))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--float-steps", type=int, default=3000)
    parser.add_argument("--pull-steps", type=int, default=3000)
    parser.add_argument("--clip", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    keys = jax.random.split(jax.random.PRNGKey(args.seed), 3)
    params = {"wr": jax.random.normal(keys[0], (10, HIDDEN)) * 0.3, "ws": jax.random.normal(keys[1], (10, HIDDEN)) * 0.3,
              "b": jnp.zeros(HIDDEN), "v": jax.random.normal(keys[2], (HIDDEN,)) * 0.3, "c": jnp.zeros(())}
    head = {"a": jnp.ones(()), "e": jnp.zeros(())}  # the logit: a x score + e (a float readout, never pulled)

    def loss(both, x, valid, hint, mix, pull):
        weights, readout = both
        logit = readout["a"] * scores(used(weights, args.clip, mix), x, valid) + readout["e"]
        error = optax.sigmoid_binary_cross_entropy(logit, (hint == 2).astype(jnp.float32))
        penalty = sum(jnp.sum((w - jnp.round(w)) ** 2) for w in jax.tree_util.tree_leaves(weights))
        return jnp.sum(jnp.where(valid, error, 0.0)) / x.shape[0] + pull * penalty

    optimizer = optax.adam(3e-3)
    both = (params, head)
    state = optimizer.init(both)

    @jax.jit
    def step(both, state, x, valid, hint, mix, pull):
        value, grads = jax.value_and_grad(loss)(both, x, valid, hint, mix, pull)
        updates, state = optimizer.update(grads, state, both)
        return optax.apply_updates(both, updates), state, value

    rng = np.random.default_rng(args.seed)
    total = args.float_steps + args.pull_steps
    for i in range(1, total + 1):
        records, inputs, _ = d01.examples_part2(rng, 32, d01.PART2.data, False)
        late = max(0.0, (i - args.float_steps) / max(args.pull_steps, 1))
        mix, pull = (min(1.0, 2 * late), 0.01 * min(1.0, 3 * late)) if i > args.float_steps else (0.0, 0.0)
        both, state, value = step(both, state, *features(records, inputs), jnp.float32(mix), jnp.float32(pull))
        if i % 250 == 0:
            print(f"step {i}/{total}  loss {float(value):.3f}  rounding {mix:.2f}", flush=True)

    weights, readout = both
    final = used(weights, args.clip, 1.0 if args.pull_steps else 0.0)
    for name, count in (("training-style inputs", 50), ("real-shaped inputs (1,000 lines)", 10)):
        right = numbers = 0
        lowest_matched, highest_unmatched = np.inf, -np.inf
        for s in range(count):
            if count == 10:
                records = [d01.parse(d01.generate_input(10**6 + s))]
                inputs = d01.list_inputs(records)
            else:
                records, inputs, _ = d01.examples_part2(np.random.default_rng(10**6 + s), 8, d01.PART2.data, False)
            x, valid, hint = features(records, inputs)
            score = np.asarray(scores(final, x, valid, block=256))
            said = float(readout["a"]) * score + float(readout["e"]) > 0
            valid, matched = np.asarray(valid), np.asarray(hint) == 2
            right += int(np.sum((said == matched) & valid))
            numbers += int(valid.sum())
            lowest_matched = min(lowest_matched, float(np.min(score, where=valid & matched, initial=np.inf)))
            highest_unmatched = max(highest_unmatched, float(np.max(score, where=valid & ~matched, initial=-np.inf)))
        print(f"{name}: {right:,} of {numbers:,} numbers right; lowest matched score {lowest_matched:.3f}, "
              f"highest unmatched {highest_unmatched:.3f}", flush=True)


if __name__ == "__main__":
    run_script(main)
