"""Where 2024/1 part 2's network stops being sure: the pair layer's one score per pair, read off the weights.

    python scripts/probe_2024_01_scores.py [--root DIR] [--case LINESxDIGITSxSEED ...]

The shipped network (`PART2_HINTED_TASK`) scores every pair of numbers, v . relu(W_r x_i + W_s x_j + b) + c,
and each number keeps the max over its partners; the digit heads and the hint head `matched` read that max.
For each generated input (`d01.generate_input`: LINES lines of DIGITS-digit numbers, seed SEED) this prints,
over the right-list numbers: the lowest max of a number the left list holds, the highest max of one it does not
hold (a gap between the two is what lets the heads tell them apart), how many unmatched numbers score above
the lowest matched one, and the unequal pair that scores highest, with how many of its digits differ. The
scores are recomputed here in float64 from the parameters and the encoded stream; the script checks them
against the network's own hint head before it reports.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from aocnn import registry
from aocnn.errors import run_script
from aocnn.nn import model
from solvers.y2024 import d01

CASES = ("1000x5x1", "3000x5x2", "1000x9x1", "3000x9x7", "10000x9x100")
BLOCK = 100  # receivers at a time


def numpy_tree(tree):
    return {k: numpy_tree(v) if isinstance(v, dict) else np.asarray(v, np.float64) for k, v in tree.items()}


def best_scores(layer, stream, receivers):
    """Each receiver's scores against every token (its own pair masked out), in float64."""
    receive = stream @ layer["exact_receiver"]["kernel"] + layer["exact_receiver"]["bias"]
    send = stream @ layer["exact_sender"]["kernel"]
    v, c = layer["exact_message"]["kernel"][:, 0], layer["exact_message"]["bias"][0]
    scores = np.empty((len(receivers), len(stream)))
    for k in range(0, len(receivers), BLOCK):
        block = receivers[k:k + BLOCK]
        scores[k:k + BLOCK] = np.maximum(receive[block][:, None, :] + send[None], 0.0) @ v + c
    scores[np.arange(len(receivers)), receivers] = -np.inf
    return scores


def probe(network, run, case: str) -> None:
    lines, digits, seed = map(int, case.split("x"))
    pairs = registry.get(2024, 1).records(d01.generate_input(seed, n_lines=lines, digits=digits))
    [inputs] = list(d01.encode_list_only(pairs))
    outputs, state = run(network.params, inputs)
    tokens = 2 * lines
    stream = np.asarray(state["intermediates"]["stream_encoded"][0], np.float64)[0, :tokens]
    params = numpy_tree(network.params)
    numbers = np.array([v for pair in pairs for v in pair])
    left = np.arange(tokens) % 2 == 0
    receivers = np.nonzero(~left)[0]
    scores = best_scores(params["all_pairs0"], stream, receivers)
    best = scores.max(axis=1)
    head = params["decoder_matched"]["logits"]
    logits = best[:, None] @ head["kernel"] + head["bias"]
    theirs = np.asarray(outputs["matched"], np.float64)[0, receivers]
    if not np.allclose(logits, theirs, atol=1e-3 * max(1.0, np.abs(theirs).max())):
        raise SystemExit("the recomputed scores do not give the network's own hint logits: the probe is out of date")
    equal = numbers[receivers][:, None] == numbers[None, :]
    matched = (equal & left[None]).any(axis=1)
    unequal = np.where(equal, -np.inf, scores)
    i, j = np.unravel_index(np.argmax(unequal), unequal.shape)
    a, b = f"{numbers[receivers[i]]:09d}", f"{numbers[j]:09d}"
    above = int(np.sum(best[~matched] >= best[matched].min())) if matched.any() else 0
    print(f"{lines:,} lines of {digits}-digit numbers (seed {seed}): matched numbers' max score >= "
          f"{best[matched].min():.2f}; unmatched numbers' max score: median {np.median(best[~matched]):.2f}, "
          f"highest {best[~matched].max():.2f} ({above} of {int((~matched).sum())} at or above the lowest matched); "
          f"highest unequal pair {a} vs {b} ({'left' if left[j] else 'right'} list, "
          f"{sum(x != y for x, y in zip(a, b))} of 9 digits differ) scores {unequal[i, j]:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=None, help="weights root (default: the shipped weights/)")
    parser.add_argument("--allow-unconverged", action="store_true")
    parser.add_argument("--case", action="append", help=f"LINESxDIGITSxSEED (default: {', '.join(CASES)})")
    args = parser.parse_args()
    import jax

    network = model.load(d01.PART2_HINTED_TASK, "2024/1", 2, root=args.root, allow_unconverged=args.allow_unconverged)
    module = network.task.model.module
    run = jax.jit(lambda params, batch: module.apply({"params": params}, batch, capture_intermediates=True,
                                                     mutable=["intermediates"]))
    print(f"weights: {args.root or 'shipped'}, seed {network.meta.get('seed')}, {network.meta.get('steps')} steps", flush=True)
    for case in args.case or CASES:
        probe(network, run, case)


if __name__ == "__main__":
    run_script(main)
