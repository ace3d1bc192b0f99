"""Recurrent layers whose state can be carried exactly over sequences far longer than training.

Two recurrences, both linear in their state, so the whole sequence is computed in chunks
of matrix products or as a cumulative sum: mathematically the same network as a
step-by-step loop, but tens of thousands of steps cost a few vectorised passes on a CPU.

- `LinearRecurrence`: h_t = decay * h_{t-1} + embed[x_t], a diagonal linear RNN whose
  weights are clipped to [-1, 1] (`unit_clip`). A counter is the solution decay = 1,
  embed = +-1: the weights settle exactly on the bound, so the count stays exact in
  float32 (integers below 2**24) however long the sequence is.
- `stick_breaking`: the first time a per-step stop signal fires, as a probability
  distribution over positions plus "never": g_t = (1 - u_t) g_{t-1}, p(first = t) =
  g_{t-1} u_t, p(never) = g_T. It is a gated linear recurrence without parameters of its
  own; what it stops on is learned by whoever computes the stop logits.
"""

from __future__ import annotations

from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp


def unit_clip(raw: jax.Array) -> jax.Array:
    """`raw` clipped to [-1, 1]. The gradient passes straight through the clip, so a weight
    parked on the wrong bound still feels the loss and can come back."""
    return raw + jax.lax.stop_gradient(jnp.clip(raw, -1.0, 1.0) - raw)


def uniform_init(scale: float) -> Callable:
    def init(key, shape, dtype=jnp.float32):
        return jax.random.uniform(key, shape, dtype, -scale, scale)

    return init


def linear_scan(decay_F: jax.Array, drive_BxTxF: jax.Array, chunk: int = 256) -> jax.Array:
    """All states of h_t = decay * h_{t-1} + drive_t from h_0 = 0, with one decay per feature.

    Chunked: inside a chunk of C steps the states are one matrix product with the C x C
    matrix of decay powers; a short scan carries the state from chunk to chunk. Same
    numbers as the step-by-step loop (exactly so for integer drives and decay 1), but
    T/C sequential steps instead of T, and it compiles in well under a second.
    """
    B, T, F = drive_BxTxF.shape
    n_chunks = -(-T // chunk)
    drive_BxNxCxF = jnp.pad(drive_BxTxF, ((0, 0), (0, n_chunks * chunk - T), (0, 0))).reshape(B, n_chunks, chunk, F)
    powers_C1xF = jnp.cumprod(jnp.concatenate([jnp.ones((1, F)), jnp.broadcast_to(decay_F, (chunk, F))]), axis=0)
    lag_CxC = jnp.arange(chunk)[:, None] - jnp.arange(chunk)[None, :]
    within_CxCxF = jnp.where((lag_CxC >= 0)[..., None], powers_C1xF[jnp.maximum(lag_CxC, 0)], 0.0)
    local_BxNxCxF = jnp.einsum("bncf,dcf->bndf", drive_BxNxCxF, within_CxCxF)
    carried_CxF = powers_C1xF[1:]  # what the state entering a chunk is worth after 1..C steps

    def next_chunk(state_BxF, local_BxCxF):
        states_BxCxF = local_BxCxF + carried_CxF * state_BxF[:, None, :]
        return states_BxCxF[:, -1], states_BxCxF

    _, states_NxBxCxF = jax.lax.scan(next_chunk, jnp.zeros((B, F), drive_BxTxF.dtype), jnp.swapaxes(local_BxNxCxF, 0, 1))
    return jnp.swapaxes(states_NxBxCxF, 0, 1).reshape(B, n_chunks * chunk, F)[:, :T]


class LinearRecurrence(nn.Module):
    """A diagonal linear RNN over token ids. Padded steps (mask False) add nothing; read a
    sequence's state at its last real step."""

    vocab: int
    features: int = 1

    @nn.compact
    def __call__(self, ids_BxT: jax.Array, mask_BxT: jax.Array) -> jax.Array:
        embed_VxF = unit_clip(self.param("embed", uniform_init(0.5), (self.vocab, self.features)))
        decay_F = unit_clip(self.param("decay", uniform_init(0.5), (self.features,)))
        drive_BxTxF = jnp.where(mask_BxT[..., None], embed_VxF[ids_BxT], 0.0)
        return linear_scan(decay_F, drive_BxTxF)


def last_step(states_BxTxF: jax.Array, mask_BxT: jax.Array) -> jax.Array:
    """Each sequence's state after its last real step (right padding)."""
    last_B = jnp.maximum(jnp.sum(mask_BxT, axis=1) - 1, 0)
    return jnp.take_along_axis(states_BxTxF, last_B[:, None, None], axis=1)[:, 0]


def stick_breaking(stop_logit_BxT: jax.Array, mask_BxT: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Log-probabilities that the first stop is at each position, and that no step stops.

    u_t = sigmoid(stop_logit_t); the survival g_t = prod_{s<=t} (1 - u_s) is accumulated in
    log space (a cumulative sum), which keeps it finite and differentiable for any logits.
    """
    log_stop_BxT = jnp.where(mask_BxT, jax.nn.log_sigmoid(stop_logit_BxT), -jnp.inf)
    log_go_on_BxT = jnp.where(mask_BxT, jax.nn.log_sigmoid(-stop_logit_BxT), 0.0)
    log_survived_BxT = jnp.cumsum(log_go_on_BxT, axis=1)
    log_survived_before_BxT = log_survived_BxT - log_go_on_BxT
    return log_survived_before_BxT + log_stop_BxT, log_survived_BxT[:, -1]
