"""What jax compiled while a block ran: `with compilations() as seen:` then `seen.count("train_step")`.

Read from jax.monitoring's compile events, so a program served from the persistent compilation
cache still counts (it was asked for again), and the seconds spent tracing, lowering and
compiling add up to the compile share of a training run (scripts/speed_train.py)."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

BACKEND_COMPILE = "/jax/core/compile/backend_compile_duration"
STAGES = ("/jax/core/compile/jaxpr_trace_duration", "/jax/core/compile/jaxpr_to_mlir_module_duration", BACKEND_COMPILE)


@dataclass
class Compilations:
    programs: Counter = field(default_factory=Counter)  # jitted function name -> backend compiles
    seconds: float = 0.0  # tracing, lowering and compiling, all functions

    def count(self, name: str) -> int:
        """Compiles of programs whose name contains `name` (jax names them e.g. "jit_train_step")."""
        return sum(n for program, n in self.programs.items() if name in program)


@contextmanager
def compilations() -> Iterator[Compilations]:
    import jax.monitoring

    seen = Compilations()

    def listen(event: str, duration: float, **kwargs) -> None:
        if event in STAGES:
            seen.seconds += duration
        if event == BACKEND_COMPILE:
            seen.programs[str(kwargs.get("fun_name", "?"))] += 1

    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        yield seen
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
