"""The architecture search space, declared once over the shared family's config (model and train sections).

Every decision is categorical: a config field and the values a search may give it, in the order a
controller emits them (Zoph & Le: one decision at a time). A task's space is this one, narrowed:
- fields its config does not have are left out (e.g. a train section without `round_start`);
- fields the puzzle fixes (`NeuralTask.search_fixed`, or `--set` on the command line) keep their value;
- all-pairs layers are left out where their L x L messages would not fit in memory at the task's lengths.
A narrowed decision keeps only values from this declaration: the shipped config must lie inside
(`outside`, checked for every family task by the tests).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from aocnn.errors import AocnnError
from aocnn.nn.family import AGGREGATES, DIRECTIONS, GATES, QUANTISE


@dataclass(frozen=True)
class Decision:
    field: str  # "section.field", as `--set` names it
    choices: tuple  # plain values (optuna's categorical choices); a tuple field is a comma-joined string


SPACE: tuple[Decision, ...] = (
    Decision("model.layers", (0, 1, 2, 3)),  # 0: encoder and heads only
    Decision("model.kinds", ("recurrence", "all_pairs", "recurrence,all_pairs")),
    Decision("model.width", (2, 4, 8, 16, 24, 32, 48, 64)),
    Decision("model.state", (1, 2, 4, 8, 16, 32)),
    Decision("model.direction", DIRECTIONS),
    Decision("model.gate", GATES),
    Decision("model.window", (1, 2, 3, 5)),
    Decision("model.encoder_mlp", (0, 16, 32, 64, 128)),
    Decision("model.mlp", (0, 16, 32, 64)),
    Decision("model.pairs_hidden", (8, 16, 24, 32)),
    Decision("model.aggregate", AGGREGATES),
    Decision("model.integer_pull", (0.0, 0.01, 0.05, 0.1)),
    Decision("model.exact_clip", (False, True)),
    Decision("model.quantise", QUANTISE),
    Decision("train.learning_rate", (0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.05, 0.1)),
    Decision("train.round_start", (0.3, 0.5, 0.6, 0.7, 0.75, 1.0)),
)

PAIRS_BYTES = 2**30  # the most one all-pairs message tensor (chunk x L x L x hidden float32) may take
ALL_PAIRS_ONLY = ("model.pairs_hidden", "model.aggregate")  # what matters only when all-pairs layers can be chosen


def value_of(config: Any, field: str) -> Any:
    """The config's value for "section.field", as a search choice (tuples comma-joined)."""
    section, name = field.split(".")
    value = getattr(getattr(config, section), name)
    return ",".join(map(str, value)) if isinstance(value, tuple) else value


def has_field(config: Any, field: str) -> bool:
    section, name = field.split(".")
    part = getattr(config, section, None)
    return part is not None and dataclasses.is_dataclass(part) and name in {f.name for f in dataclasses.fields(part)}


def pairs_fit(config: Any) -> bool:
    """Would an all-pairs layer's messages fit at the task's longest records and largest chunk?"""
    data, train = config.data, config.train
    length = max(data.max_length, data.ood_max_length)
    chunk = max(train.batch_size, min(train.eval_size, 1024), min(train.far_size, 1024))
    hidden = max(dict((d.field, d.choices) for d in SPACE)["model.pairs_hidden"])
    return chunk * length * length * hidden * 4 <= PAIRS_BYTES


def space(config: Any, fixed: tuple[str, ...] = ()) -> tuple[Decision, ...]:
    """The decisions a search makes for a task with this config; `fixed` fields keep the config's value."""
    unknown = [f for f in fixed if f not in {d.field for d in SPACE}]
    if unknown:
        raise AocnnError(f"cannot fix {', '.join(unknown)}: not in the search space "
                         f"({', '.join(d.field for d in SPACE)})")
    decisions = []
    pairs = pairs_fit(config)
    for decision in SPACE:
        if decision.field in fixed or not has_field(config, decision.field):
            continue
        choices = decision.choices
        if decision.field == "model.kinds" and not pairs:
            choices = tuple(c for c in choices if "all_pairs" not in c)
        if decision.field in ALL_PAIRS_ONLY and not pairs:
            continue
        if len(choices) > 1:
            decisions.append(Decision(decision.field, choices))
    return tuple(decisions)


def outside(config: Any, decisions: tuple[Decision, ...]) -> list[str]:
    """Fields whose value in `config` is not among the space's choices ([] = the config lies inside)."""
    return [f"{d.field}={value_of(config, d.field)!r} (choices: {', '.join(map(str, d.choices))})"
            for d in decisions if value_of(config, d.field) not in d.choices]


def assignments(params: dict[str, Any]) -> list[str]:
    """A trial's choices as `--set` assignments."""
    return [f"{field}={value}" for field, value in params.items()]


def configure(config: Any, params: dict[str, Any]) -> Any:
    """`config` with a trial's choices applied (a ValueError if the family rejects the combination)."""
    from aocnn.nn.config import override

    return override(config, assignments(params))


def differences(config: Any, shipped: Any, decisions: tuple[Decision, ...]) -> list[str]:
    """The decisions where `config` differs from the shipped one, as `--set` assignments."""
    return [f"{d.field}={value_of(config, d.field)}" for d in decisions
            if value_of(config, d.field) != value_of(shipped, d.field)]
