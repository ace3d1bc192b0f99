"""A REINFORCE controller (Zoph & Le, 2017) as an optuna sampler.

The controller is a small Flax LSTM that emits the architecture one categorical decision at a time:
at each step it reads an embedding of the previous decision's choice (a start token first), and a
per-decision linear head gives the logits of the next one. A trial's choices are sampled from it.

It learns from finished trials only, one REINFORCE step per trial in trial-number order:
loss = -(R - b) * sum_t log p(a_t | a_<t) - entropy_bonus * sum_t H_t, with Adam, where R is the
trial's value (a pruned trial: its last reported value) and b an exponential moving average of the
earlier rewards (the first reward starts it). Failed trials are skipped, as optuna's samplers do.

The policy is therefore a function of the seed and the study's history, not of this process: a
resumed study, or several workers sharing one storage, see the same policy for the same history.
Trial n's choices are drawn with a key made from (seed, n), so a search is reproducible by seed.
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

import numpy as np
import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.samplers import BaseSampler, RandomSampler
from optuna.trial import FrozenTrial, TrialState


def _controller(choices: tuple[int, ...], hidden: int):
    import flax.linen as nn
    import jax
    import jax.numpy as jnp

    n_choices = max(choices)
    offsets = np.concatenate([[0], np.cumsum(choices)])  # row of decision t's choice a: offsets[t] + a
    valid_DxK = np.arange(n_choices)[None, :] < np.array(choices)[:, None]

    class Controller(nn.Module):
        """Logits of each decision given the previous ones (teacher forcing), or a sample."""

        def setup(self):
            self.cell = nn.LSTMCell(hidden)
            self.embed = nn.Embed(int(offsets[-1]) + 1, hidden)  # the last row: the start token
            self.heads = self.param("heads", nn.initializers.lecun_normal(), (len(choices), hidden, n_choices))
            self.bias = self.param("bias", nn.initializers.zeros, (len(choices), n_choices))

        def step(self, carry, row, t):
            carry, h_H = self.cell(carry, self.embed(jnp.asarray(row, jnp.int32)))
            logits_K = h_H @ self.heads[t] + self.bias[t]
            return carry, jnp.where(valid_DxK[t], logits_K, -1e9)

        def __call__(self, actions_D):
            carry = self.cell.initialize_carry(jax.random.PRNGKey(0), (hidden,))
            row, logits = int(offsets[-1]), []
            for t in range(len(choices)):
                carry, logits_K = self.step(carry, row, t)
                logits.append(logits_K)
                row = offsets[t] + actions_D[t]
            return jnp.stack(logits)

        def sample(self, key):
            carry = self.cell.initialize_carry(jax.random.PRNGKey(0), (hidden,))
            row, actions = int(offsets[-1]), []
            for t, key_t in enumerate(jax.random.split(key, len(choices))):
                carry, logits_K = self.step(carry, row, t)
                action = jax.random.categorical(key_t, logits_K)
                actions.append(action)
                row = offsets[t] + action
            return jnp.stack(actions)

    return Controller()


@functools.lru_cache(maxsize=8)
def _compiled(choices: tuple[int, ...], hidden: int, learning_rate: float, entropy_bonus: float):
    """The controller's jitted functions, shared by every policy of the same shape (compiled once)."""
    import jax
    import jax.numpy as jnp
    import optax

    module = _controller(choices, hidden)
    optimizer = optax.adam(learning_rate)
    zeros = jnp.zeros(len(choices), jnp.int32)

    def loss(params, actions_D, advantage):
        log_p_DxK = jax.nn.log_softmax(module.apply({"params": params}, actions_D))
        chosen = jnp.take_along_axis(log_p_DxK, actions_D[:, None], axis=1).sum()
        entropy = -jnp.sum(jnp.where(log_p_DxK > -1e8, jnp.exp(log_p_DxK) * log_p_DxK, 0.0))
        return -advantage * chosen - entropy_bonus * entropy

    def learn(params, state, actions_D, advantage):
        grads = jax.grad(loss)(params, actions_D, advantage)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    def init(key):
        params = module.init(key, zeros)["params"]
        return params, optimizer.init(params)

    return (_compiled_once(init), _compiled_once(learn),
            _compiled_once(lambda params, key: module.apply({"params": params}, key, method="sample")),
            _compiled_once(lambda params, actions: jax.nn.softmax(module.apply({"params": params}, actions))))


def _compiled_once(fn):
    """`fn` jitted and compiled ahead of time at its first call. The executable is held here, so it
    survives `jax.clear_caches()`, which a search runs after every trial: with plain `jax.jit` the
    controller was compiled anew for every trial (about 20 s per trial on a loaded 2-core machine,
    more than a small trial's training)."""
    import jax

    jitted, compiled = jax.jit(fn), []

    def call(*args):
        if not compiled:
            compiled.append(jitted.lower(*args).compile())
        return compiled[0](*args)

    return call


class Policy:
    """The controller's parameters, its optimizer and the reward baseline; `learn` takes one REINFORCE step."""

    def __init__(self, choices: tuple[int, ...], seed: int, hidden: int = 32, learning_rate: float = 0.02,
                 entropy_bonus: float = 0.05, baseline_decay: float = 0.8):
        self.choices, self.seed, self.baseline_decay = choices, seed, baseline_decay
        self._init, self._learn, self._sample, self._probabilities = _compiled(
            tuple(choices), hidden, float(learning_rate), float(entropy_bonus))
        self.reset()

    def reset(self) -> None:
        import jax

        self.params, self.state = self._init(jax.random.PRNGKey(self.seed))
        self.baseline: float | None = None
        self.seen: list[int] = []  # trial numbers learned from, in order

    def learn(self, number: int, actions: Sequence[int], reward: float) -> None:
        baseline = reward if self.baseline is None else self.baseline
        self.params, self.state = self._learn(self.params, self.state, np.asarray(actions, np.int32),
                                              np.float32(reward - baseline))
        self.baseline = self.baseline_decay * baseline + (1 - self.baseline_decay) * reward
        self.seen.append(number)

    def sample(self, number: int) -> list[int]:
        import jax

        key = jax.random.fold_in(jax.random.PRNGKey(self.seed), number)
        return [int(a) for a in self._sample(self.params, key)]

    def probabilities(self, actions: Sequence[int]) -> np.ndarray:
        """p(choice | the given earlier actions) per decision: D x max(choices)."""
        return np.asarray(self._probabilities(self.params, np.asarray(actions, np.int32)))


def reward(trial: FrozenTrial) -> float | None:
    """What the controller learns from: a finished trial's value; a pruned one's last report."""
    if trial.state == TrialState.COMPLETE:
        return float(trial.value)
    if trial.state == TrialState.PRUNED and trial.intermediate_values:
        return float(trial.intermediate_values[max(trial.intermediate_values)])
    if trial.state == TrialState.PRUNED:
        return 0.0
    return None


class ReinforceSampler(BaseSampler):
    """Samples the decisions in `space` (name -> choices, in emission order) from the REINFORCE controller;
    anything else a trial suggests is sampled at random."""

    def __init__(self, space: dict[str, Sequence[Any]], seed: int = 0, **policy: Any):
        self.space = {name: CategoricalDistribution(list(choices)) for name, choices in space.items()}
        self.policy = Policy(tuple(len(c) for c in space.values()), seed, **policy)
        self._random = RandomSampler(seed=seed)

    def infer_relative_search_space(self, study: optuna.Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return dict(self.space)

    def sample_relative(self, study: optuna.Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        if not search_space:
            return {}
        self.catch_up(study.get_trials(deepcopy=False))
        actions = self.policy.sample(trial.number)
        return {name: dist.choices[a] for (name, dist), a in zip(self.space.items(), actions)}

    def sample_independent(self, study: optuna.Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        return self._random.sample_independent(study, trial, param_name, param_distribution)

    def actions(self, trial: FrozenTrial) -> list[int] | None:
        """The controller's actions that gave this trial's choices (None: the trial lacks one)."""
        try:
            return [dist.choices.index(trial.params[name]) for name, dist in self.space.items()]
        except (KeyError, ValueError):
            return None

    def catch_up(self, trials: Sequence[FrozenTrial]) -> None:
        """Learn from the finished trials not yet learned from; replay from the start when one finished
        out of order (another worker), so the policy stays a function of the history."""
        learnable = []
        for trial in sorted(trials, key=lambda t: t.number):
            r, actions = reward(trial), self.actions(trial)
            if r is not None and actions is not None:
                learnable.append((trial.number, actions, r))
        numbers = [n for n, _, _ in learnable]
        if numbers[: len(self.policy.seen)] != self.policy.seen:
            self.policy.reset()
        for number, actions, r in learnable[len(self.policy.seen):]:
            self.policy.learn(number, actions, r)

    def reseed_rng(self) -> None:
        self._random.reseed_rng()
