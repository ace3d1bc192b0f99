"""Acceptance figures for 2015 day 1: exactness of the neural solvers on generated inputs, and warm solve time.

    python scripts/measure_2015_01.py                 # 10,000 x 7,000 chars, 1,000 x 70,000 chars
    python scripts/measure_2015_01.py --count 500     # 500 x 7,000 chars, 50 x 70,000 chars
    python scripts/measure_2015_01.py --weights DIR   # weights root other than the shipped one

Every input is parsed once (`PUZZLE.records`: normalize, check) and goes through the whole
neural path (`Model.solve`: encode, network, decode), one input at a time, and is compared
with the classical answer on the same records. Inputs come from
seeds no test or training uses. It also checks that inputs which never reach floor -1 are
refused by the network (part 2), and times one warm 7,000-character solve (median; parsing not included, for either solver).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import jax
import numpy as np

from aocnn import runner
from aocnn.errors import InputError, run_script
from solvers.y2015 import d01

SEED_BASE = 50_000_000


def neural_answer(network, text: str):
    try:
        result = network.solve(d01.PUZZLE.records(text))
    except InputError:
        return None, 0
    return result.answer, result.low_confidence


def classical_answer(part: int, text: str):
    try:
        return d01.PUZZLE.answer(part, text)
    except InputError:
        return None


def exactness(networks, length: int, count: int, seed_base: int, make=d01.generate_input) -> dict:
    right = {1: 0, 2: 0}
    low = {1: 0, 2: 0}
    wrong_examples = {1: [], 2: []}
    start = time.perf_counter()
    for i in range(count):
        text = make(seed_base + i, length)
        for part, network in networks.items():
            answer, low_confidence = neural_answer(network, text)
            expected = classical_answer(part, text)
            right[part] += answer == expected
            low[part] += low_confidence
            if answer != expected and len(wrong_examples[part]) < 5:
                wrong_examples[part].append((seed_base + i, expected, answer))
    return {"right": right, "low": low, "wrong": wrong_examples, "seconds": time.perf_counter() - start}


def warm_seconds(network, text: str, repeats: int) -> float:
    records = d01.PUZZLE.records(text)
    network.solve(records)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        network.solve(records)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def learned_weights(networks) -> None:
    """The clipped recurrence weights, and part 2's stop logit as a function of the floor."""
    family = jax.device_get(networks[1].params)  # part 1: the shared family's exact channel
    print(f"part 1: decay {family['recurrence0']['exact_decay_fwd'].tolist()}, all "
          f"{sum(np.size(w) for w in jax.tree_util.tree_leaves(family))} weights integers: "
          f"{all(np.array_equal(w, np.round(w)) for w in jax.tree_util.tree_leaves(family))}")
    params = jax.device_get(networks[2].params)
    recurrence = params["LinearRecurrence_0"]
    clipped = {name: np.clip(recurrence[name], -1, 1).ravel().tolist() for name in ("decay", "embed")}
    print(f"part 2: decay {clipped['decay']}, embed ['(', ')'] {clipped['embed']}, "
          f"readout {float(np.clip(params['readout'], -1, 1))}")
    up = float(np.clip(params["LinearRecurrence_0"]["embed"][0, 0], -1, 1))
    floors = np.arange(-1, 100_001, dtype=np.float32)
    hidden = np.maximum((up * floors)[:, None] @ params["Dense_0"]["kernel"] + params["Dense_0"]["bias"], 0)
    stop_logit = (hidden @ params["Dense_1"]["kernel"] + params["Dense_1"]["bias"])[:, 0]
    print(f"part 2 stop logit: floor -1 {stop_logit[0]:.2f}, floor 0 {stop_logit[1]:.2f}, floor 1 "
          f"{stop_logit[2]:.2f}, highest over floors 0..100,000 {stop_logit[1:].max():.2f}")


def edge_inputs(length: int) -> dict[str, str]:
    """Walks far from the generator's: lingering on floors 0/1 for the whole line, or never turning."""
    return {
        "zigzag, basement at the end": "()" * (length // 2 - 1) + "))",
        "zigzag, no basement": "()" * (length // 2),
        "all up": "(" * length,
        "all down": ")" * length,
        "up then all the way down": "(" * (length // 2 - 1) + ")" * (length // 2 + 1),
    }


def edge_cases(networks) -> None:
    wrong = []
    total = 0
    for length in (d01.REAL_LENGTH, 10 * d01.REAL_LENGTH):
        for name, text in edge_inputs(length).items():
            for part, network in networks.items():
                total += 1
                answer, _ = neural_answer(network, text)
                if answer != classical_answer(part, text):
                    wrong.append(f"{name} ({length:,}) part {part}: expected {classical_answer(part, text)}, got {answer}")
    print(f"edge inputs: {total - len(wrong)}/{total} exact" + "".join(f"\n  WRONG {w}" for w in wrong))


def report(title: str, count: int, figures: dict) -> None:
    print(f"{title} ({figures['seconds']:.0f} s)")
    for part in (1, 2):
        line = f"  part {part}: {figures['right'][part]:,}/{count:,} exact, low-confidence {figures['low'][part]}"
        if figures["wrong"][part]:
            line += f", first wrong (seed, expected, neural): {figures['wrong'][part]}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="7,000-char inputs (70,000-char: a tenth)")
    parser.add_argument("--weights", type=Path, help="weights root (default: the shipped weights/)")
    parser.add_argument("--repeats", type=int, default=200, help="warm solves to take the median of")
    args = parser.parse_args()

    networks = {part: runner.load_neural(d01.PUZZLE, part, root=args.weights) for part in d01.PUZZLE.neural}
    device = networks[1].device
    print(f"device: {device.platform} ({device.device_kind}); parameters: "
          + ", ".join(f"part {p} {n.meta.get('parameters', '?')}" for p, n in networks.items()))

    learned_weights(networks)

    long_count = max(1, args.count // 10)
    for length, count, offset in ((d01.REAL_LENGTH, args.count, 0), (10 * d01.REAL_LENGTH, long_count, 1_000_000)):
        report(f"{count:,} generated inputs of {length:,} characters", count,
               exactness(networks, length, count, SEED_BASE + offset))

    never = max(1, args.count // 10)
    figures = exactness(networks, d01.REAL_LENGTH, never, SEED_BASE + 2_000_000, d01.generate_input_without_basement)
    report(f"{never:,} generated inputs of 7,000 characters that never reach floor -1 "
           "(part 2 right = refused by the network)", never, figures)
    figures = exactness(networks, 10 * d01.REAL_LENGTH, max(1, never // 10), SEED_BASE + 3_000_000,
                        d01.generate_input_without_basement)
    report(f"{max(1, never // 10):,} of 70,000 characters that never reach floor -1", max(1, never // 10), figures)

    edge_cases(networks)

    text = d01.generate_input(SEED_BASE - 1)
    records = d01.PUZZLE.records(text)
    for part, network in networks.items():
        neural = warm_seconds(network, text, args.repeats)
        start = time.perf_counter()
        d01.PUZZLE.classical(part)(records)
        classical = time.perf_counter() - start
        print(f"warm solve, one 7,000-char input, part {part}: neural {neural * 1e3:.2f} ms (median of "
              f"{args.repeats}), classical {classical * 1e3:.2f} ms")
    long_text = d01.generate_input(SEED_BASE - 2, 10 * d01.REAL_LENGTH)
    for part, network in networks.items():
        print(f"warm solve, one 70,000-char input, part {part}: neural "
              f"{warm_seconds(network, long_text, 20) * 1e3:.2f} ms (median of 20)")


if __name__ == "__main__":
    run_script(main)
