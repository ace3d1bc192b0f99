"""A neural task's config: frozen dataclasses in three sections (model, data, train), JSON round trip,
and `override` for `--set section.field=value`.

A puzzle declares `Config(model=ModelConfig(...), data=DataConfig(...), train=TrainSection(...))`;
meta.json stores `to_dict(config)`; `from_dict(Config, meta["config"])` rebuilds it (no generator runs).

Plain dataclasses, no jax or flax: a puzzle module imports its config at registry time, and
`aocnn list` or a classical solve must not pay for importing a deep-learning stack.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field, replace
from typing import Any

from aocnn.nn.task import TrainConfig


# --- the model section: the shared family's architecture (aocnn.nn.family builds it) ---------

FAMILY = "aocnn-family-v1"  # what meta.json records as "family"

DIRECTIONS = ("forward", "backward", "bidirectional")
GATES = ("none", "tied", "separate", "matrix")
TRANSITIONS = ("softmax", "gates")
KINDS = ("recurrence", "all_pairs")
AGGREGATES = ("sum", "max", "mean", "softmax")
READS = ("ends", "last", "first", "sum", "mean", "max", "each")
SOURCES = ("stream", "pairs")
DECODERS = ("class", "scalar", "pointer", "sequence", "product")
MLPS = ("relu", "bilinear")
QUANTISE = ("none", "weights", "drive")
ENDED_RAMP = 0.01  # TrainSection.as_ended: the schedules reach full within this fraction of a continuation


def _check(value: Any, allowed: tuple, what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what}: {value!r} is not one of {', '.join(map(repr, allowed))}")


@dataclass(frozen=True)
class DecoderConfig:
    """One answer target. `name` is also the key of its output and of its target."""

    name: str
    kind: str = "class"  # class | scalar | pointer | sequence | product
    classes: int = 10  # class only
    read: str = "ends"  # the pooled reading for class/scalar heads and the pointer's "none" logit; "each"
    # (scalar and product heads only): the head at every position, the record's value the sum of the
    # positions' values (decoded one position at a time, added in int64: a sum past float32's exact range)
    hidden: int = 0  # a ReLU layer before the head (0: linear head)
    source: str = "stream"  # what the head reads: the stream, or "pairs": the last all-pairs layer's aggregated
    # messages before they join the stream (with one score per pair: that score itself, no other channel mixed in)
    confident: float = 0.99  # class/pointer: a solve counts a record as low-confidence below this
    train_confident: float = 0.999  # ... and training counts it as exact only at or above this
    tolerance: float = 0.25  # scalar: |x - round(x)| a solve accepts
    train_tolerance: float = 1e-3  # scalar: |x - target| training accepts
    distractors: float = 1.0  # pointer: the loss counts every wrong position this many times (length margin)
    factors: int = 2  # product: how many learned integer readouts are multiplied
    from_scalars: bool = False  # read="each": the values are integer maps of the window's scalars alone (not the
    # stream): numbers whose product is the answer stay clear of everything the ids put in the stream
    stream_factors: int = 0  # product with from_scalars: this many of its factors (the last) read the stream instead,
    # e.g. a state that a recurrence carries (an enable switch) multiplying the window's numbers
    gated: bool = False  # read="each": a yes/no class per position (`hidden` ReLU, then 2 logits) says whether
    # its value counts; training weighs each value by the gate's probability, a solve counts it on argmax
    log_loss: bool = False  # scalar heads: training's error is log(1 + max(value, 0)) - log(1 + target), so a
    # record weighs by its relative error (answers >= 0 that grow exponentially with the record: a cascade)
    decisive: float = 0.0  # gated: training adds this x min(p, 1 - p) per position (ramped in as the integer pull is),
    # so no gate settles half open with its value scaled to make up (p x v fits at p = 0.5 and v = 2 as well as at
    # p = 1 and v = 1, and the integer pull holds v at 2), while gates still in doubt early on keep learning
    # sequence: `classes` per position; a record is confident only when every position is

    def __post_init__(self):
        _check(self.kind, DECODERS, f"decoder {self.name}.kind")
        _check(self.read, READS, f"decoder {self.name}.read")
        _check(self.source, SOURCES, f"decoder {self.name}.source")
        if self.kind in ("class", "sequence") and self.classes < 2:
            raise ValueError(f"decoder {self.name}.classes: need at least 2, got {self.classes}")
        if self.read == "each" and self.kind not in ("scalar", "product"):
            raise ValueError(f"decoder {self.name}.read: 'each' is for scalar and product heads, not {self.kind!r}")
        if self.from_scalars and self.read != "each":
            raise ValueError(f"decoder {self.name}.from_scalars: only with read='each'")
        if self.stream_factors and not (self.kind == "product" and self.from_scalars and 0 < self.stream_factors < self.factors):
            raise ValueError(f"decoder {self.name}.stream_factors: only for a product from_scalars, and fewer than its factors")
        if self.gated and self.read != "each":
            raise ValueError(f"decoder {self.name}.gated: only with read='each'")
        if self.decisive and not self.gated:
            raise ValueError(f"decoder {self.name}.decisive: only with gated=True")
        if self.log_loss and (self.kind != "scalar" or self.gated):
            raise ValueError(f"decoder {self.name}.log_loss: only for scalar heads, not gated")
        if self.decisive < 0:
            raise ValueError(f"decoder {self.name}.decisive: need >= 0, got {self.decisive}")
        if self.kind == "product" and self.factors < 2:
            raise ValueError(f"decoder {self.name}.factors: need at least 2, got {self.factors}")
        if self.distractors < 1.0:
            raise ValueError(f"decoder {self.name}.distractors: need >= 1, got {self.distractors}")


@dataclass(frozen=True)
class ModelConfig:
    vocab: int  # token ids 0..vocab-1, 0 = PAD
    decoders: tuple[DecoderConfig, ...] = ()
    width: int = 32  # D, the stream
    window: int = 1  # the encoder reads characters t..t+window-1 at position t
    channels: int = 1  # K aligned token streams per position (ids B x L x K when > 1), one table each
    scalars: int = 0  # integer scalars per position on the exact channel (0: none)
    scalars_by_token: bool = False  # each scalar enters along its position's token's own direction (s * E[id]), not one fixed one
    scalars_windowed: bool = False  # scalars are read through the look-ahead window too (one exact map per offset):
    # a position sees the numbers of the tokens after it (an instruction's arguments)
    scalars_in_stream: bool = True  # False: scalars reach only heads that read them (from_scalars), so what ids
    # steer (a gate) never depends on how large the numbers are
    scalars_in_values: bool = False  # recurrences' values also read the scalars, their gates never (with
    # scalars_in_stream=False: a running sum of the numbers whose resets the ids alone decide)
    values_from_stream: bool = True  # False: recurrences' values never read the stream, only the scalars and a bias
    # (with scalars_in_values) or a constant per channel, so a gated sum adds integers exactly (a count, a sum of the
    # numbers) whatever floats the ids put in the stream, and the ids, through the gates, decide only where
    scalar_scale: float = 1.0  # the exact channel reads scalars x this: large integers (character codes, places) in
    # a range where Adam's steps on its weights stay small against the ids' embeddings (1: as they are)
    exact_tables: bool = True  # the ids' embedding tables on the exact channel (False: plain float tables, e.g. when
    # only the scalars' maps and the readouts must be integers, and ids only steer)
    encoder_mlp: int = 0  # hidden width of a residual ReLU MLP on each embedded window (0: none)
    layers: int = 1
    kinds: tuple[str, ...] = ("recurrence",)  # layer kinds, cycled over the layers
    state: int = 16  # F, recurrence channels per direction
    direction: str = "bidirectional"
    gate: str = "tied"
    init_decay: float = 1.0  # recurrence decays start here (clipped to [-1, 1])
    transitions: str = "softmax"  # gate="matrix": softmax = a soft automaton (each column of A(x_t) a distribution);
    # gates = every entry of A(x_t) and of the start state its own yes/no gate (gate_bias, gate_snap and
    # gate_decisive apply), a linear recurrence h_t = A(x_t) h_{t-1} whose states count exactly (paths through
    # the transitions: copies won, ways to reach a state) while they stay below 2^24
    gate_bias: float = 0.0  # gated recurrences' gate biases start here: negative, the gates start mostly shut, so a
    # state written once is still there many steps later and its gradient reaches back (LSTM's forget-bias trick)
    gate_snap: float = 0.0  # gated recurrences: a gate within this of shut (0) or open (1) is exactly that (straight-
    # through), so a latch holds exactly over any length; a soft automaton's column (and start) within this of one
    # state is exactly that state; 0: gates as they are
    gate_decisive: float = 0.0  # gated recurrences: training adds this x the sum over positions of min(p, 1 - p) of
    # every gate (ramped in with the integer pull), so gates commit to shut or open (and gate_snap can then make
    # them exact) rather than settle half open with doubled values behind them; a soft automaton's: min(q, 1 - q) of
    # each column's largest entry q, so each transition commits to one state
    mlp: int = 32  # hidden width of each block's residual MLP (0: no MLP)
    mlp_kind: str = "relu"  # relu | bilinear (exact: (W_a x) * (W_b x), no nonlinearity: products of stream channels)
    pairs_hidden: int = 16  # all-pairs: hidden width of the learned pairwise function
    pairs_message: int = 0  # all-pairs: width of each pair's message (0: pairs_hidden); with max and width 1, one
    # score per pair, so a receiver's max cannot assemble "a match" from parts that different partners match
    aggregate: str = "sum"  # all-pairs: how messages are combined
    pairs_address: tuple[int, ...] = ()  # softmax all-pairs: the scalar channels its score alone reads (positional
    # attention: the score sees where two tokens are, not what they are; the message still reads the stream)
    pairs_receiver: bool = True  # positional attention: False, the score reads the senders' addresses only (one
    # learned query for every receiver: a pooling by where tokens are, e.g. "the first token", the same at every position)
    pairs_self: bool = True  # all-pairs: False, a token is not its own partner (no self-loop in the max or sum)
    pairs_exact: bool = False  # all-pairs layers on the exact channel (exact_ weights: clip, pull, rounding, snap apply),
    # so a pair function with integer weights (a distance of two numbers' digits) is exact over any number of partners
    integer_pull: float = 0.0  # weight of the integer penalty on exact_ parameters (0: off)
    exact_clip: bool = False  # exact_ weights clipped to [-1, 1], gradient straight through (NAU-style)
    exact_init: float = 0.0  # > 0: exact_ kernels and tables start uniform in [-exact_init, exact_init]
    exact_bias_init: float = 0.0  # > 0: the exact biases of recurrences and readouts start uniform in [-v, v]: two
    # constants that reach the answer the same way (a recurrence's output bias and the readout's) then differ, so
    # they are not rounded up or down together for ever (0: all at 0, as before)
    exact_layers: int = -1  # how many leading recurrence layers are on the exact channel (-1: all)
    quantise: str = "none"  # none | weights (exact_ weights rounded) | drive (exact recurrences' decay and input rounded)

    def __post_init__(self):
        _check(self.direction, DIRECTIONS, "model.direction")
        _check(self.gate, GATES, "model.gate")
        _check(self.transitions, TRANSITIONS, "model.transitions")
        if self.transitions != "softmax" and self.gate != "matrix":
            raise ValueError(f"model.transitions: {self.transitions!r} is for gate='matrix' only")
        _check(self.aggregate, AGGREGATES, "model.aggregate")
        _check(self.quantise, QUANTISE, "model.quantise")
        _check(self.mlp_kind, MLPS, "model.mlp_kind")
        for kind in self.kinds:
            _check(kind, KINDS, "model.kinds")
        for name, value in (("vocab", self.vocab), ("width", self.width), ("window", self.window), ("state", self.state),
                            ("channels", self.channels)):
            if value < 1:
                raise ValueError(f"model.{name}: need >= 1, got {value}")
        if not 0 <= self.gate_snap < 0.5:
            raise ValueError(f"model.gate_snap: need 0 <= gate_snap < 0.5, got {self.gate_snap}")
        if self.exact_bias_init < 0:
            raise ValueError(f"model.exact_bias_init: need >= 0, got {self.exact_bias_init}")
        if self.gate_decisive < 0:
            raise ValueError(f"model.gate_decisive: need >= 0, got {self.gate_decisive}")
        if not self.scalar_scale > 0:
            raise ValueError(f"model.scalar_scale: need > 0, got {self.scalar_scale}")
        if self.layers < 0 or self.mlp < 0 or self.encoder_mlp < 0 or self.exact_init < 0 or self.scalars < 0 or self.integer_pull < 0:
            raise ValueError("model.layers, model.mlp, model.scalars and model.integer_pull must be >= 0")
        if self.scalars_in_values and not self.scalars:
            raise ValueError("model.scalars_in_values: needs model.scalars")
        if any(d.from_scalars for d in self.decoders) and not self.scalars:
            raise ValueError("model.decoders: from_scalars needs model.scalars")
        if self.scalars_windowed and self.scalars_by_token:
            raise ValueError("model.scalars_windowed: not with model.scalars_by_token")
        if self.pairs_message < 0:
            raise ValueError(f"model.pairs_message: need >= 0, got {self.pairs_message}")
        if not self.kinds:
            raise ValueError("model.kinds: need at least one layer kind")
        if self.pairs_address:
            if self.aggregate != "softmax" or "all_pairs" not in self.kinds:
                raise ValueError("model.pairs_address: needs an all_pairs layer with aggregate softmax (a score to address)")
            if not all(0 <= i < self.scalars for i in self.pairs_address):
                raise ValueError(f"model.pairs_address: scalar channels 0..{self.scalars - 1}, got {self.pairs_address}")
        elif not self.pairs_receiver:
            raise ValueError("model.pairs_receiver: false needs model.pairs_address (the senders' addresses to read)")
        if any(d.source == "pairs" for d in self.decoders) and "all_pairs" not in self.kinds[:self.layers]:
            raise ValueError("model.decoders: source 'pairs' needs an all_pairs layer")
        names = [d.name for d in self.decoders]
        if len(set(names)) != len(names):
            raise ValueError(f"model.decoders: names must be unique, got {names}")


# --- data and training -----------------------------------------------------------------------

@dataclass(frozen=True)
class DataConfig:
    min_length: int = 1  # training records' lengths (characters, lines, ...)
    max_length: int = 64
    ood_min_length: int = 0  # the out-of-range check (0: none)
    ood_max_length: int = 0
    hints: tuple[str, ...] = ()  # named intermediate supervision; () = final answers only

    def __post_init__(self):
        if not 0 < self.min_length <= self.max_length:
            raise ValueError(f"data.min_length/max_length: need 0 < min <= max, got {self.min_length}, {self.max_length}")
        if self.ood_max_length < self.ood_min_length:
            raise ValueError("data.ood_max_length: must be >= data.ood_min_length")


@dataclass(frozen=True)
class TrainSection(TrainConfig):
    """The training loop's settings (aocnn.nn.task.TrainConfig) and the family's schedule for its exact weights."""

    batch_size: int = 128
    eval_size: int = 2048
    pull_ramp: float = 0.3  # the integer pull ramps from 0 to full over this fraction of max_steps
    pull_start: float = 0.0  # ... starting at this fraction of max_steps (> 0: a float fit first, then onto integers);
    # the `decisive` terms keep their own ramp (decisive_start)
    decisive_start: float = 0.0  # the `decisive` and `gate_decisive` terms ramp in (over pull_ramp) from this fraction
    # of max_steps: > 0, gates first learn where they open before anything pushes them to commit (pushed from step 0,
    # a gate head can commit to open everywhere, and a saturated gate gets no gradient to learn from)
    snap_tolerance: float = 0.1  # finalize: exact_ weights this close to an integer are set to it
    round_start: float = 1.0  # from this fraction of max_steps the forward pass rounds exact_ weights (1: never)
    round_ramp: float = 0.2  # ... reaching round_max this fraction of max_steps later
    round_max: float = 1.0  # the most the training forward pass rounds; checks and solves always round fully
    hints_first: float = 0.0  # a curriculum: for this fraction of max_steps only the heads named in data.hints
    # are trained (the answer's heads join after); 0: every head from step 0

    def __post_init__(self):
        super().__post_init__()
        if not 0.0 <= self.pull_start < 1.0:
            raise ValueError(f"train.pull_start: need a fraction of max_steps in [0, 1), got {self.pull_start}")
        if not 0.0 <= self.decisive_start < 1.0:
            raise ValueError(f"train.decisive_start: need a fraction of max_steps in [0, 1), got {self.decisive_start}")
        if not 0.0 <= self.hints_first < 1.0:
            raise ValueError(f"train.hints_first: need a fraction of max_steps in [0, 1), got {self.hints_first}")

    def as_ended(self) -> TrainSection:
        """The integer pull and the decisive terms at full, and rounding (if the run rounds) at round_max, all
        within ENDED_RAMP of the first step; every head trained from step 0."""
        rounds = self.round_start < 1.0
        return replace(self, pull_start=0.0, pull_ramp=ENDED_RAMP, decisive_start=0.0, hints_first=0.0,
                       round_start=0.0 if rounds else 1.0, round_ramp=ENDED_RAMP if rounds else self.round_ramp)


@dataclass(frozen=True)
class Config:
    model: ModelConfig
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainSection = field(default_factory=TrainSection)

    def __post_init__(self):
        if self.train.hints_first:
            heads = {d.name for d in self.model.decoders}
            hinted = set(self.data.hints) & heads
            if not hinted or hinted == heads:
                raise ValueError("train.hints_first: needs a head named in data.hints and one that is not "
                                 f"(heads {sorted(heads)}, hints {list(self.data.hints)})")


# --- JSON round trip ------------------------------------------------------------------------

def to_dict(config: Any) -> Any:
    """Plain JSON values (dicts, lists, numbers, strings)."""
    if dataclasses.is_dataclass(config):
        return {f.name: to_dict(getattr(config, f.name)) for f in dataclasses.fields(config)}
    if isinstance(config, (tuple, list)):
        return [to_dict(v) for v in config]
    return config


def from_dict(cls: type, data: dict) -> Any:
    """The dataclass `cls` rebuilt from `to_dict`'s output; unknown keys are a ValueError."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown field(s) {', '.join(unknown)}")
    return cls(**{name: _rebuild(hints[name], value) for name, value in data.items()})


def _rebuild(hint: Any, value: Any) -> Any:
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value)
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_rebuild(item, v) for v in value)
    return value


# --- overrides ------------------------------------------------------------------------------

def override(config: Any, assignments: list[str]) -> Any:
    """`config` with each "path.to.field=value" applied, the value coerced to the field's type.

    Tuples of plain values take comma-separated lists ("model.kinds=recurrence,all_pairs"); a field of
    one element of a tuple of named sections is set through its name ("model.decoders.answer.read=sum").
    Any problem is a one-line ValueError naming the assignment."""
    for assignment in assignments:
        path, sep, text = assignment.partition("=")
        if not sep or not path.strip():
            raise ValueError(f"--set {assignment!r}: expected section.field=value")
        config = _assign(config, path.strip().split("."), text.strip(), path.strip())
    return config


def _assign(node: Any, keys: list[str], text: str, path: str) -> Any:
    if not dataclasses.is_dataclass(node):
        raise ValueError(f"--set {path}: {'.'.join(keys)} is not a config section")
    names = [f.name for f in dataclasses.fields(node)]
    key = keys[0]
    if key not in names:
        raise ValueError(f"--set {path}: unknown field {key!r} (known: {', '.join(names)})")
    hint = typing.get_type_hints(type(node))[key]
    if len(keys) > 1 and _is_section_list(hint):  # e.g. model.decoders.answer.read: the element by its name
        value = _assign_named(getattr(node, key), keys[1:], text, path)
    elif len(keys) > 1:
        value = _assign(getattr(node, key), keys[1:], text, path)
    elif dataclasses.is_dataclass(hint):
        raise ValueError(f"--set {path}: is a section; set one of its fields")
    else:
        value = _coerce(hint, text, path)
    try:
        return dataclasses.replace(node, **{key: value})
    except ValueError as error:
        raise ValueError(f"--set {path}={text}: {error}") from None


def _is_section_list(hint: Any) -> bool:
    return typing.get_origin(hint) is tuple and dataclasses.is_dataclass(typing.get_args(hint)[0])


def _assign_named(items: tuple, keys: list[str], text: str, path: str) -> tuple:
    """`items` (sections with a `name`, such as decoders) with the one named keys[0] changed."""
    names = [getattr(item, "name", None) for item in items]
    if keys[0] not in names:
        raise ValueError(f"--set {path}: no element named {keys[0]!r} (known: {', '.join(map(str, names))})")
    if len(keys) < 2:
        raise ValueError(f"--set {path}: is a section; set one of its fields")
    at = names.index(keys[0])
    return items[:at] + (_assign(items[at], keys[1:], text, path),) + items[at + 1:]


def _coerce(hint: Any, text: str, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        if dataclasses.is_dataclass(item):
            raise ValueError(f"--set {path}: a list of sections cannot be set from the command line")
        return tuple(_coerce(item, part.strip(), path) for part in text.split(",") if part.strip())
    if origin in (typing.Union, types.UnionType):
        options = [h for h in typing.get_args(hint) if h is not type(None)]
        if text.lower() in ("none", "null"):
            return None
        return _coerce(options[0], text, path)
    try:
        if hint is bool:
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return lowered in ("true", "1", "yes")
        if hint is int:
            return int(text)
        if hint is float:
            return float(text)
        if hint is str:
            return text
    except ValueError:
        raise ValueError(f"--set {path}={text}: expected {hint.__name__}") from None
    raise ValueError(f"--set {path}: cannot set a field of type {hint}")
