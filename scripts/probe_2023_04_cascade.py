"""Probe: can a recurrence with 0/1 transitions learn 2023/4 part 2's cascade of copies? (issue 17, item 2)

Not a solver: a standalone JAX probe, several seeds at once, of the family's counting recurrence
(`transitions="gates"`) with the cards' match counts given as ids, so that the record in
solvers/y2023/d04.py can be rerun. Over a run of cards with matches k_1..k_n:

    h_0 = s,   h_t = A(k_t) h_{t-1},   value_t = r . h_t + b,   answer = sum_t value_t

Every entry of A(k) (from an embedding of k), of the start s and of the read-out r, b is a sigmoid gate,
set exactly to 0 or 1 within `--snap` of either (straight through). One exact solution with `--most`
+ 1 channels: a shift register of the copies the next cards have won plus a constant 1 (the family's
hand-set test, tests/test_family.py). The loss is on log(1 + answer) (answers grow exponentially); the
run's second half adds `--decisive` x the sum of min(p, 1 - p) over the gates. `--hint` trains on every
card's value (the next card's copies) instead of the answer; `--concrete` samples the gates (binary
concrete, temperature falling to 0.1); `--curriculum` grows the runs from 6 cards to `--cards` over the
first half. Checked on fresh runs in range and on runs of 100-200 cards, with every gate committed
(p > 0.5) at the end.

    python scripts/probe_2023_04_cascade.py --most 3 --state 6 --cards 40 --seeds 8 [--curriculum] [--hint]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from aocnn.errors import run_script


def runs(rng, n: int, shortest: int, longest: int, most: int):
    """`n` runs of cards (ids k + 1, right-padded to `longest`), their answers, and each card's value."""
    from solvers.y2023.d04 import copies, random_matches

    ids, answer, value = np.zeros((n, longest), np.int32), np.zeros(n), np.zeros((n, longest))
    for row in range(n):
        matches = random_matches(rng, int(rng.integers(shortest, longest + 1)), most)
        held = copies(matches.tolist())
        ids[row, :matches.size] = matches + 1
        answer[row] = sum(held)
        value[row, :matches.size] = held[1:] + [1]  # position t reads the next card's copies (1 past the last)
    return ids, answer, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--most", type=int, default=3, help="the most matches a card has")
    parser.add_argument("--state", type=int, default=6, help="channels (an exact solution needs most + 1)")
    parser.add_argument("--cards", type=int, default=40, help="the longest training run")
    parser.add_argument("--steps", type=int, default=12000)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--seeds", type=int, default=8, help="seeds trained side by side")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--decisive", type=float, default=1e-4)
    parser.add_argument("--snap", type=float, default=0.02)
    parser.add_argument("--bias", type=float, default=-2.0, help="the gates' logits start here")
    parser.add_argument("--curriculum", action="store_true")
    parser.add_argument("--hint", action="store_true")
    parser.add_argument("--concrete", action="store_true")
    args = parser.parse_args()

    import jax
    import jax.numpy as jnp
    import optax

    from aocnn.nn.family import counting_scan

    F, W, V = args.state, 16, args.most + 2

    def init(key):
        k1, k2, k3 = jax.random.split(key, 3)
        return dict(embed=jax.random.normal(k1, (V, W)) * 0.5, transition=jax.random.normal(k2, (W, F * F)) * 0.1,
                    transition_bias=jnp.full((F * F,), args.bias), start=jnp.full((F,), args.bias),
                    read=args.bias + jax.random.uniform(k3, (F,), minval=-0.1, maxval=0.1), read_bias=jnp.full((), args.bias))

    def snapped(p):
        decided = jnp.where(p < args.snap, 0.0, jnp.where(p > 1 - args.snap, 1.0, p))
        return p + jax.lax.stop_gradient(decided - p)

    def gates(params):
        return (jax.nn.sigmoid(params["embed"] @ params["transition"] + params["transition_bias"]).reshape(V, F, F),
                jax.nn.sigmoid(params["start"]), jax.nn.sigmoid(params["read"]), jax.nn.sigmoid(params["read_bias"]))

    def values(params, ids, gate):
        table, start, read, bias = map(gate, gates(params))
        valid = ids > 0
        return jnp.where(valid, counting_scan(table[ids], start, valid) @ read + bias, 0.0)  # the family's own scan

    def undecided(params):
        return sum(jnp.sum(jnp.minimum(g, 1 - g)) for g in gates(params))

    def loss(params, ids, answer, value, late, key, tau):
        if args.concrete:
            keys = iter(jax.random.split(key, 4))

            def gate(p):
                u = jax.random.uniform(next(keys), p.shape, minval=1e-6, maxval=1 - 1e-6)
                return jax.nn.sigmoid((jnp.log(p) - jnp.log1p(-p) + jnp.log(u) - jnp.log1p(-u)) / tau)
        else:
            gate = snapped
        out = values(params, ids, gate)
        if args.hint:
            error = jnp.log1p(jnp.maximum(out, 0.0)) - jnp.log1p(value)
            fit = jnp.sum(jnp.where(ids > 0, error**2, 0.0)) / jnp.sum(ids > 0)
        else:
            fit = jnp.mean((jnp.log1p(jnp.maximum(out.sum(axis=1), 0.0)) - jnp.log1p(answer)) ** 2)
        return fit + args.decisive * late * undecided(params)

    optimizer = optax.adam(optax.cosine_decay_schedule(args.lr, args.steps, 0.01))

    def train_step(params, state, ids, answer, value, late, key, tau):
        value_, grads = jax.value_and_grad(loss)(params, ids, answer, value, late, key, tau)
        updates, state = optimizer.update(jax.tree_util.tree_map(lambda g: jnp.clip(g, -1, 1), grads), state)
        return optax.apply_updates(params, updates), state, value_

    step = jax.jit(jax.vmap(train_step, in_axes=(0, 0, None, None, None, None, 0, None)))
    params = jax.vmap(init)(jax.random.split(jax.random.PRNGKey(args.seed), args.seeds))
    state = jax.vmap(optimizer.init)(params)

    def exact(params, ids, answer, committed=False):
        gate = (lambda p: (p > 0.5).astype(p.dtype)) if committed else snapped
        got = np.asarray(jax.jit(jax.vmap(lambda p: values(p, ids, gate).sum(axis=1)))(params), np.float64)
        return np.mean(np.abs(got - answer) < 0.25, axis=1)

    rng = np.random.default_rng(args.seed)
    fresh = runs(np.random.default_rng(10**6 + args.seed), 1000, 2, args.cards, args.most)[:2]
    far = runs(np.random.default_rng(2 * 10**6 + args.seed), 200, 100, 200, args.most)[:2]
    show = lambda xs: " ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    began = time.time()
    for i in range(args.steps + 1):
        longest = int(min(args.cards, 6 + (args.cards - 6) * i / (0.5 * args.steps))) if args.curriculum else args.cards
        ids, answer, value = runs(rng, 128, 2, longest, args.most)
        ids, value = (np.pad(x, ((0, 0), (0, args.cards - longest))) for x in (ids, value))
        late = min(1.0, max(0.0, (i / args.steps - 0.3) / 0.3))
        keys = jax.random.split(jax.random.PRNGKey(10**6 + i), args.seeds)
        params, state, losses = step(params, state, ids, answer, value, late, keys, max(0.1, 1.0 - late))
        if i % 1000 == 0:
            print(f"step {i}: loss (median) {float(np.median(losses)):.4f}  undecided {show(jax.vmap(undecided)(params))}"
                  f"\n  exact fresh {show(exact(params, *fresh))}\n  exact 100-200 cards {show(exact(params, *far))}"
                  f"  ({time.time() - began:.0f} s)", flush=True)
    print(f"gates committed: exact fresh {show(exact(params, *fresh, True))}\n  exact 100-200 cards {show(exact(params, *far, True))}")


if __name__ == "__main__":
    run_script(main)
