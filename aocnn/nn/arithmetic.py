"""Neural arithmetic units (Trask et al. 2018, "Neural Arithmetic Logic Units").

A NAC is a linear layer without bias whose weight matrix is W = tanh(W_hat) * sigmoid(M_hat):
every entry lies in (-1, 1) and is pulled towards -1, 0 or 1, so a trained NAC adds and
subtracts its inputs, and what it learned on small numbers holds for any magnitude.
A NALU gates between a NAC (add/subtract) and the same NAC in log space (multiply/divide).

`integral=True` evaluates a layer with its weights rounded to the nearest integer: the
weights a saturated NAC converges to (tanh*sigmoid reaches +-1 and 0 only in the limit).
Use it at inference, in float64 or integers, where a weight of 1 - 1e-8 would otherwise
spoil sums of numbers in the millions; `weight_gap` says how far the learned weights are
from those integers, which is what justifies the rounding.
"""

from __future__ import annotations

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np


def nac_weights(w_hat: jax.Array, m_hat: jax.Array) -> jax.Array:
    return jnp.tanh(w_hat) * jax.nn.sigmoid(m_hat)


class NAC(nn.Module):
    """y = x @ W, W = tanh(W_hat) * sigmoid(M_hat); call it repeatedly to share its weights."""

    inputs: int
    features: int
    init_scale: float = 0.5

    def setup(self) -> None:
        init = nn.initializers.normal(self.init_scale)
        self.W_hat = self.param("W_hat", init, (self.inputs, self.features))
        self.M_hat = self.param("M_hat", init, (self.inputs, self.features))

    def weights(self, integral: bool = False) -> jax.Array:
        w = nac_weights(self.W_hat, self.M_hat)
        return jnp.round(w) if integral else w

    def integrality(self) -> jax.Array:
        """Mean of |W| (1 - |W|): zero exactly when every weight is -1, 0 or 1."""
        w = jnp.abs(self.weights())
        return jnp.mean(w * (1 - w))

    def __call__(self, x: jax.Array, integral: bool = False) -> jax.Array:
        return x @ self.weights(integral).astype(x.dtype)


class NALU(nn.Module):
    """Gated NAC: g * (x @ W) + (1 - g) * exp(log(|x| + eps) @ W), g = sigmoid(x @ G)."""

    features: int
    init_scale: float = 0.5
    eps: float = 1e-7

    @nn.compact
    def __call__(self, x: jax.Array, integral: bool = False) -> jax.Array:
        nac = NAC(x.shape[-1], self.features, self.init_scale, name="nac")
        added = nac(x, integral)
        multiplied = jnp.exp(nac(jnp.log(jnp.abs(x) + self.eps), integral))
        gate = jax.nn.sigmoid(nn.Dense(self.features, use_bias=False, name="gate")(x))
        return gate * added + (1 - gate) * multiplied


def learned_weights(params: Any) -> dict[str, np.ndarray]:
    """Every NAC's effective weight matrix W, by the path of its parameters ("diff", "readout/nac")."""
    found = {}

    def walk(tree: Any, path: tuple[str, ...]) -> None:
        if isinstance(tree, dict) or hasattr(tree, "keys"):
            if "W_hat" in tree and "M_hat" in tree:
                found["/".join(path)] = np.asarray(nac_weights(jnp.asarray(tree["W_hat"]), jnp.asarray(tree["M_hat"])))
                return
            for key in tree:
                walk(tree[key], (*path, str(key)))

    walk(params, ())
    return found


def weight_gap(params: Any) -> float:
    """The largest distance of any NAC weight from its nearest integer (0 when exactly integral)."""
    gaps = [float(np.max(np.abs(w - np.round(w)))) for w in learned_weights(params).values()]
    return max(gaps, default=0.0)
