"""A neural task's config: frozen dataclasses in three sections (model, data, train), JSON round trip,
and `override` for `--set section.field=value`.

A puzzle declares `Config(model=ModelConfig(...), data=DataConfig(...), train=TrainSection(...))`;
meta.json stores `to_dict(config)`; `from_dict(Config, meta["config"])` rebuilds it (no generator runs).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from aocnn.nn.family import DecoderConfig, ModelConfig  # noqa: F401  (re-exported: one import for a puzzle)
from aocnn.nn.task import TrainConfig


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
    snap_tolerance: float = 0.1  # finalize: exact_ weights this close to an integer are set to it
    round_start: float = 1.0  # from this fraction of max_steps the forward pass rounds exact_ weights (1: never)
    round_ramp: float = 0.2  # ... reaching round_max this fraction of max_steps later
    round_max: float = 1.0  # the most the training forward pass rounds; checks and solves always round fully


@dataclass(frozen=True)
class Config:
    model: ModelConfig
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainSection = field(default_factory=TrainSection)


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

    Tuples of plain values take comma-separated lists ("model.kinds=recurrence,all_pairs").
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
    if len(keys) > 1:
        value = _assign(getattr(node, key), keys[1:], text, path)
    elif dataclasses.is_dataclass(hint):
        raise ValueError(f"--set {path}: is a section; set one of its fields")
    else:
        value = _coerce(hint, text, path)
    try:
        return dataclasses.replace(node, **{key: value})
    except ValueError as error:
        raise ValueError(f"--set {path}={text}: {error}") from None


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
