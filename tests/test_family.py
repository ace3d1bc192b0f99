"""The shared architecture family (aocnn.nn.family) and its config (aocnn.nn.config): fast properties."""

from __future__ import annotations

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aocnn.nn import config as config_lib
from aocnn.nn import family
from aocnn.nn.family import (
    AllPairs, DecoderConfig, FamilyModel, GatedRecurrence, ModelConfig, count_parameters, decode, doubt, exact_weight,
    family_loss, gated_scan, init, integer_penalty, snap_integers,
)
from aocnn.nn.layers import latch

HEADS = (
    DecoderConfig("label", kind="class", classes=4),
    DecoderConfig("count", kind="scalar", read="last"),
    DecoderConfig("where", kind="pointer", hidden=4),
)


def small(**changes) -> ModelConfig:
    fields = dict(vocab=5, decoders=HEADS, width=8, window=2, layers=1, state=4, mlp=8, kinds=("recurrence",))
    return ModelConfig(**{**fields, **changes})


def inputs(ids: list[list[int]], lengths: list[int]) -> dict:
    return {"ids": jnp.array(ids, jnp.int32), "lengths": jnp.array(lengths, jnp.int32)}


def loop(a, b, reverse=False):
    h, out = np.zeros(a.shape[::2], np.float64), np.zeros(a.shape, np.float64)
    order = range(a.shape[1] - 1, -1, -1) if reverse else range(a.shape[1])
    for t in order:
        h = a[:, t] * h + b[:, t]
        out[:, t] = h
    return out


# --- the recurrence -------------------------------------------------------------------------

@pytest.mark.parametrize("reverse", [False, True])
def test_gated_scan_is_the_step_by_step_recurrence(reverse):
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0, 1, (3, 37, 2)).astype(np.float32), rng.normal(size=(3, 37, 2)).astype(np.float32)
    np.testing.assert_allclose(gated_scan(a, b, reverse), loop(a, b, reverse), rtol=1e-5, atol=1e-5)


def test_a_forward_traced_for_one_platform_holds_that_platforms_scan_alone_and_computes_the_same():
    a, b = jnp.full((2, 9, 3), 0.5), jnp.arange(54.0).reshape(2, 9, 3)

    def primitives(platform):  # a fresh function each time: JAX caches traces by function
        with family.traced_for(platform):
            return {eqn.primitive.name for eqn in jax.make_jaxpr(lambda a, b: gated_scan(a, b, reverse=True))(a, b).jaxpr.eqns}

    assert "platform_index" in primitives(None)  # training: both, XLA picks
    assert "scan" in primitives("cpu") and "platform_index" not in primitives("cpu")
    assert not {"scan", "platform_index"} & primitives("gpu")  # the associative scan
    for platform in ("cpu", "gpu"):
        with family.traced_for(platform):
            np.testing.assert_allclose(gated_scan(a, b, reverse=True), loop(np.asarray(a), np.asarray(b), reverse=True), rtol=1e-6)


def test_the_counter_is_exact_over_70000_steps():
    rng = np.random.default_rng(1)
    steps = rng.choice([-1.0, 1.0], size=(1, 70_000, 1)).astype(np.float32)
    counts = jax.jit(gated_scan)(np.ones_like(steps), steps)
    np.testing.assert_array_equal(np.asarray(counts)[0, :, 0], np.cumsum(steps[0, :, 0]))


def test_the_latch_is_the_tied_gate_special_case():
    rng = np.random.default_rng(2)
    gate, values = rng.normal(size=(2, 11)).astype(np.float32) * 3, rng.normal(size=(2, 11, 3)).astype(np.float32)
    z = jax.nn.sigmoid(gate)[..., None]
    lengths = jnp.array([11, 7])
    valid = (jnp.arange(11)[None, :] < lengths[:, None])[..., None]
    a, b = jnp.where(valid, 1 - z, 1.0), jnp.where(valid, z * values, 0.0)
    forward = gated_scan(a, b)[jnp.arange(2), lengths - 1]
    backward = gated_scan(a, b, reverse=True)[:, 0]
    np.testing.assert_allclose(forward, latch(values, gate, lengths), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(backward, latch(values, gate, lengths, reverse=True), rtol=1e-5, atol=1e-6)


def test_a_snapped_latch_holds_exactly_however_long_and_leaves_undecided_gates_alone():
    """A tied gate shut to within `gate_snap` lets nothing through (e^-9 per step would add up to a whole unit
    after 20,000 steps); one in doubt is the plain gate, gradient included."""
    length = 20_000
    gate = np.full((1, length, 1), -9.0, np.float32)  # p = 1.2e-4: shut, to within 0.02
    gate[0, 0] = 9.0  # open at the start: the latch takes the first value
    value = np.zeros((1, length, 1), np.float32)
    value[0, 0] = 3.0  # then 0: a gate ajar lets the 0s in
    x = np.concatenate([gate, value], axis=-1)
    valid = jnp.ones((1, length), bool)
    plain, snapped = (GatedRecurrence(width=1, state=1, direction="forward", gate="tied", gate_snap=snap)
                      for snap in (0.0, 0.02))
    params = plain.init(jax.random.PRNGKey(0), x, valid)
    params = jax.tree_util.tree_map(np.zeros_like, params)
    rec = params["params"]
    rec["forget_fwd"]["kernel"][0, 0] = 1.0  # the gate reads channel 0, the value channel 1, the output the state
    rec["exact_value_fwd"]["kernel"][1, 0] = rec["exact_out"]["kernel"][0, 0] = 1.0
    rec["exact_decay_fwd"][:] = 1.0
    held = np.asarray(snapped.apply(params, x, valid))[0, :, 0]
    assert np.all(held == 3.0)  # every step: the first value, exactly
    assert np.asarray(plain.apply(params, x, valid))[0, -1, 0] < 1.0  # unsnapped, the shut gate leaks: 3 e^-2.4
    doubtful = x.copy()
    doubtful[0, :, 0] = 0.0  # p = 0.5 at every step: no gate is decided, the two layers agree
    np.testing.assert_array_equal(np.asarray(snapped.apply(params, doubtful[:, :50], valid[:, :50])),
                                  np.asarray(plain.apply(params, doubtful[:, :50], valid[:, :50])))
    with pytest.raises(ValueError, match="gate_snap"):
        ModelConfig(vocab=3, gate_snap=0.5)


def test_undecided_recurrence_gates_are_reported_over_valid_positions_and_cost_what_gate_decisive_says():
    """`report_undecided`: per record, the sum over its valid positions of min(p, 1 - p) of every gate (both
    of a separate pair); `gate_decisive` weighs it in the loss, ramped in with the integer pull."""
    layer = GatedRecurrence(width=2, state=1, direction="forward", gate="separate", report_undecided=True)
    x = jnp.zeros((2, 4, 2))
    valid = jnp.array([[True, True, True, False], [True, False, False, False]])
    params = jax.tree_util.tree_map(np.zeros_like, layer.init(jax.random.PRNGKey(0), x, valid))
    _, undecided = layer.apply(params, x, valid)  # every gate at p = 0.5: 0.5 per gate, two gates per position
    np.testing.assert_allclose(np.asarray(undecided), [3 * 2 * 0.5, 1 * 2 * 0.5])
    params["params"]["forget_fwd"]["bias"][:] = 30.0  # decided: shut and open
    params["params"]["input_fwd"]["bias"][:] = -30.0
    np.testing.assert_allclose(np.asarray(layer.apply(params, x, valid)[1]), [0.0, 0.0], atol=1e-9)
    head = DecoderConfig("x", kind="scalar", read="last")
    outputs = {"x": jnp.array([2.0]), "integer_penalty": 0.0, "undecided_gates": jnp.array(3.0)}
    for decisive in (0.0, 0.2):
        cfg = ModelConfig(vocab=3, decoders=(head,), gate_decisive=decisive)
        early, late = (float(family_loss(cfg, outputs, {"x": jnp.array([2.0])}, pull=pull)[0]) for pull in (0.0, 1.0))
        assert early == 0.0 and late == pytest.approx(decisive * 3.0)
    model = FamilyModel(ModelConfig(vocab=3, width=4, state=2, mlp=0, gate="separate", gate_decisive=0.1, decoders=(head,)))
    inputs = {"ids": jnp.array([[1, 2, 0]]), "lengths": jnp.array([2])}
    assert float(model.apply(model.init(jax.random.PRNGKey(0), inputs), inputs)["undecided_gates"]) > 0
    with pytest.raises(ValueError, match="gate_decisive"):
        ModelConfig(vocab=3, gate_decisive=-0.1)


def test_pull_start_delays_the_integer_penalty_and_not_the_decisive_terms():
    """`train.pull_start`: a float fit first. Before it the objective is the loss without the integer
    penalty; a pull_ramp after it, the whole penalty counts; a gate's `decisive` term keeps its ramp from 0."""
    from aocnn.nn.config import Config, TrainSection
    from aocnn.nn.family_task import _objective

    head = DecoderConfig("x", kind="scalar", read="each", gated=True, hidden=4, decisive=0.5)
    model = ModelConfig(vocab=3, width=4, layers=0, mlp=0, decoders=(head,), integer_pull=1.0, exact_init=0.3)
    inputs = {"ids": jnp.array([[1, 2, 1]]), "lengths": jnp.array([3])}
    params = FamilyModel(model).init(jax.random.PRNGKey(0), inputs)["params"]
    batch = {"inputs": inputs, "targets": {"x": jnp.array([2.0])}}
    penalty = float(FamilyModel(model).apply({"params": params}, inputs)["integer_penalty"])
    assert penalty > 0.01

    def loss(pull_start, integer_pull, progress):
        config = Config(model=dataclasses.replace(model, integer_pull=integer_pull),
                        train=TrainSection(pull_ramp=0.1, pull_start=pull_start))
        return float(_objective(config)(params, batch, jnp.float32(progress))[0])

    assert loss(0.5, 1.0, 0.3) == pytest.approx(loss(0.5, 0.0, 0.3))  # float fit: no penalty, decisive at full
    assert loss(0.0, 1.0, 0.3) == pytest.approx(loss(0.0, 0.0, 0.3) + penalty, rel=1e-5)
    assert loss(0.5, 1.0, 0.7) == pytest.approx(loss(0.5, 0.0, 0.7) + penalty, rel=1e-5)
    assert loss(0.5, 1.0, 0.55) == pytest.approx(loss(0.5, 0.0, 0.55) + 0.5 * penalty, rel=1e-4)
    assert loss(0.5, 0.0, 0.3) == pytest.approx(loss(0.0, 0.0, 0.3))  # the decisive ramp does not move
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError, match="pull_start"):
            TrainSection(pull_start=bad)


def test_decisive_start_delays_the_decisive_terms_and_not_the_loss():
    """`train.decisive_start`: before it a gate's `decisive` term costs nothing (the loss is the plain loss);
    a pull_ramp after it, the whole term counts; the default 0 is the ramp from step 0 as before."""
    from aocnn.nn.config import Config, TrainSection
    from aocnn.nn.family_task import _objective

    head = DecoderConfig("x", kind="scalar", read="each", gated=True, hidden=4, decisive=0.5)
    model = ModelConfig(vocab=3, width=4, layers=0, mlp=0, decoders=(head,))
    inputs = {"ids": jnp.array([[1, 2, 1]]), "lengths": jnp.array([3])}
    params = FamilyModel(model).init(jax.random.PRNGKey(0), inputs)["params"]
    batch = {"inputs": inputs, "targets": {"x": jnp.array([2.0])}}

    def loss(decisive_start, decisive, progress):
        config = Config(model=dataclasses.replace(model, decoders=(dataclasses.replace(head, decisive=decisive),)),
                        train=TrainSection(pull_ramp=0.1, decisive_start=decisive_start))
        return float(_objective(config)(params, batch, jnp.float32(progress))[0])

    term = loss(0.0, 0.5, 0.3) - loss(0.0, 0.0, 0.3)
    assert term > 1e-3  # half-open gates at initialisation cost something once ramped in
    assert loss(0.5, 0.5, 0.3) == pytest.approx(loss(0.5, 0.0, 0.3))  # not yet
    assert loss(0.5, 0.5, 0.55) - loss(0.5, 0.0, 0.55) == pytest.approx(0.5 * term, rel=1e-4)  # half ramped in
    assert loss(0.5, 0.5, 0.7) - loss(0.5, 0.0, 0.7) == pytest.approx(term, rel=1e-4)
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError, match="decisive_start"):
            TrainSection(decisive_start=bad)


def test_exact_biases_start_apart_only_when_asked():
    """`exact_bias_init`: the recurrences' and readouts' exact biases start uniform in [-v, v] (two constants
    that reach the answer the same way get the same gradient: started equal, they would be rounded together
    for ever); 0 keeps them at 0, as every shipped config before it."""
    head = DecoderConfig("x", kind="scalar", read="max")
    def biases(v):
        params = init(ModelConfig(vocab=3, width=4, state=2, mlp=0, gate="separate", decoders=(head,), exact_bias_init=v), 0)
        return np.concatenate([np.ravel(params["recurrence0"][name]["bias"]) for name in ("exact_value_fwd", "exact_out")]
                              + [np.ravel(params["decoder_x"]["exact_readout"]["bias"])])
    assert np.all(biases(0.0) == 0.0)
    apart = biases(0.1)
    assert np.all(np.abs(apart) <= 0.1) and len(set(apart.tolist())) == len(apart)
    with pytest.raises(ValueError, match="exact_bias_init"):
        ModelConfig(vocab=3, exact_bias_init=-0.1)


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_a_one_way_recurrence_is_causal_in_its_direction(direction):
    layer = GatedRecurrence(width=3, state=4, direction=direction, gate="separate")
    x = jax.random.normal(jax.random.PRNGKey(0), (1, 9, 3))
    valid = jnp.ones((1, 9), bool)
    params = layer.init(jax.random.PRNGKey(1), x, valid)
    grad = jax.grad(lambda x: layer.apply(params, x, valid)[0, 4].sum())(x)[0]
    seen = np.abs(np.asarray(grad)).sum(-1) > 0
    expected = np.arange(9) <= 4 if direction == "forward" else np.arange(9) >= 4
    np.testing.assert_array_equal(seen, expected)


# --- the whole model ------------------------------------------------------------------------

def test_parameter_shapes_depend_on_the_config_only():
    cfg = small()
    shapes = lambda p: jax.tree_util.tree_map(jnp.shape, p)  # noqa: E731
    assert shapes(init(cfg, 0, length=3)) == shapes(init(cfg, 0, length=50))
    params = init(cfg, 0)
    apply = jax.jit(FamilyModel(cfg).apply)
    for batch, length in ((1, 5), (3, 12)):
        out = apply({"params": params}, inputs([[1] * length] * batch, [length] * batch))
        assert out["label"].shape == (batch, 4) and out["count"].shape == (batch,)
        assert out["where"].shape == (batch, length + 1)


def test_padding_changes_nothing():
    cfg = small(layers=2, kinds=("recurrence", "all_pairs"))
    params = init(cfg, 3)
    short = FamilyModel(cfg).apply({"params": params}, inputs([[1, 2, 3, 4]], [4]))
    padded = FamilyModel(cfg).apply({"params": params}, inputs([[1, 2, 3, 4, 0, 0, 0]], [4]))
    np.testing.assert_allclose(short["label"], padded["label"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(short["count"], padded["count"], rtol=1e-5, atol=1e-5)
    probs = jax.nn.softmax(padded["where"])
    assert float(probs[0, 4:7].sum()) == 0.0  # padded positions can never be pointed at
    np.testing.assert_allclose(jax.nn.softmax(short["where"])[0], np.delete(probs[0], [4, 5, 6]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("aggregate", ["sum", "max", "mean", "softmax"])
def test_all_pairs_is_permutation_equivariant_and_ignores_padding(aggregate):
    layer = AllPairs(width=3, hidden=5, aggregate=aggregate)
    x = jax.random.normal(jax.random.PRNGKey(0), (1, 6, 3))
    valid = jnp.array([[True] * 5 + [False]])
    params = layer.init(jax.random.PRNGKey(1), x, valid)
    out = layer.apply(params, x, valid)
    perm = np.array([3, 0, 4, 1, 2, 5])
    np.testing.assert_allclose(layer.apply(params, x[:, perm], valid), out[:, perm], rtol=1e-4, atol=1e-5)
    changed = x.at[0, 5].set(100.0)  # the padded position
    np.testing.assert_allclose(layer.apply(params, changed, valid)[:, :5], out[:, :5], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("aggregate, messages, addressed, self_pairs", [
    ("sum", 0, False, True), ("max", 0, False, True), ("mean", 0, False, True), ("max", 1, False, True),
    ("sum", 2, False, True), ("softmax", 0, False, True), ("softmax", 2, False, True), ("softmax", 0, True, True),
    ("sum", 0, False, False), ("max", 1, False, False), ("mean", 0, False, False), ("softmax", 0, False, False)])
def test_all_pairs_over_blocks_of_senders_is_the_same_function(aggregate, messages, addressed, self_pairs, monkeypatch):
    layer = AllPairs(width=3, hidden=5, aggregate=aggregate, messages=messages, self_pairs=self_pairs)
    x = jax.random.normal(jax.random.PRNGKey(0), (2, 13, 3))
    valid = jnp.arange(13)[None, :] < jnp.array([[13], [9]])
    address = (jax.random.normal(jax.random.PRNGKey(2), (2, 13, 2)),) if addressed else ()
    params = layer.init(jax.random.PRNGKey(1), x, valid, *address)
    assert params["params"]["message"]["kernel"].shape == (5, messages or 5)  # one score per pair with 1
    whole = layer.apply(params, x, valid, *address)
    monkeypatch.setattr(family, "PAIR_FLOATS", 2 * 13 * 5 * 4)  # blocks of 4 senders, the last one short
    blocks = layer.apply(params, x, valid, *address)
    np.testing.assert_allclose(blocks, whole, rtol=1e-5, atol=1e-5)
    changed = x.at[1, 9:].set(100.0)  # padding still ignored
    np.testing.assert_allclose(layer.apply(params, changed, valid, *address)[1, :9], whole[1, :9], rtol=1e-5, atol=1e-5)
    if addressed:  # the score reads the address alone: the stream moves the messages, not where they come from
        monkeypatch.setattr(family, "PAIR_FLOATS", 10**9)
        weights = lambda inputs: layer.apply(params, inputs, valid, *address, mutable="intermediates")[1][  # noqa: E731
            "intermediates"]["attention"][0]
        np.testing.assert_allclose(weights(x * 3.0 + 1.0), weights(x), rtol=1e-6, atol=1e-7)
        moved = address[0].at[0, 2].add(1.0)
        assert not np.allclose(layer.apply(params, x, valid, moved, mutable="intermediates")[1]["intermediates"][
            "attention"][0], weights(x))


@pytest.mark.parametrize("blocked", [False, True])
def test_an_address_read_from_the_senders_alone_gives_every_receiver_the_same_attention(blocked, monkeypatch):
    """`pairs_receiver=false`: the score reads only the senders' addresses, so each receiver of a record weighs its
    partners alike (one learned query), whatever its own address; its messages still read both streams. Over
    blocks of senders, the same function."""
    layer = AllPairs(width=3, hidden=5, aggregate="softmax", address_receiver=False, self_pairs=True)
    x = jax.random.normal(jax.random.PRNGKey(0), (2, 13, 3))
    valid = jnp.arange(13)[None, :] < jnp.array([[13], [9]])
    address = jax.random.normal(jax.random.PRNGKey(2), (2, 13, 2))
    params = layer.init(jax.random.PRNGKey(1), x, valid, address)
    out, state = layer.apply(params, x, valid, address, mutable="intermediates")
    weights = np.asarray(state["intermediates"]["attention"][0])[..., 0]
    np.testing.assert_allclose(weights[0], np.broadcast_to(weights[0, :1], (13, 13)), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(weights[1, :9, :9], np.broadcast_to(weights[1, :1, :9], (9, 9)), rtol=1e-6, atol=1e-7)
    assert not np.allclose(weights[0, 0], weights[0, 0, 0])  # yet not uniform: the senders' addresses count
    moved = address.at[0, 4].add(1.0)  # a receiver's (and sender's) address moved: every row moves alike
    again = np.asarray(layer.apply(params, x, valid, moved, mutable="intermediates")[1]["intermediates"]["attention"][0])
    assert not np.allclose(again[0, 0, :, 0], weights[0, 0]) and np.allclose(again[0, 0, :, 0], again[0, 7, :, 0])
    if blocked:
        monkeypatch.setattr(family, "PAIR_FLOATS", 2 * 13 * 5 * 4)
        np.testing.assert_allclose(layer.apply(params, x, valid, address), out, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="model.pairs_receiver: false needs model.pairs_address"):
        config_lib.override(full_config(), ["model.kinds=all_pairs", "model.aggregate=softmax",
                                            "model.pairs_receiver=false"])


@pytest.mark.parametrize("aggregate", ["sum", "max", "mean", "softmax"])
@pytest.mark.parametrize("blocked", [False, True])
def test_all_pairs_without_self_pairs_leaves_out_each_tokens_message_to_itself(aggregate, blocked, monkeypatch):
    """`pairs_self=False`: token i's own pair (i, i) is left out. Summed, what it receives is what it would
    receive with self pairs less its message to itself (which it receives alone in its input, with self
    pairs); alone without them it receives nothing (the layer's output of no message: 0, not -inf)."""
    if blocked:
        monkeypatch.setattr(family, "PAIR_FLOATS", 2 * 7 * 8 * 3)  # blocks of 3 senders
    x = jax.random.normal(jax.random.PRNGKey(0), (2, 7, 3))
    valid = jnp.arange(7)[None, :] < jnp.array([[7], [1]])
    apart, together = (AllPairs(width=3, hidden=8, aggregate=aggregate, self_pairs=own) for own in (False, True))
    params = apart.init(jax.random.PRNGKey(1), x, valid)
    bias = params["params"]["out"]["bias"]
    np.testing.assert_allclose(apart.apply(params, x, valid)[1, 0], bias, atol=1e-6)  # alone
    assert not np.allclose(together.apply(params, x, valid)[1, 0], bias)
    if aggregate == "sum":  # out is affine: apart_i = together_i - (alone_i - bias)
        alone = jax.vmap(lambda token: together.apply(params, token[None, None], jnp.ones((1, 1), bool))[0, 0])(x[0])
        np.testing.assert_allclose(apart.apply(params, x, valid)[0], together.apply(params, x, valid)[0] - alone + bias,
                                   rtol=1e-4, atol=1e-4)


def test_exact_all_pairs_with_integer_weights_finds_equal_numbers_among_thousands(monkeypatch):
    """`pairs_exact`: the pair function on the exact channel. With integer weights set by hand (what
    training would have to find) it computes minus the distance sum_p |a_p - b_p| of two numbers' digits,
    plus one if the partner is from the wrong list; its max over 2,000 partners is 0 exactly when some left
    number equals a right one, and at most -1 otherwise: near misses and chimeras (each place matched by
    another left number) included, whole and over blocks of senders."""
    places, left, right = 9, 1, 2
    width = places + 2  # the digits, "is right", the layer's answer
    cfg = ModelConfig(vocab=3, scalars=places, width=width, layers=1, kinds=("all_pairs",), mlp=0,
                      pairs_hidden=2 * places + 1, pairs_message=1, aggregate="max", pairs_exact=True,
                      decoders=(DecoderConfig("d", kind="sequence", classes=2),))
    rng = np.random.default_rng(0)
    lefts = rng.choice(10**9, 1000, replace=False)
    matches = rng.choice(lefts, 300)
    near = lefts[:300] + 10 ** rng.integers(0, places, 300) * rng.choice([-1, 1], 300)
    donors = lefts[rng.integers(0, 1000, (400, places))]  # place p from a random left number
    chimeras = sum((donors[:, p] // 10**p % 10) * 10**p for p in range(places))
    rights = np.concatenate([matches, near, chimeras])
    numbers = np.concatenate([lefts, rights])
    digits = (numbers[:, None] // 10 ** np.arange(places)[None, :] % 10).astype(np.float32)
    batch = {"ids": np.array([[left] * len(lefts) + [right] * len(rights)], np.int32),
             "lengths": np.array([len(numbers)], np.int32), "scalars": digits[None]}
    params = jax.tree_util.tree_map(lambda w: np.zeros(w.shape, np.float32), init(cfg, 0))
    params["encoder"]["exact_scalars"]["kernel"][:, :places] = np.eye(places)
    params["encoder"]["exact_embed0"]["embedding"][right, places] = 1
    pairs = params["all_pairs0"]
    for p in range(places):  # unit p: a_p - b_p; unit places + p: b_p - a_p; the last unit: "the partner is right"
        pairs["exact_receiver"]["kernel"][p, [p, places + p]] = [1, -1]
        pairs["exact_sender"]["kernel"][p, [p, places + p]] = [-1, 1]
    pairs["exact_sender"]["kernel"][places, 2 * places] = 1
    pairs["exact_message"]["kernel"][:, 0] = -1
    pairs["exact_out"]["kernel"][0, places + 1] = 1
    wanted = np.isin(rights, lefts)
    assert wanted[:300].all() and not wanted[300:].any(), "near misses and chimeras must not match"

    def found() -> np.ndarray:
        _, seen = FamilyModel(cfg).apply({"params": params}, batch, mutable="intermediates")
        return np.asarray(seen["intermediates"]["stream_after_layer0"][0])[0, len(lefts):, places + 1]

    whole = found()
    monkeypatch.setattr(family, "PAIR_FLOATS", 2000 * 19 * 64)  # blocks of 64 senders in the scan
    for answer in (whole, found()):
        assert (answer[wanted] == 0).all() and (answer[~wanted] <= -1).all()
        assert np.array_equal(answer, np.round(answer))
    assert float(integer_penalty(params)) == 0.0


def test_the_integer_channel_can_be_exact_and_snaps():
    cfg = ModelConfig(vocab=3, decoders=(DecoderConfig("floor", kind="scalar", read="last"),), width=2, layers=1,
                      state=1, direction="forward", gate="none", mlp=0, integer_pull=1.0, exact_clip=True)
    params = init(cfg, 0)
    assert float(integer_penalty(params)) > 0
    near = jax.tree_util.tree_map(lambda w: jnp.round(w) + 0.05, params)
    snapped, far = snap_integers(near, 0.1, clip=True)
    assert far == 0 and float(integer_penalty(snapped)) == 0.0
    # the counter by hand: '(' -> +1 on channel 0, the state onto channel 1, read channel 1
    hand = jax.tree_util.tree_map(np.zeros_like, params)
    hand["encoder"]["exact_embed0"]["embedding"] = np.array([[0, 0], [1, 0], [-1, 0]], np.float32)
    hand["recurrence0"]["exact_value_fwd"]["kernel"] = np.array([[1], [0]], np.float32)
    hand["recurrence0"]["exact_decay_fwd"] = np.ones(1, np.float32)
    hand["recurrence0"]["exact_out"]["kernel"] = np.array([[0, 1]], np.float32)
    hand["decoder_floor"]["exact_readout"]["kernel"] = np.array([[0], [1]], np.float32)
    steps = np.random.default_rng(0).integers(1, 3, 70_000)
    out = jax.jit(FamilyModel(cfg).apply)({"params": hand}, inputs([steps.tolist()], [70_000]))
    assert float(out["floor"][0]) == float(np.sum(np.where(steps == 1, 1, -1)))


def test_exact_weights_round_forward_and_pass_gradients_straight_through():
    raw = jnp.array([0.3, 0.8, -1.7])
    np.testing.assert_array_equal(exact_weight(raw, True, 1.0), [0.0, 1.0, -1.0])
    np.testing.assert_array_equal(jax.grad(lambda w: exact_weight(w, True, 1.0).sum())(raw), [1.0, 1.0, 1.0])


def test_only_the_configured_layers_are_on_the_exact_channel():
    params = init(small(layers=2, exact_layers=1), 0)
    assert "exact_value_fwd" in params["recurrence0"] and "value_fwd" in params["recurrence1"]
    assert not any(k.startswith("exact_") for k in params["recurrence1"])


# --- loss and decoding ----------------------------------------------------------------------

def test_pointer_distractors_demand_a_margin():
    cfg = lambda d: ModelConfig(vocab=3, decoders=(DecoderConfig("p", kind="pointer", distractors=d),))  # noqa: E731
    logits = jnp.array([[0.0, 9.0, 0.0, 0.0, -5.0]])  # 4 positions and none
    target = {"p": jnp.array([1])}
    loss1, exact1 = family_loss(cfg(1.0), {"p": logits, "integer_penalty": 0.0}, target)
    loss2, exact2 = family_loss(cfg(1000.0), {"p": logits, "integer_penalty": 0.0}, target)
    assert bool(exact1[0]) and not bool(exact2[0]) and float(loss2) > float(loss1)
    none_loss, _ = family_loss(cfg(1.0), {"p": logits, "integer_penalty": 0.0}, {"p": jnp.array([-1])})
    assert float(none_loss) > 13


def test_decode_reads_what_a_solver_needs():
    cfg = ModelConfig(vocab=3, decoders=(
        DecoderConfig("c", classes=3), DecoderConfig("s", kind="scalar"), DecoderConfig("p", kind="pointer")))
    out = {
        "c": np.array([[10.0, 0, 0], [0.1, 0, 0]]),
        "s": np.array([41.9, np.nan]),
        "p": np.array([[20.0, 0, 0], [0, 0, 20.0]]),
    }
    d = decode(cfg, out)
    np.testing.assert_array_equal(d["c"][0], [0, 0])
    np.testing.assert_array_equal(d["c"][1], [True, False])
    np.testing.assert_array_equal(d["s"][0][:1], [42])
    np.testing.assert_array_equal(d["s"][1], [True, False])
    np.testing.assert_array_equal(d["p"][0], [0, -1])
    np.testing.assert_array_equal(d["p"][1], [True, True])


# --- config ---------------------------------------------------------------------------------

def full_config() -> config_lib.Config:
    return config_lib.Config(small(), config_lib.DataConfig(1, 65, 100, 260), config_lib.TrainSection())


def test_an_address_names_scalar_channels_of_a_softmax_all_pairs_layer():
    cfg = config_lib.override(full_config(), ["model.kinds=all_pairs", "model.aggregate=softmax", "model.scalars=3",
                                              "model.pairs_address=1,2"])
    assert cfg.model.pairs_address == (1, 2)
    with pytest.raises(ValueError, match=r"model.pairs_address: scalar channels 0..2, got \(1, 3\)"):
        config_lib.override(cfg, ["model.pairs_address=1,3"])


def test_override_coerces_types_and_nests():
    cfg = config_lib.override(full_config(), [
        "model.layers=3", "train.learning_rate=0.01", "model.kinds=recurrence,all_pairs,recurrence",
        "model.exact_clip=true", "data.hints=digit_starts",
    ])
    assert cfg.model.layers == 3 and cfg.train.learning_rate == 0.01 and cfg.model.exact_clip is True
    assert cfg.model.kinds == ("recurrence", "all_pairs", "recurrence") and cfg.data.hints == ("digit_starts",)


def test_override_reaches_one_decoder_by_its_name_and_leaves_the_others():
    before = full_config()
    cfg = config_lib.override(before, ["model.decoders.count.read=sum", "model.decoders.where.hidden=7"])
    heads = {d.name: d for d in cfg.model.decoders}
    assert [d.name for d in cfg.model.decoders] == [d.name for d in before.model.decoders]
    assert heads["count"].read == "sum" and heads["where"].hidden == 7 and heads["label"] == before.model.decoders[0]
    assert config_lib.from_dict(config_lib.Config, config_lib.to_dict(cfg)) == cfg


@pytest.mark.parametrize("assignment, message", [
    ("model.colour=3", "--set model.colour: unknown field 'colour' (known: vocab,"),
    ("model.layers=three", "--set model.layers=three: expected int"),
    ("model.direction=sideways", "--set model.direction=sideways: model.direction: 'sideways' is not one of"),
    ("model=3", "--set model: is a section"),
    ("layers", "expected section.field=value"),
    ("model.decoders=x", "a list of sections cannot be set"),
    ("model.decoders.total.read=sum", "--set model.decoders.total.read: no element named 'total' (known: label, count, where)"),
    ("model.decoders.count=sum", "--set model.decoders.count: is a section"),
    ("model.decoders.count.read=middle", "--set model.decoders.count.read=middle: decoder count.read: 'middle' is not one of"),
    ("model.decoders.count.colour=1", "unknown field 'colour'"),
    ("model.pairs_address=0", "model.pairs_address: needs an all_pairs layer with aggregate softmax"),
])
def test_bad_overrides_are_one_line_errors(assignment, message):
    with pytest.raises(ValueError) as error:
        config_lib.override(full_config(), [assignment])
    assert message in str(error.value) and "\n" not in str(error.value)


def test_config_round_trips_through_json():
    cfg = full_config()
    text = json.dumps(config_lib.to_dict(cfg))
    assert config_lib.from_dict(config_lib.Config, json.loads(text)) == cfg
    rebuilt = config_lib.from_dict(config_lib.Config, json.loads(text)).model
    assert count_parameters(init(rebuilt, 0)) == count_parameters(init(cfg.model, 0))


# --- id channels: the digit-sequence encoder ----------------------------------------------------

def test_one_channel_ids_may_come_with_or_without_their_channel_axis():
    cfg = small()
    params = init(cfg, 1)
    ids = [[1, 2, 3, 4]]
    flat = FamilyModel(cfg).apply({"params": params}, inputs(ids, [4]))
    stacked = FamilyModel(cfg).apply({"params": params}, {"ids": jnp.array(ids, jnp.int32)[..., None], "lengths": jnp.array([4])})
    np.testing.assert_allclose(flat["label"], stacked["label"], rtol=1e-6)


def test_each_channel_has_its_own_tables_and_the_count_is_checked():
    cfg = small(channels=3)
    params = init(cfg, 0)
    assert {"exact_embed0", "exact_embed1", "exact_embed0_channel1", "exact_embed1_channel2"} <= set(params["encoder"])
    ids = jnp.array([[[1, 2, 3], [4, 1, 2]]], jnp.int32)
    out = FamilyModel(cfg).apply({"params": params}, {"ids": ids, "lengths": jnp.array([2])})
    swapped = FamilyModel(cfg).apply({"params": params}, {"ids": ids[..., ::-1], "lengths": jnp.array([2])})
    assert not np.allclose(out["label"], swapped["label"])  # channels are not interchangeable
    with pytest.raises(ValueError, match="3 id channel"):
        FamilyModel(cfg).apply({"params": params}, {"ids": ids[..., :2], "lengths": jnp.array([2])})


def digit_pairs(rng: np.random.Generator, n: int, width: int) -> tuple[dict, dict]:
    """Two numbers of up to `width` digits, right-aligned on 2 channels (digit + 1: 0 is PAD); many share a prefix."""
    a = rng.integers(0, 10 ** rng.integers(1, width + 1, n).astype(np.int64))
    b = np.where(rng.random(n) < 0.5, a + rng.integers(-9, 10, n) * 10 ** rng.integers(0, width, n), rng.integers(0, 10**width, n))
    b = np.clip(b, 0, 10**width - 1)
    digits = lambda v: np.array([list(str(int(x)).zfill(width)) for x in v], dtype=np.int32) + 1  # noqa: E731
    ids = np.stack([digits(a), digits(b)], axis=-1)
    return {"ids": jnp.array(ids), "lengths": jnp.full((n,), width, jnp.int32)}, {"order": jnp.array(np.sign(a - b) + 1, jnp.int32)}


@pytest.mark.slow
def test_a_backward_latch_over_digit_channels_learns_comparison_exact_far_beyond_its_digits():
    """Trained on numbers of 1-8 digits; exact and confident on 12 and 18 (a float could not do it)."""
    import optax

    cfg = ModelConfig(vocab=11, channels=2, decoders=(DecoderConfig("order", classes=3, read="first"),), width=16,
                      encoder_mlp=32, layers=1, state=4, direction="backward", gate="tied", mlp=0)
    model, optimizer = FamilyModel(cfg), optax.adam(1e-2)
    params = init(cfg, 0)
    opt_state = optimizer.init(params)

    @jax.jit
    def step(params, opt_state, batch, targets):
        grads, _ = jax.grad(lambda p: family_loss(cfg, model.apply({"params": p}, batch), targets), has_aux=True)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    rng = np.random.default_rng(0)
    for _ in range(2000):
        params, opt_state = step(params, opt_state, *digit_pairs(rng, 128, int(rng.integers(1, 9))))
    for width in (12, 18):
        batch, targets = digit_pairs(np.random.default_rng(width), 2000, width)
        answers, confident = decode(cfg, model.apply({"params": params}, batch))["order"]
        assert np.all(confident) and np.array_equal(answers, np.asarray(targets["order"]))


# --- the soft automaton, the sequence head, the halting loop ---------------------------------------

@pytest.mark.parametrize("reverse", [False, True])
def test_automaton_scan_is_the_step_by_step_automaton_and_skips_padding(reverse):
    from aocnn.nn.family import automaton_scan

    rng = np.random.default_rng(0)
    steps = jax.nn.softmax(jnp.array(rng.normal(size=(2, 7, 3, 3)) * 3, jnp.float32), axis=-2)
    start = jnp.array([0.2, 0.5, 0.3], jnp.float32)
    lengths = [7, 4]
    valid = jnp.arange(7)[None, :] < jnp.array(lengths)[:, None]
    got = np.asarray(automaton_scan(steps, start, valid, reverse))
    for b, n in enumerate(lengths):
        h = np.asarray(start, np.float64)
        for t in (range(n - 1, -1, -1) if reverse else range(n)):
            h = np.asarray(steps[b, t], np.float64) @ h
            np.testing.assert_allclose(got[b, t], h, rtol=1e-5, atol=1e-6)
            assert abs(got[b, t].sum() - 1) < 1e-5  # a distribution over states all along


def test_a_deterministic_automaton_keeps_a_remainder_mod_3_exactly_over_10000_digits():
    """What no diagonal recurrence can hold: (sum of digits) mod 3, a permutation of the state per digit."""
    from aocnn.nn.family import automaton_scan

    digits = np.random.default_rng(1).integers(0, 10, 10_000)
    shift = np.stack([np.roll(np.eye(3), d % 3, axis=0) for d in range(10)])  # column r -> row (r + d) mod 3
    steps = jnp.array(shift[digits][None], jnp.float32)
    states = automaton_scan(steps, jnp.array([1.0, 0, 0]), jnp.ones((1, digits.size), bool))
    assert np.array_equal(np.argmax(np.asarray(states[0]), -1), np.cumsum(digits) % 3)


def test_gate_snap_makes_a_soft_automatons_decided_columns_one_hot_and_its_latch_exact_over_20000_tokens():
    """A 2-state latch (ids: 1 plain, 2 "enable", 3 "disable") whose transitions are softmax columns a logit gap
    of 6 from one state: unsnapped, the state leaks towards the other one a little every token and the
    latch drifts; with gate_snap every decided column is one-hot, so the state is exactly 0 or 1 on every
    token; a column in doubt is left as it is."""
    cfg = ModelConfig(vocab=4, decoders=(DecoderConfig("on", kind="scalar", read="each"),), width=4, layers=1, state=2,
                      direction="forward", gate="matrix", mlp=0)
    params = init(cfg, 0)
    hand = jax.tree_util.tree_map(np.zeros_like, params)
    hand["encoder"]["exact_embed0"]["embedding"] = np.eye(4, dtype=np.float32)
    kernel = np.zeros((4, 2, 2), np.float32)  # logits[to, from]: plain keeps the state, the switches set one
    kernel[1] = 6.0 * np.eye(2)
    kernel[2, 0, :] = 6.0
    kernel[3, 1, :] = 6.0
    hand["recurrence0"]["transition_fwd"]["kernel"] = kernel.reshape(4, -1)
    hand["recurrence0"]["start_fwd"] = np.array([6.0, 0.0], np.float32)
    out_kernel = np.zeros((2, 4), np.float32)
    out_kernel[0, 0] = 1.0  # the stream's channel 0 gains "enabled", which the head reads
    hand["recurrence0"]["exact_out"]["kernel"] = out_kernel
    hand["decoder_on"]["exact_readout"]["kernel"] = np.eye(4, 1, dtype=np.float32)
    rng = np.random.default_rng(4)
    ids = np.where(rng.random(20_000) < 0.001, rng.integers(2, 4, 20_000), 1)
    ids[:5_000] = 1  # a long stretch before any switch
    on = np.ones(20_000, bool)
    for t in range(1, 20_000):
        on[t] = {1: on[t - 1], 2: True, 3: False}[int(ids[t])]
    on[0] = True
    batch = inputs([ids.tolist()], [ids.size])
    want = on.astype(np.float32)  # channel 0 of the embedding is PAD's: the head reads the state alone
    snapped = dataclasses.replace(cfg, gate_snap=0.01)
    got = np.asarray(jax.jit(FamilyModel(snapped).apply)({"params": hand}, batch)["on"][0])
    assert np.array_equal(got, want)  # every token exactly 0 or 1
    loose = np.asarray(jax.jit(FamilyModel(cfg).apply)({"params": hand}, batch)["on"][0])
    assert np.abs(loose - want).max() > 0.4  # softmax alone leaks e^-6 a token: by 5,000 tokens the latch is gone
    doubt = hand | {"recurrence0": hand["recurrence0"] | {"start_fwd": np.array([0.5, 0.0], np.float32)}}
    first = np.asarray(FamilyModel(snapped).apply({"params": doubt}, inputs([[1]], [1]))["on"][0, 0])
    assert 0.6 < first < 0.7  # a start in doubt (0.62) is not snapped


def test_gate_decisive_measures_how_far_an_automatons_columns_are_from_one_state():
    """Per valid position, min(q, 1 - q) of each column's largest entry q, plus the start's: a uniform
    2-state automaton is 0.5 a column; one whose columns are decided is about 0; padding counts nothing."""
    cfg = ModelConfig(vocab=3, decoders=(DecoderConfig("on", kind="scalar", read="each"),), width=3, layers=1, state=2,
                      direction="forward", gate="matrix", mlp=0, gate_decisive=0.1)
    hand = jax.tree_util.tree_map(np.zeros_like, init(cfg, 0))
    batch = inputs([[1, 2, 1, 0], [2, 0, 0, 0]], [3, 1])
    uniform = FamilyModel(cfg).apply({"params": hand}, batch)["undecided_gates"]
    assert abs(float(uniform) - ((3 * 2 * 0.5 + 0.5) + (1 * 2 * 0.5 + 0.5)) / 2) < 1e-6  # the mean over the batch
    hand["recurrence0"]["transition_fwd"]["bias"] = np.array([20.0, 20.0, -20.0, -20.0], np.float32)  # both -> state 0
    hand["recurrence0"]["start_fwd"] = np.array([20.0, -20.0], np.float32)
    assert float(FamilyModel(cfg).apply({"params": hand}, batch)["undecided_gates"]) < 1e-6


def test_a_sequence_head_is_sure_of_class_0_on_padding_and_needs_every_position():
    cfg = small(decoders=(DecoderConfig("digits", kind="sequence", classes=10),), gate="matrix")
    params = init(cfg, 0)
    out = FamilyModel(cfg).apply({"params": params}, inputs([[1, 2, 3, 0, 0]], [3]))["digits"]
    assert out.shape == (1, 5, 10)
    assert np.all(np.asarray(jax.nn.softmax(out)[0, 3:, 0]) == 1.0)
    logits = np.full((2, 3, 10), -5.0, np.float32)
    logits[:, :, 4] = 5.0
    logits[1, 1] = 0.0  # one unsure position makes the whole record unsure
    answers, confident = decode(cfg, {"digits": logits})["digits"]
    assert answers.tolist() == [[4, 4, 4], [4, 0, 4]] and confident.tolist() == [True, False]
    targets = {"digits": jnp.array([[4, 4, 4], [4, 4, 4]])}
    loss, exact = family_loss(cfg, {"digits": jnp.array(logits), "integer_penalty": 0.0}, targets)
    assert exact.tolist() == [True, False] and float(loss) > 0


def halving_spec(max_rounds: int, unsure_at: int = -1):
    """A stand-in network for the halting loop: value x -> x // 2, and "go on" while that is positive."""
    from aocnn.nn.config import Config
    from aocnn.nn.family_task import FamilySpec, Loop

    cfg = ModelConfig(vocab=2, decoders=(DecoderConfig("next", kind="scalar"), DecoderConfig("go", classes=2)))

    def network(batch):
        half = batch["x"] // 2
        go = np.stack([np.where(half > 0, -9.0, 9.0), np.where(half > 0, 9.0, -9.0)], -1)
        go[batch["x"] == unsure_at] = 0.0
        return {"next": half.astype(np.float32), "go": go}

    return FamilySpec(Config(cfg), lambda xs: [{"x": np.array(xs, np.int64)}], None,
                      lambda decoded, xs: decoded["next"], loop=Loop(halt="go", go=(1,), max_rounds=max_rounds)), network


def test_the_halting_loop_iterates_until_the_network_halts_and_flags_what_it_cannot_finish():
    from aocnn.nn.family_task import solve

    xs = [1, 5, 100, 1000]
    expected = sum(sum(x >> k for k in range(1, 12)) for x in xs)
    spec, network = halving_spec(max_rounds=20)
    answer = solve(spec, network, xs)
    assert (answer.answer, answer.low_confidence, answer.records) == (expected, 0, 4)
    spec, network = halving_spec(max_rounds=3)  # 1000 needs 9 rounds, 100 needs 6: both left going
    assert solve(spec, network, xs).low_confidence == 2
    spec, network = halving_spec(max_rounds=20, unsure_at=25)  # 100 -> 50 -> 25: the network hesitates there
    assert solve(spec, network, xs).low_confidence == 1


def test_integer_scalars_ride_the_exact_channel_into_an_exact_sum():
    """The scalar encoder: integers enter the stream linearly, and a counter adds them up exactly."""
    cfg = ModelConfig(vocab=2, scalars=1, decoders=(DecoderConfig("total", kind="scalar", read="last"),), width=1,
                      layers=1, state=1, direction="forward", gate="none", mlp=0)
    params = jax.tree_util.tree_map(np.zeros_like, init(cfg, 0))
    assert "exact_scalars" in params["encoder"]
    params["encoder"]["exact_scalars"]["kernel"] = np.ones((1, 1), np.float32)
    params["recurrence0"]["exact_value_fwd"]["kernel"] = np.ones((1, 1), np.float32)
    params["recurrence0"]["exact_decay_fwd"] = np.ones(1, np.float32)
    params["recurrence0"]["exact_out"]["kernel"] = np.ones((1, 1), np.float32)
    params["decoder_total"]["exact_readout"]["kernel"] = np.ones((1, 1), np.float32)
    values = np.random.default_rng(0).integers(-99, 100, 70_000)
    batch = {"ids": jnp.ones((1, values.size), jnp.int32), "lengths": jnp.array([values.size]),
             "scalars": jnp.array(values, jnp.float32)[None, :, None]}
    out = FamilyModel(cfg).apply({"params": params}, batch)
    assert float(out["total"][0]) == float(values.sum()) + float(values[-1])  # the residual stream: x_T + the sum


def test_token_scalars_bilinear_blocks_and_a_product_head_compute_aim_by_hand():
    """The three tools for "a token with a numeric argument" and products, set by hand to a tiny dive
    (ids: 1 ahead, 2 turn): token 1's N goes to channel 0, token 2's to channel 1; a counter sums them
    onto channels 2 (ahead) and 3 (aim); the bilinear block writes aim x ahead-step onto channel 4; a
    second counter sums it onto channel 5 (depth); the head multiplies channels 2 and 5 in int64."""
    cfg = ModelConfig(vocab=3, scalars=1, scalars_by_token=True, width=6, layers=2, state=2, direction="forward",
                      gate="none", mlp=1, mlp_kind="bilinear",
                      decoders=(DecoderConfig("answer", kind="product", factors=2, read="last"),))
    params = jax.tree_util.tree_map(np.zeros_like, init(cfg, 0))
    assert "exact_scalars" not in params["encoder"] and "mlp0_in" not in params
    directions = np.zeros((3, 6), np.float32)
    directions[1, 0] = directions[2, 1] = 1
    params["encoder"]["exact_scalar_directions"]["embedding"] = directions
    counter0, counter1 = params["recurrence0"], params["recurrence1"]
    counter0["exact_value_fwd"]["kernel"] = np.eye(6, 2, dtype=np.float32)  # channels 0, 1
    counter0["exact_decay_fwd"] = counter1["exact_decay_fwd"] = np.ones(2, np.float32)
    counter0["exact_out"]["kernel"] = np.eye(2, 6, 2, dtype=np.float32)  # -> channels 2, 3
    params["exact_bilinear0_a"]["kernel"][3, 0] = 1  # aim
    params["exact_bilinear0_b"]["kernel"][0, 0] = 1  # this step's N ahead
    params["exact_bilinear0_out"]["kernel"][0, 4] = 1
    counter1["exact_value_fwd"]["kernel"][4, 0] = 1
    counter1["exact_out"]["kernel"][0, 5] = 1
    params["decoder_answer"]["exact_readout"]["kernel"][[2, 5], [0, 1]] = 1
    rng = np.random.default_rng(0)
    kinds, steps = rng.integers(1, 3, (3, 1500)), rng.integers(1, 10, (3, 1500))
    batch = {"ids": jnp.array(kinds, jnp.int32), "lengths": jnp.array([1500, 1500, 1000]),
             "scalars": jnp.array(steps, jnp.float32)[..., None]}
    out = FamilyModel(cfg).apply({"params": params}, batch)
    answers, sure = decode(cfg, out)["answer"]
    for row, length in enumerate([1500, 1500, 1000]):
        ahead = np.where(kinds[row, :length] == 1, steps[row, :length], 0)
        aim = np.cumsum(np.where(kinds[row, :length] == 2, steps[row, :length], 0))
        assert answers[row] == int(ahead.sum()) * int((aim * ahead).sum()) > 2**30  # exact past float32
    assert sure.all()


def test_a_product_head_multiplies_sure_integer_factors_and_flags_the_rest():
    cfg = ModelConfig(vocab=3, decoders=(DecoderConfig("x", kind="product", factors=3),))
    factors = np.array([[2.0, -3.1, 4.0], [2.0, 3.4, 1.0], [2.0**23, 2.0**23, 2.0**20], [np.nan, 1.0, 1.0]])
    answers, sure = decode(cfg, {"x": factors})["x"]
    np.testing.assert_array_equal(answers[:1], [-24])
    np.testing.assert_array_equal(sure, [True, False, False, False])  # off an integer; past int64's safe range; NaN
    doubts, threshold = doubt(cfg, {"x": factors})["x"]
    assert doubts[0] == pytest.approx(0.1) and doubts[1] == pytest.approx(0.4) and np.isinf(doubts[3])
    loss, exact = family_loss(cfg, {"x": jnp.array(factors[:2]), "integer_penalty": 0.0}, {"x": jnp.array([-24.8, 6.8])})
    np.testing.assert_array_equal(exact, [False, False])  # right products of a factor off its integer are not exact
    _, exact = family_loss(cfg, {"x": jnp.array([[2.0, -3.0, 4.0]]), "integer_penalty": 0.0}, {"x": jnp.array([-24.0])})
    assert bool(exact[0])
    with pytest.raises(ValueError, match="factors: need at least 2"):
        DecoderConfig("x", kind="product", factors=1)


def test_family_networks_run_batches_padded_to_a_few_sizes_and_return_only_the_real_rows():
    from aocnn.nn import model as nn_model
    from aocnn.nn.family_task import bucket, padded_rows
    from solvers.y2019 import d01

    assert [bucket(n) for n in (1, 8, 9, 100, 4096)] == [8, 8, 16, 128, 4096]
    padded = padded_rows({"ids": np.ones((3, 5), np.int32), "lengths": np.full(3, 5, np.int32)}, 8)
    assert padded["ids"].shape == (8, 5) and padded["lengths"].tolist() == [5, 5, 5, 0, 0, 0, 0, 0]
    task = d01.PUZZLE.neural[1]
    network = nn_model.Model(task, init(d01.CONFIG.model, 0))
    shapes = []
    network._forward = lambda params, batch, run=network._forward: shapes.append(batch["ids"].shape[0]) or run(params, batch)
    (three,) = list(d01.encode([10, 7, 300]))
    (nine,) = list(d01.encode(list(range(9))))
    assert network(three)["fuel"].shape[0] == 3 and network(nine)["sign"].shape[0] == 9
    assert shapes == [8, 16]
    alone = network({key: value[:1] for key, value in three.items()})
    np.testing.assert_allclose(alone["fuel"][0], network(three)["fuel"][0], rtol=1e-5, atol=1e-5)  # padding changes nothing


PACKED_HEADS = (
    DecoderConfig("label", kind="class", classes=4, hidden=4),
    DecoderConfig("where", kind="pointer", hidden=4),
    DecoderConfig("tags", kind="sequence", classes=3, hidden=4),
    DecoderConfig("value", kind="scalar", read="each", gated=True, hidden=4),
)


@pytest.mark.parametrize("changes", [
    dict(encoder_mlp=6, gate="separate", direction="bidirectional"),
    dict(gate="matrix", state=3, mlp=0),
    dict(gate="matrix", transitions="gates", state=3, direction="forward"),
    dict(layers=2, kinds=("recurrence", "all_pairs"), mlp_kind="bilinear", gate="none"),
])
def test_per_position_layers_on_the_records_positions_only_compute_the_same_network(changes):
    cfg = small(decoders=PACKED_HEADS, window=3, **changes)
    params = init(cfg, 5)
    rng = np.random.default_rng(0)
    lengths = np.array([7, 1, 0, 3, 12, 5, 2, 9], np.int32)
    ids = np.where(np.arange(12)[None] < lengths[:, None], rng.integers(1, 5, (8, 12)), 0).astype(np.int32)
    batch = {"ids": ids, "lengths": lengths}
    packing = family.positions_bucket(lengths, 12)
    assert len(packing["positions"]) == 48 and packing["positions"].tolist()[:8] == [0, 1, 2, 3, 4, 5, 6, 12]
    assert packing["positions"][8] == 24  # an empty record's position 0: its heads read it
    assert (packing["positions"][lengths.sum() + 1:] == 96).all()  # filler: the extra zero row
    full = FamilyModel(cfg).apply({"params": params}, batch)
    packed = FamilyModel(cfg).apply({"params": params}, {**batch, **packing})
    for name in ("label", "where", "tags", "value"):
        np.testing.assert_allclose(packed[name], full[name], rtol=1e-5, atol=1e-5, err_msg=name)
    assert all((a == b).all() for (a, b) in zip(decode(cfg, packed)["label"], decode(cfg, full)["label"]))


def test_packing_is_skipped_where_it_saves_nothing_and_comes_in_a_few_sizes():
    assert family.positions_bucket(np.array([12, 12, 11, 12]), 12) == {}
    sizes = {len(family.positions_bucket(np.full(64, n), 64)["positions"]) for n in range(1, 56)}
    assert sizes <= {512 * k for k in range(1, 8)} and len(sizes) == 7


def test_aligned_digit_ids_right_align_each_number_on_its_channel_at_any_width():
    from aocnn.nn.encode import aligned_digit_ids

    ids = aligned_digit_ids([[7, 345], [12, 0]], 4)
    assert ids.shape == (2, 4, 2) and ids.dtype == np.int32
    assert ids[0].T.tolist() == [[1, 1, 1, 8], [1, 4, 5, 6]] and ids[1].T.tolist() == [[1, 1, 2, 3], [1, 1, 1, 1]]
    values = [[10**17 + 3, 987654321], [5, 10**18 - 1]]
    fast, text = aligned_digit_ids(values, 18), aligned_digit_ids(values, 20)  # int64 and text paths agree
    assert np.array_equal(fast, text[:, 2:]) and np.all(text[:, :2] == 1)


def test_scalar_scale_is_the_same_network_reading_scaled_scalars():
    """scalar_scale s on scalars x computes what scale 1 computes on s * x (same parameters); it must be > 0."""
    base = ModelConfig(vocab=4, scalars=2, width=8, layers=1, kinds=("all_pairs",), exact_init=0.1,
                       decoders=(DecoderConfig("answer", classes=5, read="max"),))
    scaled = dataclasses.replace(base, scalar_scale=0.01)
    params = init(base, 0)
    rng = np.random.default_rng(3)
    x = rng.integers(0, 500, (4, 8, 2)).astype(np.float32)
    batch = {"ids": jnp.array(rng.integers(1, 4, (4, 8)), jnp.int32), "lengths": jnp.array([8, 5, 3, 1])}

    def answer(cfg, scalars):
        return np.asarray(FamilyModel(cfg).apply({"params": params}, {**batch, "scalars": jnp.array(scalars)})["answer"])

    np.testing.assert_allclose(answer(scaled, x), answer(base, x * np.float32(0.01)), rtol=1e-5, atol=1e-5)
    assert not np.allclose(answer(scaled, x), answer(base, x))
    with pytest.raises(ValueError, match="scalar_scale"):
        ModelConfig(vocab=4, scalar_scale=0)


def test_windowed_scalars_and_a_product_at_every_position_add_up_exactly_past_float32():
    """Set by hand: position t's factors are the scalars at t+1 and t+2 (the window's own maps), so a record's
    value is sum_t s[t+1] * s[t+2] over its positions, added in int64 far past float32's exact range."""
    cfg = ModelConfig(vocab=2, scalars=1, scalars_windowed=True, window=3, width=2, layers=0, mlp=0,
                      decoders=(DecoderConfig("total", kind="product", factors=2, read="each"),))
    params = jax.tree_util.tree_map(np.zeros_like, init(cfg, 0))
    assert {"exact_scalars", "exact_scalars1", "exact_scalars2"} <= set(params["encoder"])
    params["encoder"]["exact_scalars1"]["kernel"] = np.array([[1.0, 0.0]], np.float32)
    params["encoder"]["exact_scalars2"]["kernel"] = np.array([[0.0, 1.0]], np.float32)
    params["decoder_total"]["exact_readout"]["kernel"] = np.eye(2, dtype=np.float32)
    values = np.random.default_rng(0).integers(0, 4_000, (2, 3_000))
    lengths = [3_000, 2_000]
    batch = {"ids": jnp.ones(values.shape, jnp.int32), "lengths": jnp.array(lengths),
             "scalars": jnp.array(values, jnp.float32)[..., None]}
    out = FamilyModel(cfg).apply({"params": params}, batch)
    assert out["total"].shape == (2, 3_000, 2)
    answers, sure = decode(cfg, out)["total"]
    for row, length in enumerate(lengths):  # the window reads past the record's end (what follows it), never past the input
        ahead = np.append(values[row], [0, 0])
        expected = sum(int(ahead[t + 1]) * int(ahead[t + 2]) for t in range(length))
        assert answers[row] == expected > 2**30
    assert sure.all()
    loss, exact = family_loss(cfg, out, {"total": jnp.array([float(a) for a in answers])})
    assert exact.all()
    with pytest.raises(ValueError, match="not with model.scalars_by_token"):
        ModelConfig(vocab=2, scalars=1, scalars_windowed=True, scalars_by_token=True)


def test_training_counts_large_products_of_both_signs_that_cancel_as_exact_and_a_wrong_factor_as_not():
    """Products past 2^24 of both signs (a negative running aim) can add up to a small answer; float32 rounds
    each of them, so training's check allows for the terms' sizes, not the sum's alone."""
    cfg = ModelConfig(vocab=3, decoders=(DecoderConfig("x", kind="product", factors=3, read="each"),))
    rng = np.random.default_rng(0)
    factors = rng.integers(500, 2_000, (64, 40, 3)).astype(np.float64)
    factors[:, 1::2] = factors[:, ::2] * [-1, 1, 1] + [0, 0, 1]  # pairs a*b*c - a*b*(c + 1) = -a*b
    products = np.prod(factors.astype(np.int64), axis=2)
    targets = products.sum(axis=1)
    assert np.abs(products).min() > 2**27 and (np.abs(targets) < np.abs(products).sum(axis=1) / 100).all()

    def exact(factors):
        return family_loss(cfg, {"x": jnp.array(factors, jnp.float32), "integer_penalty": 0.0},
                           {"x": jnp.array(targets.astype(np.float64))})[1]

    assert exact(factors).all()
    factors[:, 3, 1] += 1  # one factor one off: each sum moves by at least 500 x 500
    assert not exact(factors).any()


def test_a_product_at_every_position_is_settled_by_one_sure_zero_factor_and_flags_the_rest():
    cfg = ModelConfig(vocab=3, decoders=(DecoderConfig("x", kind="product", factors=2, read="each"),))
    factors = np.array([
        [[0.02, 123.45], [3.0, 4.0], [0.0, 0.0]],  # a sure 0 settles the first position: 12
        [[0.4, 5.0], [3.0, 4.0], [0.0, 0.0]],  # 0.4 is no sure 0 and no integer: flagged
        [[0.0, np.nan], [3.0, 4.0], [0.0, 0.0]],  # NaN anywhere: flagged
    ])
    answers, sure = decode(cfg, {"x": factors})["x"]
    assert answers[0] == 12
    np.testing.assert_array_equal(sure, [True, False, False])
    doubts, threshold = doubt(cfg, {"x": factors})["x"]
    assert doubts[0] == pytest.approx(0.02) and doubts[1] == pytest.approx(0.4) and np.isinf(doubts[2])
    assert threshold == cfg.decoders[0].tolerance
    _, exact = family_loss(cfg, {"x": jnp.array(factors[:1]), "integer_penalty": 0.0}, {"x": jnp.array([12.0])})
    assert not bool(exact[0])  # 0.02 is sure at the solver's margin, not at training's
    _, exact = family_loss(cfg, {"x": jnp.array([[[0.0, 123.45], [3.0, 4.0]]]), "integer_penalty": 0.0}, {"x": jnp.array([12.0])})
    assert bool(exact[0])
    with pytest.raises(ValueError, match="'each' is for scalar and product heads"):
        DecoderConfig("x", kind="class", read="each")


def test_a_gated_product_at_every_position_counts_where_its_gate_is_surely_on():
    cfg = ModelConfig(vocab=3, decoders=(DecoderConfig("x", kind="product", factors=2, read="each", gated=True),))
    off, on, unsure = [9.0, -9.0], [-9.0, 9.0], [0.0, 1.0]
    out = np.array([
        [off + [123.45, np.inf], on + [3.0, 4.0], on + [5.0, 6.0]],  # values of a position surely off never matter: 42
        [unsure + [3.0, 4.0], on + [3.0, 4.0], off + [0.0, 0.0]],  # a gate in doubt: flagged
        [on + [3.0, 4.3], on + [3.0, 4.0], off + [0.0, 0.0]],  # on, and a factor off its integer: flagged
        [unsure + [0.1, 5.0], on + [3.0, 4.0], off + [0.0, 0.0]],  # a product surely 0: no matter the gate, 12
    ])
    answers, sure = decode(cfg, {"x": out})["x"]
    assert answers[0] == 42 and answers[3] == 12
    np.testing.assert_array_equal(sure, [True, False, False, True])
    doubts, threshold = doubt(cfg, {"x": out})["x"]
    assert threshold == 1.0 and doubts[0] < 1.0 and doubts[1] > 1.0 and doubts[2] == pytest.approx(0.3 / 0.25)
    assert doubts[3] == pytest.approx(0.1 / 0.25)
    finite = np.where(np.isfinite(out[:1]), out[:1], 7.0)
    loss, exact = family_loss(cfg, {"x": jnp.array(finite), "integer_penalty": 0.0}, {"x": jnp.array([42.0])})
    assert bool(exact[0]) and float(loss) < 1e-3  # training weighs each value by p(on)
    params = init(cfg, 0)
    logits = FamilyModel(cfg).apply({"params": params}, inputs([[1, 2, 0]], [2]))["x"]
    assert logits.shape == (1, 3, 4) and float(logits[0, 2, 1]) < -1e8  # past the record: surely off
    with pytest.raises(ValueError, match="gated: only with read='each'"):
        DecoderConfig("x", kind="product", gated=True)


def test_a_decisive_gate_pays_for_doubt_as_the_pull_ramps_in():
    """p x v = 1 fits as well at p = 0.5, v = 2 as at p = 1, v = 1; `decisive` makes the half-open gate cost
    min(p, 1 - p) per position, scaled by the same ramp as the integer pull (0 early: gates still learn)."""
    scalar = DecoderConfig("x", kind="scalar", read="each", gated=True)
    half_open = jnp.array([[[0.0, 0.0, 2.0], [0.0, 0.0, 2.0], [0.0, family.NEG, 0.0]]])  # two positions at p = 0.5, v = 2; padding
    shut_open = jnp.array([[[-20.0, 20.0, 1.0], [-20.0, 20.0, 1.0], [0.0, family.NEG, 0.0]]])
    target = {"x": jnp.array([2.0])}
    for config in (scalar, dataclasses.replace(scalar, decisive=0.3)):
        cfg = ModelConfig(vocab=3, decoders=(config,))
        plain = float(family_loss(cfg, {"x": shut_open, "integer_penalty": 0.0}, target)[0])
        early = float(family_loss(cfg, {"x": half_open, "integer_penalty": 0.0}, target, pull=0.0)[0])
        late = float(family_loss(cfg, {"x": half_open, "integer_penalty": 0.0}, target, pull=1.0)[0])
        assert plain == pytest.approx(0.0, abs=1e-6) and early == pytest.approx(0.0, abs=1e-6)
        assert late == pytest.approx(config.decisive * 2 * 0.5)
    with pytest.raises(ValueError, match="decisive: only with gated=True"):
        DecoderConfig("x", kind="scalar", read="each", decisive=0.1)
    with pytest.raises(ValueError, match="decisive: need >= 0"):
        dataclasses.replace(scalar, decisive=-1.0)


def test_plain_tables_stay_off_the_exact_channel_while_scalar_maps_snap():
    cfg = ModelConfig(vocab=4, scalars=1, scalars_windowed=True, window=2, exact_tables=False, width=4, layers=0, mlp=0,
                      decoders=(DecoderConfig("x", kind="scalar", read="each"),), integer_pull=0.1)
    params = init(cfg, 0)
    assert {"embed0", "embed1", "exact_scalars", "exact_scalars1"} == set(params["encoder"])
    params = jax.tree_util.tree_map(lambda w: np.full_like(w, 0.97), params)
    snapped, far = family.snap_integers(params, 0.1)
    assert far == 0 and np.all(snapped["encoder"]["exact_scalars1"]["kernel"] == 1.0)
    assert np.all(snapped["encoder"]["embed0"]["embedding"] == np.float32(0.97))  # not pulled, not snapped
    penalty = family.integer_penalty(params)
    exact_leaves = sum(np.size(w) for path, w in jax.tree_util.tree_flatten_with_path(params)[0] if family.is_exact_path(path))
    assert float(penalty) == pytest.approx(exact_leaves * 0.03**2, rel=1e-3)


def test_gate_biases_start_where_configured_and_numbers_can_stay_out_of_the_stream():
    shut = init(small(gate="separate", gate_bias=-4.0, direction="forward"), 0)["recurrence0"]
    assert np.all(shut["forget_fwd"]["bias"] == -4.0) and np.all(shut["input_fwd"]["bias"] == -4.0)
    assert np.all(init(small(gate="tied"), 0)["recurrence0"]["forget_fwd"]["bias"] == 0.0)
    cfg = small(scalars=1, scalars_windowed=True, scalars_in_stream=False, layers=0,
                decoders=(DecoderConfig("x", kind="product", read="each", from_scalars=True),))
    params = init(cfg, 0)
    assert not any(name.startswith("exact_scalars") for name in params["encoder"])
    assert params["decoder_x"]["exact_readout"]["kernel"].shape == (cfg.window, 2)  # the window's numbers, nothing else
    with pytest.raises(ValueError, match="from_scalars needs model.scalars"):
        small(decoders=(DecoderConfig("x", kind="product", read="each", from_scalars=True),))


def test_stream_factors_read_the_stream_start_neutral_and_multiply_the_window_numbers():
    """A product from_scalars with stream_factors=1: its first factors map the window's numbers, its last one
    reads the stream (e.g. an enable state a recurrence carries) and starts at bias 1, so the product starts
    as the window's factors' product; a stream factor of 0 zeroes a position's product."""
    head = DecoderConfig("x", kind="product", factors=3, read="each", from_scalars=True, stream_factors=1)
    cfg = small(scalars=1, scalars_windowed=True, scalars_in_stream=False, layers=0, mlp=0, decoders=(head,))
    params = jax.tree_util.tree_map(np.array, init(cfg, 0))  # writable copies
    decoder = params["decoder_x"]
    assert decoder["exact_readout"]["kernel"].shape == (cfg.window, 2)  # the window's numbers, nothing else
    assert decoder["exact_stream_readout"]["kernel"].shape == (cfg.width, 1)
    assert decoder["exact_stream_readout"]["bias"].tolist() == [1.0]
    decoder["exact_readout"]["kernel"][:] = [[1.0, 0.0], [0.0, 1.0]]  # the number here, and the next one
    decoder["exact_readout"]["bias"][:] = 0.0
    decoder["exact_stream_readout"]["kernel"][:] = 0.0
    batch = inputs([[1, 2, 3, 0]], [3])
    batch["scalars"] = jnp.asarray(np.array([[[3], [5], [7], [0]]], np.float32))
    out = np.asarray(FamilyModel(cfg).apply({"params": params}, batch)["x"])[0]
    assert out[:3].tolist() == [[3, 5, 1], [5, 7, 1], [7, 0, 1]] and out[3].tolist() == [0, 0, 0]
    decoder["exact_stream_readout"]["bias"][:] = 0.0  # a stream factor of 0: nothing counts
    out = np.asarray(FamilyModel(cfg).apply({"params": params}, batch)["x"])[0]
    assert np.all(out[:, 2] == 0.0)
    for bad in (dict(from_scalars=False), dict(stream_factors=3), dict(kind="scalar", factors=2)):
        with pytest.raises(ValueError, match="stream_factors"):
            dataclasses.replace(head, **bad)


@pytest.mark.parametrize("scalars", [False, True])
def test_values_that_never_read_the_stream_add_exact_integers_whatever_the_stream_holds(scalars):
    """values_from_stream=False: v_t is a constant per channel (or a map of the scalars plus a bias), so a
    gated sum counts exactly while the tables, which steer only the gates, hold anything at all."""
    cfg = small(gate="separate", gate_snap=0.02, direction="forward", values_from_stream=False, mlp=0, state=1,
                scalars=int(scalars), scalars_in_stream=False, scalars_in_values=scalars)
    params = jax.tree_util.tree_map(np.array, init(cfg, 0))  # writable copies
    recurrence = params["recurrence0"]
    assert "exact_value_fwd" not in recurrence
    value = recurrence["exact_scalar_value_fwd" if scalars else "exact_constant_value_fwd"]
    if scalars:
        value["kernel"][:], value["bias"][:] = 2.0, 1.0  # v = 2 s + 1
    else:
        value[:] = 1.0  # v = 1: a count
    for gate, bias in (("forget_fwd", -10.0), ("input_fwd", 10.0)):  # keep everything, write everywhere: snapped
        recurrence[gate]["kernel"][:], recurrence[gate]["bias"][:] = 0.0, bias
    rng = np.random.default_rng(0)
    for name in params["encoder"]:
        params["encoder"][name]["embedding"] = rng.normal(0, 100, params["encoder"][name]["embedding"].shape)
    batch = inputs([[1, 2, 3, 4, 1, 2, 0], [4, 4, 3, 0, 0, 0, 0]], [6, 3])
    numbers = np.array([[3, 0, 5, 1, 0, 7, 9], [2, 2, 2, 0, 0, 0, 0]], np.float32)[..., None]
    if scalars:
        batch["scalars"] = jnp.asarray(numbers)
    _, state = FamilyModel(cfg).apply({"params": params}, batch, mutable=["intermediates"])
    h_BxL = np.asarray(state["intermediates"]["recurrence0"]["state_fwd"][0])[..., 0]
    per_step = 2 * numbers[..., 0] + 1 if scalars else np.ones((2, 7))
    valid = np.arange(7)[None, :] < np.array([[6], [3]])
    assert h_BxL.tolist() == np.cumsum(np.where(valid, per_step, 0), axis=1).tolist()


@pytest.mark.parametrize("reverse", [False, True])
def test_counting_scan_is_the_step_by_step_recurrence_and_skips_padding(reverse):
    from aocnn.nn.family import counting_scan

    rng = np.random.default_rng(2)
    steps = jnp.array(rng.integers(0, 2, (2, 9, 4, 4)), jnp.float32)
    start = jnp.array([1.0, 0.0, 1.0, 1.0])
    lengths = [9, 5]
    valid = jnp.arange(9)[None, :] < jnp.array(lengths)[:, None]
    got = np.asarray(counting_scan(steps, start, valid, reverse))
    for b, n in enumerate(lengths):
        h = np.asarray(start, np.float64)
        order = list(range(n - 1, -1, -1)) if reverse else list(range(n))
        for t in order:
            h = np.asarray(steps[b, t], np.float64) @ h
            assert np.array_equal(got[b, t], h)  # integers, exactly
        if reverse:  # padding to the right of the record is the identity: the start state passes through
            assert np.array_equal(got[b, n:], np.broadcast_to(np.asarray(start), got[b, n:].shape))
        else:
            assert np.array_equal(got[b, n:], np.broadcast_to(h, got[b, n:].shape))


def copies_of(matches: list[int]) -> list[int]:
    """Scratchcards' copies of each card, written as a queue of pending wins (unlike the puzzle module's loop)."""
    pending, mine = [0] * (max(matches, default=0) + 1), []
    for k in matches:
        mine.append(1 + pending.pop(0))
        pending.append(0)
        for j in range(k):
            pending[j] += mine[-1]
    return mine


def cascade(matches: list[int]) -> int:
    return sum(copies_of(matches))


def test_counting_transitions_set_by_hand_win_copies_exactly_over_hundreds_of_cards():
    """`transitions="gates"`: 0/1 transitions make a shift register of pending copies. Channels 0-9 hold
    the copies already won by the next 10 cards, channel 10 a constant 1. A card with k matches shifts
    the register and adds its own copies (1 + channel 0) into channels 0..k-1; each position reads
    1 + channel 0 (the next card's copies), and the positions add up to the number of cards in the end."""
    states, vocab, width = 11, 12, 13  # ids: 0 PAD, k + 1 for k matches; stream: one-hot id, then one count
    cfg = ModelConfig(vocab=vocab, decoders=(DecoderConfig("cards", kind="scalar", read="each"),), width=width,
                      layers=1, state=states, direction="forward", gate="matrix", transitions="gates", mlp=0,
                      gate_snap=0.02)
    params = init(cfg, 0)
    hand = jax.tree_util.tree_map(np.zeros_like, params)
    hand["encoder"]["exact_embed0"]["embedding"] = np.eye(vocab, width, dtype=np.float32)
    base = np.zeros((states, states), np.float32)
    base[np.arange(9), np.arange(1, 10)] = 1.0  # shift: channel m takes channel m + 1
    base[10, 10] = 1.0  # the constant stays
    kernel = np.zeros((width, states, states), np.float32)
    for k in range(11):
        kernel[k + 1, :k, 0] = kernel[k + 1, :k, 10] = 1.0  # k matches: channels 0..k-1 gain 1 + channel 0
    hand["recurrence0"]["transition_fwd"]["kernel"] = (60.0 * kernel).reshape(width, -1)
    hand["recurrence0"]["transition_fwd"]["bias"] = (60.0 * base - 30.0).reshape(-1)
    hand["recurrence0"]["start_fwd"] = np.where(np.arange(states) == 10, 30.0, -30.0).astype(np.float32)
    out_kernel = np.zeros((states, width), np.float32)
    out_kernel[0, 12] = out_kernel[10, 12] = 1.0
    hand["recurrence0"]["exact_out"]["kernel"] = out_kernel
    hand["decoder_cards"]["exact_readout"]["kernel"] = np.eye(width, 1, -12, dtype=np.float32)

    rng = np.random.default_rng(3)

    def draw(n: int, none: float) -> list[int]:
        k = np.where(rng.random(n) < none, 0, rng.integers(1, 11, n))
        return np.minimum(k, n - 1 - np.arange(n)).tolist()

    rows = [draw(n, none) for n, none in ((1, 0.5), (2, 0.0), (30, 0.3), (200, 0.65), (220, 0.65), (220, 0.65),
                                          (220, 0.5), (200, 0.3))]
    rows.append(draw(220, 0.62))
    while not 5 * 10**6 <= cascade(rows[-1]) < 2**24:  # and one of a real input's size: about 10^7 cards in the end
        rows[-1] = draw(220, 0.62)
    ids = np.zeros((len(rows), 220), np.int32)
    for b, row in enumerate(rows):
        ids[b, :len(row)] = np.array(row) + 1
    out = jax.jit(FamilyModel(cfg).apply)({"params": hand}, inputs(ids.tolist(), [len(r) for r in rows]))
    value, sure = decode(cfg, out)["cards"]
    want = np.array([cascade(row) for row in rows], dtype=object)
    past = np.array([any(c >= 2**24 for c in copies_of(row)) for row in rows])  # a card's copies past float32's exact range
    assert 5 * 10**6 <= max(want[~past]) and past.sum() == 2  # a real-sized answer, and two far past 2^24
    assert sure[~past].all() and value[~past].tolist() == want[~past].tolist()
    assert not sure[past].any()  # states only grow until read: past 2^24 is always seen, so flagged, never wrong


def test_log_loss_weighs_a_record_by_its_relative_error():
    for read in ("last", "each"):
        head = DecoderConfig("n", kind="scalar", read=read, log_loss=True)
        cfg = ModelConfig(vocab=3, decoders=(head,))
        value = jnp.array([9.0, 999.0, -5.0])  # targets 19, 1999, 0: the first two are off by the same ratio
        out = {"n": value if read == "last" else jnp.stack([value, jnp.zeros(3)], axis=1),
               "integer_penalty": jnp.zeros(())}
        loss, _ = family_loss(cfg, out, {"n": jnp.array([19.0, 1999.0, 0.0])})
        per_record = [np.log(10 / 20) ** 2, np.log(1000 / 2000) ** 2, 0.0]  # a negative value counts as 0
        assert float(loss) == pytest.approx(np.mean(per_record), rel=1e-5)
    with pytest.raises(ValueError, match="log_loss"):
        DecoderConfig("n", kind="class", log_loss=True)
    with pytest.raises(ValueError, match="transitions"):
        ModelConfig(vocab=3, gate="tied", transitions="gates")


def test_a_head_can_read_the_pair_layers_score_itself():
    """A decoder with `source="pairs"` reads the last all-pairs layer's aggregated messages (here one score per
    token), not the stream: its logits are an affine map of that score alone. Without an all-pairs layer the
    config is refused."""
    head = DecoderConfig("matched", kind="sequence", classes=3, source="pairs")
    cfg = ModelConfig(vocab=4, width=6, layers=1, kinds=("all_pairs",), pairs_hidden=5, pairs_message=1, aggregate="max",
                      pairs_self=False, mlp=8, decoders=(head,))
    inputs = {"ids": jnp.array([[1, 2, 3, 1, 0]]), "lengths": jnp.array([4])}
    model = FamilyModel(cfg)
    params = model.init(jax.random.PRNGKey(0), inputs)["params"]
    outputs, state = model.apply({"params": params}, inputs, mutable=["intermediates"])
    stream = state["intermediates"]["stream_encoded"][0]
    valid = jnp.arange(5)[None] < 4
    _, score = AllPairs(6, 5, "max", 1, self_pairs=False, with_aggregated=True).apply(
        {"params": params["all_pairs0"]}, stream, valid)
    logits = params["decoder_matched"]["logits"]
    np.testing.assert_allclose(outputs["matched"][0, :4], (score @ logits["kernel"] + logits["bias"])[0, :4],
                               rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="source 'pairs' needs an all_pairs layer"):
        ModelConfig(vocab=4, layers=1, kinds=("recurrence",), decoders=(head,))


def test_a_batch_without_a_heads_target_leaves_that_head_untrained():
    """A head whose target the batch lacks (a hint head with the hint left out of data.hints) is skipped by family_loss,
    so loss and exactness are those of a config with the other heads alone."""
    both = small(decoders=(DecoderConfig("label", kind="class", classes=4), DecoderConfig("count", kind="scalar", read="last")))
    alone = dataclasses.replace(both, decoders=both.decoders[:1])
    inputs = {"ids": jnp.array([[1, 2, 3, 0], [2, 2, 0, 0]]), "lengths": jnp.array([3, 2])}
    outputs = FamilyModel(both).apply({"params": init(both, 0)}, inputs)
    targets = {"label": jnp.array([1, 3])}
    loss, exact = family_loss(both, outputs, targets)
    loss_alone, exact_alone = family_loss(alone, outputs, targets)
    np.testing.assert_allclose(loss, loss_alone, rtol=1e-6)
    assert exact.tolist() == exact_alone.tolist()
    assert float(family_loss(both, outputs, {**targets, "count": jnp.array([5.0, 7.0])})[0]) > float(loss)


def test_hints_first_trains_the_hint_heads_alone_until_the_answer_heads_join():
    """train.hints_first: before that fraction of max_steps the loss is the hint heads' alone (the answer heads get
    no gradient), after it every head's; exactness counts every head in both stages. A config with it but no
    hint head, or only hint heads, is refused."""
    from aocnn.nn.config import Config, DataConfig, TrainSection
    from aocnn.nn.family_task import _objective

    both = small(decoders=(DecoderConfig("label", kind="class", classes=4), DecoderConfig("count", kind="scalar", read="last")))
    config = Config(both, DataConfig(hints=("label",)), TrainSection(hints_first=0.5))
    params = init(both, 0)
    inputs = {"ids": jnp.array([[1, 2, 3, 0], [2, 2, 0, 0]]), "lengths": jnp.array([3, 2])}
    targets = {"label": jnp.array([1, 3]), "count": jnp.array([5.0, 7.0])}
    batch = {"inputs": inputs, "targets": targets}
    outputs = FamilyModel(both).apply({"params": params}, inputs)
    objective = _objective(config)
    early, early_exact = objective(params, batch, jnp.float32(0.2))
    late, late_exact = objective(params, batch, jnp.float32(0.7))
    np.testing.assert_allclose(early, family_loss(both, outputs, {"label": targets["label"]})[0], rtol=1e-6)
    np.testing.assert_allclose(late, family_loss(both, outputs, targets)[0], rtol=1e-6)
    assert float(late) > float(early)
    assert early_exact.tolist() == late_exact.tolist() == family_loss(both, outputs, targets)[1].tolist()
    grads = jax.grad(lambda p: objective(p, batch, jnp.float32(0.2))[0])(params)
    assert all(float(jnp.abs(g).max()) == 0.0 for g in jax.tree_util.tree_leaves(grads["decoder_count"]))
    assert any(float(jnp.abs(g).max()) > 0.0 for g in jax.tree_util.tree_leaves(grads["decoder_label"]))
    for hints in ((), ("label", "count")):
        with pytest.raises(ValueError, match="hints_first"):
            Config(both, DataConfig(hints=hints), TrainSection(hints_first=0.5))
    with pytest.raises(ValueError, match="hints_first"):
        TrainSection(hints_first=1.0)
