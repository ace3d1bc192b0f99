"""Probe: can a dense linear recurrence learn 2023/9's difference table from answers alone? (issue 10, item 5)

Not a solver and not the family: a standalone JAX probe of the design the issue suggests, so that the
record in solvers/y2023/d09.py can be rerun. The network, over a line x_0..x_{n-1}:

    h_t = g_t * (A h_{t-1} + v x_t) + (1 - g_t) * h_{t-1},   g_t = sigmoid(s |w| (t - c)),   answer = r . h_{n-1}

A (channels x channels), v and r are learned (and pulled onto integers in the run's second half, then
rounded in the forward pass, straight through); the gates open channel j once the line's place t passes a
learned threshold c_j (`--fixed-gates`: at t = j, the known answer). One exact solution: A = -1 below the
diagonal, v = r = 1, channel j the j-th difference at the line's end (it needs j + 1 values, hence the gates).
Training lines are polynomial sequences (the module's generator) with values up to 10^6, each line and its
answer divided by its largest magnitude (the network is linear, so the scale is free); checked in float64
with the rounded weights on unscaled lines.

    python scripts/probe_2023_09_linear.py --channels 8 --max-length 8 --steps 6000 [--fixed-gates] [--clip]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from aocnn.errors import run_script


def lines_of(rng, n, shortest, longest, bound, scale):
    from solvers.y2023.d09 import polynomial_sequences

    x, length, y = np.zeros((n, longest)), rng.integers(shortest, longest + 1, n), np.zeros(n)
    for size in np.unique(length):
        rows = np.flatnonzero(length == size)
        seqs = polynomial_sequences(rng, len(rows), int(size), -bound, bound).astype(np.float64)
        x[rows, :size], y[rows] = seqs[:, 1:-1], seqs[:, -1]
    if scale:
        peak = np.maximum(np.maximum(np.abs(x).max(axis=1), np.abs(y)), 1.0)
        x, y = x / peak[:, None], y / peak
    return x, length, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--min-length", type=int, default=1)
    parser.add_argument("--max-length", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--fixed-gates", action="store_true", help="channel j opens at t = j (not learned)")
    parser.add_argument("--clip", action="store_true", help="A, v, r clipped to [-1, 1] (NAU-style)")
    parser.add_argument("--pull", type=float, default=1e-3, help="the integer pull, ramped in over the second half")
    args = parser.parse_args()

    import jax
    import jax.numpy as jnp
    import optax

    channels, steps = args.channels, args.steps
    exact_keys = ("A", "v", "r")

    def forward(p, x, length, hard=0.0):
        p = {k: jnp.clip(w, -1, 1) if args.clip and k in exact_keys else w for k, w in p.items()}
        p = {k: w + hard * jax.lax.stop_gradient(jnp.round(w) - w) if k in exact_keys else w for k, w in p.items()}
        t = jnp.arange(x.shape[1], dtype=x.dtype)
        if args.fixed_gates:
            g = (t[:, None] >= jnp.arange(channels)[None, :]).astype(x.dtype)
        else:
            g = jax.nn.sigmoid(3.0 * jnp.abs(p["w"])[None, :] * (t[:, None] - p["c"][None, :]))
        valid = (t[None, :] < length[:, None]).astype(x.dtype)

        def step(h, inputs):
            x_t, g_t, valid_t = inputs
            gate = g_t[None, :] * valid_t[:, None]
            return gate * (h @ p["A"].T + x_t[:, None] * p["v"][None, :]) + (1 - gate) * h, None

        h, _ = jax.lax.scan(step, jnp.zeros((x.shape[0], channels), x.dtype), (x.T, g, valid.T))
        return h @ p["r"]

    def penalty(p):
        return sum(jnp.sum(jnp.square(p[k] - jnp.round(p[k]))) for k in exact_keys)

    keys = jax.random.split(jax.random.PRNGKey(args.seed), 4)
    params = {"A": 0.1 * jax.random.normal(keys[0], (channels, channels)),
              "v": 0.5 + 0.1 * jax.random.normal(keys[1], (channels,)),
              "r": 0.5 + 0.1 * jax.random.normal(keys[2], (channels,)),
              "w": jnp.ones(channels), "c": jax.random.uniform(keys[3], (channels,), minval=-1, maxval=args.max_length)}
    optimizer = optax.chain(optax.clip_by_global_norm(1.0),
                            optax.adam(optax.warmup_cosine_decay_schedule(0, 1e-2, 100, steps, 1e-5)))
    state = optimizer.init(params)

    @jax.jit
    def train_step(params, state, x, length, y, pull, hard):
        def loss(p):
            return jnp.mean(jnp.square(forward(p, x, length, hard) - y)) + pull * penalty(p)

        value, grads = jax.value_and_grad(loss)(params)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    rng, start = np.random.default_rng(args.seed + 100), time.time()
    for step in range(steps):
        x, length, y = lines_of(rng, 256, args.min_length, args.max_length, 10**6, scale=True)
        progress = step / steps
        pull = 0.0 if progress < 0.5 else args.pull * (progress - 0.5) * 2
        hard = 0.0 if progress < 0.7 else min(1.0, (progress - 0.7) / 0.2)
        params, state, value = train_step(params, state, jnp.asarray(x, jnp.float32), jnp.asarray(length),
                                          jnp.asarray(y, jnp.float32), pull, hard)
        if step % 500 == 0 or step == steps - 1:
            print(f"step {step}/{steps}  loss {float(value):.3g}  off integers {float(penalty(params)):.3g}  "
                  f"{time.time() - start:.0f} s", flush=True)
    rounded = {k: np.round(np.asarray(w)) if k in exact_keys else np.asarray(w) for k, w in params.items()}
    np.set_printoptions(linewidth=160, suppress=True)
    print("A (rounded):\n", rounded["A"], "\nv", rounded["v"], "\nr", rounded["r"])
    with jax.enable_x64(True):
        weights = {k: jnp.asarray(w, jnp.float64) for k, w in rounded.items()}
        for shortest, longest, bound in ((args.min_length, args.max_length, 100),
                                         (args.min_length, args.max_length, 10**6), (args.max_length, args.max_length, 10**8)):
            x, length, y = lines_of(np.random.default_rng(7), 4000, shortest, longest, bound, scale=False)
            out = np.asarray(forward(weights, jnp.asarray(x), jnp.asarray(length)))
            print(f"lines of {shortest}-{longest} values up to {bound:.0e}: {np.mean(np.round(out) == y):.2%} exact")


if __name__ == "__main__":
    run_script(main)
