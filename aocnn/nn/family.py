"""The shared architecture family: encoders -> one processor stack -> decoders, configured, never coded.

Every puzzle's network is `FamilyModel(config)` for some `ModelConfig`; nothing here knows a puzzle.
Shapes are in the names: B batch, L length, D stream width, F recurrence state, H hidden, C classes.

Inputs (the model sees only these): `ids_BxL` int32 token ids (0 = PAD, right padding), or
`ids_BxLxK` for `channels` = K aligned token streams (e.g. the digits of K numbers, right-aligned
and zero-padded, one decimal place per position: the "digit sequences" encoder), `lengths_B`,
and optionally `scalars_BxLxS` (integers carried on the exact channel). Targets go to `family_loss` only.

- Encoder: token ids through a look-ahead window (one embedding table per offset and channel, like
  `WindowEmbed`; on the exact channel, or plain with `exact_tables=False`), summed, plus integer scalars
  mapped linearly into the stream (or, with `scalars_by_token`, each along a direction its position's
  token picks: a token with a numeric argument; with `scalars_windowed`, the window's numbers too, one
  map per offset: an instruction's arguments; with `scalars_in_stream=False`, only for heads that read them,
  and, with `scalars_in_values`, the recurrences' values: a sum of numbers whose gates see only the ids).
- Processor: `layers` blocks; each is a residual token-mixing layer (a gated linear recurrence or an
  all-pairs layer, by `kinds`, cycled) followed by an optional residual MLP: ReLU, or (`mlp_kind=
  "bilinear"`) an exact block (W_a x) * (W_b x) with no nonlinearity, whose integer weights multiply
  stream channels exactly. No normalisation: it would break the exact channels.
  The recurrence is h_t = a_t * h_{t-1} + b_t with a_t = decay * (1 - f_t), b_t = i_t * v_t:
  `gate="none"` gives the counter (f = 0, i = 1: with decay on its clip bound 1 and integer v the
  state is an exact running sum), `gate="tied"` gives minGRU / today's latch (i = f = sigmoid(W x)),
  `gate="separate"` an LRU/GRU-like forget and input gate pair (with `gate_snap`, a gate that close to 0 or
  1 is exactly that, so a shut latch takes in nothing however long the record; with `gate_decisive`,
  training makes a half-open gate cost something, so that gates commit). `gate="matrix"` is the
  non-diagonal case, a soft finite-state automaton: h_t = A(x_t) h_{t-1} from a learned start
  distribution, A a column-stochastic F x F matrix computed from x_t (softmax over the next state),
  so states can be permuted and merged (a remainder mod 3, a borrow): the transducers of digit
  arithmetic; with `transitions="gates"` every entry of A(x_t) and of the start state is its own yes/no
  gate instead, so the states count (how many ways, how many copies: h_t = A(x_t) h_{t-1} with 0/1 entries
  is a shift register that can add a channel into others) and stay exact integers below 2^24. The
  diagonal gates run with `jax.lax.associative_scan` on accelerators (O(log L) depth) and a
  `jax.lax.scan` on CPU, the automaton with the associative scan, the counting recurrence with a
  `jax.lax.scan` (one exact matrix-vector product a step): no Python loop over time.
- Decoders, one per answer target, each reading the final stream: `class` (softmax over C classes
  from a pooled reading), `scalar` (a linear readout, rounded by the solver), `pointer` (a plain
  softmax over per-position logits plus one "none" logit read from the pooled stream), `sequence`
  (C classes at every position, e.g. an answer's digits; padded positions are class 0, surely),
  `product` (K learned integer readouts; a solve rounds each and multiplies them in int64). Scalar
  and product heads can also run at every position (`read="each"`): the record's value is the sum of
  the positions' values, each decoded on its own and added in int64, optionally behind a learned yes/no
  gate per position (`gated`; `decisive` makes a half-open gate cost something in training), with the
  values read from the window's numbers alone (`from_scalars`; a product can take its last factors from the
  stream instead, `stream_factors`, e.g. a state a recurrence carries). A scalar head's `log_loss` trains
  on the relative error, for answers that grow exponentially with the record.
- The exact channel: every parameter whose module or name starts with `exact_` (the embedding
  tables, the value/decay/output weights of the first `exact_layers` recurrences, scalar readouts).
  Three optional tools pull it onto integers, so counts stay exact far beyond training lengths:
  `exact_clip` (weights clipped to [-1, 1], NAU-style), `integer_pull` (a penalty sum (w - round(w))^2,
  returned as `outputs["integer_penalty"]` and weighted in `family_loss`), and quantisation-aware
  training (`FamilyModel(config, integer_mix=m)`: the forward pass moves exact_ weights m of the way
  to their nearest integer, gradients straight through). `snap_integers` commits them exactly (a
  `finalize` step); the saved network runs with integer_mix = 0 on the snapped weights.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from aocnn.nn.config import (  # noqa: F401  (the family's config, kept importable from here)
    AGGREGATES, DECODERS, DIRECTIONS, FAMILY, GATES, KINDS, QUANTISE, READS, DecoderConfig, ModelConfig,
)

NEG = -1e9  # a logit for "impossible" that stays finite (no NaN in softmax of all-masked rows)
EXACT_FLOAT32 = 2**24  # integers below this are exact in float32
SCALAR_INIT = 0.05  # windowed scalars' maps start uniform in [-this, this]


# --- per-position layers, on the record's positions only ----------------------------------------

_POSITIONS: ContextVar[tuple[jax.Array, jax.Array] | None] = ContextVar("aocnn_family_positions", default=None)
_PLATFORM: ContextVar[str | None] = ContextVar("aocnn_family_platform", default=None)


@contextmanager
def _bound(variable: ContextVar, value):
    """`variable` set to `value` for the duration (a forward pass's tracing), then restored."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def positions_only(packing: tuple[jax.Array, jax.Array] | None):
    """While tracing the family's forward pass: every per-position layer (`per_position`) runs only at the
    flat positions `positions_N` of `packing` = (positions_N, slots_P) (indices into the B x L positions;
    entries equal to B * L are filler) and leaves 0 at the others (`slots_P`: each position's row among
    them, N for one not listed). Padded positions are never read (scans make them the identity, pooling
    and heads mask them), so the outputs are the same, and an input of short lines in a wide batch costs
    what its characters cost. None: every position, as in training."""
    return _bound(_POSITIONS, packing)


def per_position(layer, x_BxLxD: jax.Array) -> jax.Array:
    """`layer(x_BxLxD)` for a layer that maps each position on its own (a Dense, an MLP), computed only
    at the positions `positions_only` names, if any (both ways by gathers: XLA's scatter is slow on CPU)."""
    packing = _POSITIONS.get()
    if packing is None or x_BxLxD.ndim != 3:
        return layer(x_BxLxD)
    positions_N, slots_P = packing
    batch, length, width = x_BxLxD.shape
    flat_PxD = jnp.concatenate([x_BxLxD.reshape(batch * length, width), jnp.zeros((1, width), x_BxLxD.dtype)])
    y_NxF = layer(flat_PxD[positions_N])
    y_NxF = jnp.concatenate([y_NxF, jnp.zeros((1, y_NxF.shape[-1]), y_NxF.dtype)])
    return y_NxF[slots_P].reshape(batch, length, -1)


def positions_bucket(lengths_B: np.ndarray, length: int, classes: int = 8) -> dict[str, np.ndarray]:
    """For a batch of B records padded to `length`: `positions` (the flat indices of its valid positions and
    of an empty record's position 0, padded with filler B * length to a multiple of B * length / `classes`:
    a few shapes, so a few compiles) and `slots` (each position's row in `positions`, or its length for a
    position left out). Empty when packing would save nothing."""
    total = len(lengths_B) * length
    # position 0 of an empty record too: a head that reads "first" or "last" reads it there, as unpacked
    valid_P = (np.arange(length)[None, :] < np.maximum(np.asarray(lengths_B), 1)[:, None]).ravel()
    flat_N = np.flatnonzero(valid_P).astype(np.int32)
    step = max(total // classes, 1)
    size = max(-(-len(flat_N) // step) * step, step)
    if size >= total:
        return {}
    slots_P = np.full(total, size, np.int32)
    slots_P[flat_N] = np.arange(len(flat_N), dtype=np.int32)
    return {"positions": np.concatenate([flat_N, np.full(size - len(flat_N), total, np.int32)]), "slots": slots_P}


def traced_for(platform: str | None):
    """While tracing: the forward pass will run on `platform` ("cpu", "gpu", ...), so `gated_scan` traces
    that platform's scan alone (a solve's program; training's steps lower both and let XLA pick)."""
    return _bound(_PLATFORM, platform)


# --- the recurrence -------------------------------------------------------------------------

def unit_clip(raw: jax.Array) -> jax.Array:
    """`raw` clipped to [-1, 1], gradient straight through (a weight parked on a bound can come back)."""
    return raw + jax.lax.stop_gradient(jnp.clip(raw, -1.0, 1.0) - raw)


def _uniform(scale: float):
    def init(key, shape, dtype=jnp.float32):
        return jax.random.uniform(key, shape, dtype, -scale, scale)

    return init


def exact_weight(raw: jax.Array, clip: bool, integer_mix: float) -> jax.Array:
    """How an exact_ weight is used: optionally clipped to [-1, 1]; moved `integer_mix` of the way to
    its nearest integer in the forward pass, with the gradient straight through (quantisation-aware
    training: at mix 1 the network computes with integers while the raw weights keep learning)."""
    w = unit_clip(raw) if clip else raw
    if not isinstance(integer_mix, (int, float)) or integer_mix:  # a traced mix (a training schedule) too
        w = w + integer_mix * jax.lax.stop_gradient(jnp.round(w) - w)
    return w


class ExactDense(nn.Module):
    """Dense with `exact_weight`s: they can settle on integers exactly."""

    features: int
    clip: bool = False
    use_bias: bool = True
    integer_mix: float = 0.0
    init_scale: float = 0.0
    bias_scale: float = 0.0  # > 0: the bias starts uniform in [-bias_scale, bias_scale], not at 0
    bias_start: float = 0.0  # with bias_scale 0: the bias starts here (1: a factor that starts neutral)

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        limit = lambda w: exact_weight(w, self.clip, self.integer_mix)  # noqa: E731
        init = _uniform(self.init_scale) if self.init_scale else nn.initializers.lecun_normal()
        kernel = limit(self.param("kernel", init, (x.shape[-1], self.features)))
        y = x @ kernel
        if not self.use_bias:
            return y
        bias_init = _uniform(self.bias_scale) if self.bias_scale else nn.initializers.constant(self.bias_start)
        return y + limit(self.param("bias", bias_init, (self.features,)))


class ExactEmbed(nn.Module):
    vocab: int
    features: int
    clip: bool = False
    integer_mix: float = 0.0
    init_scale: float = 0.0

    @nn.compact
    def __call__(self, ids: jax.Array) -> jax.Array:
        init = _uniform(self.init_scale) if self.init_scale else nn.initializers.variance_scaling(1.0, "fan_in", "normal", out_axis=0)
        table = self.param("embedding", init, (self.vocab, self.features))
        return exact_weight(table, self.clip, self.integer_mix)[ids]


def _compose(earlier, later):
    a1, b1 = earlier
    a2, b2 = later
    return a1 * a2, a2 * b1 + b2


def gated_scan(a_BxLxF: jax.Array, b_BxLxF: jax.Array, reverse: bool = False) -> jax.Array:
    """All states of h_t = a_t * h_{t-1} + b_t from h = 0 (reverse: h_t = a_t * h_{t+1} + b_t).

    On accelerators an associative scan over the affine maps h -> a h + b (O(log L) depth); on CPU
    a plain sequential loop, about 3x faster there (scripts/speed_train.py, issue 12). With a = 1
    and integer b every partial result is an integer sum either way, so counts are exact in
    float32 below 2^24."""
    platform = _PLATFORM.get()
    if platform is not None:  # a solve knows its device: only that branch is traced and lowered
        return (_sequential_scan if platform == "cpu" else _associative_scan)(a_BxLxF, b_BxLxF, reverse)
    return jax.lax.platform_dependent(a_BxLxF, b_BxLxF, cpu=partial(_sequential_scan, reverse=reverse),
                                      default=partial(_associative_scan, reverse=reverse))


def _associative_scan(a_BxLxF: jax.Array, b_BxLxF: jax.Array, reverse: bool) -> jax.Array:
    _, h_BxLxF = jax.lax.associative_scan(_compose, (a_BxLxF, b_BxLxF), reverse=reverse, axis=1)
    return h_BxLxF


def _sequential_scan(a_BxLxF: jax.Array, b_BxLxF: jax.Array, reverse: bool) -> jax.Array:
    def step(h_BxF, ab):
        h_BxF = ab[0] * h_BxF + ab[1]
        return h_BxF, h_BxF

    steps = (jnp.swapaxes(a_BxLxF, 0, 1), jnp.swapaxes(b_BxLxF, 0, 1))
    _, h_LxBxF = jax.lax.scan(step, jnp.zeros_like(b_BxLxF[:, 0]), steps, reverse=reverse)
    return jnp.swapaxes(h_LxBxF, 0, 1)


def _compose_matrices(earlier, later):
    a1, b1 = earlier
    a2, b2 = later
    return jnp.einsum("...ij,...jk->...ik", a2, a1), jnp.einsum("...ij,...j->...i", a2, b1) + b2


def automaton_scan(step_BxLxFxF: jax.Array, start_F: jax.Array, valid_BxL: jax.Array, reverse: bool = False) -> jax.Array:
    """All states of h_t = A_t h_{t-1}, h = `start` before the first valid step in the scan's direction
    (reverse: from the last valid step leftwards). Padded steps are the identity."""
    size = step_BxLxFxF.shape[-1]
    lengths_B = jnp.sum(valid_BxL, axis=1)
    first_B = lengths_B - 1 if reverse else jnp.zeros_like(lengths_B)
    is_first_BxL = jnp.arange(valid_BxL.shape[1])[None, :] == first_B[:, None]
    eye = jnp.eye(size, dtype=step_BxLxFxF.dtype)
    a_BxLxFxF = jnp.where(valid_BxL[..., None, None], step_BxLxFxF, eye)
    b_BxLxF = jnp.where(is_first_BxL[..., None], jnp.einsum("blij,j->bli", step_BxLxFxF, start_F), 0.0)
    a_BxLxFxF = jnp.where(is_first_BxL[..., None, None], 0.0, a_BxLxFxF)
    _, h_BxLxF = jax.lax.associative_scan(_compose_matrices, (a_BxLxFxF, b_BxLxF), reverse=reverse, axis=1)
    return h_BxLxF


def counting_scan(step_BxLxFxF: jax.Array, start_F: jax.Array, valid_BxL: jax.Array, reverse: bool = False) -> jax.Array:
    """All states of h_t = A_t h_{t-1}, h = `start` before the first valid step in the scan's direction,
    one matrix-vector product at a time (padded steps are the identity). With 0/1 transitions and start the
    states are integers, exact in float32 below 2^24: no product of matrices (an associative scan's) is formed,
    whose entries count paths from every state and outgrow the states themselves."""
    eye = jnp.eye(step_BxLxFxF.shape[-1], dtype=step_BxLxFxF.dtype)
    a_LxBxFxF = jnp.swapaxes(jnp.where(valid_BxL[..., None, None], step_BxLxFxF, eye), 0, 1)

    def step(h_BxF, a_BxFxF):
        h_BxF = jnp.einsum("bij,bj->bi", a_BxFxF, h_BxF, precision=jax.lax.Precision.HIGHEST)
        return h_BxF, h_BxF

    start_BxF = jnp.broadcast_to(start_F, (valid_BxL.shape[0], start_F.shape[0]))
    _, h_LxBxF = jax.lax.scan(step, start_BxF, a_LxBxFxF, reverse=reverse)
    return jnp.swapaxes(h_LxBxF, 0, 1)


def undecided(p_BxL___: jax.Array, valid_BxL: jax.Array, start: jax.Array | None = None) -> jax.Array:
    """Per record, the sum of min(p, 1 - p) over the gates of its valid positions (any trailing shape) and of
    `start` (shared by the batch): how far the gates are from shut or open, which `gate_decisive` charges."""
    far_BxL___ = jnp.minimum(p_BxL___, 1.0 - p_BxL___)
    far_BxL = jnp.sum(far_BxL___.reshape(far_BxL___.shape[:2] + (-1,)), axis=-1)
    total_B = jnp.sum(jnp.where(valid_BxL, far_BxL, 0.0), axis=1)
    return total_B if start is None else total_B + jnp.sum(jnp.minimum(start, 1.0 - start))


class GatedRecurrence(nn.Module):
    """h_t = decay * (1 - f_t) * h_{t-1} + i_t * v_t per channel, in one or both directions.

    Padded steps are the identity (a = 1, b = 0), so a forward state read at the last real step
    and a backward state read at step 0 see only the record."""

    width: int
    state: int
    direction: str = "bidirectional"
    gate: str = "tied"
    init_decay: float = 1.0
    clip: bool = False
    integer_mix: float = 0.0
    init_scale: float = 0.0
    exact: bool = True  # False: a plain continuous layer (no exact_ names, no clip, no rounding)
    round_drive: bool = False  # the exact layer's input v_t and decay are rounded by `drive_mix` (straight-through)
    drive_mix: float = 0.0
    gate_bias: float = 0.0
    gate_snap: float = 0.0
    report_undecided: bool = False  # also return, per record, the sum over positions of min(p, 1 - p) of every gate
    bias_scale: float = 0.0  # exact biases start uniform in [-bias_scale, bias_scale] (0: at 0)
    values_from_stream: bool = True  # False: v_t reads only the scalars given (and a bias), or is a constant per channel
    transitions: str = "softmax"  # gate="matrix": softmax (an automaton) or gates (every entry a yes/no gate: counts)

    @nn.compact
    def __call__(self, x_BxLxD: jax.Array, valid_BxL: jax.Array, scalars_BxLxS: jax.Array | None = None) -> jax.Array:
        """`scalars_BxLxS` (optional): integer scalars that the values v_t also read (one more map), and
        the gates never: what decides when to write or forget cannot depend on how large the numbers are."""
        reverses = {"forward": (False,), "backward": (True,), "bidirectional": (False, True)}[self.direction]
        prefix, clip, mix, scale = ("exact_", self.clip, self.integer_mix, self.init_scale) if self.exact else ("", False, 0.0, 0.0)
        drive_mix = self.drive_mix if self.exact and self.round_drive else 0.0
        states = []
        undecided_B = jnp.zeros(x_BxLxD.shape[0])
        for reverse in reverses:
            tag = "bwd" if reverse else "fwd"
            if self.gate == "matrix" and self.transitions == "gates":  # counts: every transition and start entry 0 or 1
                shape = x_BxLxD.shape[:2] + (self.state, self.state)
                bias = nn.initializers.constant(self.gate_bias)
                p_BxLxFxF = jax.nn.sigmoid(per_position(nn.Dense(self.state * self.state, bias_init=bias, name=f"transition_{tag}"), x_BxLxD).reshape(shape))
                p_F = jax.nn.sigmoid(self.param(f"start_{tag}", bias, (self.state,)))
                if self.report_undecided:
                    undecided_B = undecided_B + undecided(p_BxLxFxF, valid_BxL, p_F)
                if self.gate_snap:
                    p_BxLxFxF, p_F = self.snapped(p_BxLxFxF), self.snapped(p_F)
                states.append(counting_scan(p_BxLxFxF, p_F, valid_BxL, reverse))
                self.sow("intermediates", f"state_{tag}", states[-1])
                continue
            if self.gate == "matrix":  # a soft automaton: column-stochastic transitions from x_t
                shape = x_BxLxD.shape[:2] + (self.state, self.state)
                step_BxLxFxF = jax.nn.softmax(per_position(nn.Dense(self.state * self.state, name=f"transition_{tag}"), x_BxLxD).reshape(shape), axis=-2)
                start_F = jax.nn.softmax(self.param(f"start_{tag}", nn.initializers.normal(1.0), (self.state,)))
                if self.report_undecided:  # how far each column is from one state (gate_decisive makes them commit)
                    undecided_B = undecided_B + undecided(jnp.max(step_BxLxFxF, axis=-2), valid_BxL, jnp.max(start_F))
                if self.gate_snap:  # a column within gate_snap of one state is exactly that: the state stays one-hot
                    step_BxLxFxF, start_F = self.snapped_column(step_BxLxFxF, -2), self.snapped_column(start_F, -1)
                states.append(automaton_scan(step_BxLxFxF, start_F, valid_BxL, reverse))
                self.sow("intermediates", f"state_{tag}", states[-1])  # for `aocnn explain`
                continue
            if self.values_from_stream:
                v_BxLxF = per_position(ExactDense(self.state, clip, True, mix, scale, self.bias_scale, name=f"{prefix}value_{tag}"), x_BxLxD)
                if scalars_BxLxS is not None:
                    v_BxLxF = v_BxLxF + ExactDense(self.state, clip, False, mix, scale, name=f"{prefix}scalar_value_{tag}")(scalars_BxLxS)
            elif scalars_BxLxS is not None:  # a constant and the numbers only: nothing the ids put in the stream
                v_BxLxF = ExactDense(self.state, clip, True, mix, scale, self.bias_scale,
                                     name=f"{prefix}scalar_value_{tag}")(scalars_BxLxS)
            else:  # a constant per channel (a count of the positions whose gate is open)
                init = _uniform(self.bias_scale) if self.bias_scale else nn.initializers.ones
                constant_F = exact_weight(self.param(f"{prefix}constant_value_{tag}", init, (self.state,)), clip, mix)
                v_BxLxF = jnp.broadcast_to(constant_F, x_BxLxD.shape[:2] + (self.state,))
            if not isinstance(drive_mix, (int, float)) or drive_mix:  # integer steps: their count is exact however long
                v_BxLxF = v_BxLxF + drive_mix * jax.lax.stop_gradient(jnp.round(v_BxLxF) - v_BxLxF)
            decay_F = exact_weight(  # only one of the two mixes is ever nonzero
                self.param(f"{prefix}decay_{tag}", nn.initializers.constant(self.init_decay), (self.state,)), True,
                mix + drive_mix)
            if self.gate == "none":
                a_BxLxF = jnp.broadcast_to(decay_F, v_BxLxF.shape)
                b_BxLxF = v_BxLxF
            else:
                bias = nn.initializers.constant(self.gate_bias)
                forget_BxLxF = per_position(nn.Dense(self.state, bias_init=bias, name=f"forget_{tag}"), x_BxLxD)
                write_BxLxF = forget_BxLxF if self.gate == "tied" else per_position(nn.Dense(self.state, bias_init=bias, name=f"input_{tag}"), x_BxLxD)
                if self.report_undecided:
                    logits = (forget_BxLxF,) if self.gate == "tied" else (forget_BxLxF, write_BxLxF)
                    for logit_BxLxF in logits:
                        undecided_B = undecided_B + undecided(jax.nn.sigmoid(logit_BxLxF), valid_BxL)
                if self.gate_snap:  # decided gates exactly 0 or 1: a shut gate keeps the state exactly
                    a_BxLxF = decay_F * (1.0 - self.snapped(jax.nn.sigmoid(forget_BxLxF)))
                    b_BxLxF = self.snapped(jax.nn.sigmoid(write_BxLxF)) * v_BxLxF
                else:
                    a_BxLxF = decay_F * jax.nn.sigmoid(-forget_BxLxF)  # 1 - sigmoid(g), exactly 1.0 once g << 0
                    b_BxLxF = jax.nn.sigmoid(write_BxLxF) * v_BxLxF
            a_BxLxF = jnp.where(valid_BxL[..., None], a_BxLxF, 1.0)
            b_BxLxF = jnp.where(valid_BxL[..., None], b_BxLxF, 0.0)
            states.append(gated_scan(a_BxLxF, b_BxLxF, reverse=reverse))
            self.sow("intermediates", f"state_{tag}", states[-1])  # for `aocnn explain`; free unless asked for
        out_BxLxD = per_position(ExactDense(self.width, clip, True, mix, scale, self.bias_scale, name=f"{prefix}out"), jnp.concatenate(states, axis=-1))
        return (out_BxLxD, undecided_B) if self.report_undecided else out_BxLxD

    def snapped_column(self, p: jax.Array, axis: int) -> jax.Array:
        """A distribution over states (a transition's column, the start) whose largest entry is within
        `gate_snap` of 1 is exactly that state (straight-through): a latch seen from 16,000 tokens holds its
        state exactly, where softmax alone leaks e^-gap a step. (gate_snap < 0.5: that entry is the only one.)"""
        top = jnp.max(p, axis=axis, keepdims=True)
        decided = jnp.where(top > 1.0 - self.gate_snap, (p == top).astype(p.dtype), p)
        return p + jax.lax.stop_gradient(decided - p)

    def snapped(self, p: jax.Array) -> jax.Array:
        """A gate within `gate_snap` of shut or open is exactly that (straight-through): nothing leaks
        through a shut gate, however long the record (e^-10 a step is a whole unit after 20,000 steps)."""
        decided = jnp.where(p < self.gate_snap, 0.0, jnp.where(p > 1.0 - self.gate_snap, 1.0, p))
        return p + jax.lax.stop_gradient(decided - p)


PAIR_FLOATS = 1 << 26  # B x L x L x H floats past which all-pairs run over blocks of senders


class AllPairs(nn.Module):
    """Message passing over all pairs of valid positions: m_ij = MLP(x_i, x_j), aggregated over j.

    The pairwise function's first layer is split into receiver and sender projections (the same
    function as a Dense on [x_i, x_j]); `softmax` aggregation is attention with a learned score. With an
    address (`pairs_address`: some of the integer scalars, e.g. a token's place and the record's length)
    the score is a pair function of the addresses alone, the message still of the stream: positional
    attention, which can find a partner by where it is but not by what it holds.
    Past `PAIR_FLOATS` (a whole input as one record: 20,000 numbers are 4 x 10^8 pairs), every aggregate
    runs over blocks of senders, one block's messages in memory at a time (softmax online): the same
    function, with memory linear in L (the time stays quadratic)."""

    width: int
    hidden: int = 16
    aggregate: str = "sum"
    messages: int = 0  # the width of each pair's message (0: hidden)
    exact: bool = False  # on the exact channel: exact_ receiver, sender, message and out (integer tools apply),
    # initialised as a plain Dense
    clip: bool = False
    integer_mix: float = 0.0
    self_pairs: bool = True  # False: a token is not its own partner
    with_aggregated: bool = False  # also return what was aggregated, before `out` (for a head that reads it)
    address_receiver: bool = True  # False: the score reads the senders' addresses only (one query for every receiver)

    def dense(self, features: int, name: str, use_bias: bool = True) -> nn.Module:
        if self.exact:  # e.g. a pair's distance sum_p |a_p - b_p| in integers: exact over any number of partners
            return ExactDense(features, self.clip, use_bias, self.integer_mix, name=f"exact_{name}")
        return nn.Dense(features, use_bias=use_bias, name=name)

    @nn.compact
    def __call__(self, x_BxLxD: jax.Array, valid_BxL: jax.Array, address_BxLxA: jax.Array | None = None) -> jax.Array:
        """`address_BxLxA` (softmax only): what the score reads instead of the pair's stream, through its own
        pairwise function (positional attention when the address is where a token is)."""
        receiver_BxLxH = self.dense(self.hidden, "receiver")(x_BxLxD)
        sender_BxLxH = self.dense(self.hidden, "sender", use_bias=False)(x_BxLxD)
        message = self.dense(self.messages or self.hidden, "message")
        address = None if address_BxLxA is None else (  # receiver and sender halves of the score's pair function
            self.dense(self.hidden, "address_receiver")(
                address_BxLxA if self.address_receiver else jnp.zeros_like(address_BxLxA)),  # else its bias alone
            self.dense(self.hidden, "address_sender", use_bias=False)(address_BxLxA))
        batch, length = valid_BxL.shape
        if batch * length * length * self.hidden > PAIR_FLOATS:
            block = max(1, PAIR_FLOATS // (batch * length * self.hidden))
            score = nn.Dense(1, name="score") if self.aggregate == "softmax" else None
            out_BxLxG = _blockwise(receiver_BxLxH, sender_BxLxH, valid_BxL, message, self.aggregate, block, score,
                                   address, self.self_pairs)
            return self._output(out_BxLxG)
        pair_BxLxLxH = nn.relu(receiver_BxLxH[:, :, None, :] + sender_BxLxH[:, None, :, :])
        message_BxLxLxH = message(pair_BxLxLxH)
        pairs_BxLxL = valid_BxL[:, :, None] & valid_BxL[:, None, :]
        if not self.self_pairs:
            pairs_BxLxL = pairs_BxLxL & ~jnp.eye(length, dtype=bool)[None]
        pairs_BxLxLx1 = pairs_BxLxL[..., None]
        self.sow("intermediates", "messages", jnp.where(pairs_BxLxLx1, message_BxLxLxH, 0.0))  # for `aocnn explain`
        if self.aggregate == "sum":
            out_BxLxH = jnp.sum(jnp.where(pairs_BxLxLx1, message_BxLxLxH, 0.0), axis=2)
        elif self.aggregate == "mean":
            count_BxLx1 = jnp.maximum(jnp.sum(pairs_BxLxL, axis=2), 1)[..., None]
            out_BxLxH = jnp.sum(jnp.where(pairs_BxLxLx1, message_BxLxLxH, 0.0), axis=2) / count_BxLx1
        elif self.aggregate == "max":
            out_BxLxH = jnp.max(jnp.where(pairs_BxLxLx1, message_BxLxLxH, NEG), axis=2)
            out_BxLxH = jnp.where(jnp.any(pairs_BxLxL, axis=2)[..., None], out_BxLxH, 0.0)  # no partner: 0
        else:  # softmax: attention weights from a learned score of the pair
            scored_BxLxLxH = pair_BxLxLxH if address is None else nn.relu(address[0][:, :, None, :] + address[1][:, None, :, :])
            score_BxLxL = jnp.where(pairs_BxLxL, nn.Dense(1, name="score")(scored_BxLxLxH)[..., 0], NEG)
            weight_BxLxL = jax.nn.softmax(score_BxLxL, axis=2) * pairs_BxLxL
            self.sow("intermediates", "attention", weight_BxLxL[..., None])  # B x L x L x 1: pairwise, as messages
            out_BxLxH = jnp.einsum("bij,bijh->bih", weight_BxLxL, message_BxLxLxH)
        return self._output(out_BxLxH)

    def _output(self, aggregated_BxLxG: jax.Array):
        out_BxLxD = self.dense(self.width, "out")(aggregated_BxLxG)
        return (out_BxLxD, aggregated_BxLxG) if self.with_aggregated else out_BxLxD


def _blockwise(receiver_BxLxH, sender_BxLxH, valid_BxL, message, aggregate: str, block: int, score=None,
               address=None, self_pairs: bool = True) -> jax.Array:
    """`AllPairs`' aggregation over senders taken `block` at a time, in a `lax.scan`: one block's pairs
    in memory, and one compiled body whatever the length. M: senders in a block; G: the message width.
    softmax runs online (a running maximum score, denominator and weighted sum, rescaled block by block),
    the same weights as one softmax over every sender; `address` (receiver and sender halves) is what its
    score reads, when not the pair itself."""
    batch, length, hidden = receiver_BxLxH.shape
    message(jnp.zeros((1, hidden), receiver_BxLxH.dtype))  # the message layer's parameters exist (at init too)
    kernel_HxG, bias_G = message.variables["params"]["kernel"], message.variables["params"]["bias"]
    if isinstance(message, ExactDense):  # as ExactDense uses them
        kernel_HxG, bias_G = (exact_weight(w, message.clip, message.integer_mix) for w in (kernel_HxG, bias_G))
    if aggregate == "softmax":
        score(jnp.zeros((1, hidden), receiver_BxLxH.dtype))
        score_H, score_bias = score.variables["params"]["kernel"][:, 0], score.variables["params"]["bias"][0]
    blocks = -(-length // block)
    pad = blocks * block - length

    def blocked(x_BxL___):  # B x L x ... -> N x B x M x ... (senders padded to whole blocks)
        x_BxL___ = jnp.pad(x_BxL___, ((0, 0), (0, pad)) + ((0, 0),) * (x_BxL___.ndim - 2))
        return jnp.moveaxis(x_BxL___.reshape((batch, blocks, block) + x_BxL___.shape[2:]), 1, 0)

    senders_N = (blocked(sender_BxLxH), blocked(valid_BxL)) + (() if address is None else (blocked(address[1]),))
    senders_N += (blocked(jnp.broadcast_to(jnp.arange(length), (batch, length))),)  # where each sender is
    receivers_1xLx1 = jnp.arange(length)[None, :, None]

    def step(carry, senders):
        total_BxLxG, count_BxL, denominator_BxL = carry  # softmax: count_BxL is the running maximum score
        sender_BxMxH, valid_BxM = senders[:2]
        pair_BxLxMxH = nn.relu(receiver_BxLxH[:, :, None, :] + sender_BxMxH[:, None, :, :])
        pairs_BxLxM = valid_BxL[:, :, None] & valid_BxM[:, None, :]
        if not self_pairs:
            pairs_BxLxM = pairs_BxLxM & (senders[-1][:, None, :] != receivers_1xLx1)
        pairs_BxLxMx1 = pairs_BxLxM[..., None]
        message_BxLxMxG = pair_BxLxMxH @ kernel_HxG + bias_G
        if aggregate == "softmax":
            scored_BxLxMxH = pair_BxLxMxH if address is None else nn.relu(address[0][:, :, None, :] + senders[2][:, None, :, :])
            score_BxLxM = jnp.where(pairs_BxLxMx1[..., 0], scored_BxLxMxH @ score_H + score_bias, NEG)
            top_BxL = jnp.maximum(count_BxL, jnp.max(score_BxLxM, axis=2))
            weight_BxLxM = jnp.exp(score_BxLxM - top_BxL[..., None]) * pairs_BxLxMx1[..., 0]
            rescale_BxL = jnp.exp(count_BxL - top_BxL)
            total_BxLxG = total_BxLxG * rescale_BxL[..., None] + jnp.einsum("blm,blmg->blg", weight_BxLxM, message_BxLxMxG)
            return (total_BxLxG, top_BxL, denominator_BxL * rescale_BxL + jnp.sum(weight_BxLxM, axis=2)), None
        if aggregate == "max":
            total_BxLxG = jnp.maximum(total_BxLxG, jnp.max(jnp.where(pairs_BxLxMx1, message_BxLxMxG, NEG), axis=2))
        else:
            total_BxLxG = total_BxLxG + jnp.sum(jnp.where(pairs_BxLxMx1, message_BxLxMxG, 0.0), axis=2)
            count_BxL = count_BxL + jnp.sum(pairs_BxLxMx1[..., 0], axis=2)
        return (total_BxLxG, count_BxL, denominator_BxL), None

    start_BxLxG = jnp.full((batch, length, kernel_HxG.shape[1]), NEG if aggregate == "max" else 0.0, receiver_BxLxH.dtype)
    start_BxL = jnp.full((batch, length), NEG if aggregate == "softmax" else 0.0, jnp.float32)
    (total_BxLxG, count_BxL, denominator_BxL), _ = jax.lax.scan(
        step, (start_BxLxG, start_BxL, jnp.zeros((batch, length), jnp.float32)), senders_N)
    if aggregate == "max":  # a receiver with no partner (padding; alone without self pairs) gets 0
        partners_Bx1 = jnp.sum(valid_BxL, axis=1, keepdims=True) - (0 if self_pairs else 1)
        return jnp.where((valid_BxL & (partners_Bx1 > 0))[..., None], total_BxLxG, 0.0)
    if aggregate == "mean":
        return total_BxLxG / jnp.maximum(count_BxL, 1.0)[..., None]
    if aggregate == "softmax":  # a receiver with no valid sender (padding) gets 0, as one softmax gives it
        return total_BxLxG / jnp.where(denominator_BxL > 0, denominator_BxL, 1.0)[..., None]
    return total_BxLxG


# --- encoder, readings, decoders ------------------------------------------------------------

class Encoder(nn.Module):
    vocab: int
    width: int
    window: int
    scalars: int = 0
    clip: bool = False
    integer_mix: float = 0.0
    init_scale: float = 0.0
    channels: int = 1
    scalars_by_token: bool = False
    scalar_scale: float = 1.0
    scalars_windowed: bool = False
    exact_tables: bool = True

    @nn.compact
    def __call__(self, ids: jax.Array, scalars_BxLxS: jax.Array | None = None) -> jax.Array:
        ids_BxLxK = ids[..., None] if ids.ndim == 2 else ids
        if ids_BxLxK.shape[2] != self.channels:
            raise ValueError(f"encoder: {self.channels} id channel(s) configured, inputs have {ids_BxLxK.shape[2]}")
        length = ids_BxLxK.shape[1]
        padded_BxLxK = jnp.pad(ids_BxLxK, ((0, 0), (0, self.window - 1), (0, 0)))
        prefix = "exact_" if self.exact_tables else ""  # plain tables: no clip, pull, rounding or snapping

        def table(name: str) -> nn.Module:
            if self.exact_tables:
                return ExactEmbed(self.vocab, self.width, self.clip, self.integer_mix, self.init_scale, name=name)
            return nn.Embed(self.vocab, self.width, name=name)

        x_BxLxD = sum(  # channel 0's tables keep their one-channel names
            table(f"{prefix}embed{k}" if c == 0 else f"{prefix}embed{k}_channel{c}")(padded_BxLxK[:, k : k + length, c])
            for c in range(self.channels) for k in range(self.window)
        )
        if self.scalars and self.scalar_scale != 1.0:
            scalars_BxLxS = scalars_BxLxS.astype(jnp.float32) * self.scalar_scale
        if self.scalars and self.scalars_by_token:  # a token with a numeric argument: the token picks its direction
            directions_BxLxSD = ExactEmbed(self.vocab, self.scalars * self.width, self.clip, self.integer_mix, self.init_scale,
                                           name="exact_scalar_directions")(ids_BxLxK[..., 0])
            directions_BxLxSxD = directions_BxLxSD.reshape(directions_BxLxSD.shape[:2] + (self.scalars, self.width))
            x_BxLxD = x_BxLxD + jnp.einsum("bls,blsd->bld", scalars_BxLxS.astype(jnp.float32), directions_BxLxSxD)
        elif self.scalars and self.scalars_windowed:  # offset k's numbers through their own map, as ids through tables
            # starting near 0: numbers in the thousands (a run of digits that is no argument) would swamp the stream
            window_BxLxWS, count = scalar_window(scalars_BxLxS, self.window), scalars_BxLxS.shape[-1]
            x_BxLxD = x_BxLxD + sum(
                ExactDense(self.width, self.clip, False, self.integer_mix, self.init_scale or SCALAR_INIT,
                           name="exact_scalars" if k == 0 else f"exact_scalars{k}")(window_BxLxWS[..., k * count : (k + 1) * count])
                for k in range(self.window))
        elif self.scalars:
            x_BxLxD = x_BxLxD + ExactDense(self.width, self.clip, False, self.integer_mix, self.init_scale, name="exact_scalars")(scalars_BxLxS.astype(jnp.float32))
        return x_BxLxD


def scalar_window(scalars_BxLxS: jax.Array, window: int) -> jax.Array:
    """B x L x (window * S): the scalars of positions t..t+window-1, side by side (0 past the input)."""
    length = scalars_BxLxS.shape[1]
    padded = jnp.pad(scalars_BxLxS.astype(jnp.float32), ((0, 0), (0, window - 1), (0, 0)))
    return jnp.concatenate([padded[:, k : k + length] for k in range(window)], axis=-1)


def read(x_BxLxD: jax.Array, valid_BxL: jax.Array, how: str) -> jax.Array:
    """One vector per record from the stream: at its ends, or pooled over its valid positions."""
    last_B = jnp.maximum(jnp.sum(valid_BxL, axis=1) - 1, 0)
    last_BxD = jnp.take_along_axis(x_BxLxD, last_B[:, None, None], axis=1)[:, 0]
    if how == "last":
        return last_BxD
    if how == "first":
        return x_BxLxD[:, 0]
    if how == "ends":
        return jnp.concatenate([x_BxLxD[:, 0], last_BxD], axis=-1)
    masked_BxLxD = jnp.where(valid_BxL[..., None], x_BxLxD, 0.0)
    if how == "sum":
        return jnp.sum(masked_BxLxD, axis=1)
    if how == "mean":
        return jnp.sum(masked_BxLxD, axis=1) / jnp.maximum(jnp.sum(valid_BxL, axis=1), 1)[:, None]
    return jnp.max(jnp.where(valid_BxL[..., None], x_BxLxD, NEG), axis=1)


class Decoder(nn.Module):
    config: DecoderConfig
    clip: bool = False
    integer_mix: float = 0.0
    init_scale: float = 0.0
    bias_scale: float = 0.0  # the exact readout's bias starts uniform in [-bias_scale, bias_scale] (0: at 0)

    @nn.compact
    def __call__(self, x_BxLxD: jax.Array, valid_BxL: jax.Array, window_BxLxWS: jax.Array | None = None) -> jax.Array:
        cfg = self.config
        hidden = (lambda h: nn.relu(nn.Dense(cfg.hidden, name="hidden")(h))) if cfg.hidden else (lambda h: h)
        if cfg.read == "each":  # the head at every position (0 past the record): B x L, or B x L x K factors
            exact = partial(ExactDense, clip=self.clip, integer_mix=self.integer_mix, init_scale=self.init_scale,
                            bias_scale=self.bias_scale)
            from_window = (cfg.factors if cfg.kind == "product" else 1) - cfg.stream_factors
            readout = per_position(exact(from_window, name="exact_readout"), window_BxLxWS if cfg.from_scalars else x_BxLxD)
            if cfg.stream_factors:  # the last factors read the stream (a carried state), the others the window's numbers;
                # they start near 1 (bias 1), so the product starts as the window's factors' product
                readout = jnp.concatenate([readout, per_position(exact(cfg.stream_factors, bias_start=1.0, name="exact_stream_readout"), x_BxLxD)], axis=-1)
            readout = jnp.where(valid_BxL[..., None], readout, 0.0)
            if cfg.gated:  # B x L x (2 + K): the gate's logits (off, on; surely off past the record), then the values
                logits_BxLx2 = per_position(lambda h: nn.Dense(2, name="gate")(hidden(h)), x_BxLxD)
                logits_BxLx2 = jnp.where(valid_BxL[..., None], logits_BxLx2, jnp.array([0.0, NEG]))
                return jnp.concatenate([logits_BxLx2, readout], axis=-1)
            return readout if cfg.kind == "product" else readout[..., 0]
        pooled_BxE = read(x_BxLxD, valid_BxL, cfg.read)
        if cfg.kind == "scalar":
            return ExactDense(1, self.clip, True, self.integer_mix, self.init_scale, self.bias_scale, name="exact_readout")(pooled_BxE)[:, 0]
        if cfg.kind == "product":  # B x K learned integer readouts; their product is the answer
            return ExactDense(cfg.factors, self.clip, True, self.integer_mix, self.init_scale, self.bias_scale, name="exact_readout")(pooled_BxE)
        if cfg.kind == "class":
            return nn.Dense(cfg.classes, name="logits")(hidden(pooled_BxE))
        if cfg.kind == "sequence":  # padded positions: class 0 with certainty, so they never count against a record
            logits_BxLxC = per_position(lambda h: nn.Dense(cfg.classes, name="logits")(hidden(h)), x_BxLxD)
            pad_C = jnp.where(jnp.arange(cfg.classes) == 0, 0.0, NEG)
            return jnp.where(valid_BxL[..., None], logits_BxLxC, pad_C)
        position_BxL = per_position(lambda h: nn.Dense(1, name="position")(hidden(h)), x_BxLxD)[..., 0]
        none_Bx1 = nn.Dense(1, name="none")(pooled_BxE)
        return jnp.concatenate([jnp.where(valid_BxL, position_BxL, NEG), none_Bx1], axis=1)  # last column: none


def is_exact_path(path: tuple) -> bool:
    return any(str(getattr(key, "key", key)).startswith("exact_") for key in path)


def integer_penalty(params: Any) -> jax.Array:
    """Sum of (w - round(w))^2 over the exact_ parameters (round has zero gradient: a pull to the nearest integer)."""
    leaves = [leaf for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0] if is_exact_path(path)]
    return sum((jnp.sum(jnp.square(leaf - jnp.round(leaf))) for leaf in leaves), jnp.zeros(()))


class FamilyModel(nn.Module):
    """The family: `apply({"params": p}, inputs)` -> {decoder name: output, "integer_penalty": scalar}.

    Class heads give logits B x C, scalar heads values B, pointer heads logits B x (L + 1) whose
    last column is "none"."""

    config: ModelConfig
    integer_mix: float = 1.0  # how far `config.quantise` rounds in the forward pass: ramped up in training, 1 when solving

    @nn.compact
    def __call__(self, inputs: dict[str, Any]) -> dict[str, jax.Array]:
        cfg = self.config
        packing = (inputs["positions"], inputs["slots"]) if "positions" in inputs else None
        with positions_only(packing):  # a solve's batch: per-position layers on its characters only
            ids_BxL = inputs["ids"]  # or B x L x K (channels)
            valid_BxL = jnp.arange(ids_BxL.shape[1])[None, :] < inputs["lengths"][:, None]
            weight_mix = self.integer_mix if cfg.quantise == "weights" else 0.0
            drive_mix = self.integer_mix if cfg.quantise == "drive" else 0.0
            x_BxLxD = Encoder(cfg.vocab, cfg.width, cfg.window, cfg.scalars if cfg.scalars_in_stream else 0, cfg.exact_clip, weight_mix, cfg.exact_init,
                              cfg.channels, cfg.scalars_by_token, cfg.scalar_scale, cfg.scalars_windowed, cfg.exact_tables,
                              name="encoder")(ids_BxL, inputs.get("scalars"))
            if cfg.encoder_mlp:  # e.g. "a digit or a digit word starts here", before any mixing
                mlp_in, mlp_out = nn.Dense(cfg.encoder_mlp, name="encoder_mlp_in"), nn.Dense(cfg.width, name="encoder_mlp_out")
                x_BxLxD = x_BxLxD + per_position(lambda x: mlp_out(nn.relu(mlp_in(x))), x_BxLxD)
            self.sow("intermediates", "stream_encoded", x_BxLxD)  # the stream, for `aocnn explain`
            undecided = jnp.zeros(())  # with gate_decisive: how far the recurrences' gates are from 0 or 1
            reads_pairs = any(d.source == "pairs" for d in cfg.decoders)  # a head reads the last all-pairs layer's messages
            pairs_BxLxG = None
            for layer in range(cfg.layers):
                kind = cfg.kinds[layer % len(cfg.kinds)]
                if kind == "recurrence":
                    mix = GatedRecurrence(
                        cfg.width, cfg.state, cfg.direction, cfg.gate, cfg.init_decay, cfg.exact_clip, weight_mix,
                        cfg.exact_init, cfg.exact_layers < 0 or layer < cfg.exact_layers, cfg.quantise == "drive", drive_mix,
                        cfg.gate_bias, cfg.gate_snap, report_undecided=bool(cfg.gate_decisive), bias_scale=cfg.exact_bias_init,
                        values_from_stream=cfg.values_from_stream, transitions=cfg.transitions, name=f"recurrence{layer}")
                else:
                    mix = AllPairs(cfg.width, cfg.pairs_hidden, cfg.aggregate, cfg.pairs_message, cfg.pairs_exact,
                                   cfg.exact_clip, weight_mix, cfg.pairs_self, reads_pairs, cfg.pairs_receiver,
                                   name=f"all_pairs{layer}")
                if kind == "recurrence":
                    extra = (inputs["scalars"] * cfg.scalar_scale,) if cfg.scalars_in_values else ()
                else:  # positional attention: the score reads the address channels alone
                    extra = (inputs["scalars"][..., list(cfg.pairs_address)].astype(jnp.float32) * cfg.scalar_scale,) \
                        if cfg.pairs_address else ()
                mixed = mix(x_BxLxD, valid_BxL, *extra)
                if kind == "all_pairs" and reads_pairs:
                    mixed, pairs_BxLxG = mixed
                if kind == "recurrence" and cfg.gate_decisive:
                    mixed, undecided_B = mixed
                    undecided = undecided + jnp.mean(undecided_B)
                x_BxLxD = x_BxLxD + mixed
                if cfg.mlp and cfg.mlp_kind == "bilinear":  # exact products of stream channels (e.g. a running sum times a step)
                    exact = partial(ExactDense, clip=cfg.exact_clip, integer_mix=weight_mix, init_scale=cfg.exact_init)
                    h_BxLxH = exact(cfg.mlp, use_bias=False, name=f"exact_bilinear{layer}_a")(x_BxLxD) * \
                        exact(cfg.mlp, use_bias=False, name=f"exact_bilinear{layer}_b")(x_BxLxD)
                    x_BxLxD = x_BxLxD + exact(cfg.width, use_bias=False, name=f"exact_bilinear{layer}_out")(h_BxLxH)
                elif cfg.mlp:
                    mlp_in, mlp_out = nn.Dense(cfg.mlp, name=f"mlp{layer}_in"), nn.Dense(cfg.width, name=f"mlp{layer}_out")
                    x_BxLxD = x_BxLxD + per_position(lambda x: mlp_out(nn.relu(mlp_in(x))), x_BxLxD)
                self.sow("intermediates", f"stream_after_layer{layer}", x_BxLxD)
            reads_scalars = cfg.scalars and any(d.from_scalars for d in cfg.decoders)  # built only for heads that read it
            window_BxLxWS = scalar_window(inputs["scalars"], cfg.window if cfg.scalars_windowed else 1) if reads_scalars else None
            outputs = {d.name: Decoder(d, cfg.exact_clip, weight_mix, cfg.exact_init, cfg.exact_bias_init, name=f"decoder_{d.name}")(
                pairs_BxLxG if d.source == "pairs" else x_BxLxD, valid_BxL, window_BxLxWS) for d in cfg.decoders}
            outputs["integer_penalty"] = integer_penalty(self.variables.get("params", {}))
            if cfg.gate_decisive:
                outputs["undecided_gates"] = undecided
            return outputs


# --- loss, decoding, finalize ---------------------------------------------------------------

def _pointer_label(label_B: jax.Array, width: int) -> jax.Array:
    return jnp.where(label_B < 0, width, label_B)  # -1 (none) -> the last column


def family_loss(config: ModelConfig, outputs: dict, targets: dict, pull: float = 1.0,
                integers: float | None = None, weights: dict | None = None) -> tuple[jax.Array, jax.Array]:
    """Mean loss over the batch and a bool per record: every target right, with the training margin.

    Targets: class heads an int label, scalar heads a float, pointer heads a position index or -1
    for "none". A pointer's wrong positions count `distractors` times (a log-weight on their logits),
    so training on short records asks for the margin that long ones need. `pull` scales the
    integer penalty and the `decisive` terms (e.g. a ramp from 0 to 1 over training); `integers`, when
    given, scales the integer penalty instead (its own ramp, e.g. one that starts after a float fit).
    `weights` scales named heads' losses (e.g. 0 for the answer's heads in a curriculum's first stage);
    exactness still counts every head the batch carries."""
    weights = weights or {}
    total = jnp.zeros(())
    exact_B = None
    for cfg in config.decoders:
        if cfg.name not in targets:  # a head the batch does not train (e.g. a hint head whose hint data.hints leave out)
            continue
        out, target = outputs[cfg.name], targets[cfg.name]
        if cfg.read == "each":  # the record's value is the sum of its positions' values
            loss_B, ok_B = _each_loss(cfg, out, target, pull)
        elif cfg.kind == "scalar":
            error_B = out - target
            loss_B, ok_B = jnp.square(_log_error(out, target) if cfg.log_loss else error_B), jnp.abs(error_B) < cfg.train_tolerance
        elif cfg.kind == "product":  # the product of the factors against the answer; each factor near an integer
            error_B = jnp.prod(out, axis=1) - target
            loss_B = jnp.square(error_B)  # as a scalar head; records whose answers stay small keep it well-conditioned
            # exact: every factor on its integer, and their product the target up to float32's own rounding of
            # products past 2^24 (a solve multiplies the rounded factors in int64)
            slack_B = cfg.train_tolerance + jnp.abs(target) * 2.0**-22
            ok_B = (jnp.abs(jnp.prod(jnp.round(out), axis=1) - target) <= slack_B) & \
                jnp.all(jnp.abs(out - jnp.round(out)) < cfg.train_tolerance, axis=1)
        else:
            if cfg.kind == "pointer":
                label_B = _pointer_label(target, out.shape[1] - 1)
                is_label_BxK = jnp.arange(out.shape[1])[None, :] == label_B[:, None]
                position_BxK = jnp.arange(out.shape[1])[None, :] < out.shape[1] - 1
                out = out + jnp.where(position_BxK & ~is_label_BxK, jnp.log(cfg.distractors), 0.0)
            elif cfg.kind == "sequence":  # every position right, with the margin; padded ones are free
                log_p_BxL = jnp.take_along_axis(jax.nn.log_softmax(out, axis=-1), target[..., None], axis=-1)[..., 0]
                total = total + weights.get(cfg.name, 1.0) * jnp.mean(-jnp.sum(log_p_BxL, axis=1))
                ok_B = jnp.all(log_p_BxL >= jnp.log(cfg.train_confident), axis=1)
                exact_B = ok_B if exact_B is None else exact_B & ok_B
                continue
            else:
                label_B = target
            log_p_BxK = jax.nn.log_softmax(out, axis=-1)
            log_p_B = jnp.take_along_axis(log_p_BxK, label_B[:, None], axis=1)[:, 0]
            loss_B, ok_B = -log_p_B, log_p_B >= jnp.log(cfg.train_confident)
        total = total + weights.get(cfg.name, 1.0) * jnp.mean(loss_B)
        exact_B = ok_B if exact_B is None else exact_B & ok_B
    if config.integer_pull:
        total = total + (pull if integers is None else integers) * config.integer_pull * outputs["integer_penalty"]
    if config.gate_decisive:  # half-open recurrence gates cost something, ramped in with the pull (see `decisive`)
        total = total + pull * config.gate_decisive * outputs["undecided_gates"]
    return total, exact_B


def _log_error(value_B: jax.Array, target_B: jax.Array) -> jax.Array:
    """log(1 + value) - log(1 + target), the value clipped at 0 (a scalar head's `log_loss`)."""
    return jnp.log1p(jnp.maximum(value_B, 0.0)) - jnp.log1p(jnp.maximum(target_B, 0.0))


def _each_loss(cfg: DecoderConfig, out: jax.Array, target_B: jax.Array, ramp: float = 1.0) -> tuple[jax.Array, jax.Array]:
    """A read="each" head: the Huber loss of the sum over positions (each value weighed by its gate's
    probability, when gated), and exact when every position is sure at the training margin (its gate, and
    the value of a position whose gate is on; a product's position also when one of its factors is surely 0,
    gate or not) and the rounded positions add up to the target (up to float32's own rounding past 2^24, of
    the terms as well as of the sum). The solver's check is exact: it adds the positions in int64."""
    tol = cfg.train_tolerance
    if cfg.gated:
        log_p_BxLx2 = jax.nn.log_softmax(out[..., :2], axis=-1)
        on_BxL = log_p_BxLx2[..., 1] > log_p_BxLx2[..., 0]
        gate_sure_BxL = jnp.max(log_p_BxLx2, axis=-1) >= jnp.log(cfg.train_confident)
        weight_BxL, out = jnp.exp(log_p_BxLx2[..., 1]), out[..., 2:]
    if cfg.kind == "scalar" and not cfg.gated:
        value_BxL = out
        sure_BxL = jnp.abs(out - jnp.round(out)) < tol
        rounded_BxL = jnp.round(out)
    else:
        value_BxL = jnp.prod(out, axis=2)
        all_sure_BxL = jnp.all(jnp.abs(out - jnp.round(out)) < tol, axis=2)
        rounded_BxL = jnp.prod(jnp.round(out), axis=2)
        zero_BxL = jnp.any(jnp.abs(out) < tol, axis=2)  # 0, counted or not: the gate does not matter there
        if cfg.gated:
            sure_BxL = zero_BxL | (gate_sure_BxL & (~on_BxL | all_sure_BxL))
            value_BxL = value_BxL * weight_BxL
            rounded_BxL = jnp.where(on_BxL & ~zero_BxL, rounded_BxL, 0.0)
        else:
            sure_BxL = zero_BxL | all_sure_BxL
            rounded_BxL = jnp.where(zero_BxL, 0.0, rounded_BxL)
    # float32 rounds each product and the sum past 2^24, relative to the terms' sizes, not the sum's: positions
    # of both signs (a running aim below 0) can sum to far less than their magnitudes
    slack_B = tol + (jnp.abs(target_B) + jnp.sum(jnp.abs(rounded_BxL), axis=1)) * 2.0**-21
    ok_B = jnp.all(sure_BxL, axis=1) & (jnp.abs(jnp.sum(rounded_BxL, axis=1) - target_B) <= slack_B)
    if cfg.log_loss:  # relative: answers that grow exponentially with the record
        loss_B = jnp.square(_log_error(jnp.sum(value_BxL, axis=1), target_B))
    else:  # Huber: a record far off (a long one, big numbers) pulls no harder than 1 per unit
        error_B = jnp.sum(value_BxL, axis=1) - target_B
        loss_B = jnp.where(jnp.abs(error_B) < 1.0, 0.5 * jnp.square(error_B), jnp.abs(error_B) - 0.5)
    if cfg.gated and cfg.decisive:  # gates half open are penalised (0 past the record, where p = 0), ramped in as
        # the integer pull is: gates made to commit early stop learning
        loss_B = loss_B + ramp * cfg.decisive * jnp.sum(jnp.minimum(weight_BxL, 1.0 - weight_BxL), axis=1)
    return loss_B, ok_B


def decode(config: ModelConfig, outputs: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """What a solver reads (numpy, nothing to compile): per head, (answers, confident) per record.

    Class: argmax, confident when p >= `confident`. Scalar: rounded, confident when finite, within
    `tolerance` of the integer and below 2^24 (float32's exact range). Pointer: the position index
    (0-based) or -1 for "none", confident when its p >= `confident`. Sequence: B x L classes,
    confident when every position's p >= `confident`."""
    decoded = {}
    for cfg in config.decoders:
        out = np.asarray(outputs[cfg.name], dtype=np.float64)
        if cfg.read == "each":
            decoded[cfg.name] = add_positions(out, cfg)
            continue
        if cfg.kind == "scalar":
            rounded, confident = round_sure(out, cfg.tolerance)
            decoded[cfg.name] = (rounded.astype(np.int64), confident)
            continue
        if cfg.kind == "product":  # each factor rounded (and sure) on its own, multiplied exactly in int64
            decoded[cfg.name] = multiply(out, cfg.tolerance)
            continue
        log_p = out - out.max(axis=-1, keepdims=True)
        log_p = log_p - np.log(np.exp(log_p).sum(axis=-1, keepdims=True))
        best = log_p.argmax(axis=-1)
        if cfg.kind == "sequence":  # B x L classes; a record is confident when every position is
            sure = np.all(np.isfinite(out), axis=-1) & (np.take_along_axis(log_p, best[..., None], -1)[..., 0] >= np.log(cfg.confident))
            decoded[cfg.name] = (best.astype(np.int64), np.all(sure, axis=1))
            continue
        confident = np.all(np.isfinite(out), axis=-1) & (np.take_along_axis(log_p, best[:, None], 1)[:, 0] >= np.log(cfg.confident))
        if cfg.kind == "pointer":
            best = np.where(best == out.shape[1] - 1, -1, best)
        decoded[cfg.name] = (best.astype(np.int64), confident)
    return decoded


INT64_SAFE = 2.0**62  # products at least this large are not computed (int64 would overflow)


def round_sure(values: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Each value rounded (0 where not finite), and sure where it is finite, within `tolerance` of that
    integer and below 2^24 (float32's exact range)."""
    finite = np.isfinite(values)
    rounded = np.where(finite, np.round(np.where(finite, values, 0.0)), 0.0)
    return rounded, finite & (np.abs(values - rounded) < tolerance) & (np.abs(rounded) < EXACT_FLOAT32)


def multiply(factors_BxK: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """(product, confident) per record: every factor sure (`round_sure`) and the product of the rounded
    factors below 2^62 (exact in int64)."""
    rounded, sure_BxK = round_sure(factors_BxK, tolerance)
    sure = np.all(sure_BxK, axis=1)
    sure &= np.sum(np.log2(np.maximum(np.abs(rounded), 1.0)), axis=1) < np.log2(INT64_SAFE)
    product = np.prod(np.where(sure[:, None], rounded, 0.0).astype(np.int64), axis=1)
    return product, sure


def _gate(out: np.ndarray, confident: float) -> tuple[np.ndarray, np.ndarray]:
    """A gated read="each" head's gate per position: (on, sure) from its two logits."""
    logits = out[..., :2]
    finite = np.all(np.isfinite(logits), axis=-1)
    logits = np.where(np.isfinite(logits), logits, 0.0)
    log_p = logits - logits.max(axis=-1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=-1, keepdims=True))
    return log_p[..., 1] > log_p[..., 0], finite & (log_p.max(axis=-1) >= np.log(confident))


def add_positions(out: np.ndarray, cfg: DecoderConfig) -> tuple[np.ndarray, np.ndarray]:
    """A read="each" head's (value, confident) per record: each position decoded on its own, the positions
    added in int64. A position's value: a scalar rounded; a product's factors rounded and multiplied in
    int64. Gated, a position counts only when its gate is surely on, and is 0 when surely off, whatever
    its values; a product is also 0 when one factor is surely 0, whatever its gate. Confident when every
    position is sure and the sum stays below 2^62."""
    tolerance = cfg.tolerance
    if cfg.gated:
        (on_BxL, gate_sure_BxL), out = _gate(out, cfg.confident), out[..., 2:]
    if cfg.kind == "scalar" and not cfg.gated:
        rounded_BxL, sure_BxL = round_sure(out, tolerance)
        value_BxL = np.where(sure_BxL, rounded_BxL, 0.0).astype(np.int64)  # unsure values may be past int64
    else:
        rows, length, factors = out.shape
        product_N, all_sure_N = multiply(out.reshape(rows * length, factors), tolerance)
        value_BxL, all_sure_BxL = product_N.reshape(rows, length), all_sure_N.reshape(rows, length)
        finite_BxL = np.all(np.isfinite(out), axis=2)
        zero_BxL = finite_BxL & np.any(np.abs(np.where(np.isfinite(out), out, np.inf)) < tolerance, axis=2)
        if cfg.gated:  # a product surely 0 is 0 whether its gate is on or off
            sure_BxL = zero_BxL | (gate_sure_BxL & (~on_BxL | all_sure_BxL))
            value_BxL = np.where(on_BxL & ~zero_BxL, value_BxL, 0)
        else:
            sure_BxL = zero_BxL | all_sure_BxL
            value_BxL = np.where(zero_BxL, 0, value_BxL)
    sure_B = np.all(sure_BxL, axis=1)
    value_BxL = np.where(sure_BxL, value_BxL, 0)
    sure_B &= np.sum(np.abs(value_BxL).astype(np.float64), axis=1) < INT64_SAFE
    return np.sum(np.where(sure_B[:, None], value_BxL, 0), axis=1, dtype=np.int64), sure_B


def doubt(config: ModelConfig, outputs: dict) -> dict[str, tuple[np.ndarray, float]]:
    """How far each record is from sure, per head, and the threshold at which `decode` stops being
    confident: scalar heads |x - round(x)| (tolerance), class and pointer heads 1 - p(answer) (1 - confident).
    Sequence heads: the least sure position. Non-finite outputs and scalars past float32's exact range
    are infinitely doubtful."""
    doubts = {}
    for cfg in config.decoders:
        out = np.asarray(outputs[cfg.name], dtype=np.float64)
        if cfg.read == "each":  # a record is as doubtful as its least sure position
            doubts[cfg.name] = (_position_doubt(out, cfg).max(axis=1), 1.0 if cfg.gated else cfg.tolerance)
            continue
        if cfg.kind in ("scalar", "product"):  # a product is as doubtful as its least sure factor
            distance = np.where(np.isfinite(out) & (np.abs(out) < EXACT_FLOAT32), np.abs(out - np.round(out)), np.inf)
            doubts[cfg.name] = (distance.max(axis=1) if cfg.kind == "product" else distance, cfg.tolerance)
            continue
        log_p = out - out.max(axis=-1, keepdims=True)
        log_p = log_p - np.log(np.exp(log_p).sum(axis=-1, keepdims=True))
        best_p = np.exp(log_p.max(axis=-1))
        doubt_rows = np.where(np.all(np.isfinite(out), axis=-1), 1.0 - best_p, np.inf)
        if cfg.kind == "sequence":  # a record is as doubtful as its least sure position
            doubt_rows = doubt_rows.max(axis=-1)
        doubts[cfg.name] = (doubt_rows, 1.0 - cfg.confident)
    return doubts


def _position_doubt(out: np.ndarray, cfg: DecoderConfig) -> np.ndarray:
    """B x L: a scalar's distance to its integer; a product's, the smaller of its least sure factor's
    distance and its smallest factor's distance to 0 (one factor surely 0 settles the position). Gated:
    the larger of the gate's doubt and (where it is on) the values', or else the smallest factor's distance
    to 0, each over its own threshold (so 1 is the threshold)."""
    gated, out = (out[..., :2], out[..., 2:]) if cfg.gated else (None, out)
    finite = np.isfinite(out) & (np.abs(out) < EXACT_FLOAT32)
    distance = np.where(finite, np.abs(out - np.round(np.where(finite, out, 0.0))), np.inf)
    if cfg.kind == "scalar" and not cfg.gated:
        return distance
    to_zero = np.where(np.isfinite(out), np.abs(np.where(np.isfinite(out), out, 0.0)), np.inf)
    nonfinite = ~np.all(np.isfinite(out), axis=2)
    if cfg.gated:
        on_BxL, _ = _gate(gated, cfg.confident)
        logits = np.where(np.isfinite(gated), gated, 0.0)
        p_BxL = 1.0 / np.exp(logits - logits.max(axis=-1, keepdims=True)).sum(axis=-1)  # the likelier side's
        gate_doubt = np.where(np.all(np.isfinite(gated), axis=-1), (1.0 - p_BxL) / (1.0 - cfg.confident), np.inf)
        counted = np.maximum(gate_doubt, np.where(on_BxL, distance.max(axis=2) / cfg.tolerance, 0.0))
        return np.minimum(counted, np.where(nonfinite, np.inf, to_zero.min(axis=2) / cfg.tolerance))
    return np.where(nonfinite, np.inf, np.minimum(distance.max(axis=2), to_zero.min(axis=2)))


def snap_integers(params: Any, tolerance: float = 0.1, clip: bool = False) -> tuple[Any, int]:
    """exact_ parameters within `tolerance` of an integer set to it exactly; also how many were not.

    With `clip` (the model's `exact_clip`), weights are first clipped to [-1, 1], as the model uses them."""
    far = 0

    def snap(path, leaf):
        nonlocal far
        if not is_exact_path(path):
            return leaf
        leaf = np.clip(np.asarray(leaf), -1.0, 1.0) if clip else np.asarray(leaf)
        rounded = np.round(leaf)
        near = np.abs(leaf - rounded) < tolerance
        far += int(np.sum(~near))
        return np.where(near, rounded, leaf).astype(leaf.dtype)

    return jax.tree_util.tree_map_with_path(snap, params), far


def count_parameters(params: Any) -> int:
    return int(sum(np.size(leaf) for leaf in jax.tree_util.tree_leaves(params)))


def init(config: ModelConfig, seed: int, length: int = 8) -> Any:
    """Parameters for `config`; their shapes depend on the config only (not on batch or length)."""
    shape = (1, length) if config.channels == 1 else (1, length, config.channels)
    inputs = {"ids": jnp.ones(shape, jnp.int32), "lengths": jnp.array([length], jnp.int32)}
    if config.scalars:
        inputs["scalars"] = jnp.zeros((1, length, config.scalars), jnp.float32)
    return FamilyModel(config).init(jax.random.PRNGKey(seed), inputs)["params"]
