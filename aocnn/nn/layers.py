"""Flax modules shared by the puzzles. Shapes are in the names: B batch, L length, D width, H heads, K head width."""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp

INIT = nn.initializers.lecun_normal()


class MultiHeadAttention(nn.Module):
    heads: int
    head_dim: int

    @nn.compact
    def __call__(self, x_BxLxD, mask_BxLxL=None):
        width = x_BxLxD.shape[-1]
        project = lambda name: nn.DenseGeneral((self.heads, self.head_dim), kernel_init=INIT, name=name)  # noqa: E731
        q_BxLxHxK, k_BxLxHxK, v_BxLxHxK = (project(n)(x_BxLxD) for n in ("query", "key", "value"))
        logits_BxHxLxL = jnp.einsum("bqhk,bshk->bhqs", q_BxLxHxK, k_BxLxHxK) / jnp.sqrt(self.head_dim)
        if mask_BxLxL is not None:
            logits_BxHxLxL = jnp.where(mask_BxLxL[:, None], logits_BxHxLxL, -1e9)
        att_BxHxLxL = nn.softmax(logits_BxHxLxL, axis=-1)
        out_BxLxHxK = jnp.einsum("bhqs,bshk->bqhk", att_BxHxLxL, v_BxLxHxK)
        return nn.DenseGeneral(width, axis=(-2, -1), kernel_init=INIT, name="out")(out_BxLxHxK)


class TransformerBlock(nn.Module):
    """Pre-LayerNorm: x + attention(norm(x)), then x + mlp(norm(x))."""

    heads: int
    head_dim: int
    mlp_dim: int

    @nn.compact
    def __call__(self, x_BxLxD, mask_BxLxL=None):
        x_BxLxD = x_BxLxD + MultiHeadAttention(self.heads, self.head_dim)(nn.LayerNorm()(x_BxLxD), mask_BxLxL)
        h_BxLxF = nn.gelu(nn.Dense(self.mlp_dim, kernel_init=INIT)(nn.LayerNorm()(x_BxLxD)))
        return x_BxLxD + nn.Dense(x_BxLxD.shape[-1], kernel_init=INIT)(h_BxLxF)


class TransformerEncoder(nn.Module):
    layers: int
    heads: int
    head_dim: int
    mlp_dim: int

    @nn.compact
    def __call__(self, x_BxLxD, valid_BxL=None):
        mask_BxLxL = None if valid_BxL is None else valid_BxL[:, None, :] & valid_BxL[:, :, None]
        for _ in range(self.layers):
            x_BxLxD = TransformerBlock(self.heads, self.head_dim, self.mlp_dim)(x_BxLxD, mask_BxLxL)
        return nn.LayerNorm()(x_BxLxD)


class WindowEmbed(nn.Module):
    """A 1-D convolution over one-hot characters, looking `window` characters ahead from each
    position: one embedding table per offset, summed. Same function as Conv(one_hot(ids)), with
    no embedding bottleneck and only table look-ups to run."""

    vocab: int
    features: int
    window: int

    @nn.compact
    def __call__(self, ids_BxL, pad_id: int = 0):
        padded_BxL = jnp.pad(ids_BxL, ((0, 0), (0, self.window - 1)), constant_values=pad_id)
        length = ids_BxL.shape[1]
        return sum(
            nn.Embed(self.vocab, self.features, name=f"offset{k}")(padded_BxL[:, k : k + length])
            for k in range(self.window)
        )


def latch(values_BxLxD, gate_BxL, lengths_B, reverse: bool = False):
    """What a learned "remember the latest thing that mattered" holds at the end of each sequence.

    The recurrence is h_t = (1 - z_t) * h_{t-1} + z_t * v_t with z_t = sigmoid(gate_t): a
    minimal gated linear recurrence (like minGRU) whose gate and value depend on the input at t
    only. When the learned gate saturates to 1 on what matters and to 0 elsewhere, h holds the
    latest such value exactly, however long the sequence. Being linear in h, its final state has
    a closed form, h_L = sum_t z_t * prod_{s>t} (1 - z_s) * v_t, computed with cumulative sums of
    log-gates: O(L) vectorised work, no serial loop. Reversed (products over s<t), it holds the
    earliest one. Positions past each length leave h unchanged.
    """
    valid_BxL = jnp.arange(gate_BxL.shape[1])[None, :] < lengths_B[:, None]
    log_write_BxL = jnp.where(valid_BxL, jax.nn.log_sigmoid(gate_BxL), -jnp.inf)
    log_keep_BxL = jnp.where(valid_BxL, jax.nn.log_sigmoid(-gate_BxL), 0.0)
    kept_after_BxL = (  # log of the product of (1 - z_s) over the positions read after t
        jnp.cumsum(log_keep_BxL, axis=1) - log_keep_BxL
        if reverse
        else jnp.sum(log_keep_BxL, axis=1, keepdims=True) - jnp.cumsum(log_keep_BxL, axis=1)
    )
    weight_BxL = jnp.exp(log_write_BxL + kept_after_BxL)
    return jnp.einsum("bl,bld->bd", weight_BxL, values_BxLxD)
