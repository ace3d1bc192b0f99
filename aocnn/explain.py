"""`aocnn explain`: what a part's network computes, and how it trained, as data ready to draw.

Nothing here knows a puzzle. The network is run through the task's own `solve` (so it sees exactly
what a solve feeds it), with every call recorded: outputs of every row, and for one row (the N-th
record the solve gave the network) the intermediates flax captures (each top-level layer's output)
and those the family sows (the stream after each block, recurrent states, pairwise messages).
Drawing is in `aocnn.plots`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jax
import numpy as np

from aocnn.errors import AocnnError, InputError
from aocnn.nn import checkpoint
from aocnn.registry import Puzzle

PLOTS_EXTRA = "aocnn explain needs matplotlib: pip install 'aocnn[plots]'"


class ExplainError(AocnnError):
    """What explain cannot do with these arguments: one line, exit 2."""


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ExplainError(PLOTS_EXTRA) from exc


def output_dir(out: Path | None, year: int, day: int, cwd: Path | None = None, name: str | None = None) -> Path:
    """Where the pictures go, checked (not created): --out must be new or empty; by default a new
    folder `aocnn-explain-YEAR-DD[-k]` (or `name[-k]`) in the current directory. Nothing is ever overwritten."""
    if out is not None:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise ExplainError(f"--out {out}: exists and is not an empty folder (explain never overwrites pictures)")
        return out
    base = (cwd or Path.cwd()) / (name or f"aocnn-explain-{year}-{day:02d}")
    candidate, k = base, 1
    while candidate.exists():
        k += 1
        candidate = base.with_name(f"{base.name}-{k}")
    return candidate


@dataclass(frozen=True)
class Source:
    """Which network a picture comes from, for every figure's title."""

    puzzle: str  # "2015/1"
    part: int
    task: str
    family: str
    checkpoint: str  # path of the weights
    digest: str
    created: str
    converged: bool
    device: str

    def line(self) -> str:
        state = "converged" if self.converged else "NOT converged"
        return (f"{self.puzzle} part {self.part} - network {self.task} ({self.family}, {state}) - device {self.device}\n"
                f"weights {self.checkpoint} {self.digest[:19]}, saved {self.created}")


@dataclass
class Capture:
    """What the network computed while solving one input."""

    rows: int = 0  # records the solve fed the network, over all calls
    outputs: list[Any] = field(default_factory=list)  # each call's outputs (numpy)
    row_inputs: dict[str, np.ndarray] | None = None  # the chosen row's inputs
    row_intermediates: list[tuple[str, np.ndarray]] | None = None  # (name, the chosen row's array), in order


def _leading(tree: Any) -> int:
    return int(np.shape(jax.tree_util.tree_leaves(tree)[0])[0])


def _row(tree: Any, i: int, size: int) -> Any:
    """Row i of every array with the batch's leading axis (others, e.g. a batch-wide penalty, left out)."""
    return {k: np.asarray(v)[i] for k, v in tree.items() if np.ndim(v) >= 1 and np.shape(v)[0] == size}


def _top_level(module, method_name: str) -> bool:
    return method_name == "__call__" and len(module.path) <= 1  # the model and its direct layers, not every Dense


def flat_intermediates(tree: Any) -> list[tuple[str, np.ndarray]]:
    """flax's intermediates as (name, array) in the order they were computed; a sown or captured tuple
    of one value is that value, and dict outputs (the model's heads) become one entry per key."""
    found = []

    def walk(prefix: list[str], node: Any) -> None:
        if isinstance(node, dict) or hasattr(node, "items"):
            for key, value in node.items():
                walk(prefix + ([] if key == "__call__" else [str(key)]), value)
        elif isinstance(node, (tuple, list)):
            for value in node:
                walk(prefix, value)
        else:
            found.append(("/".join(prefix) or "output", node if isinstance(node, jax.core.Tracer) else np.asarray(node)))

    walk([], tree)
    return found


class Recorder:
    """Stands in for a loaded `Model` during a solve: runs the same parameters through the module with
    flax's `capture_intermediates` and keeps what the chosen row computed."""

    def __init__(self, network, record: int):
        self.network = network
        self.task = network.task
        self.record = record
        self.capture = Capture()
        module = getattr(network.task.model, "module", network.task.model)  # a family's lazy model holds its module

        self.order: list[str] = []  # intermediates in the order they were computed (jit's outputs sort dict keys)

        def run(params, batch):
            outputs, state = module.apply({"params": params}, batch, capture_intermediates=_top_level,
                                          mutable=["intermediates"])
            self.order[:] = [name for name, _ in flat_intermediates(state["intermediates"])]  # at trace time
            return outputs, state

        self._run = jax.jit(run)

    def __call__(self, batch):
        outputs, state = self._run(self.network.params, jax.device_put(batch, self.network.device))
        outputs = jax.device_get(outputs)
        size, capture = _leading(batch), self.capture
        if capture.rows <= self.record < capture.rows + size:
            i = self.record - capture.rows
            capture.row_inputs = _row(batch, i, size)
            found = flat_intermediates(jax.device_get(state["intermediates"]))
            rank = {name: k for k, name in enumerate(self.order)}
            capture.row_intermediates = [(name, array[i]) for name, array in
                                         sorted(found, key=lambda item: rank.get(item[0], len(rank)))
                                         if array.ndim >= 1 and array.shape[0] == size]
        capture.rows += size
        capture.outputs.append(outputs)
        return outputs

    # what puzzles' solves may read from a Model
    def __getattr__(self, name):
        return getattr(self.network, name)


@dataclass
class Explained:
    """Everything the pictures of one part show."""

    source: Source
    history: list[dict[str, Any]] | None
    capture: Capture
    record: int
    tokens: list[str]  # what to write along the position axis of the chosen row
    length: int  # the chosen row's valid positions
    params: list[tuple[str, np.ndarray]]
    doubts: dict[str, tuple[np.ndarray, float]] | None  # head -> (doubt per row, threshold); None: not declared
    answer: Any  # the solve's NeuralAnswer (or the error it raised, as text)


def valid_length(row_inputs: dict[str, np.ndarray]) -> int | None:
    """The chosen row's real length, from the conventions the tasks use (family `lengths`, bespoke `mask`)."""
    if "lengths" in row_inputs:
        return int(row_inputs["lengths"])
    if "mask" in row_inputs and np.ndim(row_inputs["mask"]) >= 1:
        return int(np.sum(row_inputs["mask"]))
    return None


def sequence_length(row_inputs: dict[str, np.ndarray]) -> int | None:
    """The padded length of the row's token axis: the first axis of its ids (or of any 1-D+ input)."""
    for key in ("ids", "mask", *row_inputs):
        value = row_inputs.get(key)
        if value is not None and np.ndim(value) >= 1:
            return int(np.shape(value)[0])
    return None


def tokens_for(row_inputs: dict[str, np.ndarray], line: str | None, length: int) -> list[str]:
    """Labels for the positions: the record's characters when its text lines up with the positions
    (one character per position), else the token ids (the `ids` input, or the first integer input
    laid out along the positions), else the position numbers."""
    if line is not None and len(line) == length:
        return list(line)
    padded = sequence_length(row_inputs)
    candidates = [row_inputs.get("ids")] + [v for k, v in row_inputs.items() if k != "ids"]
    for ids in candidates:
        if ids is not None and np.ndim(ids) >= 1 and np.shape(ids)[0] == padded and np.issubdtype(np.asarray(ids).dtype, np.integer):
            ids = np.asarray(ids)[:length]
            return [str(int(v)) if ids.ndim == 1 else ",".join(str(int(x)) for x in np.ravel(v)) for v in ids]
    return [str(i) for i in range(length)]


def parameter_arrays(params: Any) -> list[tuple[str, np.ndarray]]:
    return [("/".join(str(getattr(k, "key", k)) for k in path), np.asarray(leaf))
            for path, leaf in jax.tree_util.tree_flatten_with_path(jax.device_get(params))[0]]


def explain_part(puzzle: Puzzle, part: int, text: str, record: int, weights_root: Path | None = None,
                 device: str | None = None, progress: Callable[[str], None] | None = None) -> Explained:
    from aocnn import runner
    from aocnn.nn.model import weights_path

    say = progress or (lambda message: None)
    say(f"part {part}: loading the network")
    network = runner.load_neural(puzzle, part, device, weights_root, allow_unconverged=True)
    path = weights_path(network.task, weights_root)
    meta = network.meta
    history = checkpoint.read_history(path, meta)
    records = puzzle.records(text)
    say(f"part {part}: running it on the input (capturing intermediates)")
    recorder = Recorder(network, record)
    try:
        answer = network.task.solve(recorder, records)
    except AocnnError as exc:  # e.g. "no part 2 answer": the network still ran, its pictures still say why
        answer = str(exc)
    capture = recorder.capture
    if capture.row_inputs is None:
        raise InputError(f"--record {record}: the input gives part {part}'s network only {capture.rows} record(s) "
                         f"(numbered from 0)")
    lines = text.splitlines()
    length = valid_length(capture.row_inputs) or sequence_length(capture.row_inputs) or 0
    tokens = tokens_for(capture.row_inputs, lines[record] if record < len(lines) else None, length)
    doubts = None
    if network.task.doubt is not None:
        per_call = [network.task.doubt(outputs) for outputs in capture.outputs]
        doubts = {head: (np.concatenate([d[head][0] for d in per_call]), per_call[0][head][1]) for head in per_call[0]}
    source = Source(
        puzzle=f"{puzzle.year}/{puzzle.day}", part=part, task=network.task.name, family=str(meta.get("family")),
        checkpoint=_short(path), digest=str(meta.get("digest", "")), created=str(meta.get("created", "")),
        converged=network.converged, device=f"{network.device.platform}:{network.device.id}",
    )
    return Explained(source, history, capture, record, tokens, length, parameter_arrays(network.params), doubts, answer)


def _short(path: Path) -> str:
    """The weights path as a reader recognises it: from `weights/` on for shipped ones."""
    parts = Path(path).parts
    if "weights" in parts:
        return "/".join(parts[len(parts) - parts[::-1].index("weights") - 1:])
    return str(path)


@dataclass(frozen=True)
class Picture:
    path: Path
    what: str
    data: Path  # the plotted arrays (.npz), beside the PNG

    def as_json(self) -> dict[str, str]:
        return {"path": str(self.path), "what": self.what, "data": str(self.data)}


def explain(puzzle: Puzzle, parts: list[int], text: str, record: int, out: Path, weights_root: Path | None = None,
            device: str | None = None, progress: Callable[[str], None] | None = None) -> tuple[list[Picture], list[str]]:
    """Draw every part's pictures into `out` (created here); returns them and notes (what was skipped, and why)."""
    from aocnn import plots

    explained = [explain_part(puzzle, part, text, record, weights_root, device, progress) for part in parts]
    out.mkdir(parents=True, exist_ok=True)  # checked by `output_dir`: new or empty
    pictures, notes = [], []
    for item in explained:
        if progress:
            progress(f"part {item.source.part}: drawing")
        drawn, skipped = plots.draw_part(item, out)
        pictures.extend(drawn)
        notes.extend(skipped)
    return pictures, notes


# --- search studies (from `aocnn search`) --------------------------------------------------------------

def load_studies(names: list[str], storage: str) -> list:
    """The optuna studies `names` from `storage` (an optuna storage URL, e.g. sqlite:///search.db)."""
    try:
        import optuna
    except ImportError as exc:
        raise ExplainError("aocnn explain --study needs optuna: pip install optuna") from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    studies = []
    for name in names:
        try:
            studies.append(optuna.load_study(study_name=name, storage=storage))
        except Exception as exc:  # a missing study is a KeyError, a bad URL anything from sqlalchemy
            try:
                known = ", ".join(optuna.get_all_study_names(storage)) or "none"
            except Exception:
                raise ExplainError(f"--storage {storage}: cannot open it ({type(exc).__name__})") from exc
            raise ExplainError(f"--study {name}: no such study in {storage} (studies there: {known})") from exc
    return studies


def explain_studies(names: list[str], storage: str, out: Path) -> list[Picture]:
    from aocnn import plots

    studies = load_studies(names, storage)
    out.mkdir(parents=True, exist_ok=True)  # checked by `output_dir`: new or empty
    path = out / "study-history.png"
    made = plots.figure_studies(studies, storage)
    return [Picture(path, "best-so-far objective against trials, one line per study (sampler)", plots.save(*made, path))]
