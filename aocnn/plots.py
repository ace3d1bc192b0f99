"""The pictures of `aocnn explain` (matplotlib, the optional `plots` extra; Agg, never a display).

Each `figure_*` function returns (figure, {name: plotted array}) or None when there is nothing to
draw; `draw_part` saves each as NAME.png with the arrays in NAME.npz beside it, so what a picture
shows can be checked against the network.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from aocnn.explain import Explained, Picture

WINDOW = 64  # positions drawn as a heatmap with their characters; longer records also get a full-length line plot
LINES = 8  # channels drawn over the full length (those with the largest spread)
ANNOTATE = (120, 10)  # parameter tables with at most this many cells and columns get their values written in
PER_FIGURE = 16  # parameter tables per figure
DPI = 100


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _titled(fig, what: str, item: Explained) -> None:
    fig.suptitle(f"{what}\n{item.source.line()}", fontsize=9)


def _key(name: str) -> str:
    """An npz key for a drawn array: its (first) name, e.g. "recurrence0/state_fwd" -> "recurrence0_state_fwd"."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", name.split(" = ")[0]).strip("_") or "array"


# --- training --------------------------------------------------------------------------------

def figure_training(item: Explained):
    """Loss, held-out exactness (in range and beyond) and the learning rate against examples seen."""
    history = item.history
    if not history:
        return None
    plt = _pyplot()
    rows = [r for r in history if r.get("stage", "train") in ("train", "hard", "polish")]  # hard rounds and polish go on training
    final = [r for r in history if r.get("stage") == "final"]

    def column(key, source=rows):
        return np.array([np.nan if r.get(key) is None else float(r[key]) for r in source], dtype=np.float64)

    examples = column("examples")
    arrays = {"examples": examples, "loss": column("loss"), "held_out_loss": column("held_out_loss"),
              "exact": column("exact"), "far_exact": column("far_exact"), "learning_rate": column("learning_rate"),
              "step": column("step")}
    fig, (ax_loss, ax_exact, ax_rate) = plt.subplots(3, 1, figsize=(10, 9), sharex=True, constrained_layout=True)
    ax_loss.plot(examples, np.abs(arrays["loss"]), label="training batch", lw=1.2)
    ax_loss.plot(examples, np.abs(arrays["held_out_loss"]), label="held-out (in range)", lw=1.2)
    ax_loss.set_yscale("log")
    ax_loss.set_ylabel("loss (log scale)")
    ax_loss.set_title("loss")
    ax_loss.legend(fontsize=8)
    ax_exact.plot(examples, 100 * arrays["exact"], "o-", ms=3, label="held-out, training range")
    ax_exact.plot(examples, 100 * arrays["far_exact"], "s-", ms=3, label="held-out, beyond the range (checked once in range is exact)")
    if final:
        arrays["final_exact"] = column("exact", final)
        arrays["final_far_exact"] = column("far_exact", final)
        at = np.full(len(final), examples[-1] if len(examples) else 0.0)
        ax_exact.plot(at, 100 * arrays["final_far_exact"], "k*", ms=10, label="finalized network (saved), beyond")
    hard = [r["examples"] for r in rows if r.get("stage") == "hard"]
    if hard:
        arrays["hard_from"] = np.array([float(hard[0])])
        ax_exact.axvline(hard[0], color="grey", ls=":", label="hard rounds (drilling what the check found) from here")
    ax_exact.set_ylim(-2, 102)
    ax_exact.set_ylabel("exact records (%)")
    ax_exact.set_title("held-out exactness")
    ax_exact.legend(fontsize=8, loc="lower right")
    ax_rate.plot(examples, arrays["learning_rate"], lw=1.2)
    ax_rate.set_ylabel("learning rate")
    ax_rate.set_xlabel("training examples seen")
    ax_rate.set_title("learning-rate schedule")
    _titled(fig, "Training", item)
    return fig, arrays


# --- internals on one record -------------------------------------------------------------------

def _positional(item: Explained) -> tuple[list, list, list]:
    """The chosen row's intermediates sorted into per-position (L x F), pairwise (L x L) and the rest."""
    capture = item.capture
    padded = None
    for key in ("ids", "mask", *capture.row_inputs):
        value = capture.row_inputs.get(key)
        if value is not None and np.ndim(value) >= 1:
            padded = np.shape(value)[0]
            break
    unique: list[tuple[list[str], np.ndarray]] = []  # a value computed twice (e.g. a head and the model's output) once
    for name, array in capture.row_intermediates or []:
        array = np.asarray(array, dtype=np.float64)
        same = [names for names, a in unique if a.size == array.size and np.array_equal(a.reshape(-1), array.reshape(-1),
                                                                                         equal_nan=True)]
        if same:
            same[0].append(name) if name not in same[0] else None
        else:
            unique.append(([name], array))
    per_position, pairwise, readouts = [], [], []
    for names, array in unique:
        name = " = ".join(names)
        if padded and array.ndim >= 3 and array.shape[:2] == (padded, padded):  # L x L x H (an L x F is per position)
            pairs = array[: item.length, : item.length].reshape(item.length, item.length, -1)
            pairwise.append((name, pairs[..., 0] if pairs.shape[2] == 1 else np.linalg.norm(pairs, axis=-1)))
        elif padded and array.ndim >= 1 and array.shape[0] == padded:
            per_position.append((name, array[: item.length].reshape(item.length, -1)))
        else:
            readouts.append((name, array.reshape(-1)))
    return per_position, pairwise, readouts


def has_positions(item: Explained) -> bool:
    """Did any layer compute something at each position of the chosen record?"""
    return bool(_positional(item)[0])


def _position_ticks(ax, tokens: list[str], count: int) -> None:
    ax.set_xticks(range(count))
    ax.set_xticklabels([t if len(t) <= 3 else t[:3] for t in tokens[:count]], fontsize=7, family="monospace")


def figure_internals(item: Explained):
    """Each layer's output at every position of one record (heatmaps, characters along the axis), long
    records also as lines over their whole length, and the readouts (heads' outputs)."""
    per_position, _, readouts = _positional(item)
    if not per_position and not readouts:
        return None
    plt = _pyplot()
    long = item.length > WINDOW
    shown = min(item.length, WINDOW)
    panels = len(per_position) * (2 if long else 1) + len(readouts)
    heights = []
    for _, array in per_position:
        heights.append(max(1.8, 0.05 * min(array.shape[1], 64) + 1.4))
        if long:
            heights.append(2.2)
    heights.extend([2.4] * len(readouts))
    fig, axes = plt.subplots(panels, 1, figsize=(14, sum(heights) + 1.2), squeeze=False, constrained_layout=True,
                             gridspec_kw={"height_ratios": heights})
    axes = list(axes[:, 0])
    arrays: dict[str, np.ndarray] = {}
    record = f"record {item.record}"
    for name, array in per_position:
        arrays[_key(name)] = array
        ax = axes.pop(0)
        window = array[:shown].T  # channels x positions
        limit = float(np.nanmax(np.abs(window))) if window.size and np.isfinite(window).any() else 1.0
        image = ax.imshow(window, aspect="auto", cmap="RdBu_r", vmin=-limit or -1, vmax=limit or 1,
                          interpolation="nearest")
        fig.colorbar(image, ax=ax, pad=0.01, label="value")
        _position_ticks(ax, item.tokens, shown)
        ax.set_xlabel("position: its character (or token id)", fontsize=8)
        ax.set_ylabel("channel")
        if array.shape[1] <= 16:
            ax.set_yticks(range(array.shape[1]))
        what = f"positions 0-{shown - 1} of {item.length}" if long else f"all {item.length} positions"
        ax.set_title(f"{name}: {array.shape[1]} channel(s) at each position ({what}, {record})", fontsize=9)
        if long:
            ax = axes.pop(0)
            order = np.argsort(-np.nan_to_num(np.std(array, axis=0)))[:LINES]
            for channel in sorted(order):
                ax.plot(np.arange(item.length), array[:, channel], lw=0.8, label=f"ch {channel}")
            ax.set_xlim(0, item.length - 1)
            ax.set_xlabel("position")
            ax.set_ylabel("value")
            ax.legend(fontsize=7, ncol=min(LINES, 8), loc="upper left")
            ax.set_title(f"{name} over the whole record ({len(order)} of {array.shape[1]} channels, largest spread)",
                         fontsize=9)
    for name, values in readouts:
        arrays[_key(name)] = values
        ax = axes.pop(0)
        xs = np.arange(values.size)
        if values.size <= WINDOW:
            ax.bar(xs, np.nan_to_num(values), color="tab:purple")
            ax.set_xticks(xs)
            if values.size <= 16:
                for x, v in zip(xs, values):
                    ax.annotate(f"{v + 0:.4g}", (x, np.nan_to_num(v)), ha="center", va="bottom" if v >= 0 else "top",
                                fontsize=7)
        else:
            ax.plot(xs, values, lw=0.8, color="tab:purple")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xlabel("output index")
        ax.set_ylabel("value")
        ax.set_title(f"{name}: {values.size} output value(s) of {record} (a head's logits or value)", fontsize=9)
    _titled(fig, f"Internals on {record} ({item.length} positions)", item)
    return fig, arrays


def figure_pairs(item: Explained):
    """All-pairs layers: the size of the message each position (row) receives from each other (column)."""
    _, pairwise, _ = _positional(item)
    if not pairwise:
        return None
    plt = _pyplot()
    shown = min(item.length, WINDOW)
    fig, axes = plt.subplots(1, len(pairwise), figsize=(max(10, 6 * len(pairwise)), 6.5), squeeze=False, constrained_layout=True)
    arrays = {}
    for ax, (name, pairs) in zip(axes[0], pairwise):
        arrays[_key(name)] = pairs
        image = ax.imshow(pairs[:shown, :shown], cmap="viridis", interpolation="nearest")
        fig.colorbar(image, ax=ax, label="|message| (norm over hidden units)" if "messages" in name else "weight")
        _position_ticks(ax, item.tokens, shown)
        ax.set_yticks(range(shown))
        ax.set_yticklabels(item.tokens[:shown], fontsize=7, family="monospace")
        ax.set_xlabel("sender position")
        ax.set_ylabel("receiver position")
        ax.set_title(name, fontsize=9)
    _titled(fig, f"Pairwise maps on record {item.record}", item)
    return fig, arrays


# --- learned parameters -------------------------------------------------------------------------

def as_table(array: np.ndarray) -> np.ndarray:
    """Any parameter as a 2-D table: a scalar 1x1, a vector one row, more axes folded into the squarest table."""
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array.reshape(1, -1)
    splits = [(int(np.prod(array.shape[:k])), int(np.prod(array.shape[k:]))) for k in range(1, array.ndim)]
    rows, cols = min(splits, key=lambda rc: abs(math.log(rc[0] / rc[1])))
    return array.reshape(rows, cols)


def figures_parameters(item: Explained) -> list:
    """Every parameter array as a heatmap, small ones with their values written in."""
    plt = _pyplot()
    figures = []
    for start in range(0, len(item.params), PER_FIGURE):
        chunk = item.params[start:start + PER_FIGURE]
        cols = min(4, len(chunk))
        rows = -(-len(chunk) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(max(10, 4.2 * cols), 3.6 * rows + 1), squeeze=False,
                                 constrained_layout=True)
        arrays = {}
        for ax, (name, value) in zip(axes.flat, chunk):
            table = as_table(value)
            arrays[_key(name)] = np.asarray(value)
            limit = float(np.max(np.abs(table))) or 1.0
            image = ax.imshow(table, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
            fig.colorbar(image, ax=ax, pad=0.02)
            if table.size <= ANNOTATE[0] and table.shape[1] <= ANNOTATE[1]:
                for (r, c), v in np.ndenumerate(table):
                    ax.text(c, r, f"{v + 0:.3g}", ha="center", va="center", fontsize=7,
                            color="white" if abs(v) > 0.6 * limit else "black")
            ax.set_title(f"{name} {tuple(np.shape(value))}", fontsize=8)
            ax.set_xlabel(f"column (of {table.shape[1]})", fontsize=7)
            ax.set_ylabel(f"row (of {table.shape[0]})", fontsize=7)
            ax.tick_params(labelsize=6)
            if table.shape[0] <= 20:
                ax.set_yticks(range(table.shape[0]))
            if table.shape[1] <= 20:
                ax.set_xticks(range(table.shape[1]))
        for ax in list(axes.flat)[len(chunk):]:
            ax.axis("off")
        part = f" ({start // PER_FIGURE + 1} of {-(-len(item.params) // PER_FIGURE)})" if len(item.params) > PER_FIGURE else ""
        _titled(fig, f"Learned parameters{part}", item)
        figures.append((fig, arrays))
    return figures


# --- confidence over the input ------------------------------------------------------------------

FLOOR = 1e-12  # doubt 0 (an exact integer, p = 1) drawn here on the log axis


def figure_confidence(item: Explained):
    """Per head, the distribution over every record of the input of how far each answer is from sure,
    with the threshold beyond which a solve calls it low-confidence."""
    if not item.doubts:
        return None
    plt = _pyplot()
    heads = list(item.doubts.items())
    fig, axes = plt.subplots(1, len(heads), figsize=(max(10, 6.5 * len(heads)), 5), squeeze=False, constrained_layout=True)
    arrays = {}
    for ax, (head, (doubt, threshold)) in zip(axes[0], heads):
        arrays[_key(head)] = doubt
        arrays[_key(head) + "_threshold"] = np.array(threshold)
        finite = np.isfinite(doubt)
        shown = np.clip(doubt[finite], FLOOR, None)
        low = int(np.sum(~(doubt < threshold)))
        top = max(1.0, float(shown.max()) if shown.size else 1.0, threshold * 10)
        bins = np.logspace(np.log10(FLOOR), np.log10(top), 49)
        ax.hist(shown, bins=bins, color="tab:blue")
        ax.set_xscale("log")
        ax.axvline(threshold, color="tab:red", lw=1.5, label=f"low-confidence threshold {threshold:.3g}")
        ax.set_xlabel("doubt: |x - round(x)| (scalar) or 1 - p(answer) (class) [log; 0 drawn at 1e-12]", fontsize=8)
        ax.set_ylabel("records given to the network")
        nonfinite = f", {int(np.sum(~finite))} non-finite" if not finite.all() else ""
        ax.set_title(f"head {head}: {doubt.size} records, {low} at or past the threshold{nonfinite}", fontsize=9)
        ax.legend(fontsize=8)
    _titled(fig, f"Confidence over the whole input (solve: {_answer(item)})", item)
    return fig, arrays


def _answer(item: Explained) -> str:
    answer = item.answer
    if isinstance(answer, str):
        return answer
    return f"answer {answer.answer}, {answer.low_confidence} of {answer.records} records low-confidence"


# --- saving ----------------------------------------------------------------------------------------

def save(fig, arrays: dict[str, Any], path: Path, dpi: int = DPI) -> Path:
    plt = _pyplot()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    data = path.with_suffix(".npz")
    np.savez_compressed(data, **{k: np.asarray(v) for k, v in arrays.items()})
    return data


def draw_part(item: Explained, out: Path) -> tuple[list[Picture], list[str]]:
    """Every picture of one part into `out`; and notes on what could not be drawn."""
    prefix = f"part{item.source.part}"
    pictures, notes = [], []

    def keep(made, name: str, what: str, missing: str | None = None) -> None:
        if made is None:
            if missing:
                notes.append(f"part {item.source.part}: {missing}")
            return
        path = out / f"{prefix}-{name}.png"
        pictures.append(Picture(path, what, save(*made, path)))

    keep(figure_training(item), "training", "loss, held-out exactness in range and beyond, and learning rate "
         "against examples seen", "no training history recorded with these weights (saved before histories were kept)")
    keep(figure_internals(item), "internals", f"each layer's output at every position of record {item.record}, "
         "and the heads' readouts", "no per-position intermediates captured")
    keep(figure_pairs(item), "pairs", f"pairwise maps of the all-pairs layers on record {item.record}")
    for number, made in enumerate(figures_parameters(item), 1):
        keep(made, f"parameters{number}" if len(item.params) > PER_FIGURE else "parameters",
             "every learned parameter array as a heatmap (small ones annotated)")
    keep(figure_confidence(item), "confidence", "per-record doubt over the whole input, with the low-confidence threshold",
         "no per-record confidence declared by this network's task (NeuralTask.doubt)")
    return pictures, notes


# --- search studies -------------------------------------------------------------------------------

def best_so_far(study) -> tuple[np.ndarray, np.ndarray]:
    """Trial numbers of the finished trials, and the best objective value up to each."""
    import optuna

    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE and t.value is not None]
    numbers = np.array([t.number for t in done], dtype=np.int64)
    values = np.array([t.value for t in done], dtype=np.float64)
    better = np.maximum if study.direction == optuna.study.StudyDirection.MAXIMIZE else np.minimum
    return numbers, (better.accumulate(values) if values.size else values)


def figure_studies(studies: list, storage: str):
    """optuna's optimization history (every trial and the best so far) for each study, on one axis."""
    import warnings

    from optuna.visualization.matplotlib import plot_optimization_history

    _pyplot()
    names = getattr(studies[0], "metric_names", None)
    target = names[0] if names else "objective value"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optuna marks its matplotlib plots experimental
        ax = plot_optimization_history(studies if len(studies) > 1 else studies[0], target_name=target)
    fig = ax.figure
    fig.set_size_inches(11, 6)
    ax.set_xlabel("trial")
    ax.set_title(f"best-so-far {target} against trials, per study")
    fig.suptitle(f"Search studies {', '.join(s.study_name for s in studies)}\nstorage {storage}", fontsize=9)
    fig.tight_layout()
    arrays = {}
    for study in studies:
        numbers, best = best_so_far(study)
        arrays[_key(study.study_name) + "_trial"] = numbers
        arrays[_key(study.study_name) + "_best"] = best
    return fig, arrays
