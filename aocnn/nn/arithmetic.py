"""Neural arithmetic units (Trask et al. 2018, "Neural Arithmetic Logic Units").

A NAC is a linear layer without bias whose weight matrix is W = tanh(W_hat) * sigmoid(M_hat):
every entry lies in (-1, 1) and is pulled towards -1, 0 or 1, so a trained NAC adds and
subtracts its inputs, and what it learned on small numbers holds for any magnitude.
A NALU gates between a NAC (add/subtract) and the same NAC in log space (multiply/divide).

Gradient descent brings NAC weights close to -1, 0 or 1, never onto them (tanh*sigmoid
reaches them only in the limit), and a weight of 1 - 1e-4 spoils sums of numbers in the
millions. `commit_integral` ends training by moving the weights onto those integers (exactly
representable), and training then re-checks the committed network on held-out data, so the
shipped weights are exactly integral. `integral=True` evaluates a layer with its weights
rounded, which training uses to watch for the moment rounding stops changing answers;
`weight_gap` says how far weights are from integers.
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


SATURATED = 40.0  # tanh(40) and sigmoid(40) are exactly 1.0 in float32 and in float64


def commit_integral(params: Any) -> Any:
    """The same parameters with every NAC weight moved onto the integer it converged to.

    W_hat = SATURATED * w and M_hat = SATURATED make tanh(W_hat) * sigmoid(M_hat) exactly
    w in {-1, 0, 1}: the weights become exactly integral in the checkpoint itself, so the
    network needs no rounding at inference. Meant as a task's `finalize`: training checks
    the committed network on fresh held-out data before it is saved.
    """

    def commit(tree: Any) -> Any:
        if not (isinstance(tree, dict) or hasattr(tree, "keys")):
            return tree
        if "W_hat" in tree and "M_hat" in tree:
            w = np.clip(np.round(np.asarray(nac_weights(jnp.asarray(tree["W_hat"]), jnp.asarray(tree["M_hat"])))), -1, 1)
            return {**tree, "W_hat": (SATURATED * w).astype(np.float32),
                    "M_hat": np.full_like(np.asarray(tree["M_hat"]), SATURATED, dtype=np.float32)}
        return {key: commit(value) for key, value in tree.items()}

    return commit(params)


def weight_gap(params: Any) -> float:
    """The largest distance of any NAC weight from its nearest integer (0 when exactly integral)."""
    gaps = [float(np.max(np.abs(w - np.round(w)))) for w in learned_weights(params).values()]
    return max(gaps, default=0.0)
