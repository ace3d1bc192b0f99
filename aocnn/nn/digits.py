"""Digit sequences: numbers <-> digit ids, and a two-pass soft finite-state transducer over them.

Digit-by-digit arithmetic (dividing by a small constant, subtracting a small constant) is a
finite-state transduction: one pass carries a remainder left to right, one pass carries a
borrow right to left. `TwoPassTransducer` is that shape with every table learned: its state is
a probability distribution over a few discrete states, and each step multiplies it by a
learned stochastic matrix chosen by the current digit. Because the state is a distribution
and not a free vector, once training has made the tables near-deterministic nothing drifts
with length: the step that is exact at 4 digits is the same step at 12.
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from aocnn.nn.encode import from_digits, to_digits, width_of  # noqa: F401  (numbers <-> digit ids, no jax)

DIGITS = 10


class TwoPassTransducer(nn.Module):
    """Digits in, one output symbol per digit plus one label for the whole sequence.

    Left to right, a forward state (`forward_states` of them) reads each digit. Right to left,
    a backward state (`backward_states`) reads each digit together with the forward state
    before it. The output at a position depends on its digit, the forward state before it and
    the backward state after it; the sequence label depends on the backward state after the
    most significant digit. All in log-probabilities, so training can push the tables as close
    to deterministic as it likes.
    """

    forward_states: int = 4
    backward_states: int = 4
    output_symbols: int = DIGITS
    sequence_labels: int = 3
    init_scale: float = 1.0

    @nn.compact
    def __call__(self, batch):
        digits_BxW = batch["digits"]
        S, T, O = self.forward_states, self.backward_states, self.output_symbols
        init = nn.initializers.normal(self.init_scale)
        log_fwd_start = jax.nn.log_softmax(self.param("forward_start", init, (S,)))
        log_fwd_step = jax.nn.log_softmax(self.param("forward_step", init, (DIGITS, S, S)), axis=-1)
        log_bwd_start = jax.nn.log_softmax(self.param("backward_start", init, (T,)))
        log_bwd_step = jax.nn.log_softmax(self.param("backward_step", init, (DIGITS, S, T, T)), axis=-1)
        log_emit = jax.nn.log_softmax(self.param("emit", init, (DIGITS, S, T, O)), axis=-1)
        log_label = jax.nn.log_softmax(self.param("label", init, (T, self.sequence_labels)), axis=-1)

        batch_size = digits_BxW.shape[0]
        digits_WxB = digits_BxW.T

        def forward(log_state_BxS, digit_B):
            step_BxSxS = log_fwd_step[digit_B]
            new_BxS = jax.nn.logsumexp(log_state_BxS[:, :, None] + step_BxSxS, axis=1)
            return new_BxS, log_state_BxS  # keep the state *before* this digit

        start_BxS = jnp.broadcast_to(log_fwd_start, (batch_size, S))
        _, before_WxBxS = jax.lax.scan(forward, start_BxS, digits_WxB)

        def backward(log_state_BxT, inputs):
            digit_B, fwd_BxS = inputs
            step_BxSxTxT = log_bwd_step[digit_B]
            # mix the step over the forward state, then advance the backward state
            step_BxTxT = jax.nn.logsumexp(fwd_BxS[:, :, None, None] + step_BxSxTxT, axis=1)
            new_BxT = jax.nn.logsumexp(log_state_BxT[:, :, None] + step_BxTxT, axis=1)
            return new_BxT, log_state_BxT  # keep the state *after* this digit (from the right)

        end_BxT = jnp.broadcast_to(log_bwd_start, (batch_size, T))
        last_BxT, after_WxBxT = jax.lax.scan(backward, end_BxT, (digits_WxB, before_WxBxS), reverse=True)

        emit_WxBxSxTxO = log_emit[digits_WxB]
        joint = before_WxBxS[:, :, :, None, None] + after_WxBxT[:, :, None, :, None] + emit_WxBxSxTxO
        log_out_WxBxO = jax.nn.logsumexp(joint, axis=(2, 3))
        log_label_BxL = jax.nn.logsumexp(last_BxT[:, :, None] + log_label[None], axis=1)
        return {"symbols": jnp.transpose(log_out_WxBxO, (1, 0, 2)), "label": log_label_BxL}


def sequence_loss(outputs, batch, confident: float = 0.0):
    """Cross-entropy over every output symbol and the sequence label.

    An example counts as exact only when every symbol and the label are right *and* each has
    probability at least `confident`: a table that is right but soft at this length drifts at
    longer ones, so early stopping must not accept it. Use the solver's low-confidence
    threshold, so "exact" in training means "exact and not low-confidence" when solving.
    """
    log_symbols, log_label = outputs["symbols"], outputs["label"]
    symbols, label = batch["symbols"], batch["label"]
    log_p_symbols = jnp.take_along_axis(log_symbols, symbols[..., None], axis=-1)[..., 0]
    log_p_label = jnp.take_along_axis(log_label, label[:, None], axis=-1)[:, 0]
    loss = -jnp.mean(jnp.sum(log_p_symbols, axis=-1) + log_p_label)
    right = jnp.all(jnp.argmax(log_symbols, -1) == symbols, axis=-1) & (jnp.argmax(log_label, -1) == label)
    floor = np.log(confident) if confident > 0 else -np.inf
    sure = (jnp.min(log_p_symbols, axis=-1) >= floor) & (log_p_label >= floor)
    return loss, right & sure
